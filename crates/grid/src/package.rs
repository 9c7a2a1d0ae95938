//! A zipped workbook (xlsx, xlsm, xlsb, ods) checked part by part before calamine
//! opens it, in one pass over the package.
//!
//! The checks are those calamine does not make and whose absence lets a small file take
//! the process down or publish damaged text: the inflated size is counted as parts
//! inflate (a declared size is not trusted); every part that is read is inflated to its
//! end, so its checksum is verified; two parts whose names calamine would take for one
//! (it ignores case and `\`) make the package ambiguous; two sheet entries may not point
//! to one part (400 entries to one large part once cost 8 GB); the shared strings may
//! not hold or declare more entries than a workbook may have cells (calamine reserves
//! what `uniqueCount` says: 10¹⁰ asked for 240 GB); an .ods's grids are bounded before
//! calamine builds them (`ods_extent.rs`). On the way, the merged ranges of every xlsx
//! sheet are taken from the inflated sheet parts, so no part is parsed twice for them,
//! and an xlsx's parts are handed to calamine as they were inflated here (a package of
//! stored parts), so no part is inflated twice either.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};
use std::path::Path;

use crate::xlsx_merges::{self, Range};
use crate::{MAX_CELLS, MAX_SHEETS, MAX_UNZIPPED_BYTES, ReadError, WorkbookLimit, ods_extent};

/// The spreadsheet formats that come as a zip package.
pub(crate) enum ZipKind {
    Xlsx,
    Xlsb,
    Ods,
}

/// What the checks found that the reader uses.
pub(crate) struct Package {
    pub kind: ZipKind,
    /// xlsx: merged ranges by sheet name; a sheet missing here is asked of calamine.
    pub merges: HashMap<String, Vec<Range>>,
    /// xlsx: the same package with every part calamine reads already inflated (stored,
    /// checksums computed anew), when it inflates to at most [`REPACK_MAX_BYTES`];
    /// `None`: calamine reads the original.
    pub repacked: Option<Vec<u8>>,
}

/// The largest inflated xlsx kept whole for calamine. Beyond it calamine inflates the
/// original's parts again as it streams them, so what a large workbook holds in memory
/// is what it held before; a real submission inflates to a few MB.
pub(crate) const REPACK_MAX_BYTES: u64 = 32 * 1024 * 1024;

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// A part name as calamine looks it up: `\` as `/`, ASCII case ignored.
fn normalise(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

fn corrupt(path: &Path, detail: String, source: Option<crate::Cause>) -> ReadError {
    ReadError::Corrupt {
        path: path.to_path_buf(),
        detail,
        source,
    }
}

fn over(path: &Path, limit: WorkbookLimit) -> ReadError {
    ReadError::OverLimit {
        path: path.to_path_buf(),
        limit,
    }
}

/// Check a zipped workbook; see the module documentation.
pub(crate) fn inspect(path: &Path, bytes: &[u8]) -> Result<Package, ReadError> {
    inspect_with(path, bytes, REPACK_MAX_BYTES)
}

/// [`inspect`], repacking an xlsx that inflates to at most `repack_max` bytes.
pub(crate) fn inspect_with(
    path: &Path,
    bytes: &[u8],
    repack_max: u64,
) -> Result<Package, ReadError> {
    let mut zip = open(path, bytes)?;
    let names = part_names(path, &mut zip)?;
    if let Some(records) = directory_records(bytes)
        && records != names.len()
    {
        return Err(corrupt(
            path,
            format!(
                "压缩包目录中有 {records} 个部件，其中有重名的（可读出 {} 个），无法确定该用哪一个",
                names.len()
            ),
            None,
        ));
    }
    let kind = kind(path, &mut zip, &names)?;
    let mut inflated: u64 = 0;
    // Parts already inflated (and so checked) for the sheet map.
    let mut done = HashMap::new();
    let sheets = match kind {
        ZipKind::Xlsx => sheet_parts(path, &mut zip, &names, &mut inflated, &mut done)?,
        _ => HashMap::new(),
    };
    let mut repack = matches!(kind, ZipKind::Xlsx).then(|| Repack::new(bytes.len(), repack_max));
    let mut merges = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        let data = match done.remove(&i) {
            Some(data) => data,
            None if is_read(name) => inflate(path, &mut zip, i, &mut inflated)?,
            None => {
                repack = repack.and_then(|r| r.copy(&mut zip, i));
                continue;
            }
        };
        repack = repack.and_then(|r| r.store(&mut zip, i, &data, inflated));
        match kind {
            ZipKind::Xlsx => {
                if let Some(sheet) = sheets.get(name)
                    && let Some(ranges) = xlsx_merges::merge_refs(&data)
                {
                    merges.insert(sheet.clone(), ranges);
                }
                if name == "xl/sharedstrings.xml" {
                    shared_strings(path, &data)?;
                }
            }
            ZipKind::Ods if name == "content.xml" => {
                ods_extent::check(&data).map_err(|limit| over(path, limit))?;
            }
            _ => {}
        }
    }
    let repacked = repack.and_then(Repack::finish);
    Ok(Package {
        kind,
        merges,
        repacked,
    })
}

