//! Bytes → grid: the format is sniffed from the bytes (zip directory, compound-file
//! directory), then each worksheet is read by calamine within the limits.

use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{Data, DataRef, Reader, SheetType, SheetVisible};

use crate::{
    Cell, Format, Grid, Limit, MAX_CELLS_PER_SHEET, MAX_COL, MAX_FILE_BYTES, MAX_MERGES_PER_SHEET,
    MAX_ROW, MAX_UNZIPPED_BYTES, MAX_XLS_GRID_CELLS, ReadError, Rect, Sheet, xls_extent,
    xlsx_merges,
};

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
        return match zip_kind(path, &bytes)? {
            ZipKind::Xlsx => read_xlsx(path, bytes),
            ZipKind::Xlsb => {
                let wb = calamine::Xlsb::new(Cursor::new(bytes))
                    .map_err(|e| open_error(path, matches!(e, calamine::XlsbError::Password), e));
                read_dense(path, Format::Xlsb, wb?, |_, _| None)
            }
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
        return read_xls(path, bytes);
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

/// The spreadsheet formats that come as a zip package.
enum ZipKind {
    Xlsx,
    Xlsb,
    Ods,
}

/// What a zip package holds, from its central directory; refuses a package whose parts
/// declare more than [`MAX_UNZIPPED_BYTES`] uncompressed ("zip bomb") before anything
/// is inflated.
fn zip_kind(path: &Path, bytes: &[u8]) -> Result<ZipKind, ReadError> {
    let p = || path.to_path_buf();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        let tail = &bytes[bytes.len().saturating_sub(66_000)..];
        let detail = if memchr::memmem::rfind(tail, ZIP_EMPTY_MAGIC).is_none() {
            "压缩包不完整，缺少结尾目录，像是没有下载完"
        } else {
            "压缩包的目录已损坏"
        };
        corrupt(path, detail, Some(Box::new(e)))
    })?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        if let Ok(f) = zip.by_index_raw(i) {
            total = total.saturating_add(f.size());
        }
    }
    if total > MAX_UNZIPPED_BYTES {
        return Err(ReadError::TooLargeUnzipped {
            path: p(),
            size: total,
            max: MAX_UNZIPPED_BYTES,
        });
    }
    let has_prefix = |prefix: &str| {
        zip.file_names_raw()
            .any(|n| n.starts_with(prefix.as_bytes()))
    };
    if has_prefix("word/") {
        return Err(ReadError::NotWorkbook {
            path: p(),
            what: "这是 Word 文档".into(),
        });
    }
    if has_prefix("ppt/") {
        return Err(ReadError::NotWorkbook {
            path: p(),
            what: "这是 PowerPoint 演示文稿".into(),
        });
    }
    if zip.index_for_name("xl/workbook.bin").is_some() {
        return Ok(ZipKind::Xlsb);
    }
    if zip.index_for_name("xl/workbook.xml").is_some() {
        return Ok(ZipKind::Xlsx);
    }
    if is_ods(&mut zip) {
        return Ok(ZipKind::Ods);
    }
    Err(ReadError::NotWorkbook {
        path: p(),
        what: "压缩包中没有工作簿内容 xl/workbook.xml".into(),
    })
}

/// An OpenDocument spreadsheet names itself in its `mimetype` part.
fn is_ods(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> bool {
    let Ok(f) = zip.by_name("mimetype") else {
        return false;
    };
    let mut head = Vec::new();
    f.take(256).read_to_end(&mut head).is_ok()
        && memchr::memmem::find(&head, b"opendocument.spreadsheet").is_some()
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

/// xlsx and xlsm: each sheet streamed cell by cell (values, and formulas where no
/// value was stored), so a sheet over the cell limit is dropped without being held.
fn read_xlsx(path: &Path, bytes: Vec<u8>) -> Result<Grid, ReadError> {
    let mut merges = xlsx_merges::read(&bytes);
    let mut wb = calamine::Xlsx::new(Cursor::new(bytes))
        .map_err(|e| open_error(path, matches!(e, calamine::XlsxError::Password), e))?;
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

/// The formats calamine reads as whole ranges (xls, xlsb, ods): one path for all.
/// `merges` gives a sheet's merged ranges where the format has them (`None`: the
/// format gives no merge information, and the recogniser then infers merged headers).
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
    let mut sheets = Vec::new();
    for (name, visible) in worksheets(wb.sheets_metadata()) {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| sheet_error(path, &name, e))?;
        let formulas = wb.worksheet_formula(&name).ok();
        let mut sheet = sheet_from_range(&name, visible, &range, formulas.as_ref());
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

/// .xls: refused before calamine sees it when a sheet's grid would be too large.
fn read_xls(path: &Path, bytes: Vec<u8>) -> Result<Grid, ReadError> {
    let extent = xls_extent::largest(&bytes).map_err(|_| {
        corrupt(
            path,
            ".xls 的复合文档结构异常，无法安全读取；可用 Excel 或 WPS 打开后另存为 .xlsx",
            None,
        )
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
    let wb = calamine::Xls::new(Cursor::new(bytes))
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
