//! The workbook's own styles part, with the styles an annotated copy needs appended:
//! every existing font, fill, border and cell format keeps its index, so every cell
//! keeps its look; a marked cell gets a copy of its own format with a fill.

use quick_xml::events::Event;

use super::xml::{Edit, prefix_of, rebuild_tag, splice, walk};

/// The lists of the styles part that are appended to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum List {
    Fonts = 0,
    Fills = 1,
    Borders = 2,
    CellXfs = 3,
}

const NAMES: [&str; 4] = ["fonts", "fills", "borders", "cellXfs"];

/// One list: where its opening tag is, how many entries it holds, where it ends.
#[derive(Default, Clone)]
struct Section {
    tag: Option<(usize, usize)>,
    count: u32,
    end: usize,
}

/// A styles part being extended.
pub(super) struct Styles {
    xml: Vec<u8>,
    prefix: String,
    sections: [Section; 4],
    /// Byte ranges of the cell formats (`cellXfs/xf`).
    xfs: Vec<(usize, usize)>,
    added: [Vec<String>; 4],
}

/// A styles part for a package that has none: the defaults Excel assumes.
pub(super) const MINIMAL: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    r#"<fonts count="1"><font><sz val="11"/><name val="宋体"/><charset val="134"/></font></fonts>"#,
    r#"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#,
    r#"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#,
    r#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
    r#"<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>"#,
    r#"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#,
    r#"</styleSheet>"#
);

impl Styles {
    /// Read a styles part; `Err` (in Chinese) when one of its four lists is missing.
    pub fn parse(xml: Vec<u8>) -> Result<Styles, String> {
        let mut sections: [Section; 4] = Default::default();
        let mut xfs = Vec::new();
        let mut prefix = String::new();
        let mut depth = 0usize;
        let mut open: Option<usize> = None;
        let mut child: Option<usize> = None;
        walk(&xml, |ev, start, end| match ev {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(ev, Event::Empty(_));
                let name = e.local_name();
                if depth == 0 {
                    prefix = prefix_of(e);
                }
                if depth == 1
                    && let Some(i) = NAMES.iter().position(|n| *n == name.as_ref())
                    && !empty
                {
                    sections[i].tag = Some((start, end));
                    open = Some(i);
                } else if depth == 2
                    && let Some(i) = open
                {
                    sections[i].count += 1;
                    if i == List::CellXfs as usize {
                        if empty {
                            xfs.push((start, end));
                        } else {
                            child = Some(start);
                        }
                    }
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 2
                    && let Some(s) = child.take()
                {
                    xfs.push((s, end));
                }
                if depth == 1
                    && let Some(i) = open.take()
                {
                    sections[i].end = start;
                }
            }
            _ => {}
        })?;
        if let Some(i) = sections.iter().position(|s| s.tag.is_none()) {
            return Err(format!("样式表缺少 {} 部分", NAMES[i]));
        }
        Ok(Styles {
            xml,
            prefix,
            sections,
            xfs,
            added: Default::default(),
        })
    }

    /// The element prefix of the part (`x:` or empty), for appended entries.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Append `entry` (one element, written with [`Styles::prefix`]) to `list`; its index.
    pub fn add(&mut self, list: List, entry: String) -> u32 {
        let i = list as usize;
        self.added[i].push(entry);
        self.sections[i].count + self.added[i].len() as u32 - 1
    }

    /// A copy of cell format `s` (format 0 when `s` does not exist) with fill `fill`.
    pub fn with_fill(&mut self, s: u32, fill: u32) -> u32 {
        let p = self.prefix.clone();
        let source = self
            .xfs
            .get(s as usize)
            .or(self.xfs.first())
            .map(|&(a, b)| self.xml[a..b].to_vec());
        let entry = match source.and_then(|x| refill(&x, fill)) {
            Some(x) => x,
            None => format!(
                r#"<{p}xf numFmtId="0" fontId="0" fillId="{fill}" borderId="0" xfId="0" applyFill="1"/>"#
            ),
        };
        self.add(List::CellXfs, entry)
    }

    /// The part with everything appended and the counts updated.
    pub fn render(self) -> Vec<u8> {
        let mut edits = Vec::new();
        for (i, s) in self.sections.iter().enumerate() {
            if self.added[i].is_empty() {
                continue;
            }
            let Some((a, b)) = s.tag else { continue };
            let total = s.count + self.added[i].len() as u32;
            if let Some(tag) = retag(&self.xml[a..b], &[("count", total.to_string())]) {
                edits.push(Edit::replace(a, b, tag));
            }
            edits.push(Edit::insert(s.end, self.added[i].concat()));
        }
        splice(&self.xml, edits)
    }
}

/// The opening tag `tag` with attributes set.
fn retag(tag: &[u8], set: &[(&str, String)]) -> Option<Vec<u8>> {
    let mut r = quick_xml::Reader::from_reader(tag);
    match r.read_event().ok()? {
        Event::Start(e) => Some(rebuild_tag(&e, set, &[], false)),
        Event::Empty(e) => Some(rebuild_tag(&e, set, &[], true)),
        _ => None,
    }
}

/// An `xf` element (as written) with its fill replaced.
fn refill(xf: &[u8], fill: u32) -> Option<String> {
    let mut r = quick_xml::Reader::from_reader(xf);
    let (tag, empty) = match r.read_event().ok()? {
        Event::Start(e) => (e.into_owned(), false),
        Event::Empty(e) => (e.into_owned(), true),
        _ => return None,
    };
    let rest = &xf[r.buffer_position() as usize..];
    let mut out = rebuild_tag(
        &tag,
        &[("fillId", fill.to_string()), ("applyFill", "1".into())],
        &[],
        empty,
    );
    out.extend_from_slice(rest);
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_entries_keep_every_index_and_update_the_counts() {
        let mut st = Styles::parse(MINIMAL.as_bytes().to_vec()).unwrap();
        let fill = st.add(
            List::Fills,
            r#"<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/></patternFill></fill>"#.into(),
        );
        assert_eq!(fill, 2);
        assert_eq!(st.with_fill(0, fill), 1);
        assert_eq!(
            st.with_fill(7, fill),
            2,
            "a missing format is copied from format 0"
        );
        let xml = String::from_utf8(st.render()).unwrap();
        assert!(xml.contains(r#"<fills count="3">"#), "{xml}");
        assert!(xml.contains(r#"<cellXfs count="3">"#), "{xml}");
        assert!(
            xml.contains(r#"<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/></cellXfs>"#),
            "{xml}"
        );
    }

    #[test]
    fn a_format_with_children_is_copied_whole() {
        let xml = r#"<styleSheet><fonts count="1"><font/></fonts><fills count="2"><fill/><fill/></fills><borders count="1"><border/></borders><cellXfs count="2"><xf fontId="0"/><xf numFmtId="164" fillId="0"><alignment wrapText="1"/></xf></cellXfs></styleSheet>"#;
        let mut st = Styles::parse(xml.as_bytes().to_vec()).unwrap();
        assert_eq!(st.with_fill(1, 5), 2);
        let out = String::from_utf8(st.render()).unwrap();
        assert!(
            out.contains(r#"<xf numFmtId="164" fillId="5" applyFill="1"><alignment wrapText="1"/></xf></cellXfs>"#),
            "{out}"
        );
        assert!(Styles::parse(b"<styleSheet><fonts/></styleSheet>".to_vec()).is_err());
    }
}