/// A package of stored parts being built from the parts as they are inflated: calamine
/// then reads each part without inflating it again. Any failure here (none is expected
/// of a zip written to memory) abandons it, and calamine reads the original.
struct Repack {
    zip: zip::ZipWriter<Cursor<Vec<u8>>>,
    /// The largest inflated size kept.
    max: u64,
}

impl Repack {
    /// For a package of `size` bytes (a workbook's XML inflates about eightfold).
    fn new(size: usize, max: u64) -> Self {
        let capacity = size
            .saturating_mul(8)
            .min(usize::try_from(max).unwrap_or(0));
        Repack {
            zip: zip::ZipWriter::new(Cursor::new(Vec::with_capacity(capacity))),
            max,
        }
    }

    /// Part `i`, inflated to `data`; `inflated` is the package's inflated size so far.
    fn store(mut self, zip: &mut Zip<'_>, i: usize, data: &[u8], inflated: u64) -> Option<Self> {
        if inflated > self.max {
            return None;
        }
        let name = zip.by_index_raw(i).ok()?.name().ok()?.into_owned();
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        self.zip.start_file(name, options).ok()?;
        std::io::Write::write_all(&mut self.zip, data).ok()?;
        Some(self)
    }

    /// Part `i`, one calamine does not read (an image), copied as it is.
    fn copy(mut self, zip: &mut Zip<'_>, i: usize) -> Option<Self> {
        let file = zip.by_index_raw(i).ok()?;
        self.zip.raw_copy_file(file).ok()?;
        Some(self)
    }

    fn finish(self) -> Option<Vec<u8>> {
        self.zip.finish().ok().map(Cursor::into_inner)
    }
}

fn open<'a>(path: &Path, bytes: &'a [u8]) -> Result<Zip<'a>, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        let tail = &bytes[bytes.len().saturating_sub(66_000)..];
        let detail = if memchr::memmem::rfind(tail, b"PK\x05\x06").is_none() {
            "压缩包不完整，缺少结尾目录，像是没有下载完"
        } else {
            "压缩包的目录已损坏"
        };
        corrupt(path, detail.into(), Some(Box::new(e)))
    })?;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        if let Ok(f) = zip.by_index_raw(i) {
            declared = declared.saturating_add(f.size());
        }
    }
    if declared > MAX_UNZIPPED_BYTES {
        return Err(ReadError::TooLargeUnzipped {
            path: path.to_path_buf(),
            size: declared,
            max: MAX_UNZIPPED_BYTES,
        });
    }
    Ok(zip)
}

