//! Any workbook format → a plain grid of typed cells and merged ranges.
//!
//! This is the only module that talks to calamine. It knows nothing of budgets: it
//! gives every sheet (name, visibility, non-empty cells at absolute positions, merged
//! ranges) and nothing else. The format is taken from the file's bytes, not from its
//! extension, so an `.xlsx` renamed `.xls` is still read, and a Word file renamed
//! `.xlsx` gets a clear message.
//!
//! Limits (so a hostile file cannot take unbounded memory or time): the file size,
//! the number of non-empty cells per sheet and the number of merged ranges per sheet
//! are capped. A sheet over a cap is kept with `limit` set and no cells, so later
//! stages can name it.

use std::fmt;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use calamine::{Data, DataRef, Reader, SheetType, SheetVisible};
use serde::Serialize;

mod xls_extent;
mod xlsx_merges;

/// Largest workbook file read (bytes).
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;
/// Largest uncompressed size of the parts of a zipped workbook (xlsx, ods), together.
pub const MAX_UNZIPPED_BYTES: u64 = 1024 * 1024 * 1024;
/// Largest number of non-empty cells kept for one sheet.
pub const MAX_CELLS_PER_SHEET: usize = 500_000;
/// Largest number of merged ranges kept for one sheet.
pub const MAX_MERGES_PER_SHEET: usize = 20_000;
/// Largest grid (rows × columns from a sheet's first to its last cell) of an .xls:
/// calamine allocates it whole, 40 bytes a cell (see grid/xls_extent.rs).
pub const MAX_XLS_GRID_CELLS: u64 = 2_000_000;
/// Largest row and column index (Excel's own limits).
pub const MAX_ROW: u32 = 1_048_575;
pub const MAX_COL: u32 = 16_383;

/// The container format found in the file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
        })
    }
}

/// One non-empty cell value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    /// An Excel error value such as `#REF!`.
    Error(String),
    /// A date or time (Excel serial number).
    Date(f64),
    /// A formula whose result was never stored (the file was not recalculated).
    Formula(String),
}

impl Cell {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The cell as a person would read it, for messages and for text matching.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => e.clone(),
            Cell::Date(d) => excel_date_string(*d),
            Cell::Formula(f) => format!("={f}"),
        }
    }
}

/// A number as Excel would show it in a General cell (up to 15 significant digits).
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else if n.abs() >= 1e15 || (n != 0.0 && n.abs() < 1e-9) {
        format!("{n:e}")
    } else {
        let s = format!("{:.14e}", n);
        match s.parse::<f64>() {
            Ok(v) => format!("{v}"),
            Err(_) => format!("{n}"),
        }
    }
}

/// `yyyy-mm-dd` for an Excel serial date (1900 system), for messages.
pub fn excel_date_string(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return format!("{serial}");
    }
    // Days since 1970-01-01: Excel's day 25569 is 1970-01-01 (with its 1900 leap bug).
    let days = serial.floor() as i64 - 25_569;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

// Howard Hinnant's days → civil date.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A rectangle of cells, inclusive, zero-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rect {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl Rect {
    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.first_row..=self.last_row).contains(&row)
            && (self.first_col..=self.last_col).contains(&col)
    }

    pub fn is_single_cell(&self) -> bool {
        self.first_row == self.last_row && self.first_col == self.last_col
    }

    /// `A1:D1` notation.
    pub fn a1(&self) -> String {
        format!(
            "{}:{}",
            a1(self.first_row, self.first_col),
            a1(self.last_row, self.last_col)
        )
    }
}

/// Column letters for a zero-based column index (`0` → `A`, `26` → `AA`).
pub fn col_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `A1` reference for a zero-based row and column.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", col_letters(col), row + 1)
}

/// Parse an `A1` reference back into zero-based (row, col).
pub fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().trim_start_matches('$');
    let letters: String = s.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = s[letters.len()..].trim_start_matches('$');
    if letters.is_empty() || letters.len() > 3 || digits.is_empty() {
        return None;
    }
    let mut col: u32 = 0;
    for c in letters.chars() {
        col = col * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 {
        return None;
    }
    Some((row - 1, col - 1))
}

