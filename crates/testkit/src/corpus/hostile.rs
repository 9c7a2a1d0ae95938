//! Small crafted files that once took the process down (issue: "No file can take
//! yusuan down"), written deterministically. Each is a few KB to a few hundred KB, and
//! each asked for gigabytes or for minutes before the reader's limits held per
//! workbook. `cargo run --example bad_corpus` writes them to `tests/fixtures/hostile/`;
//! `tests/it/hostile.rs` runs every command on each under a memory limit.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use super::files::{parts, write_all, zip_of};

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

/// A minimal xlsx: `sheets` entries (name, relationship id), relationships
/// `(id, target)`, and the other parts as given.
fn xlsx(
    sheets: &[(String, String)],
    rels: &[(String, String)],
    others: &[(&str, &[u8])],
) -> std::io::Result<Vec<u8>> {
    let mut wb = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    for (i, (name, rid)) in sheets.iter().enumerate() {
        wb.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{}" r:id="{rid}"/>"#,
            i + 1
        ));
    }
    wb.push_str("</sheets></workbook>");
    let mut r = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (id, target) in rels {
        r.push_str(&format!(
            r#"<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="{target}"/>"#
        ));
    }
    r.push_str(r#"<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#);
    let mut entries: Vec<(&str, &[u8], bool)> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes(), false),
        ("_rels/.rels", ROOT_RELS.as_bytes(), false),
        ("xl/workbook.xml", wb.as_bytes(), false),
        ("xl/_rels/workbook.xml.rels", r.as_bytes(), false),
    ];
    entries.extend(others.iter().map(|(n, d)| (*n, *d, false)));
    zip_of(&entries)
}

