//! Bytes → grid: the format is sniffed from the bytes (zip directory, compound-file
//! directory), then each worksheet is read by calamine within the limits.

use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{Data, DataRef, Reader, SheetType, SheetVisible};

use crate::package::{self, ZipKind};
use crate::{
    Cell, Format, Grid, Limit, MAX_CELLS, MAX_CELLS_PER_SHEET, MAX_COL, MAX_FILE_BYTES,
    MAX_GRID_CELLS, MAX_MERGES_PER_SHEET, MAX_ROW, MAX_SHEETS, MAX_TEXT_BYTES, ReadError, Rect,
    Sheet, WorkbookLimit, xls_extent, xlsx_merges,
};

/// Read a workbook file into a grid. The file is opened read-only and read once; what
/// is not a regular file (a named pipe, a device, a folder) is refused without being
/// read, and opening never waits (a named pipe without a writer would block forever).
pub fn read_path(path: &Path) -> Result<Grid, ReadError> {
    let open = |source| ReadError::Open {
        path: path.to_path_buf(),
        source,
    };
    let file = open_regular(path).map_err(open)?;
    let meta = file.metadata().map_err(open)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            what: file_kind(&meta),
        });
    }
    let size = meta.len();
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

#[cfg(unix)]
fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; for
    // a regular file it changes nothing.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "命名管道";
        }
        if t.is_socket() {
            return "套接字";
        }
        if t.is_block_device() || t.is_char_device() {
            return "设备";
        }
    }
    if meta.is_dir() {
        "文件夹"
    } else {
        "特殊文件"
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY_MAGIC: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Read a workbook from bytes; `path` is used for messages only.
///
/// The parsers of calamine run under `catch_unwind`: a malformed file that makes one of
/// them panic (the fuzzer found such .xls records) is reported as a corrupt file, like
/// any other, instead of bringing the process down.
pub fn read_bytes(path: &Path, bytes: Vec<u8>) -> Result<Grid, ReadError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sniff_and_read(path, bytes))) {
        Ok(r) => r,
        Err(_) => Err(corrupt(path, "文件内部结构异常，无法解析", None)),
    }
}

fn sniff_and_read(path: &Path, bytes: Vec<u8>) -> Result<Grid, ReadError> {
    let p = || path.to_path_buf();
    if bytes.is_empty() {
        return Err(ReadError::Empty { path: p() });
    }
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY_MAGIC) {
        let package = package::inspect(path, &bytes)?;
        return match package.kind {
            ZipKind::Xlsx => read_xlsx(path, package.repacked.unwrap_or(bytes), package.merges),
            ZipKind::Xlsb => read_xlsb(path, bytes),
            ZipKind::Ods => {
                let wb = calamine::Ods::new(Cursor::new(bytes))
                    .map_err(|e| open_error(path, matches!(e, calamine::OdsError::Password), e));
                read_dense(path, Format::Ods, wb?, |_, _| None)
            }
        };
    }
    if bytes.starts_with(CFB_MAGIC) {
        if let Ok(cfb) = cfb::CompoundFile::open(Cursor::new(&bytes)) {
            let has = |name: &str| cfb.walk().any(|e| e.name().eq_ignore_ascii_case(name));
            if has("EncryptedPackage") {
                return Err(ReadError::Password { path: p() });
            }
            if has("WordDocument") {
                return Err(ReadError::NotWorkbook {
                    path: p(),
                    what: "这是 Word 97-2003 文档".into(),
                });
            }
        }
        return read_xls(path, &bytes);
    }
    let what = if bytes.starts_with(b"%PDF") {
        "这是 PDF 文件"
    } else if bytes.starts_with(b"{\\rtf") {
        "这是 RTF 文档"
    } else if looks_like_text(&bytes) {
        "这是纯文本文件（如 CSV），不是工作簿"
    } else {
        "无法识别的文件内容"
    };
    Err(ReadError::NotWorkbook {
        path: p(),
        what: what.to_string(),
    })
}

/// What a workbook's cells may take together, counted as they are read, before each
/// cell's text is copied.
struct Budget<'a> {
    path: &'a Path,
    cells: usize,
    text: usize,
}

impl<'a> Budget<'a> {
    fn new(path: &'a Path) -> Self {
        Budget {
            path,
            cells: 0,
            text: 0,
        }
    }