/// A sheet limit that was hit while reading; the sheet's cells were not kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Limit {
    TooManyCells { max: usize },
    TooManyMerges { max: usize },
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::TooManyCells { max } => {
                write!(f, "非空单元格超过 {max} 个的处理上限，未读取该工作表")
            }
            Limit::TooManyMerges { max } => {
                write!(f, "合并单元格超过 {max} 个的处理上限，多出的合并区域已忽略")
            }
        }
    }
}

/// Merged ranges of at most this many cells are indexed cell by cell; larger ones are
/// scanned (and at most [`MAX_LARGE_MERGES`] of them are kept).
const SMALL_MERGE_CELLS: u64 = 64;
/// Largest number of merged ranges above [`SMALL_MERGE_CELLS`] cells kept for a sheet.
pub const MAX_LARGE_MERGES: usize = 256;

/// Where each covered cell's merged range is: O(1) for ordinary merges.
#[derive(Debug, Clone, Default)]
struct MergeIndex {
    small: std::collections::HashMap<(u32, u32), usize>,
    large: Vec<usize>,
}

/// One sheet: its non-empty cells, row by row, and its merged ranges.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sheet {
    pub name: String,
    pub visible: bool,
    /// Rows in ascending order; each row's cells in ascending column order.
    rows: Vec<(u32, Vec<(u32, Cell)>)>,
    merges: Vec<Rect>,
    #[serde(skip)]
    index: std::sync::OnceLock<MergeIndex>,
    /// False where the format gives no merge information (ods, xlsb).
    pub merges_known: bool,
    pub limit: Option<Limit>,
}

impl Sheet {
    pub fn new(name: impl Into<String>) -> Sheet {
        Sheet {
            name: name.into(),
            visible: true,
            merges_known: true,
            ..Sheet::default()
        }
    }

    /// Build a sheet from cells in any order (later cells win on the same position).
    pub fn from_cells(name: impl Into<String>, cells: Vec<(u32, u32, Cell)>) -> Sheet {
        let mut sheet = Sheet::new(name);
        let mut cells = cells;
        cells.sort_by_key(|(r, c, _)| (*r, *c));
        for (r, c, cell) in cells {
            sheet.push_sorted(r, c, cell);
        }
        sheet
    }

    fn push_sorted(&mut self, row: u32, col: u32, cell: Cell) {
        match self.rows.last_mut() {
            Some((r, cells)) if *r == row => match cells.last_mut() {
                Some((c, old)) if *c == col => *old = cell,
                _ => cells.push((col, cell)),
            },
            _ => self.rows.push((row, vec![(col, cell)])),
        }
    }

    fn row_index(&self, row: u32) -> Result<usize, usize> {
        self.rows.binary_search_by_key(&row, |(r, _)| *r)
    }

    /// The cell stored at (row, col), ignoring merges.
    pub fn get(&self, row: u32, col: u32) -> Option<&Cell> {
        let cells = &self.rows[self.row_index(row).ok()?].1;
        let i = cells.binary_search_by_key(&col, |(c, _)| *c).ok()?;
        Some(&cells[i].1)
    }

    /// The merged ranges.
    pub fn merges(&self) -> &[Rect] {
        &self.merges
    }

    /// The merged ranges, to change them.
    pub fn merges_mut(&mut self) -> &mut Vec<Rect> {
        self.index = std::sync::OnceLock::new();
        &mut self.merges
    }

    fn index(&self) -> &MergeIndex {
        self.index.get_or_init(|| {
            let mut ix = MergeIndex::default();
            for (i, m) in self.merges.iter().enumerate() {
                if m.is_single_cell() {
                    continue;
                }
                let area = u64::from(m.last_row - m.first_row + 1)
                    * u64::from(m.last_col - m.first_col + 1);
                if area <= SMALL_MERGE_CELLS {
                    for r in m.first_row..=m.last_row {
                        for c in m.first_col..=m.last_col {
                            ix.small.entry((r, c)).or_insert(i);
                        }
                    }
                } else if ix.large.len() < MAX_LARGE_MERGES {
                    ix.large.push(i);
                }
            }
            ix
        })
    }