/// A worksheet part whose cells are given as `<c>` elements, one row each.
fn sheet_xml(cells: impl Iterator<Item = String>) -> Vec<u8> {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (i, c) in cells.enumerate() {
        s.push_str(&format!(r#"<row r="{}">{c}</row>"#, i + 1));
    }
    s.push_str("</sheetData></worksheet>");
    s.into_bytes()
}

fn one_sheet(name: &str) -> Vec<(String, String)> {
    vec![(name.to_string(), "rId1".to_string())]
}

fn one_rel() -> Vec<(String, String)> {
    vec![("rId1".to_string(), "worksheets/sheet1.xml".to_string())]
}

/// 1. A shared-string table that declares 10¹⁰ entries (calamine reserved 240 GB).
fn unique_count() -> std::io::Result<Vec<u8>> {
    let sst = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="10000000000" uniqueCount="10000000000"><si><t>收入总表</t></si></sst>"#;
    let sheet = sheet_xml(std::iter::once(
        r#"<c r="A1" t="s"><v>0</v></c>"#.to_string(),
    ));
    xlsx(
        &one_sheet("表1"),
        &one_rel(),
        &[
            ("xl/sharedStrings.xml", sst.as_bytes()),
            ("xl/worksheets/sheet1.xml", &sheet),
        ],
    )
}

/// 3. One 20 MB shared string used by 1,000 cells (each cell copies it: 20 GB).
fn shared_string_copies() -> std::io::Result<Vec<u8>> {
    let big = "预".repeat(20 * 1024 * 1024 / 3);
    let sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1000" uniqueCount="1"><si><t>{big}</t></si></sst>"#
    );
    let sheet = sheet_xml((1..=1000).map(|r| format!(r#"<c r="A{r}" t="s"><v>0</v></c>"#)));
    xlsx(
        &one_sheet("表1"),
        &one_rel(),
        &[
            ("xl/sharedStrings.xml", sst.as_bytes()),
            ("xl/worksheets/sheet1.xml", &sheet),
        ],
    )
}

/// 4. 400 sheet entries, all pointing to one part of 100,000 cells (the reported file
///    had 499,999; 400 × 499,999 cells cost 8.3 GB).
fn sheets_on_one_part() -> std::io::Result<Vec<u8>> {
    let sheets: Vec<(String, String)> = (1..=400)
        .map(|i| (format!("表{i}"), format!("rId{i}")))
        .collect();
    let rels: Vec<(String, String)> = (1..=400)
        .map(|i| (format!("rId{i}"), "worksheets/sheet1.xml".to_string()))
        .collect();
    let sheet = sheet_xml((1..=20_000).map(|r| {
        (0..5)
            .map(|c| {
                format!(
                    r#"<c r="{}{r}"><v>{r}</v></c>"#,
                    ["A", "B", "C", "D", "E"][c]
                )
            })
            .collect()
    }));
    xlsx(&sheets, &rels, &[("xl/worksheets/sheet1.xml", &sheet)])
}

/// 6a. A stored part damaged after its checksum was written: 罗江区政协办公室 became
///     罗江区攻协办公室, which `unzip -t` reports and calamine did not.
fn bad_crc() -> std::io::Result<Vec<u8>> {
    let sst = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>罗江区政协办公室</t></si></sst>"#;
    let sheet = sheet_xml(std::iter::once(
        r#"<c r="A1" t="s"><v>0</v></c>"#.to_string(),
    ));
    let base = xlsx(
        &one_sheet("表1"),
        &one_rel(),
        &[("xl/worksheets/sheet1.xml", &sheet)],
    )?;
    let mut entries: Vec<(String, Vec<u8>)> = parts(&base)?;
    entries.push(("xl/sharedStrings.xml".into(), sst.as_bytes().to_vec()));
    let refs: Vec<(&str, &[u8], bool)> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice(), n.ends_with("sharedStrings.xml")))
        .collect();
    let mut bytes = zip_of(&refs)?;
    let good = "政协".as_bytes();
    let i = find(&bytes, good).ok_or_else(|| io("stored text not found"))?;
    bytes[i..i + good.len()].copy_from_slice("攻协".as_bytes());
    Ok(bytes)
}

/// 6b. Two parts named `xl/sharedStrings.xml` (the last one won, silently).
fn duplicate_part() -> std::io::Result<Vec<u8>> {
    let sst = |text: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>"#
        )
    };
    let (first, second) = (sst("罗江区政协办公室"), sst("另一个部门"));
    let sheet = sheet_xml(std::iter::once(
        r#"<c r="A1" t="s"><v>0</v></c>"#.to_string(),
    ));
    let mut bytes = xlsx(
        &one_sheet("表1"),
        &one_rel(),
        &[
            ("xl/sharedStrings.xml", first.as_bytes()),
            ("xl/sharedStrings.xmX", second.as_bytes()),
            ("xl/worksheets/sheet1.xml", &sheet),
        ],
    )?;
    // Rename the second part in its local header and in the central directory.
    let mut at = 0;
    while let Some(i) = find(&bytes[at..], b"xl/sharedStrings.xmX") {
        let i = at + i;
        bytes[i + 19] = b'l';
        at = i + 1;
    }
    Ok(bytes)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// BIFF12 (xlsb) record: type and length as variable-length integers.
fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    if typ < 0x80 {
        v.push(typ as u8);
    } else {
        v.push((typ & 0x7F) as u8 | 0x80);
        v.push((typ >> 7) as u8);
    }
    let mut len = data.len();
    loop {
        let b = (len & 0x7F) as u8;
        len >>= 7;
        if len == 0 {
            v.push(b);
            break;
        }
        v.push(b | 0x80);
    }
    v.extend_from_slice(data);
    v
}

fn wide(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut v = (units.len() as u32).to_le_bytes().to_vec();
    for u in units {
        v.extend(u.to_le_bytes());
    }
    v
}

fn real_cell(col: u32, value: f64) -> Vec<u8> {
    let mut d = col.to_le_bytes().to_vec();
    d.extend([0, 0, 0, 0]);
    d.extend(value.to_le_bytes());
    record(0x0005, &d)
}

fn row_header(row: u32) -> Vec<u8> {
    let mut d = row.to_le_bytes().to_vec();
    d.extend([0u8; 13]);
    record(0x0000, &d)
}

/// 5a. An .xlsb with cells at A1 and XFD1048576 (calamine's whole-grid range: 550 GB).
fn xlsb_corners() -> std::io::Result<Vec<u8>> {
    let mut bundle = 0u32.to_le_bytes().to_vec();
    bundle.extend(1u32.to_le_bytes());
    bundle.extend(wide("rId1"));
    bundle.extend(wide("表1"));
    let mut workbook = record(0x0083, &[]);
    workbook.extend(record(0x008F, &[]));
    workbook.extend(record(0x009C, &bundle));
    workbook.extend(record(0x0090, &[]));
    workbook.extend(record(0x0084, &[]));
    let mut dims = Vec::new();
    for v in [0u32, 1_048_575, 0, 16_383] {
        dims.extend(v.to_le_bytes());
    }
    let mut sheet = record(0x0081, &[]);
    sheet.extend(record(0x0094, &dims));
    sheet.extend(record(0x0091, &[]));
    sheet.extend(row_header(0));
    sheet.extend(real_cell(0, 1.0));
    sheet.extend(row_header(1_048_575));
    sheet.extend(real_cell(16_383, 2.0));
    sheet.extend(record(0x0092, &[]));
    sheet.extend(record(0x0082, &[]));
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes(), false),
        ("_rels/.rels", ROOT_RELS.as_bytes(), false),
        ("xl/workbook.bin", &workbook, false),
        ("xl/_rels/workbook.bin.rels", rels.as_bytes(), false),
        ("xl/worksheets/sheet1.bin", &sheet, false),
    ])
}