    /// One more cell with `text` bytes of text.
    fn take(&mut self, text: usize) -> Result<(), ReadError> {
        self.cells += 1;
        self.text = self.text.saturating_add(text);
        let limit = if self.cells > MAX_CELLS {
            WorkbookLimit::Cells { max: MAX_CELLS }
        } else if self.text > MAX_TEXT_BYTES {
            WorkbookLimit::Text {
                max: MAX_TEXT_BYTES,
            }
        } else {
            return Ok(());
        };
        Err(ReadError::OverLimit {
            path: self.path.to_path_buf(),
            limit,
        })
    }
}

/// The text a value would be copied into, in bytes.
fn text_len(value: &DataRef<'_>) -> usize {
    match value {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
        DataRef::SharedString(s) => s.len(),
        _ => 0,
    }
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    std::str::from_utf8(head).is_ok() && !head.contains(&0)
}

fn corrupt(path: &Path, detail: &str, source: Option<crate::Cause>) -> ReadError {
    ReadError::Corrupt {
        path: path.to_path_buf(),
        detail: detail.to_string(),
        source,
    }
}

/// A workbook calamine could not open: encrypted, or damaged.
fn open_error<E>(path: &Path, password: bool, e: E) -> ReadError
where
    E: std::error::Error + Send + Sync + 'static,
{
    if password {
        ReadError::Password {
            path: path.to_path_buf(),
        }
    } else {
        corrupt(path, "工作簿的内部结构无法解析", Some(Box::new(e)))
    }
}

fn sheet_error<E>(path: &Path, sheet: &str, e: E) -> ReadError
where
    E: std::error::Error + Send + Sync + 'static,
{
    ReadError::Sheet {
        path: path.to_path_buf(),
        sheet: sheet.to_string(),
        detail: "工作表内容无法解析".to_string(),
        source: Some(Box::new(e)),
    }
}

