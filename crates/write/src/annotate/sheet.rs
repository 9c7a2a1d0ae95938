//! A worksheet part with its marked cells given a filled copy of their own format,
//! blank marked cells added, and the comments' drawing linked; all else unchanged.

use std::collections::BTreeMap;

use quick_xml::events::{BytesStart, Event};

use super::xml::{Edit, attr, prefix_of, rebuild_tag, splice, walk};

/// Elements a `legacyDrawing` must come before (the schema's order of a worksheet).
const AFTER_LEGACY: [&str; 8] = [
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
];

/// What to do to one sheet.
pub(super) struct SheetEdit<'a> {
    /// Marked cells (zero-based row, column) with the key their style is made from.
    pub marks: &'a BTreeMap<(u32, u32), u8>,
    /// The relationship id of the comments' drawing, if comments are added.
    pub legacy: Option<&'a str>,
    /// Take the sheet out of the selection (the findings sheet opens first).
    pub unselect: bool,
}

/// Why a sheet could not be edited as asked.
pub(super) enum SheetError {
    /// The sheet already has a drawing for comments or controls.
    HasLegacyDrawing,
    /// The XML is unreadable (message in Chinese).
    Xml(String),
}

struct State<'a> {
    prefix: String,
    depth: usize,
    in_data: bool,
    row: Option<u32>,
    last_row: Option<u32>,
    last_col: Option<u32>,
    pending: BTreeMap<(u32, u32), u8>,
    edits: Vec<Edit>,
    legacy: Option<&'a str>,
    legacy_done: bool,
    has_legacy: bool,
}

/// The sheet with the edit made; `style(s, key)` gives the format index for a marked
/// cell whose own format is `s`.
pub(super) fn edit_sheet(
    xml: &[u8],
    edit: &SheetEdit<'_>,
    style: &mut dyn FnMut(u32, u8) -> u32,
) -> Result<Vec<u8>, SheetError> {
    let mut st = State {
        prefix: String::new(),
        depth: 0,
        in_data: false,
        row: None,
        last_row: None,
        last_col: None,
        pending: edit.marks.clone(),
        edits: Vec::new(),
        legacy: edit.legacy,
        legacy_done: edit.legacy.is_none(),
        has_legacy: false,
    };
    walk(xml, |ev, start, end| match ev {
        Event::Start(e) => {
            st.open(e, start, end, false, edit.unselect, style);
            st.depth += 1;
        }
        Event::Empty(e) => st.open(e, start, end, true, edit.unselect, style),
        Event::End(e) => {
            st.depth = st.depth.saturating_sub(1);
            st.close(e.local_name().as_ref(), start, style);
        }
        _ => {}
    })
    .map_err(SheetError::Xml)?;
    if st.has_legacy && edit.legacy.is_some() {
        return Err(SheetError::HasLegacyDrawing);
    }
    Ok(splice(xml, st.edits))
}

