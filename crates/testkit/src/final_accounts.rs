//! A real published 部门决算 put back into a workbook.
//!
//! The shared data gives every table of a published 决算 as printed: its header rows
//! (a merged header repeats its text in every column it spans), its body rows (blank is
//! `""`, zero only where printed) and the notes printed under it. Each table becomes one
//! sheet the way the 决算 software exports it: the title, the line
//! `编制部门：… · 2024年度 · 单位：万元`, the header band with its merges, the body and the
//! notes. Figures are never changed: `307.82` becomes the number 307.82, a blank stays
//! blank, and codes stay text as printed.

use serde::Deserialize;
use yusuan_grid::{Cell, Format, Grid, Rect, Sheet};

/// One table of `tables.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct PrintedTable {
    /// The unit printed above it (`万元`), empty for the untitled 单位构成 table.
    #[serde(default)]
    pub unit: String,
    /// Header rows, top first; a merged header repeats its text.
    pub header: Vec<Vec<String>>,
    /// Body rows as printed.
    pub rows: Vec<Vec<String>>,
    /// The lines printed under the table (注, 说明).
    #[serde(default)]
    pub notes_printed: Vec<String>,
    /// Whether a title is printed (false for the 单位构成 table of the text part).
    #[serde(default = "yes")]
    pub title_printed: bool,
}

fn yes() -> bool {
    true
}

/// The nine tables of the national 部门决算 公开 set, in publication order.
pub const FINAL_TABLES: [&str; 9] = [
    "收入支出决算总表",
    "收入决算表",
    "支出决算表",
    "财政拨款收入支出决算总表",
    "一般公共预算财政拨款支出决算表",
    "一般公共预算财政拨款基本支出决算表",
    "财政拨款“三公”经费支出决算表",
    "政府性基金预算财政拨款收入支出决算表",
    "国有资本经营预算财政拨款收入支出决算表",
];

/// A printed amount as a cell: blank → no cell; anything else that parses → a number;
/// text otherwise (kept as printed).
fn amount(s: &str) -> Option<Cell> {
    let t = s.trim().replace(',', "");
    if t.is_empty() {
        return None;
    }
    Some(match t.parse::<f64>() {
        Ok(n) => Cell::Number(n),
        Err(_) => Cell::Text(s.to_string()),
    })
}

/// Whether column `c` of a body row is a label (code or name), not a figure: its
/// lowest header says so.
fn is_label(header: &[Vec<String>], c: usize) -> bool {
    header
        .last()
        .and_then(|row| row.get(c))
        .is_some_and(|h| h == "项目" || h.contains("编码") || h.contains("名称"))
}

/// Merges of a header band: runs of equal text across a row, then down a column.
fn header_merges(header: &[Vec<String>], top: u32) -> Vec<Rect> {
    let rows = header.len();
    let cols = header.iter().map(Vec::len).max().unwrap_or(0);
    let mut covered = vec![vec![false; cols]; rows];
    let mut out = Vec::new();
    for r in 0..rows {
        let mut c = 0;
        while c < cols {
            if covered[r][c] || header[r].get(c).is_none_or(String::is_empty) {
                c += 1;
                continue;
            }
            let text = &header[r][c];
            let mut last_c = c;
            while last_c + 1 < cols && header[r].get(last_c + 1) == Some(text) {
                last_c += 1;
            }
            // Down: every column of the run keeps the same text below.
            let mut last_r = r;
            while last_r + 1 < rows
                && (c..=last_c).all(|k| header[last_r + 1].get(k) == Some(text))
                && (last_c == cols - 1 || header[last_r + 1].get(last_c + 1) != Some(text))
            {
                last_r += 1;
            }
            for row in covered.iter_mut().take(last_r + 1).skip(r) {
                for cell in row.iter_mut().take(last_c + 1).skip(c) {
                    *cell = true;
                }
            }
            if last_c > c || last_r > r {
                out.push(Rect {
                    first_row: top + r as u32,
                    first_col: c as u32,
                    last_row: top + last_r as u32,
                    last_col: last_c as u32,
                });
            }
            c = last_c + 1;
        }
    }
    out
}

/// One table as a sheet.
fn table_sheet(title: &str, t: &PrintedTable, department: &str, year: i32) -> Sheet {
    let cols = t.header.iter().map(Vec::len).max().unwrap_or(1) as u32;
    let mut cells = vec![
        (0, 0, Cell::Text(title.to_string())),
        (1, 0, Cell::Text(format!("编制部门：{department}"))),
        (1, cols / 2, Cell::Text(format!("{year}年度"))),
        (1, cols - 1, Cell::Text(format!("单位：{}", t.unit))),
    ];
    let top = 2u32;
    for (r, row) in t.header.iter().enumerate() {
        for (c, h) in row.iter().enumerate() {
            let covered = (r > 0 && t.header[r - 1].get(c) == Some(h))
                || (c > 0 && row.get(c - 1) == Some(h));
            if !h.is_empty() && !covered {
                cells.push((top + r as u32, c as u32, Cell::Text(h.clone())));
            }
        }
    }
    let first = top + t.header.len() as u32;
    for (r, row) in t.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let cell = if is_label(&t.header, c) {
                (!v.is_empty()).then(|| Cell::Text(v.clone()))
            } else {
                amount(v)
            };
            if let Some(cell) = cell {
                cells.push((first + r as u32, c as u32, cell));
            }
        }
    }
    let notes = first + t.rows.len() as u32;
    for (i, n) in t.notes_printed.iter().enumerate() {
        cells.push((notes + i as u32, 0, Cell::Text(n.clone())));
    }
    let mut sheet = Sheet::from_cells(title, cells);
    let merges = sheet.merges_mut();
    merges.push(Rect {
        first_row: 0,
        first_col: 0,
        last_row: 0,
        last_col: cols - 1,
    });
    merges.extend(header_merges(&t.header, top));
    sheet.merges_known = true;
    sheet
}

/// The published 决算 tables (`tables.json`) as a workbook, one sheet per table in
/// publication order.
pub fn final_accounts(tables_json: &str, department: &str, year: i32) -> Result<Grid, String> {
    let tables: std::collections::HashMap<String, PrintedTable> =
        serde_json::from_str(tables_json).map_err(|e| e.to_string())?;
    let mut sheets = Vec::new();
    for title in FINAL_TABLES {
        let t = tables.get(title).ok_or(format!("{title} missing"))?;
        if t.title_printed {
            sheets.push(table_sheet(title, t, department, year));
        }
    }
    Ok(Grid {
        format: Format::Xlsx,
        sheets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_runs_across_and_down() {
        let h = |rows: &[&[&str]]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect()
        };
        let m = header_merges(
            &h(&[&["项目", "项目", "合计"], &["编码", "名称", "合计"]]),
            2,
        );
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].first_col, m[0].last_col, m[0].last_row), (0, 1, 2));
        assert_eq!((m[1].first_col, m[1].last_col, m[1].last_row), (2, 2, 3));
    }
}