    /// The merged range (spanning more than one cell) that covers (row, col).
    pub fn merge_at(&self, row: u32, col: u32) -> Option<&Rect> {
        let ix = self.index();
        if let Some(i) = ix.small.get(&(row, col)) {
            return Some(&self.merges[*i]);
        }
        ix.large
            .iter()
            .map(|i| &self.merges[*i])
            .find(|m| m.contains(row, col))
    }

    /// Whether a merged range starting above `row` reaches down into it.
    pub fn covered_from_above(&self, row: u32) -> bool {
        self.merges
            .iter()
            .any(|m| !m.is_single_cell() && m.first_row < row && m.last_row >= row)
    }

    /// The value shown at (row, col): a covered cell of a merged range shows the
    /// range's top-left value.
    pub fn shown(&self, row: u32, col: u32) -> Option<&Cell> {
        match self.get(row, col) {
            Some(c) => Some(c),
            None => {
                let m = self.merge_at(row, col)?;
                self.get(m.first_row, m.first_col)
            }
        }
    }

    /// Text of a cell as shown (numbers formatted), empty string when blank.
    pub fn shown_text(&self, row: u32, col: u32) -> String {
        self.shown(row, col).map(Cell::display).unwrap_or_default()
    }

    /// Non-empty rows with their cells, in order.
    pub fn rows(&self) -> impl Iterator<Item = (u32, &[(u32, Cell)])> {
        self.rows.iter().map(|(r, cells)| (*r, cells.as_slice()))
    }

    /// The cells of one row (empty slice when the row is blank).
    pub fn row(&self, row: u32) -> &[(u32, Cell)] {
        match self.row_index(row) {
            Ok(i) => &self.rows[i].1,
            Err(_) => &[],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn cell_count(&self) -> usize {
        self.rows.iter().map(|(_, c)| c.len()).sum()
    }

    /// Last row holding a value (or covered by a merge), if any.
    pub fn last_row(&self) -> Option<u32> {
        self.rows.last().map(|(r, _)| *r)
    }

    /// Last column holding a value in any row.
    pub fn last_col(&self) -> Option<u32> {
        self.rows
            .iter()
            .filter_map(|(_, cells)| cells.last().map(|(c, _)| *c))
            .max()
    }

    // ---- editing (used by annotated copies and by tests that mutate workbooks) ----

    /// Set (or with `None`, clear) one cell.
    pub fn set(&mut self, row: u32, col: u32, cell: Option<Cell>) {
        match (self.row_index(row), cell) {
            (Ok(i), Some(cell)) => {
                let cells = &mut self.rows[i].1;
                match cells.binary_search_by_key(&col, |(c, _)| *c) {
                    Ok(j) => cells[j].1 = cell,
                    Err(j) => cells.insert(j, (col, cell)),
                }
            }
            (Ok(i), None) => {
                let cells = &mut self.rows[i].1;
                if let Ok(j) = cells.binary_search_by_key(&col, |(c, _)| *c) {
                    cells.remove(j);
                }
                if cells.is_empty() {
                    self.rows.remove(i);
                }
            }
            (Err(i), Some(cell)) => self.rows.insert(i, (row, vec![(col, cell)])),
            (Err(_), None) => {}
        }
    }

    /// Delete one row; rows below move up; merges are adjusted.
    pub fn delete_row(&mut self, row: u32) {
        self.index = std::sync::OnceLock::new();
        if let Ok(i) = self.row_index(row) {
            self.rows.remove(i);
        }
        for (r, _) in self.rows.iter_mut() {
            if *r > row {
                *r -= 1;
            }
        }
        self.merges
            .retain(|m| !(m.first_row == row && m.last_row == row));
        for m in self.merges.iter_mut() {
            if m.first_row > row {
                m.first_row -= 1;
                m.last_row -= 1;
            } else if m.last_row >= row {
                m.last_row -= 1;
            }
        }
    }

    /// Insert an empty row before `row`; rows at or below move down.
    pub fn insert_row(&mut self, row: u32) {
        self.index = std::sync::OnceLock::new();
        for (r, _) in self.rows.iter_mut() {
            if *r >= row {
                *r += 1;
            }
        }
        for m in self.merges.iter_mut() {
            if m.first_row >= row {
                m.first_row += 1;
            }
            if m.last_row >= row {
                m.last_row += 1;
            }
        }
    }

    /// Insert an empty column before `col`; columns at or right of it move right.
    pub fn insert_col(&mut self, col: u32) {
        self.index = std::sync::OnceLock::new();
        for (_, cells) in self.rows.iter_mut() {
            for (c, _) in cells.iter_mut() {
                if *c >= col {
                    *c += 1;
                }
            }
        }
        for m in self.merges.iter_mut() {
            if m.first_col >= col {
                m.first_col += 1;
            }
            if m.last_col >= col {
                m.last_col += 1;
            }
        }
    }
}

/// A whole workbook as a grid.
#[derive(Debug, Clone, Serialize)]
pub struct Grid {
    pub format: Format,
    pub sheets: Vec<Sheet>,
}

impl Grid {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == name)
    }

