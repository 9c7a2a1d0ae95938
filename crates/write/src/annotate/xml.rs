//! Small tools for editing XML parts in place: tags are rebuilt, everything else is
//! copied byte for byte by splicing.

use quick_xml::events::{BytesStart, Event};

/// An edit of a part: replace `start..end` with `text` (`start == end` inserts).
pub(super) struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: Vec<u8>,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<Vec<u8>>) -> Edit {
        Edit {
            start: at,
            end: at,
            text: text.into(),
        }
    }
    pub fn replace(start: usize, end: usize, text: impl Into<Vec<u8>>) -> Edit {
        Edit {
            start,
            end,
            text: text.into(),
        }
    }
}

/// `xml` with the edits applied (edits may come in any order; inserts at one place
/// keep their order).
pub(super) fn splice(xml: &[u8], mut edits: Vec<Edit>) -> Vec<u8> {
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = Vec::with_capacity(xml.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in edits {
        out.extend_from_slice(&xml[at..e.start.max(at)]);
        out.extend_from_slice(&e.text);
        at = at.max(e.end);
    }
    out.extend_from_slice(&xml[at..]);
    out
}

/// Text escaped for an attribute or element content.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            // Characters XML 1.0 cannot hold at all are left out.
            c if (c as u32) < 0x20 && c != '\t' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Element text: like [`escape`], but a line break stays a line break.
pub(super) fn escape_text(s: &str) -> String {
    escape(s).replace("&#10;", "\n")
}

/// The value of attribute `name` (exactly that qualified name), unescaped.
pub(super) fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| value(&a))
}

fn value(a: &quick_xml::events::attributes::Attribute<'_>) -> String {
    quick_xml::escape::unescape(&a.value)
        .map(|v| v.into_owned())
        .unwrap_or_else(|_| a.value.to_string())
}

/// The value of the attribute whose qualified name ends in `:local` or is `local`
/// (for `r:id`, whatever the prefix).
pub(super) fn attr_any_prefix(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| value(&a))
}

/// A tag rebuilt from `e` with the attributes in `set` given these values (added at the
/// end when absent) and those in `drop` left out; `empty` closes it (`/>`).
pub(super) fn rebuild_tag(
    e: &BytesStart<'_>,
    set: &[(&str, String)],
    drop: &[&str],
    empty: bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(e.len() + 32);
    out.push(b'<');
    out.extend_from_slice(e.name().as_ref().as_bytes());
    let mut done = vec![false; set.len()];
    for a in e.attributes().with_checks(false).flatten() {
        let key = a.key.as_ref();
        if drop.contains(&key) {
            continue;
        }
        out.push(b' ');
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"=\"");
        match set.iter().position(|(k, _)| *k == key) {
            Some(i) => {
                done[i] = true;
                out.extend_from_slice(escape(&set[i].1).as_bytes());
            }
            // The raw value, as written (its quotes may have been single).
            None => out.extend_from_slice(a.value.replace('"', "&quot;").as_bytes()),
        }
        out.push(b'"');
    }
    for ((k, v), done) in set.iter().zip(done) {
        if !done {
            out.extend_from_slice(format!(" {k}=\"{}\"", escape(v)).as_bytes());
        }
    }
    out.extend_from_slice(if empty { b"/>" } else { b">" });
    out
}

/// The prefix (with its colon) of an element's name: `x:` for `<x:c>`, empty otherwise.
pub(super) fn prefix_of(e: &BytesStart<'_>) -> String {
    e.name()
        .prefix()
        .map(|p| format!("{}:", p.as_ref()))
        .unwrap_or_default()
}

/// Walk `xml`, calling `f(event, start, end)` with each event's byte range.
pub(super) fn walk<'x>(
    xml: &'x [u8],
    mut f: impl FnMut(&Event<'x>, usize, usize),
) -> Result<(), String> {
    let mut r = quick_xml::Reader::from_reader(xml);
    r.config_mut().check_end_names = false;
    loop {
        let start = r.buffer_position() as usize;
        let ev = r
            .read_event()
            .map_err(|_| format!("XML 无法解析（第 {} 字节处）", r.error_position()))?;
        let end = r.buffer_position() as usize;
        if matches!(ev, Event::Eof) {
            return Ok(());
        }
        f(&ev, start, end);
    }
}

/// A path relative to the folder of part `from` (both package paths, no leading `/`).
pub(super) fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: Vec<&str> = vec![".."; from_dir.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}

/// Part `target` of a relationship of part `from`, as a package path.
pub(super) fn resolve(from: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The relationships part of part `part` (`xl/_rels/workbook.xml.rels`).
pub(super) fn rels_of(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_and_relate() {
        assert_eq!(
            resolve("xl/workbook.xml", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/worksheets/sheet1.xml", "../comments1.xml"),
            "xl/comments1.xml"
        );
        assert_eq!(
            resolve("xl/workbook.xml", "/xl/styles.xml"),
            "xl/styles.xml"
        );
        assert_eq!(
            relative("xl/worksheets/sheet1.xml", "xl/comments1.xml"),
            "../comments1.xml"
        );
        assert_eq!(
            relative("xl/worksheets/sheet1.xml", "xl/drawings/vmlDrawing1.vml"),
            "../drawings/vmlDrawing1.vml"
        );
        assert_eq!(
            relative("xl/workbook.xml", "xl/worksheets/s.xml"),
            "worksheets/s.xml"
        );
        assert_eq!(rels_of("xl/workbook.xml"), "xl/_rels/workbook.xml.rels");
    }

    #[test]
    fn a_tag_is_rebuilt_with_one_attribute_changed() {
        let xml = br#"<c r="B2" s='3' t="n"/>"#;
        let mut r = quick_xml::Reader::from_reader(&xml[..]);
        let Ok(Event::Empty(e)) = r.read_event() else {
            panic!()
        };
        assert_eq!(
            rebuild_tag(&e, &[("s", "9".into())], &[], true),
            br#"<c r="B2" s="9" t="n"/>"#
        );
        assert_eq!(
            rebuild_tag(&e, &[("x", "a&b".into())], &["t"], false),
            br#"<c r="B2" s="3" x="a&amp;b">"#
        );
    }

    #[test]
    fn splices_keep_everything_else() {
        let out = splice(
            b"0123456789",
            vec![
                Edit::replace(2, 4, "ab"),
                Edit::insert(8, "X"),
                Edit::insert(0, "<"),
            ],
        );
        assert_eq!(out, b"<01ab4567X89");
    }
}