/// How many records the central directory holds, counted from its bytes (the zip crate
/// keeps one part per name, so two records of one name would otherwise go unseen);
/// `None` for a zip64 directory or one that cannot be located.
fn directory_records(bytes: &[u8]) -> Option<usize> {
    let tail_start = bytes.len().saturating_sub(66_000);
    let eocd = tail_start + memchr::memmem::rfind(&bytes[tail_start..], b"PK\x05\x06")?;
    let field = |at: usize, n: usize| -> Option<u64> {
        let b = bytes.get(eocd + at..eocd + at + n)?;
        Some(b.iter().rev().fold(0u64, |v, x| (v << 8) | u64::from(*x)))
    };
    let (size, offset) = (field(12, 4)?, field(16, 4)?);
    if size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
        return None;
    }
    let dir = bytes.get(usize::try_from(offset).ok()?..)?;
    let dir = dir.get(..usize::try_from(size).ok()?.min(dir.len()))?;
    let mut count = 0;
    let mut at = 0;
    while dir.get(at..at + 4) == Some(b"PK\x01\x02") {
        let len = |i: usize| -> Option<usize> {
            Some(usize::from(u16::from_le_bytes([
                *dir.get(at + i)?,
                *dir.get(at + i + 1)?,
            ])))
        };
        at += 46 + len(28)? + len(30)? + len(32)?;
        count += 1;
    }
    Some(count)
}

/// The normalised name of every part, in directory order; two that normalise alike
/// are refused.
fn part_names(path: &Path, zip: &mut Zip<'_>) -> Result<Vec<String>, ReadError> {
    let mut names = Vec::with_capacity(zip.len());
    let mut seen = HashSet::with_capacity(zip.len());
    for i in 0..zip.len() {
        let name = match zip.by_index_raw(i) {
            Ok(f) => f.name().map(|n| n.into_owned()).unwrap_or_default(),
            Err(e) => {
                return Err(corrupt(
                    path,
                    format!("压缩包的第 {} 个部件无法读取", i + 1),
                    Some(Box::new(e)),
                ));
            }
        };
        let key = normalise(&name);
        if !seen.insert(key.clone()) {
            return Err(corrupt(
                path,
                format!("压缩包中有两个名为「{name}」的部件，无法确定该用哪一个"),
                None,
            ));
        }
        names.push(key);
    }
    Ok(names)
}

fn kind(path: &Path, zip: &mut Zip<'_>, names: &[String]) -> Result<ZipKind, ReadError> {
    let not = |what: &str| ReadError::NotWorkbook {
        path: path.to_path_buf(),
        what: what.into(),
    };
    let has = |name: &str| names.iter().any(|n| n == name);
    if names.iter().any(|n| n.starts_with("word/")) {
        return Err(not("这是 Word 文档"));
    }
    if names.iter().any(|n| n.starts_with("ppt/")) {
        return Err(not("这是 PowerPoint 演示文稿"));
    }
    if has("xl/workbook.bin") {
        return Ok(ZipKind::Xlsb);
    }
    if has("xl/workbook.xml") {
        return Ok(ZipKind::Xlsx);
    }
    if let Ok(f) = zip.by_name("mimetype") {
        let mut head = Vec::new();
        if f.take(256).read_to_end(&mut head).is_ok()
            && memchr::memmem::find(&head, b"opendocument.spreadsheet").is_some()
        {
            return Ok(ZipKind::Ods);
        }
    }
    Err(not("压缩包中没有工作簿内容 xl/workbook.xml"))
}

/// The parts calamine reads: XML, relationships and binary records (not images or
/// embedded objects).
fn is_read(name: &str) -> bool {
    name.ends_with(".xml") || name.ends_with(".rels") || name.ends_with(".bin")
}