    pub fn sheet_mut(&mut self, name: &str) -> Option<&mut Sheet> {
        self.sheets.iter_mut().find(|s| s.name == name)
    }
}

/// Why a file could not be read as a workbook.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}：无法打开文件（{source}）")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}：文件为空（0 字节），不是工作簿")]
    Empty { path: PathBuf },
    #[error("{path}：文件大小 {size} 字节超过 {max} 字节的处理上限")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error(
        "{path}：解压后内容达 {size} 字节，超过 {max} 字节的处理上限（可能是异常或恶意构造的文件）"
    )]
    TooLargeUnzipped { path: PathBuf, size: u64, max: u64 },
    #[error(
        "{path}：第 {sheet} 个工作表的数据范围达 {rows} 行 × {cols} 列，超过 .xls 文件可处理的上限（{max} 个单元格）；请删除表格以外的多余内容，或另存为 .xlsx 后再提交"
    )]
    TooLargeRange {
        path: PathBuf,
        sheet: usize,
        rows: u64,
        cols: u64,
        max: u64,
    },
    #[error("{path}：工作簿设有打开密码（已加密），请去除密码后另存再提交")]
    Password { path: PathBuf },
    #[error("{path}：不是 Excel 或 WPS 表格文件（{what}）；请提交 .xlsx、.xls 或 .ods 工作簿")]
    NotWorkbook { path: PathBuf, what: String },
    #[error("{path}：文件已损坏或不完整，无法读取（{detail}）；请重新下载或另存后再提交")]
    Corrupt { path: PathBuf, detail: String },
    #[error("{path}：工作表「{sheet}」无法读取（{detail}）")]
    Sheet {
        path: PathBuf,
        sheet: String,
        detail: String,
    },
    #[error("{path}：工作簿中没有任何工作表")]
    NoSheets { path: PathBuf },
}

impl ReadError {
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Open { path, .. }
            | ReadError::Empty { path }
            | ReadError::TooLarge { path, .. }
            | ReadError::TooLargeUnzipped { path, .. }
            | ReadError::TooLargeRange { path, .. }
            | ReadError::Password { path }
            | ReadError::NotWorkbook { path, .. }
            | ReadError::Corrupt { path, .. }
            | ReadError::Sheet { path, .. }
            | ReadError::NoSheets { path } => path,
        }
    }
}

/// Read a workbook file into a grid. The file is opened read-only and read once.
pub fn read_path(path: &Path) -> Result<Grid, ReadError> {
    let open = |source| ReadError::Open {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(open)?;
    let size = file.metadata().map_err(open)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            size,
            max: MAX_FILE_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(open)?;
    read_bytes(path, bytes)
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Read a workbook from bytes; `path` is used for messages only.
///
/// The parsers of calamine run under `catch_unwind`: a malformed file that makes one of
/// them panic (the fuzzer found such .xls records) is reported as a corrupt file, like
/// any other, instead of bringing the process down.
pub fn read_bytes(path: &Path, bytes: Vec<u8>) -> Result<Grid, ReadError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sniff_and_read(path, bytes))) {
        Ok(r) => r,
        Err(_) => Err(ReadError::Corrupt {
            path: path.to_path_buf(),
            detail: "文件内部结构异常，无法解析".into(),
        }),
    }
}

