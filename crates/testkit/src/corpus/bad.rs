//! Hostile and broken inputs, written deterministically: what a finance officer may feed
//! yusuan (a Word file renamed `.xlsx`, a half-downloaded attachment, error cells, dates
//! in amount cells, absurd merges, hidden or duplicated sheets…). `cargo run --example
//! bad_corpus` writes them to `tests/fixtures/bad/`; `tests/robustness.rs` runs every
//! command on each. Large ones (200,000 rows, 16,384 columns) are written on demand by
//! [`write_large`] rather than committed.

use std::path::{Path, PathBuf};

use super::files;
use crate::SheetEdit;
use yusuan_core::CellRef;
use yusuan_core::{CodeLists, TableId};
use yusuan_grid::{Cell, Grid, Sheet};

/// The 罗江 sample the broken workbooks start from.
fn sample(root: &Path) -> PathBuf {
    root.join("samples/luojiang-zhengxieban-2023.xlsx")
}

fn xlsx(g: &Grid) -> std::io::Result<Vec<u8>> {
    yusuan_write::copy_grid(g)
        .and_then(|mut wb| wb.save_to_buffer())
        .map_err(std::io::Error::other)
}

/// A deflated zip with fixed timestamps (deterministic bytes).
fn zip_of(entries: &[(&str, &[u8])]) -> std::io::Result<Vec<u8>> {
    let entries: Vec<(&str, &[u8], bool)> = entries.iter().map(|(n, d)| (*n, *d, false)).collect();
    files::zip_of(&entries)
}

/// Rewrite one part of an xlsx (by name) with `f`.
fn rewrite(xlsx: &[u8], part: &str, f: impl Fn(String) -> String) -> std::io::Result<Vec<u8>> {
    let mut parts = files::parts(xlsx)?;
    for (name, data) in &mut parts {
        if name == part {
            *data = f(String::from_utf8_lossy(data).into_owned()).into_bytes();
        }
    }
    let refs: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip_of(&refs)
}

fn sheet_part(g: &Grid, name: &str) -> String {
    let i = g.sheets.iter().position(|s| s.name == name).unwrap_or(0) + 1;
    format!("xl/worksheets/sheet{i}.xml")
}

/// Replace the `<c r="REF" …><v>…</v></c>` of a cell by `new`.
fn replace_cell(xml: &str, cell: &str, new: &str) -> String {
    let start = format!("<c r=\"{cell}\"");
    let Some(a) = xml.find(&start) else {
        return xml.to_string();
    };
    let Some(len) = xml[a..].find("</c>").map(|e| e + 4) else {
        return xml.to_string();
    };
    format!("{}{}{}", &xml[..a], new, &xml[a + len..])
}

fn amount_cell(b: &yusuan_core::Budget, id: TableId, code: &str, col: &str) -> CellRef {
    b.table(id)
        .and_then(|t| t.by_code(code))
        .and_then(|l| l.amount(col))
        .map(|a| a.at.clone())
        .unwrap_or_else(|| CellRef::new(id.label(), 0, 0))
}

