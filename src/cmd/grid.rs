//! `yusuan __grid FILE` (hidden): a workbook's cells as JSON, for the web page's grid
//! view — each sheet's name, its extent (at most 500 rows and 60 columns are sent) and
//! its non-empty cells as `[row, col, text]`, zero-based, as displayed.

use std::path::PathBuf;

use anyhow::Result;

use super::Outcome;

const MAX_ROWS: u32 = 500;
const MAX_COLS: u32 = 60;

/// A workbook's cells as JSON (internal, for `yusuan serve`).
#[derive(Debug, clap::Args)]
pub struct Args {
    file: PathBuf,
}

impl Args {
    /// The files the command reads (for a message should its process abort).
    pub fn inputs(&self) -> Vec<PathBuf> {
        vec![self.file.clone()]
    }
}

pub fn run(a: Args) -> Result<Outcome> {
    let grid = yusuan_grid::read_path(&a.file)
        .map_err(|e| anyhow::anyhow!("{}：{e}", a.file.display()))?;
    let sheets: Vec<serde_json::Value> = grid
        .sheets
        .iter()
        .map(|s| {
            let cells: Vec<(u32, u32, String)> = s
                .cells()
                .filter(|(r, c, _)| *r < MAX_ROWS && *c < MAX_COLS)
                .map(|(r, c, cell)| (r, c, cell.display()))
                .filter(|(_, _, t)| !t.is_empty())
                .collect();
            let rows = cells.iter().map(|c| c.0 + 1).max().unwrap_or(0);
            let cols = cells.iter().map(|c| c.1 + 1).max().unwrap_or(0);
            serde_json::json!({
                "name": s.name,
                "rows": rows,
                "cols": cols,
                "truncated": s.last_row().is_some_and(|r| r >= MAX_ROWS)
                    || s.last_col().is_some_and(|c| c >= MAX_COLS),
                "cells": cells,
            })
        })
        .collect();
    super::out(&format!("{}\n", serde_json::json!({ "sheets": sheets })))?;
    Ok(Outcome::Clean)
}