fn sniff_and_read(path: &Path, bytes: Vec<u8>) -> Result<Grid, ReadError> {
    let p = || path.to_path_buf();
    if bytes.is_empty() {
        return Err(ReadError::Empty { path: p() });
    }
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(b"PK\x05\x06") {
        if !contains(&bytes[bytes.len().saturating_sub(66_000)..], b"PK\x05\x06") {
            return Err(ReadError::Corrupt {
                path: p(),
                detail: "压缩包不完整，缺少结尾目录，像是没有下载完".into(),
            });
        }
        check_unzipped_size(path, &bytes)?;
        if zip_has_entry(&bytes, b"mimetype") && contains(&bytes, b"opendocument.spreadsheet") {
            return read_ods(path, bytes);
        }
        if zip_has_entry(&bytes, b"xl/workbook.bin") {
            return read_xlsb(path, bytes);
        }
        if zip_has_entry(&bytes, b"word/") {
            return Err(ReadError::NotWorkbook {
                path: p(),
                what: "这是 Word 文档".into(),
            });
        }
        if zip_has_entry(&bytes, b"ppt/") {
            return Err(ReadError::NotWorkbook {
                path: p(),
                what: "这是 PowerPoint 演示文稿".into(),
            });
        }
        if !zip_has_entry(&bytes, b"xl/workbook.xml") {
            if !contains(&bytes, b"PK\x05\x06") {
                return Err(ReadError::Corrupt {
                    path: p(),
                    detail: "压缩包不完整，缺少结尾目录".into(),
                });
            }
            return Err(ReadError::NotWorkbook {
                path: p(),
                what: "压缩包中没有工作簿内容 xl/workbook.xml".into(),
            });
        }
        return read_xlsx(path, bytes);
    }
    if bytes.starts_with(CFB_MAGIC) {
        if contains_utf16(&bytes, "EncryptedPackage") {
            return Err(ReadError::Password { path: p() });
        }
        if contains_utf16(&bytes, "WordDocument") {
            return Err(ReadError::NotWorkbook {
                path: p(),
                what: "这是 Word 97-2003 文档".into(),
            });
        }
        return read_xls(path, bytes);
    }
    let what = if bytes.starts_with(b"%PDF") {
        "这是 PDF 文件".to_string()
    } else if bytes.starts_with(b"{\\rtf") {
        "这是 RTF 文档".to_string()
    } else if looks_like_text(&bytes) {
        "这是纯文本文件（如 CSV），不是工作簿".to_string()
    } else {
        "无法识别的文件内容".to_string()
    };
    Err(ReadError::NotWorkbook { path: p(), what })
}

/// Refuse a zip whose parts declare more than [`MAX_UNZIPPED_BYTES`] uncompressed (a
/// "zip bomb"): checked on the central directory before anything is inflated.
fn check_unzipped_size(path: &Path, bytes: &[u8]) -> Result<(), ReadError> {
    let Ok(mut z) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // not readable as a zip: the format readers will say so
    };
    let mut total: u64 = 0;
    for i in 0..z.len() {
        if let Ok(f) = z.by_index_raw(i) {
            total = total.saturating_add(f.size());
        }
    }
    if total > MAX_UNZIPPED_BYTES {
        return Err(ReadError::TooLargeUnzipped {
            path: path.to_path_buf(),
            size: total,
            max: MAX_UNZIPPED_BYTES,
        });
    }
    Ok(())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn contains_utf16(hay: &[u8], needle: &str) -> bool {
    let n: Vec<u8> = needle
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    contains(hay, &n)
}