/// Write the corpus into `dir`; `root` is the repository (for the samples). Returns the
/// files written. `password.xlsx` (encrypted) cannot be made here and is committed.
pub fn write(root: &Path, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let sample_bytes = std::fs::read(sample(root))?;
    let g = yusuan_grid::read_path(&sample(root)).map_err(std::io::Error::other)?;
    let b = yusuan_core::recognise(&g, CodeLists::builtin()).map_err(std::io::Error::other)?;
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();

    // Not workbooks at all.
    files.push(("empty.xlsx", Vec::new()));
    let mut rng = super::Rng::new(1);
    let random: Vec<u8> = (0..4096)
        .map(|i| {
            if i % 97 == 0 {
                0xFF
            } else {
                rng.next_u64() as u8
            }
        })
        .collect();
    files.push(("random.xlsx", random));
    files.push((
        "truncated.xlsx",
        sample_bytes[..sample_bytes.len() / 3].to_vec(),
    ));
    files.push((
        "no-workbook.xlsx",
        zip_of(&[("readme.txt", "这不是工作簿".as_bytes())])?,
    ));
    let doc = r#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>情况说明</w:t></w:r></w:p></w:body></w:document>"#;
    files.push((
        "word.xlsx",
        zip_of(&[
            ("[Content_Types].xml", b"<Types/>".as_slice()),
            ("word/document.xml", doc.as_bytes()),
        ])?,
    ));
    files.push((
        "pdf.xlsx",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec(),
    ));
    files.push((
        "csv.xlsx",
        "科目编码,科目名称,合计\n2010201,行政运行,404\n"
            .as_bytes()
            .to_vec(),
    ));
    // A zip that declares 4 GB of content in one part.
    let mut bomb = sample_bytes.clone();
    if let Some(p) = find_central_entry(&bomb, b"xl/worksheets/sheet1.xml") {
        bomb[p + 24..p + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    }
    files.push(("bomb.xlsx", bomb));
    let other = Grid {
        format: yusuan_grid::Format::Xlsx,
        sheets: vec![Sheet::from_cells(
            "通讯录",
            vec![
                (0, 0, Cell::Text("姓名".into())),
                (0, 1, Cell::Text("电话".into())),
            ],
        )],
    };
    files.push(("not-a-budget.xlsx", xlsx(&other)?));

    // Renamed files: still read.
    files.push(("xlsx-named.xls", sample_bytes.clone()));

    // Bad cells.
    let mut g2 = g.clone();
    let c1 = amount_cell(&b, TableId::T3_1, "30101", "personnel");
    let c2 = amount_cell(&b, TableId::T3_1, "30102", "personnel");
    let base = xlsx(&g2)?;
    let errors = rewrite(&base, &sheet_part(&g2, "表3-1"), |x| {
        let x = replace_cell(
            &x,
            &c1.a1(),
            &format!(r#"<c r="{}" t="e"><v>#REF!</v></c>"#, c1.a1()),
        );
        replace_cell(
            &x,
            &c2.a1(),
            &format!(r#"<c r="{}" t="e"><v>#DIV/0!</v></c>"#, c2.a1()),
        )
    })?;
    files.push(("error-cells.xlsx", errors));
    let nocache = rewrite(&base, &sheet_part(&g2, "表3-1"), |x| {
        replace_cell(
            &x,
            &c1.a1(),
            &format!(r#"<c r="{}"><f>SUM(D20:D30)</f></c>"#, c1.a1()),
        )
    })?;
    files.push(("formula-no-cache.xlsx", nocache));
    {
        let s = g2.sheet_mut("表3-1").expect("表3-1");
        s.set(c1.row, c1.col, Some(Cell::Date(45_000.0)));
        s.set(c2.row, c2.col, Some(Cell::Bool(true)));
    }
    files.push(("dates-booleans.xlsx", xlsx(&g2)?));
    let mut g3 = g.clone();
    {
        let s = g3.sheet_mut("表3-1").expect("表3-1");
        s.set(c1.row, c1.col, Some(Cell::Number(1e300)));
        s.set(c2.row, c2.col, Some(Cell::Number(156.380_000_001)));
    }
    files.push(("huge-numbers.xlsx", xlsx(&g3)?));
    let mut g4 = g.clone();
    {
        let t3 = b.table(TableId::T3).expect("表3");
        let n1 = t3
            .by_code("2010201")
            .and_then(|l| l.name_at.clone())
            .expect("name");
        let n2 = t3
            .by_code("2010206")
            .and_then(|l| l.name_at.clone())
            .expect("name");
        let s = g4.sheet_mut("表3").expect("表3");
        s.set(n1.row, n1.col, Some(Cell::Text("行政运行".repeat(8000))));
        s.set(
            n2.row,
            n2.col,
            Some(Cell::Text("参政\u{7}议政\u{1b}[31m\u{0b}".into())),
        );
    }
    files.push(("long-strings.xlsx", xlsx(&g4)?));

    // Sheets.
    let mut g5 = g.clone();
    let extra = g5.sheet("表3").expect("表3").clone();
    let mut dup = extra;
    dup.name = "表3 (2)".into();
    g5.sheets.push(dup);
    files.push(("duplicated.xlsx", xlsx(&g5)?));
    let mut g6 = g.clone();
    for s in &mut g6.sheets {
        s.visible = false;
    }
    files.push(("all-hidden.xlsx", xlsx(&g6)?));
    // Overlapping merges and a merge to the last cell of the sheet, written into the XML.
    let merged = rewrite(&base, &sheet_part(&g, "表3"), |x| {
        let extra = r#"<mergeCell ref="H10:J12"/><mergeCell ref="I11:K13"/><mergeCell ref="L1:XFD1048576"/>"#;
        match x.find("</mergeCells>") {
            Some(i) => format!("{}{extra}{}", &x[..i], &x[i..]),
            None => x,
        }
    })?;
    files.push(("merges.xlsx", merged));

    files::write_all(dir, files)
}

/// The local position of a central-directory record naming `name` in a zip.
fn find_central_entry(bytes: &[u8], name: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 46 < bytes.len() {
        if bytes[i..].starts_with(b"PK\x01\x02") {
            let n = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
            if bytes.get(i + 46..i + 46 + n) == Some(name) {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// A workbook that takes seconds to read but is within every limit: the 罗江 sample
/// with three more sheets of 450,000 cells each (for tests that must catch a worker
/// mid-file).
pub fn write_slow(root: &Path, path: &Path) -> std::io::Result<()> {
    let mut g = yusuan_grid::read_path(&sample(root)).map_err(std::io::Error::other)?;
    for s in 1..=3 {
        let cells: Vec<(u32, u32, Cell)> = (0..150_000u32)
            .flat_map(|r| {
                [
                    (r, 0, Cell::Text(format!("明细{r}"))),
                    (r, 1, Cell::Number(f64::from(r))),
                    (r, 2, Cell::Number(1.5)),
                ]
            })
            .collect();
        g.sheets.push(Sheet::from_cells(format!("明细{s}"), cells));
    }
    std::fs::write(path, xlsx(&g)?)
}

/// Large hostile sheets, written on demand (too big to commit): a sample with an extra
/// sheet of 200,000 rows (600,000 cells, over the per-sheet cap), and one with a row
/// 16,384 columns wide.
pub fn write_large(root: &Path, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let g = yusuan_grid::read_path(&sample(root)).map_err(std::io::Error::other)?;
    let mut rows = g.clone();
    let cells: Vec<(u32, u32, Cell)> = (0..200_000u32)
        .flat_map(|r| {
            [
                (r, 0, Cell::Text(format!("明细{r}"))),
                (r, 1, Cell::Number(f64::from(r))),
                (r, 2, Cell::Number(1.5)),
            ]
        })
        .collect();
    rows.sheets.push(Sheet::from_cells("明细", cells));
    let mut wide = g.clone();
    let cells: Vec<(u32, u32, Cell)> = (0..16_384u32)
        .map(|c| (0, c, Cell::Number(f64::from(c))))
        .collect();
    wide.sheets.push(Sheet::from_cells("宽表", cells));
    let mut out = Vec::new();
    for (name, grid) in [("rows-200000.xlsx", rows), ("columns-16384.xlsx", wide)] {
        let p = dir.join(name);
        std::fs::write(&p, xlsx(&grid)?)?;
        out.push(p);
    }
    Ok(out)
}