/// Worksheets (not chart sheets) with their visibility; more entries than
/// [`MAX_SHEETS`] are refused.
fn worksheets(path: &Path, meta: &[calamine::Sheet]) -> Result<Vec<(String, bool)>, ReadError> {
    if meta.len() > MAX_SHEETS {
        return Err(ReadError::OverLimit {
            path: path.to_path_buf(),
            limit: WorkbookLimit::Sheets {
                count: meta.len(),
                max: MAX_SHEETS,
            },
        });
    }
    Ok(meta
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect())
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

/// The cells of one sheet as they are streamed: at most [`MAX_CELLS_PER_SHEET`] kept
/// (the sheet is then kept empty, with its limit), every one counted in the workbook's
/// budget before its text is copied.
struct Streamed {
    cells: Vec<(u32, u32, Cell)>,
    limit: Option<Limit>,
}

impl Streamed {
    fn new() -> Self {
        Streamed {
            cells: Vec::new(),
            limit: None,
        }
    }

    /// Whether to go on: false once the sheet is over its cap.
    fn push(
        &mut self,
        budget: &mut Budget<'_>,
        (row, col): (u32, u32),
        text: usize,
        cell: impl FnOnce() -> Option<Cell>,
    ) -> Result<bool, ReadError> {
        if row > MAX_ROW || col > MAX_COL {
            return Ok(true);
        }
        budget.take(text)?;
        let Some(cell) = cell() else {
            return Ok(true);
        };
        if self.cells.len() >= MAX_CELLS_PER_SHEET {
            self.limit = Some(Limit::TooManyCells {
                max: MAX_CELLS_PER_SHEET,
            });
            self.cells = Vec::new();
            return Ok(false);
        }
        self.cells.push((row, col, cell));
        Ok(true)
    }

    fn sheet(self, name: &str, visible: bool) -> Sheet {
        let mut sheet = Sheet::from_cells(name, self.cells);
        sheet.visible = visible;
        sheet.limit = self.limit;
        sheet
    }
}

/// xlsx and xlsm: each sheet streamed cell by cell (values, and formulas where no
/// value was stored), so a sheet over the cell limit is dropped without being held.
/// `merges` are those the package check found (sheets missing: asked of calamine).
fn read_xlsx(
    path: &Path,
    bytes: Vec<u8>,
    mut merges: std::collections::HashMap<String, Vec<xlsx_merges::Range>>,
) -> Result<Grid, ReadError> {
    let mut wb = calamine::Xlsx::new(Cursor::new(bytes))
        .map_err(|e| open_error(path, matches!(e, calamine::XlsxError::Password), e))?;
    let mut budget = Budget::new(path);
    let mut sheets = Vec::new();
    for (name, visible) in worksheets(path, wb.sheets_metadata())? {
        let mut streamed = Streamed::new();
        {
            let mut reader = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| sheet_error(path, &name, e))?;
            while let Some(rec) = reader
                .next_cell_with_formula_metadata()
                .map_err(|e| sheet_error(path, &name, e))?
            {
                let text = text_len(&rec.value) + rec.formula.as_ref().map_or(0, formula_len);
                let go_on = streamed.push(&mut budget, rec.pos, text, || {
                    match (data_ref_cell(rec.value), rec.formula) {
                        (Some(c), _) => Some(c),
                        (None, Some(f)) => Some(Cell::Formula(formula_text(&f))),
                        (None, None) => None,
                    }
                })?;
                if !go_on {
                    break;
                }
            }
        }
        let mut sheet = streamed.sheet(&name, visible);
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

fn formula_len(f: &calamine::XlsxFormulaMetadata) -> usize {
    match f {
        calamine::XlsxFormulaMetadata::Normal { formula }
        | calamine::XlsxFormulaMetadata::Shared { formula, .. } => formula.len(),
        _ => 0,
    }
}

fn formula_text(f: &calamine::XlsxFormulaMetadata) -> String {
    match f {
        calamine::XlsxFormulaMetadata::Normal { formula }
        | calamine::XlsxFormulaMetadata::Shared { formula, .. } => formula.clone(),
        _ => "（共享公式）".to_string(),
    }
}

/// .xlsb: each sheet streamed like an xlsx (calamine's `worksheet_range` would build
/// the whole grid from the first to the last cell: A1 and XFD1048576 in an 11 KB file
/// asked for 550 GB); formulas where no value was stored, in a second pass.
fn read_xlsb(path: &Path, bytes: Vec<u8>) -> Result<Grid, ReadError> {
    let mut wb = calamine::Xlsb::new(Cursor::new(bytes))
        .map_err(|e| open_error(path, matches!(e, calamine::XlsbError::Password), e))?;
    let mut budget = Budget::new(path);
    let mut sheets = Vec::new();
    for (name, visible) in worksheets(path, wb.sheets_metadata())? {
        let mut streamed = Streamed::new();
        let mut valued = std::collections::HashSet::new();
        {
            let mut reader = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| sheet_error(path, &name, e))?;
            while let Some(c) = reader
                .next_cell()
                .map_err(|e| sheet_error(path, &name, e))?
            {
                let pos = c.get_position();
                let value = c.get_value().clone();
                if value != DataRef::Empty {
                    valued.insert(pos);
                }
                if !streamed.push(&mut budget, pos, text_len(&value), || data_ref_cell(value))? {
                    break;
                }
            }
        }
        if streamed.limit.is_none() {
            let mut reader = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| sheet_error(path, &name, e))?;
            while let Some(c) = reader
                .next_formula()
                .map_err(|e| sheet_error(path, &name, e))?
            {
                let pos = c.get_position();
                let f = c.get_value();
                if f.is_empty() || valued.contains(&pos) {
                    continue;
                }
                if !streamed.push(&mut budget, pos, f.len(), || Some(Cell::Formula(f.clone())))? {
                    break;
                }
            }
        }
        let mut sheet = streamed.sheet(&name, visible);
        sheet.merges_known = false;
        sheets.push(sheet);
    }
    finish(path, Format::Xlsb, sheets)
}

fn cell_text_len(cell: &Cell) -> usize {
    match cell {
        Cell::Text(s) | Cell::Formula(s) | Cell::Error(s) => s.len(),
        _ => 0,
    }
}

/// Copy a calamine range (values, and formulas where no value was stored) into a sheet.
fn sheet_from_range(
    budget: &mut Budget<'_>,
    name: &str,
    visible: bool,
    range: &calamine::Range<Data>,
    formulas: Option<&calamine::Range<String>>,
) -> Result<Sheet, ReadError> {
    let mut streamed = Streamed::new();
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, c, v) in range.used_cells() {
        let Some(cell) = data_cell(v) else { continue };
        let pos = (r0 + r as u32, c0 + c as u32);
        if !streamed.push(budget, pos, cell_text_len(&cell), || Some(cell))? {
            break;
        }
    }
    if streamed.limit.is_none()
        && let Some(formulas) = formulas
    {
        let (r0, c0) = formulas.start().unwrap_or((0, 0));
        for (r, c, f) in formulas.used_cells() {
            if f.is_empty() {
                continue;
            }
            let pos = (r0 + r as u32, c0 + c as u32);
            let has_value = range.get_value(pos).is_some_and(|v| *v != Data::Empty);
            if !has_value
                && !streamed.push(budget, pos, f.len(), || Some(Cell::Formula(f.clone())))?
            {
                break;
            }
        }
    }
    Ok(streamed.sheet(name, visible))
}