/// Whether a local-file header or central-directory entry names `prefix…`.
fn zip_has_entry(bytes: &[u8], prefix: &[u8]) -> bool {
    // Local file headers: signature, 26 bytes of fields, then the name.
    let mut i = 0;
    while let Some(pos) = find_from(bytes, b"PK\x03\x04", i) {
        let name_len_at = pos + 26;
        if name_len_at + 4 > bytes.len() {
            break;
        }
        let name_len = u16::from_le_bytes([bytes[name_len_at], bytes[name_len_at + 1]]) as usize;
        let start = pos + 30;
        if let Some(name) = bytes.get(start..start + name_len)
            && name.starts_with(prefix)
        {
            return true;
        }
        i = pos + 4;
    }
    false
}

fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    std::str::from_utf8(head).is_ok() && !head.contains(&0)
}

fn corrupt(path: &Path, e: impl fmt::Display) -> ReadError {
    ReadError::Corrupt {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

fn sheet_error(path: &Path, sheet: &str, e: impl fmt::Display) -> ReadError {
    ReadError::Sheet {
        path: path.to_path_buf(),
        sheet: sheet.to_string(),
        detail: e.to_string(),
    }
}

/// Worksheets (not chart sheets) with their visibility.
fn worksheets(meta: &[calamine::Sheet]) -> Vec<(String, bool)> {
    meta.iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect()
}

fn finish(path: &Path, format: Format, sheets: Vec<Sheet>) -> Result<Grid, ReadError> {
    if sheets.is_empty() {
        return Err(ReadError::NoSheets {
            path: path.to_path_buf(),
        });
    }
    Ok(Grid { format, sheets })
}

fn data_ref_cell(value: DataRef<'_>) -> Option<Cell> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(d) => Cell::Date(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    })
}

fn data_cell(value: &Data) -> Option<Cell> {
    Some(match value {
        Data::Empty => return None,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => Cell::Date(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    })
}

fn merges_from(dims: Vec<xlsx_merges::Range>, sheet: &mut Sheet) {
    let mut merges: Vec<Rect> = dims
        .into_iter()
        .map(|(start, end)| Rect {
            first_row: start.0.min(MAX_ROW),
            first_col: start.1.min(MAX_COL),
            last_row: end.0.min(MAX_ROW),
            last_col: end.1.min(MAX_COL),
        })
        .filter(|m| m.first_row <= m.last_row && m.first_col <= m.last_col)
        .collect();
    if merges.len() > MAX_MERGES_PER_SHEET {
        merges.truncate(MAX_MERGES_PER_SHEET);
        sheet.limit = Some(Limit::TooManyMerges {
            max: MAX_MERGES_PER_SHEET,
        });
    }
    *sheet.merges_mut() = merges;
}

fn read_xlsx(path: &Path, bytes: Vec<u8>) -> Result<Grid, ReadError> {
    let mut merges = xlsx_merges::read(&bytes);
    let mut wb = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => ReadError::Password {
            path: path.to_path_buf(),
        },
        e => corrupt(path, e),
    })?;
    let mut sheets = Vec::new();
    for (name, visible) in worksheets(wb.sheets_metadata()) {
        let mut cells = Vec::new();
        let mut limit = None;
        {
            let mut reader = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| sheet_error(path, &name, e))?;
            while let Some(rec) = reader
                .next_cell_with_formula_metadata()
                .map_err(|e| sheet_error(path, &name, e))?
            {
                let (row, col) = rec.pos;
                if row > MAX_ROW || col > MAX_COL {
                    continue;
                }
                let cell = match (data_ref_cell(rec.value), rec.formula) {
                    (Some(c), _) => c,
                    (None, Some(f)) => Cell::Formula(formula_text(&f)),
                    (None, None) => continue,
                };
                if cells.len() >= MAX_CELLS_PER_SHEET {
                    limit = Some(Limit::TooManyCells {
                        max: MAX_CELLS_PER_SHEET,
                    });
                    cells = Vec::new();
                    break;
                }
                cells.push((row, col, cell));
            }
        }
        let mut sheet = Sheet::from_cells(name.as_str(), cells);
        sheet.visible = visible;
        sheet.limit = limit;
        if sheet.limit.is_none() {
            let dims = match merges.remove(&name) {
                Some(d) => d,
                None => wb
                    .merge_cells_by_sheet_name(&name)
                    .map_err(|e| sheet_error(path, &name, e))?
                    .into_iter()
                    .map(|d| (d.start, d.end))
                    .collect(),
            };
            merges_from(dims, &mut sheet);
        }
        sheets.push(sheet);
    }
    finish(path, Format::Xlsx, sheets)
}

