//! The merged ranges of an xlsx sheet part, and the few elements of workbook.xml and
//! its relationships that map sheets to parts (used by `package.rs`).
//!
//! calamine's `merge_cells_by_sheet_name` parses the whole sheet XML a second time,
//! event by event, to reach the `<mergeCells>` element at its end: a tenth of the
//! time yusuan spends reading a workbook. Here the sheet part, already inflated for its
//! checksum, is searched for the `<mergeCell ref="…"/>` elements. Anything unusual (a
//! package that does not name its sheets the standard way, a reference that does not
//! parse) gives no answer for that sheet, and the caller asks calamine as before; the
//! two agree on every workbook in the test corpus.

use std::collections::HashMap;

use quick_xml::events::Event;
use regex::bytes::Regex;
use std::sync::LazyLock;

/// A merged range as written: `(row, col)` of the first and last cell, 0-based.
pub type Range = ((u32, u32), (u32, u32));

/// `(name, r:id)` of each `<sheet>` of workbook.xml, names unescaped.
pub(crate) fn sheets(xml: &[u8]) -> Vec<(String, String)> {
    elements(xml, "sheet")
        .into_iter()
        .filter_map(|attrs| {
            let get =
                |f: &dyn Fn(&str) -> bool| attrs.iter().find(|(k, _)| f(k)).map(|(_, v)| v.clone());
            let name = get(&|k| k == "name")?;
            let rid = get(&|k| k.split_once(':').is_some_and(|(_, local)| local == "id"))?;
            Some((name, rid))
        })
        .collect()
}

/// `Id → Target` of a relationships part.
pub(crate) fn relationships(xml: &[u8]) -> HashMap<String, String> {
    elements(xml, "Relationship")
        .into_iter()
        .filter_map(|attrs| {
            let get = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            Some((get("Id")?, get("Target")?))
        })
        .collect()
}

/// The attributes (qualified name, unescaped value) of every element of a part whose
/// local name is `local`. Stops at the first XML error.
fn elements(xml: &[u8], local: &str) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == local => {
                out.push(
                    e.attributes()
                        .flatten()
                        .filter_map(|a| {
                            let v = quick_xml::escape::unescape(&a.value).ok()?;
                            Some((a.key.as_ref().to_string(), v.into_owned()))
                        })
                        .collect(),
                );
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

static MERGE_CELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref\s*=\s*["']([^"']*)["']"#)
        .expect("merge pattern")
});

/// The `ref`s of the `<mergeCell>` elements after the sheet data; `None` when one does
/// not parse (calamine then decides what that means).
pub(crate) fn merge_refs(xml: &[u8]) -> Option<Vec<Range>> {
    // The element follows </sheetData>; cell text before it may contain anything.
    let tail = match memchr::memmem::rfind(xml, b"sheetData>") {
        Some(i) => &xml[i..],
        None => xml,
    };
    // One over the cap is enough for the caller to say the cap was hit.
    MERGE_CELL
        .captures_iter(tail)
        .take(crate::MAX_MERGES_PER_SHEET + 1)
        .map(|c| cell_range(std::str::from_utf8(&c[1]).ok()?))
        .collect()
}

/// How many elements of local name `local` a part holds, at least: every `<local`
/// or `<prefix:local` followed by `>`, `/` or a space (text cannot hold a raw `<`, so
/// nothing is missed; an odd `:si>` in text is counted too, which only errs high).
pub(crate) fn count_elements(xml: &[u8], local: &str) -> u64 {
    let local = local.as_bytes();
    memchr::memmem::find_iter(xml, local)
        .filter(|&i| {
            let after = xml.get(i + local.len());
            let before = i.checked_sub(1).map(|j| xml[j]);
            matches!(after, Some(b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n'))
                && matches!(before, Some(b'<' | b':'))
        })
        .count() as u64
}

/// `A1:C2` or `B3` → 0-based `((row, col), (row, col))`.
fn cell_range(s: &str) -> Option<Range> {
    match s.split_once(':') {
        Some((a, b)) => Some((cell(a)?, cell(b)?)),
        None => cell(s).map(|c| (c, c)),
    }
}

fn cell(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().replace('$', "");
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let col = letters.bytes().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Reader;
    use std::io::Cursor;

    /// Every xlsx in the repository (samples, fixtures, the real Shanghai templates):
    /// the byte scan gives exactly what calamine gives, sheet by sheet.
    #[test]
    fn agrees_with_calamine_on_every_workbook_in_the_repository() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        for dir in ["samples", "tests"] {
            for e in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                let p = e.into_path();
                if p.extension().is_some_and(|x| x == "xlsx" || x == "xlsm") {
                    files.push(p);
                }
            }
        }
        assert!(files.len() >= 10, "{files:?}");
        let mut merges_seen = 0;
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let Ok(package) = crate::package::inspect(&f, &bytes) else {
                continue;
            };
            let fast = package.merges;
            let Ok(mut wb) = calamine::Xlsx::new(Cursor::new(bytes)) else {
                continue; // the deliberately broken fixtures
            };
            for name in wb.sheet_names() {
                let Ok(slow) = wb.merge_cells_by_sheet_name(&name) else {
                    continue;
                };
                // The scan stops one past the cap (enough to say the cap was hit).
                let slow: Vec<Range> = slow
                    .into_iter()
                    .map(|d| (d.start, d.end))
                    .take(crate::MAX_MERGES_PER_SHEET + 1)
                    .collect();
                let got = fast.get(&name);
                assert_eq!(got, Some(&slow), "{} / {name}", f.display());
                merges_seen += slow.len();
            }
        }
        assert!(merges_seen > 100, "{merges_seen}");
    }

    #[test]
    fn references() {
        assert_eq!(cell_range("A1:C2"), Some(((0, 0), (1, 2))));
        assert_eq!(cell_range("$B$3"), Some(((2, 1), (2, 1))));
        assert_eq!(cell_range("AA10:XFD11"), Some(((9, 26), (10, 16383))));
        assert_eq!(cell_range("A0"), None);
        assert_eq!(cell_range("1:2"), None);
    }

    #[test]
    fn finds_elements_with_and_without_prefix() {
        let xml = br#"<worksheet><sheetData><row><c><v>1</v></c></row></sheetData>
            <mergeCells count="2"><mergeCell ref="A1:D1"/><x:mergeCell  ref='B2:B3'></x:mergeCell>
            </mergeCells></worksheet>"#;
        assert_eq!(
            merge_refs(xml),
            Some(vec![((0, 0), (0, 3)), ((1, 1), (2, 1))])
        );
        assert_eq!(
            merge_refs(b"<worksheet><sheetData/></worksheet>"),
            Some(vec![])
        );
        assert_eq!(merge_refs(br#"<sheetData/><mergeCell ref="oops"/>"#), None);
    }
}