/// Inflate part `i` to its end (which verifies its checksum), counting what it
/// inflates to against [`MAX_UNZIPPED_BYTES`] for the whole package.
fn inflate(
    path: &Path,
    zip: &mut Zip<'_>,
    i: usize,
    inflated: &mut u64,
) -> Result<Vec<u8>, ReadError> {
    let mut f = zip
        .by_index(i)
        .map_err(|e| corrupt(path, "压缩包中的部件无法解压".into(), Some(Box::new(e))))?;
    let name = f.name().map(|n| n.into_owned()).unwrap_or_default();
    let left = MAX_UNZIPPED_BYTES.saturating_sub(*inflated);
    let mut data = Vec::with_capacity(usize::try_from(f.size().min(left)).unwrap_or(0));
    let result = (&mut f).take(left + 1).read_to_end(&mut data);
    *inflated = inflated.saturating_add(data.len() as u64);
    if *inflated > MAX_UNZIPPED_BYTES {
        return Err(ReadError::TooLargeUnzipped {
            path: path.to_path_buf(),
            size: *inflated,
            max: MAX_UNZIPPED_BYTES,
        });
    }
    result.map_err(|e| {
        let detail = if e.kind() == std::io::ErrorKind::InvalidData {
            format!("部件「{name}」的校验码不符，内容已损坏")
        } else {
            format!("部件「{name}」无法解压")
        };
        corrupt(path, detail, Some(Box::new(e)))
    })?;
    Ok(data)
}

/// Inflate a part by its normalised name (workbook.xml, its relationships), keeping it
/// in `done` by its index, which is returned.
fn part_named(
    path: &Path,
    zip: &mut Zip<'_>,
    names: &[String],
    name: &str,
    inflated: &mut u64,
    done: &mut HashMap<usize, Vec<u8>>,
) -> Result<Option<usize>, ReadError> {
    match names.iter().position(|n| n == name) {
        Some(i) => {
            let data = inflate(path, zip, i, inflated)?;
            done.insert(i, data);
            Ok(Some(i))
        }
        None => Ok(None),
    }
}

/// xlsx: sheet part (normalised) → sheet name. More entries than [`MAX_SHEETS`], or two
/// entries for one part, are refused.
fn sheet_parts(
    path: &Path,
    zip: &mut Zip<'_>,
    names: &[String],
    inflated: &mut u64,
    done: &mut HashMap<usize, Vec<u8>>,
) -> Result<HashMap<String, String>, ReadError> {
    let (Some(workbook), Some(rels)) = (
        part_named(path, zip, names, "xl/workbook.xml", inflated, done)?,
        part_named(
            path,
            zip,
            names,
            "xl/_rels/workbook.xml.rels",
            inflated,
            done,
        )?,
    ) else {
        return Ok(HashMap::new());
    };
    let sheets = xlsx_merges::sheets(&done[&workbook]);
    if sheets.len() > MAX_SHEETS {
        return Err(over(
            path,
            WorkbookLimit::Sheets {
                count: sheets.len(),
                max: MAX_SHEETS,
            },
        ));
    }
    let targets = xlsx_merges::relationships(&done[&rels]);
    let mut parts: HashMap<String, String> = HashMap::new();
    for (name, rid) in sheets {
        let Some(target) = targets.get(&rid) else {
            continue;
        };
        let part = normalise(&match target.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("xl/{target}"),
        });
        if let Some(first) = parts.insert(part, name.clone()) {
            return Err(corrupt(
                path,
                format!("工作表「{first}」和「{name}」指向同一份内容"),
                None,
            ));
        }
    }
    Ok(parts)
}

/// The shared strings: how many entries the part holds, and declares in `uniqueCount`
/// (which calamine reserves), each at most [`MAX_CELLS`].
fn shared_strings(path: &Path, xml: &[u8]) -> Result<(), ReadError> {
    let head = &xml[..xml.len().min(4096)];
    let declared = memchr::memmem::find(head, b"uniqueCount")
        .map(|i| {
            head[i..]
                .iter()
                .skip_while(|b| !b.is_ascii_digit())
                .take_while(|b| b.is_ascii_digit())
                .fold(0u64, |n, b| {
                    n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
                })
        })
        .unwrap_or(0);
    let held = xlsx_merges::count_elements(xml, "si");
    let count = declared.max(held);
    if count > MAX_CELLS as u64 {
        return Err(over(
            path,
            WorkbookLimit::SharedStrings {
                count,
                max: MAX_CELLS,
            },
        ));
    }
    Ok(())
}