/// 5b. An .ods of 5 tables, each one cell repeated 10,000 × 10,000 times (16.7 GB).
fn ods_repeats() -> std::io::Result<Vec<u8>> {
    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    for i in 1..=5 {
        content.push_str(&format!(
            r#"<table:table table:name="表{i}"><table:table-row table:number-rows-repeated="10000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="10000"/></table:table-row></table:table>"#
        ));
    }
    content.push_str("</office:spreadsheet></office:body></office:document-content>");
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
            true,
        ),
        ("content.xml", content.as_bytes(), false),
        ("META-INF/manifest.xml", manifest.as_bytes(), false),
    ])
}

/// A BIFF8 record.
fn biff(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut v = typ.to_le_bytes().to_vec();
    v.extend((data.len() as u16).to_le_bytes());
    v.extend(data);
    v
}

/// A BIFF8 workbook stream: one sheet `名单` with number cells at `cells`.
fn biff_stream(cells: &[(u16, u16)]) -> Vec<u8> {
    let records: Vec<Vec<u8>> = cells
        .iter()
        .map(|(r, c)| {
            let mut d = r.to_le_bytes().to_vec();
            d.extend(c.to_le_bytes());
            d.extend(0u16.to_le_bytes());
            d.extend(1.0f64.to_le_bytes());
            biff(0x0203, &d)
        })
        .collect();
    biff_workbook(&[], &records)
}

/// A BIFF8 workbook stream: the `globals` records after BOUNDSHEET, then one sheet
/// `名单` of the `cells` records.
fn biff_workbook(globals: &[Vec<u8>], cells: &[Vec<u8>]) -> Vec<u8> {
    let mut bof = vec![0x00, 0x06, 0x05, 0x00];
    bof.extend([0u8; 12]);
    let mut sheet_bof = vec![0x00, 0x06, 0x10, 0x00];
    sheet_bof.extend([0u8; 12]);
    let name: Vec<u8> = "名单".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let boundsheet_len = 4 + 8 + name.len();
    let extra: usize = globals.iter().map(Vec::len).sum();
    let globals_len = (4 + bof.len()) + boundsheet_len + extra + 4;
    let mut bs = (globals_len as u32).to_le_bytes().to_vec();
    bs.extend([0, 0, 2, 1]); // visible, worksheet, 2 characters, UTF-16
    bs.extend(&name);
    let mut s = biff(0x0809, &bof);
    s.extend(biff(0x0085, &bs));
    for g in globals {
        s.extend(g);
    }
    s.extend(biff(0x000A, &[]));
    s.extend(biff(0x0809, &sheet_bof));
    for c in cells {
        s.extend(c);
    }
    s.extend(biff(0x000A, &[]));
    s
}

/// 3b. The .xls form of the 20 MB shared string: one shared string of 65,535 characters
///     (the most one can hold; split over CONTINUE records) in 20,000 cells, which
///     calamine copies into each cell: 1.3 GB.
fn xls_shared_string_copies() -> std::io::Result<Vec<u8>> {
    let mut sst = 20_000u32.to_le_bytes().to_vec();
    sst.extend(1u32.to_le_bytes());
    sst.extend(65_535u16.to_le_bytes());
    sst.push(0); // 1 byte a character
    let chars = vec![b'A'; 65_535];
    let first = 8_224 - sst.len();
    sst.extend(&chars[..first]);
    let mut globals = vec![biff(0x00FC, &sst)];
    for chunk in chars[first..].chunks(8_223) {
        let mut d = vec![0u8];
        d.extend(chunk);
        globals.push(biff(0x003C, &d));
    }
    let cells: Vec<Vec<u8>> = (0..20_000u16)
        .map(|r| {
            let mut d = r.to_le_bytes().to_vec();
            d.extend(0u16.to_le_bytes());
            d.extend(0u16.to_le_bytes());
            d.extend(0u32.to_le_bytes());
            biff(0x00FD, &d)
        })
        .collect();
    let stream = biff_workbook(&globals, &cells);
    let mut c = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    c.create_stream("/Workbook")?.write_all(&stream)?;
    c.flush()?;
    Ok(c.into_inner().into_inner())
}