fn formula_text(f: &calamine::XlsxFormulaMetadata) -> String {
    match f {
        calamine::XlsxFormulaMetadata::Normal { formula }
        | calamine::XlsxFormulaMetadata::Shared { formula, .. } => formula.clone(),
        _ => "（共享公式）".to_string(),
    }
}

/// Copy a calamine range (values, and formulas where no value was stored) into a sheet.
fn sheet_from_range(
    name: &str,
    visible: bool,
    range: &calamine::Range<Data>,
    formulas: Option<&calamine::Range<String>>,
) -> Sheet {
    let mut cells = Vec::new();
    let mut limit = None;
    for (r, c, v) in range.used_cells() {
        let Some(cell) = data_cell(v) else { continue };
        if cells.len() >= MAX_CELLS_PER_SHEET {
            limit = Some(Limit::TooManyCells {
                max: MAX_CELLS_PER_SHEET,
            });
            cells.clear();
            break;
        }
        let (r0, c0) = range.start().unwrap_or((0, 0));
        cells.push((r0 + r as u32, c0 + c as u32, cell));
    }
    if limit.is_none()
        && let Some(formulas) = formulas
    {
        let (r0, c0) = formulas.start().unwrap_or((0, 0));
        for (r, c, f) in formulas.used_cells() {
            if f.is_empty() {
                continue;
            }
            let (row, col) = (r0 + r as u32, c0 + c as u32);
            let has_value = range
                .get_value((row, col))
                .is_some_and(|v| *v != Data::Empty);
            if !has_value {
                cells.push((row, col, Cell::Formula(f.clone())));
            }
        }
    }
    let mut sheet = Sheet::from_cells(name, cells);
    sheet.visible = visible;
    sheet.limit = limit;
    sheet
}

fn read_xls(path: &Path, bytes: Vec<u8>) -> Result<Grid, ReadError> {
    let extent = xls_extent::largest(&bytes).map_err(|_| ReadError::Corrupt {
        path: path.to_path_buf(),
        detail: ".xls 的复合文档结构异常，无法安全读取；可用 Excel 或 WPS 打开后另存为 .xlsx"
            .into(),
    })?;
    if let Some(e) = extent
        && e.cells > MAX_XLS_GRID_CELLS
    {
        return Err(ReadError::TooLargeRange {
            path: path.to_path_buf(),
            sheet: e.sheet,
            rows: e.rows,
            cols: e.cols,
            max: MAX_XLS_GRID_CELLS,
        });
    }
    let mut wb = calamine::Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsError::Password => ReadError::Password {
            path: path.to_path_buf(),
        },
        e => corrupt(path, e),
    })?;
    let mut sheets = Vec::new();
    for (name, visible) in worksheets(wb.sheets_metadata()) {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| sheet_error(path, &name, e))?;
        let formulas = wb.worksheet_formula(&name).ok();
        let mut sheet = sheet_from_range(&name, visible, &range, formulas.as_ref());
        if sheet.limit.is_none() {
            let dims = wb
                .merge_cells_by_sheet_name(&name)
                .map_err(|e| sheet_error(path, &name, e))?
                .into_iter()
                .map(|d| (d.start, d.end))
                .collect();
            merges_from(dims, &mut sheet);
        }
        sheets.push(sheet);
    }
    finish(path, Format::Xls, sheets)
}

