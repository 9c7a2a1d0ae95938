//! Any workbook as a plain grid of typed cells and merged ranges.
//!
//! This is the only crate that talks to calamine. It knows nothing of budgets: it
//! gives every sheet (name, visibility, non-empty cells at absolute positions, merged
//! ranges) and nothing else. The format is taken from the file's bytes, not from its
//! extension, so an `.xlsx` renamed `.xls` is still read, and a Word file renamed
//! `.xlsx` gets a clear message.
//!
//! Limits (so a hostile file cannot take unbounded memory or time) hold per workbook,
//! and are checked as the reading goes, before anything large is allocated: the file
//! size, what a zip package inflates to (counted as it inflates, each part's checksum
//! verified), the number of sheets, non-empty cells and bytes of text (a shared string
//! once per cell that uses it), the shared strings, and the grids that calamine
//! allocates whole (.xls, .ods). A workbook over one is refused with
//! [`ReadError::OverLimit`]. Two per-sheet caps keep the rest of the workbook usable: a
//! sheet with too many cells is kept empty with [`Sheet::limit`] set, so later stages
//! can name it; too many merged ranges keep the first ones, and say so.
//!
//! ```
//! use yusuan_grid::{Cell, read_bytes};
//! use std::path::Path;
//!
//! // Anything that is not a workbook is refused with a message naming the file.
//! let e = read_bytes(Path::new("名单.xlsx"), b"name,amount\n".to_vec()).unwrap_err();
//! assert!(e.to_string().starts_with("名单.xlsx：不是 Excel 或 WPS 表格文件"));
//!
//! // A sheet can also be built by hand (tests do).
//! let s = yusuan_grid::Sheet::from_cells("表1", vec![(2, 1, Cell::Number(684.78))]);
//! assert_eq!(s.shown_text(2, 1), "684.78");
//! assert_eq!(yusuan_grid::a1(2, 1), "B3");
//! ```
#![deny(missing_docs)]

mod cell;
mod error;
mod ods_extent;
mod package;
mod read;
mod sheet;
// Kept although calamine could do their work, for measured reasons given in each
// module (calamine issues #433/#593: whole-grid allocation of .xls ranges; merged
// ranges of xlsx re-parse the whole sheet).
mod xls_extent;
mod xlsx_merges;

pub use cell::{Cell, Format, Rect, a1, col_letters, excel_date_string, format_number, parse_a1};
pub use error::{Cause, Limit, ReadError, WorkbookLimit, os_reason};
pub use read::{read_bytes, read_path};
pub use sheet::{Grid, Sheet};

/// Largest workbook file read (bytes).
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;
/// Largest uncompressed size of the parts of a zipped workbook (xlsx, ods), together,
/// as declared and as inflated.
pub const MAX_UNZIPPED_BYTES: u64 = 256 * 1024 * 1024;
/// Largest number of worksheet entries of a workbook.
pub const MAX_SHEETS: usize = 1_000;
/// Largest number of non-empty cells of a workbook, all sheets together (also the
/// largest shared-string table).
pub const MAX_CELLS: usize = 2_000_000;
/// Largest text of a workbook's cells together, in bytes (UTF-8), a shared string
/// counted once per cell that uses it.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// Largest number of non-empty cells kept for one sheet.
pub const MAX_CELLS_PER_SHEET: usize = 500_000;
/// Largest number of merged ranges kept for one sheet.
pub const MAX_MERGES_PER_SHEET: usize = 20_000;
/// Largest grid of the sheets of an .xls or .ods together (rows × columns from each
/// sheet's first to its last cell, and what calamine reserves besides): calamine
/// allocates these whole, about 40 bytes a cell (see `xls_extent.rs`, `package.rs`).
pub const MAX_GRID_CELLS: u64 = 4_000_000;
/// Largest row index (Excel's own limit, zero-based).
pub const MAX_ROW: u32 = 1_048_575;
/// Largest column index (Excel's own limit, zero-based: XFD).
pub const MAX_COL: u32 = 16_383;
