//! yusuan (预算): read, check and publish Chinese department budget disclosures
//! (部门预算公开).
//!
//! The pipeline, one module per stage (see `docs` in the README):
//!
//! ```text
//! file ─grid─▶ Grid ─recognise─▶ Budget ─validate─▶ Findings ─report─▶ text / JSON / 问题清单.xlsx
//!                                   ├─write─▶ disclosure workbook, template, annotated copy
//!                                   ├─narrate─▶ 情况说明
//!                                   └─export─▶ JSON
//! folder ─batch─▶ the same per file, in parallel, plus 汇总表
//! ```

pub mod batch;
pub mod catalog;
pub mod compose;
pub mod corpus;
pub mod export;
pub mod grid;
pub mod model;
pub mod narrate;
pub mod output;
pub mod pipeline;
pub mod recognise;
pub mod report;
pub mod text;
pub mod validate;
pub mod write;

use std::path::Path;

pub use catalog::{CodeLists, TableId};
pub use model::{Budget, Unit};

/// Why a file could not be turned into a budget.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Read(#[from] grid::ReadError),
    #[error("{path}：{source}")]
    Recognise {
        path: String,
        source: recognise::RecogniseError,
    },
}

/// Read a workbook and recognise its tables.
pub fn load(path: &Path, codes: &CodeLists) -> Result<(grid::Grid, Budget), LoadError> {
    let grid = grid::read_path(path)?;
    let budget = recognise::recognise(&grid, codes).map_err(|source| LoadError::Recognise {
        path: path.display().to_string(),
        source,
    })?;
    Ok((grid, budget))
}
