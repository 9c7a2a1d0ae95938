//! The budget model, the table catalogue and the code lists, and the recogniser that
//! turns a workbook's grid into a [`Budget`].
//!
//! - [`Catalog`]: one declarative description of every table (`templates/catalog.toml`):
//!   titles and aliases, columns with their header synonyms, fixed rows. The reader,
//!   the writer and `yusuan template` all use it.
//! - [`CodeLists`]: 支出功能分类 and 部门预算支出经济分类 codes with provenance, and
//!   renamed 科目 names; a bureau's own list can be layered on top.
//! - [`Budget`]: exact `Decimal` amounts in the unit their table states, each with the
//!   cell it came from.
//! - [`recognise`]: grid → budget, by titles and header cells, never by addresses.
//! - [`export`]: the model as JSON (`yusuan-budget/1`).
//!
//! ```
//! use yusuan_core::{CodeLists, TableId, Unit, recognise};
//! use yusuan_grid::{Cell, Grid, Format, Sheet};
//!
//! let t = |s: &str| Cell::Text(s.into());
//! let sheet = Sheet::from_cells("表3", vec![
//!     (0, 0, t("一般公共预算支出预算表")),
//!     (1, 4, t("单位：万元")),
//!     (2, 0, t("科目编码")), (2, 1, t("科目名称")), (2, 2, t("合计")),
//!     (2, 3, t("基本支出")), (2, 4, t("项目支出")),
//!     (3, 1, t("合计")), (3, 2, Cell::Number(530.88)), (3, 3, Cell::Number(430.88)),
//!     (3, 4, Cell::Number(100.0)),
//!     (4, 0, t("201")), (4, 1, t("一般公共服务支出")), (4, 2, Cell::Number(530.88)),
//! ]);
//! let grid = Grid { format: Format::Xlsx, sheets: vec![sheet] };
//! let budget = recognise(&grid, CodeLists::builtin()).unwrap();
//! let t3 = budget.table(TableId::T3).unwrap();
//! assert_eq!(t3.unit, Some(Unit::WanYuan));
//! assert_eq!(t3.by_code("201").unwrap().value("total").unwrap().to_string(), "530.88");
//! ```
#![deny(missing_docs)]

mod catalog;
pub mod compare;
pub mod export;
mod model;
mod recognise;
pub mod text;

pub use catalog::{
    Catalog, CodeEntry, CodeListError, CodeLists, ColumnSpec, FoldedHeaders, Fund, FundNames,
    HeaderWords, InfoKind, InfoSpec, Layout, LayoutColumn, LayoutTable, LayoutText, PartTotal,
    Renamed, Role, RowSpec, Scheme, Side, Stage, TableId, TableKind, TableSpec, TextSpec,
};
pub use model::{
    Amount, Budget, CellIssue, CellRef, ColumnRef, Duplicate, Entity, Info, InfoEntry, Line,
    LineKind, Located, OtherSheet, Reading, Summary, Table, TextLine, TextSheet, ThreePublic, Unit,
    decimal_string, round2, show2,
};
pub use recognise::{RecogniseError, is_empty_note, read_amount, recognise};
/// Cell addresses (`B3`), re-exported from the grid reader for messages.
pub use yusuan_grid::{a1, os_reason, parse_a1};
