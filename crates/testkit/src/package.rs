//! Editing an .xlsx package in place, so a mutated workbook keeps every format of the
//! original (the annotated copy is compared with its source cell for cell).

use std::io::{Cursor, Read, Write};

/// `bytes` (an .xlsx whose sheets are at `xl/worksheets/sheetN.xml`, as Excel and
/// rust_xlsxwriter write them) with cell `a1` of part `sheetN.xml` set to the number
/// `value`; the cell must exist (it may be empty), its format is kept.
pub fn set_number(bytes: &[u8], n: usize, a1: &str, value: f64) -> Vec<u8> {
    let target = format!("xl/worksheets/sheet{n}.xml");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip package");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("a part");
        let name = f.name().expect("a name").to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("inflates");
        if name == target {
            let xml = String::from_utf8(data).expect("UTF-8");
            let at = xml
                .find(&format!(r#"<c r="{a1}""#))
                .unwrap_or_else(|| panic!("no cell {a1} in {name}"));
            let tag_end = at + xml[at..].find('>').expect("a tag");
            data = if xml[..tag_end].ends_with('/') {
                // An empty cell (formatted, no value): give it one.
                let tag = xml[at..tag_end - 1].replace(r#" t="s""#, "");
                format!(
                    "{}{tag}><v>{value}</v></c>{}",
                    &xml[..at],
                    &xml[tag_end + 1..]
                )
            } else {
                let end = at + xml[at..].find("</c>").expect("a cell's end");
                let tag = xml[at..tag_end].replace(r#" t="s""#, "");
                format!("{}{tag}><v>{value}</v>{}", &xml[..at], &xml[end..])
            }
            .into_bytes();
        }
        out.start_file(name, opts).expect("writes");
        out.write_all(&data).expect("writes");
    }
    out.finish().expect("writes").into_inner()
}