/// 2. An .xls whose first directory entry named `Workbook` is not linked into the
///    directory tree (a cell at 65535,65535: 137 GB in calamine), followed by a
///    harmless linked one that the `cfb` crate sees.
fn xls_unlinked_workbook() -> std::io::Result<Vec<u8>> {
    let mut c = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    c.create_stream("/Aorkbook")?
        .write_all(&biff_stream(&[(0, 0), (65_535, 65_535)]))?;
    c.create_stream("/Workbook")?
        .write_all(&biff_stream(&[(0, 0), (3, 2)]))?;
    c.flush()?;
    let mut bytes = c.into_inner().into_inner();
    // Directory sector (version 3: 512-byte sectors after a 512-byte header).
    let dir_sector = u32::from_le_bytes(bytes[0x30..0x34].try_into().map_err(io)?) as usize;
    let dir = 512 * (dir_sector + 1);
    let entry = |i: usize| dir + 128 * i;
    let name_of = |b: &[u8], i: usize| {
        let e = entry(i);
        let len = u16::from_le_bytes([b[e + 64], b[e + 65]]) as usize;
        String::from_utf16_lossy(
            &b[e..e + len.saturating_sub(2)]
                .chunks(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .collect::<Vec<_>>(),
        )
    };
    let hidden = (1..4)
        .find(|&i| name_of(&bytes, i) == "Aorkbook")
        .ok_or_else(|| io("entry not found"))?;
    // Unlink it: whoever points to it points to its sibling instead.
    let e = entry(hidden);
    let left = u32::from_le_bytes(bytes[e + 68..e + 72].try_into().map_err(io)?);
    let right = u32::from_le_bytes(bytes[e + 72..e + 76].try_into().map_err(io)?);
    let sibling = if left != u32::MAX { left } else { right };
    for i in 0..4 {
        for field in [68, 72, 76] {
            let at = entry(i) + field;
            if u32::from_le_bytes(bytes[at..at + 4].try_into().map_err(io)?) == hidden as u32 {
                bytes[at..at + 4].copy_from_slice(&sibling.to_le_bytes());
            }
        }
    }
    bytes[e + 68..e + 76].copy_from_slice(&[0xFF; 8]);
    bytes[e] = b'W';
    Ok(bytes)
}

/// 7. A workbook with 20,001 merged ranges on one sheet (the reader keeps 20,000 and
///    the report must say so).
fn many_merges(sample: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut entries = parts(sample)?;
    for (name, data) in &mut entries {
        if name == "xl/worksheets/sheet1.xml" {
            let xml = String::from_utf8_lossy(data).into_owned();
            let extra: String = (0..20_001)
                .map(|i| format!(r#"<mergeCell ref="AA{0}:AB{0}"/>"#, 1000 + i))
                .collect();
            let xml = match xml.find("<mergeCells") {
                Some(i) => {
                    let close = xml[i..].find('>').map_or(i, |j| i + j + 1);
                    format!("{}{extra}{}", &xml[..close], &xml[close..])
                }
                None => xml.replace(
                    "</sheetData>",
                    &format!("</sheetData><mergeCells>{extra}</mergeCells>"),
                ),
            };
            *data = xml.into_bytes();
        }
    }
    let refs: Vec<(&str, &[u8], bool)> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice(), false))
        .collect();
    zip_of(&refs)
}

/// Write every hostile file into `dir`; the paths, in a fixed order.
pub fn write(root: &Path, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let sample = std::fs::read(root.join("samples/luojiang-zhengxieban-2023.xlsx"))?;
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("unique-count-1e10.xlsx", unique_count()?),
        ("xls-unlinked-workbook.xls", xls_unlinked_workbook()?),
        ("xls-shared-string-x20000.xls", xls_shared_string_copies()?),
        ("shared-string-20mb-x1000.xlsx", shared_string_copies()?),
        ("sheets-400-on-one-part.xlsx", sheets_on_one_part()?),
        ("xlsb-a1-xfd1048576.xlsb", xlsb_corners()?),
        ("ods-repeats-5x1e8.ods", ods_repeats()?),
        ("bad-crc.xlsx", bad_crc()?),
        ("duplicate-part.xlsx", duplicate_part()?),
        ("merges-20001.xlsx", many_merges(&sample)?),
    ];
    write_all(dir, files)
}