fn read_ods(path: &Path, bytes: Vec<u8>) -> Result<Grid, ReadError> {
    let mut wb = calamine::Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::OdsError::Password => ReadError::Password {
            path: path.to_path_buf(),
        },
        e => corrupt(path, e),
    })?;
    let mut sheets = Vec::new();
    for (name, visible) in worksheets(wb.sheets_metadata()) {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| sheet_error(path, &name, e))?;
        let formulas = wb.worksheet_formula(&name).ok();
        let mut sheet = sheet_from_range(&name, visible, &range, formulas.as_ref());
        sheet.merges_known = false;
        sheets.push(sheet);
    }
    finish(path, Format::Ods, sheets)
}

fn read_xlsb(path: &Path, bytes: Vec<u8>) -> Result<Grid, ReadError> {
    let mut wb = calamine::Xlsb::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsbError::Password => ReadError::Password {
            path: path.to_path_buf(),
        },
        e => corrupt(path, e),
    })?;
    let mut sheets = Vec::new();
    for (name, visible) in worksheets(wb.sheets_metadata()) {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| sheet_error(path, &name, e))?;
        let formulas = wb.worksheet_formula(&name).ok();
        let mut sheet = sheet_from_range(&name, visible, &range, formulas.as_ref());
        sheet.merges_known = false;
        sheets.push(sheet);
    }
    finish(path, Format::Xlsb, sheets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_round_trips() {
        for (r, c, s) in [(0, 0, "A1"), (11, 3, "D12"), (0, 25, "Z1"), (9, 26, "AA10")] {
            assert_eq!(a1(r, c), s);
            assert_eq!(parse_a1(s), Some((r, c)));
        }
        assert_eq!(col_letters(16_383), "XFD");
        assert_eq!(parse_a1("12"), None);
    }

    #[test]
    fn numbers_show_as_excel_general() {
        assert_eq!(format_number(684.78), "684.78");
        assert_eq!(format_number(2010201.0), "2010201");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(1e300), "1e300");
    }

    #[test]
    fn dates_show_as_iso() {
        assert_eq!(excel_date_string(45_000.0), "2023-03-15");
        assert_eq!(excel_date_string(25_569.0), "1970-01-01");
    }

    #[test]
    fn merged_cells_show_top_left_value() {
        let mut s = Sheet::from_cells("表1", vec![(0, 0, Cell::Text("标题".into()))]);
        s.merges_mut().push(Rect {
            first_row: 0,
            first_col: 0,
            last_row: 0,
            last_col: 3,
        });
        assert_eq!(s.shown_text(0, 2), "标题");
        assert_eq!(s.shown_text(1, 2), "");
    }

    #[test]
    fn editing_keeps_rows_sorted() {
        let mut s = Sheet::from_cells(
            "s",
            vec![
                (0, 0, Cell::Text("a".into())),
                (2, 1, Cell::Number(1.0)),
                (5, 0, Cell::Text("z".into())),
            ],
        );
        s.delete_row(2);
        assert_eq!(s.get(4, 0), Some(&Cell::Text("z".into())));
        s.insert_row(1);
        assert_eq!(s.get(5, 0), Some(&Cell::Text("z".into())));
        s.insert_col(0);
        assert_eq!(s.get(0, 1), Some(&Cell::Text("a".into())));
        s.set(3, 3, Some(Cell::Number(2.0)));
        s.set(0, 1, None);
        let rows: Vec<u32> = s.rows().map(|(r, _)| r).collect();
        assert_eq!(rows, vec![3, 5]);
    }

    #[test]
    fn non_workbooks_get_clear_reasons() {
        let p = Path::new("x.xlsx");
        assert!(matches!(
            read_bytes(p, vec![]),
            Err(ReadError::Empty { .. })
        ));
        assert!(matches!(
            read_bytes(p, b"%PDF-1.4 ...".to_vec()),
            Err(ReadError::NotWorkbook { .. })
        ));
        let e = read_bytes(p, b"a,b,c\n1,2,3\n".to_vec()).unwrap_err();
        assert!(e.to_string().contains("纯文本"), "{e}");
        let e = read_bytes(p, b"PK\x03\x04garbage".to_vec()).unwrap_err();
        assert!(matches!(e, ReadError::Corrupt { .. }), "{e}");
    }
}