impl State<'_> {
    fn open(
        &mut self,
        e: &BytesStart<'_>,
        start: usize,
        end: usize,
        empty: bool,
        unselect: bool,
        style: &mut dyn FnMut(u32, u8) -> u32,
    ) {
        let name = e.local_name();
        let name = name.as_ref();
        match self.depth {
            0 => self.prefix = prefix_of(e),
            1 => {
                if name == "legacyDrawing" {
                    self.has_legacy = true;
                }
                if AFTER_LEGACY.contains(&name) {
                    self.put_legacy(start);
                }
                if name == "sheetData" {
                    if empty {
                        let rows = self.rows_before(u32::MAX, style);
                        let p = &self.prefix;
                        let text = format!("<{p}sheetData>{rows}</{p}sheetData>");
                        self.edits.push(Edit::replace(start, end, text));
                    } else {
                        self.in_data = true;
                    }
                }
            }
            2 if name == "sheetView" && unselect && attr(e, "tabSelected").is_some() => {
                self.edits.push(Edit::replace(
                    start,
                    end,
                    rebuild_tag(e, &[], &["tabSelected"], empty),
                ));
            }
            2 if self.in_data && name == "row" => {
                let r = attr(e, "r")
                    .and_then(|r| r.trim().parse::<u32>().ok())
                    .and_then(|r| r.checked_sub(1))
                    .unwrap_or_else(|| self.last_row.map_or(0, |r| r + 1));
                let rows = self.rows_before(r, style);
                if !rows.is_empty() {
                    self.edits.push(Edit::insert(start, rows));
                }
                self.last_row = Some(r);
                self.last_col = None;
                if empty {
                    let cells = self.cells_before(r, u32::MAX, style);
                    if !cells.is_empty() {
                        let mut text = rebuild_tag(e, &[], &[], false);
                        text.extend_from_slice(cells.as_bytes());
                        text.extend_from_slice(format!("</{}row>", self.prefix).as_bytes());
                        self.edits.push(Edit::replace(start, end, text));
                    }
                } else {
                    self.row = Some(r);
                }
            }
            3 if self.in_data && name == "c" => {
                let Some(row) = self.row else { return };
                let col = attr(e, "r")
                    .and_then(|r| yusuan_grid::parse_a1(&r))
                    .map(|(_, c)| c)
                    .unwrap_or_else(|| self.last_col.map_or(0, |c| c + 1));
                let cells = self.cells_before(row, col, style);
                if !cells.is_empty() {
                    self.edits.push(Edit::insert(start, cells));
                }
                self.last_col = Some(col);
                if let Some(key) = self.pending.remove(&(row, col)) {
                    let s = attr(e, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
                    let tag = rebuild_tag(e, &[("s", style(s, key).to_string())], &[], empty);
                    self.edits.push(Edit::replace(start, end, tag));
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str, start: usize, style: &mut dyn FnMut(u32, u8) -> u32) {
        match (self.depth, name) {
            (2, "row") if self.in_data => {
                if let Some(r) = self.row.take() {
                    let cells = self.cells_before(r, u32::MAX, style);
                    if !cells.is_empty() {
                        self.edits.push(Edit::insert(start, cells));
                    }
                }
            }
            (1, "sheetData") => {
                self.in_data = false;
                let rows = self.rows_before(u32::MAX, style);
                if !rows.is_empty() {
                    self.edits.push(Edit::insert(start, rows));
                }
            }
            (0, _) => self.put_legacy(start),
            _ => {}
        }
    }

    fn put_legacy(&mut self, at: usize) {
        if let (false, Some(id)) = (self.legacy_done, self.legacy) {
            self.legacy_done = true;
            let p = &self.prefix;
            self.edits.push(Edit::insert(
                at,
                format!(
                    r#"<{p}legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="{id}"/>"#
                ),
            ));
        }
    }

    /// New cells for the marks of `row` left of column `col` (they had no cell).
    fn cells_before(
        &mut self,
        row: u32,
        col: u32,
        style: &mut dyn FnMut(u32, u8) -> u32,
    ) -> String {
        let keys: Vec<(u32, u32)> = self
            .pending
            .range((row, 0)..(row, col))
            .map(|(k, _)| *k)
            .collect();
        let mut out = String::new();
        for k in keys {
            let key = self.pending.remove(&k).unwrap_or_default();
            let p = &self.prefix;
            out.push_str(&format!(
                r#"<{p}c r="{}" s="{}"/>"#,
                yusuan_grid::a1(k.0, k.1),
                style(0, key)
            ));
        }
        out
    }

    /// New rows for the marks above row `row` (their rows had no cells).
    fn rows_before(&mut self, row: u32, style: &mut dyn FnMut(u32, u8) -> u32) -> String {
        let mut rows: Vec<u32> = self.pending.range(..(row, 0)).map(|(k, _)| k.0).collect();
        rows.dedup();
        let mut out = String::new();
        for r in rows {
            let cells = self.cells_before(r, u32::MAX, style);
            let p = &self.prefix;
            out.push_str(&format!(r#"<{p}row r="{}">{cells}</{p}row>"#, r + 1));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(xml: &str, marks: &[((u32, u32), u8)], legacy: Option<&str>) -> String {
        let marks: BTreeMap<_, _> = marks.iter().copied().collect();
        let edit = SheetEdit {
            marks: &marks,
            legacy,
            unselect: true,
        };
        let out = edit_sheet(xml.as_bytes(), &edit, &mut |s, k| {
            100 + s * 10 + u32::from(k)
        })
        .ok()
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn marked_cells_change_style_and_missing_ones_are_added_in_order() {
        let xml = concat!(
            r#"<worksheet><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>"#,
            r#"<sheetData><row r="2"><c r="B2" s="3"><v>1</v></c><c r="D2"/></row>"#,
            r#"<row r="5" spans="1:2"/></sheetData><pageMargins/></worksheet>"#
        );
        let out = run(
            xml,
            &[
                ((0, 0), 1),
                ((1, 1), 1),
                ((1, 2), 2),
                ((4, 0), 1),
                ((7, 3), 2),
            ],
            Some("rIdY"),
        );
        assert_eq!(
            out,
            concat!(
                r#"<worksheet><sheetViews><sheetView workbookViewId="0"/></sheetViews>"#,
                r#"<sheetData><row r="1"><c r="A1" s="101"/></row>"#,
                r#"<row r="2"><c r="B2" s="131"><v>1</v></c><c r="C2" s="102"/><c r="D2"/></row>"#,
                r#"<row r="5" spans="1:2"><c r="A5" s="101"/></row>"#,
                r#"<row r="8"><c r="D8" s="102"/></row></sheetData><pageMargins/>"#,
                r#"<legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdY"/></worksheet>"#
            )
        );
    }

    #[test]
    fn cells_without_references_count_from_their_neighbours_and_prefixes_are_kept() {
        let xml = r#"<x:worksheet xmlns:x="m"><x:sheetData/><x:extLst/></x:worksheet>"#;
        assert_eq!(
            run(xml, &[((0, 1), 1)], Some("r1")),
            concat!(
                r#"<x:worksheet xmlns:x="m"><x:sheetData><x:row r="1"><x:c r="B1" s="101"/></x:row></x:sheetData>"#,
                r#"<x:legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="r1"/><x:extLst/></x:worksheet>"#
            )
        );
        let xml = r#"<worksheet><sheetData><row><c><v>1</v></c><c s="2"><v>2</v></c></row></sheetData></worksheet>"#;
        assert!(run(xml, &[((0, 1), 1)], None).contains(r#"<c s="121"><v>2</v></c>"#));
    }

    #[test]
    fn a_sheet_with_its_own_comments_is_reported() {
        let xml = r#"<worksheet><sheetData/><legacyDrawing r:id="x"/></worksheet>"#;
        let marks = BTreeMap::new();
        let edit = SheetEdit {
            marks: &marks,
            legacy: Some("y"),
            unselect: false,
        };
        assert!(matches!(
            edit_sheet(xml.as_bytes(), &edit, &mut |_, _| 0),
            Err(SheetError::HasLegacyDrawing)
        ));
    }
}