/// The formats calamine reads as whole ranges (xls, ods): one path for both, behind
/// the guards that bound those ranges (`xls_extent.rs`, `ods_extent.rs`). `merges`
/// gives a sheet's merged ranges where the format has them (`None`: the format gives
/// no merge information, and the recogniser then infers merged headers).
fn read_dense<RS, R>(
    path: &Path,
    format: Format,
    mut wb: R,
    mut merges: impl FnMut(&mut R, &str) -> Option<Result<Vec<xlsx_merges::Range>, R::Error>>,
) -> Result<Grid, ReadError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::error::Error + Send + Sync + 'static,
{
    let mut budget = Budget::new(path);
    let mut sheets = Vec::new();
    for (name, visible) in worksheets(path, wb.sheets_metadata())? {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| sheet_error(path, &name, e))?;
        let formulas = wb.worksheet_formula(&name).ok();
        let mut sheet = sheet_from_range(&mut budget, &name, visible, &range, formulas.as_ref())?;
        match merges(&mut wb, &name) {
            None => sheet.merges_known = false,
            Some(dims) => {
                let dims = dims.map_err(|e| sheet_error(path, &name, e))?;
                if sheet.limit.is_none() {
                    merges_from(dims, &mut sheet);
                }
            }
        }
        sheets.push(sheet);
    }
    finish(path, format, sheets)
}

/// .xls: refused before calamine sees it when its sheets' grids would be too large;
/// calamine is then given only the workbook stream that was checked.
fn read_xls(path: &Path, bytes: &[u8]) -> Result<Grid, ReadError> {
    let unsafe_container = || {
        corrupt(
            path,
            ".xls 的复合文档结构异常，无法安全读取；可用 Excel 或 WPS 打开后另存为 .xlsx",
            None,
        )
    };
    let checked = xls_extent::workbook_stream(bytes).map_err(|_| unsafe_container())?;
    if checked.cells > MAX_GRID_CELLS {
        let e = checked.largest.unwrap_or(xls_extent::Extent {
            cells: 0,
            text: 0,
            sheet: 1,
            rows: 0,
            cols: 0,
        });
        return Err(ReadError::OverLimit {
            path: path.to_path_buf(),
            limit: WorkbookLimit::Grid {
                sheet: format!("第 {} 个工作表", e.sheet),
                rows: e.rows,
                cols: e.cols,
                max: MAX_GRID_CELLS,
            },
        });
    }
    if checked.text > MAX_TEXT_BYTES as u64 {
        return Err(ReadError::OverLimit {
            path: path.to_path_buf(),
            limit: WorkbookLimit::Text {
                max: MAX_TEXT_BYTES,
            },
        });
    }
    let container = xls_extent::container(&checked.stream).map_err(|_| unsafe_container())?;
    drop(checked);
    let wb = calamine::Xls::new(Cursor::new(container))
        .map_err(|e| open_error(path, matches!(e, calamine::XlsError::Password), e))?;
    read_dense(path, Format::Xls, wb, |wb, name| {
        Some(
            wb.merge_cells_by_sheet_name(name)
                .map(|v| v.into_iter().map(|d| (d.start, d.end)).collect()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every xlsx in the repository read from its repacked package (parts inflated once,
    /// stored) and from the original gives the same grid, cell for cell, merge for
    /// merge; and past the repack bound the original is read.
    #[test]
    fn a_repacked_package_reads_as_the_original() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut read = 0;
        for dir in ["samples", "tests"] {
            for e in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                let f = e.into_path();
                if !f.extension().is_some_and(|x| x == "xlsx" || x == "xlsm") {
                    continue;
                }
                let bytes = std::fs::read(&f).unwrap();
                let Ok(package) = package::inspect(&f, &bytes) else {
                    continue; // the deliberately broken fixtures
                };
                let repacked = package.repacked.expect("a small xlsx is repacked");
                let once = read_xlsx(&f, repacked, package.merges.clone());
                let twice = read_xlsx(&f, bytes.clone(), package.merges);
                assert_eq!(format!("{once:?}"), format!("{twice:?}"), "{}", f.display());
                let small = package::inspect_with(&f, &bytes, 1_000).unwrap();
                assert!(small.repacked.is_none(), "{}", f.display());
                read += usize::from(twice.is_ok());
            }
        }
        assert!(read >= 10, "{read}");
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
