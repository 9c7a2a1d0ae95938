//! The parts an annotated copy adds: each marked sheet's comments and their drawing,
//! and the sheet listing the findings.

use super::xml::{escape, escape_text};
use crate::findings::{Line, fitted_height};

/// A comment: zero-based row and column, and its text.
pub(super) struct Comment {
    pub row: u32,
    pub col: u32,
    pub text: String,
}

/// The comments part of one sheet.
pub(super) fn comments(list: &[Comment]) -> String {
    let mut out = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        "\n",
        r#"<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        "<authors><author>yusuan</author></authors><commentList>"
    ));
    for c in list {
        out.push_str(&format!(
            r#"<comment ref="{}" authorId="0"><text><r><rPr><sz val="9"/><rFont val="宋体"/><charset val="134"/></rPr><t xml:space="preserve">{}</t></r></text></comment>"#,
            yusuan_grid::a1(c.row, c.col),
            escape_text(&c.text)
        ));
    }
    out.push_str("</commentList></comments>");
    out
}

/// The drawing that shows the comments of one sheet (Excel shows no comment without
/// it); `id` makes its shape ids unique in the workbook.
pub(super) fn vml(list: &[Comment], id: usize) -> String {
    let mut out = format!(
        concat!(
            r#"<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">"#,
            r#"<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{}"/></o:shapelayout>"#,
            r#"<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">"#,
            r#"<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>"#
        ),
        id
    );
    for (i, c) in list.iter().enumerate() {
        let lines = (c.text.chars().count() / 24 + c.text.matches('\n').count() + 2).min(30);
        out.push_str(&format!(
            concat!(
                r##"<v:shape id="_x0000_s{}" type="#_x0000_t202" style="position:absolute;margin-left:60pt;margin-top:2pt;width:240pt;height:{}pt;z-index:{};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">"##,
                r##"<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>"##,
                r#"<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>"#,
                r#"<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>"#,
                r#"<x:Anchor>{}, 15, {}, 2, {}, 15, {}, 16</x:Anchor><x:AutoFill>False</x:AutoFill>"#,
                r#"<x:Row>{}</x:Row><x:Column>{}</x:Column></x:ClientData></v:shape>"#
            ),
            id * 1024 + i + 1,
            lines * 12,
            i + 1,
            c.col + 1,
            c.row,
            c.col + 5,
            c.row + lines as u32,
            c.row,
            c.col
        ));
    }
    out.push_str("</xml>");
    out
}

/// The format indices the findings sheet uses (added to the workbook's styles).
pub(super) struct ListStyles {
    pub title: u32,
    pub note: u32,
    pub header: u32,
    pub body: u32,
    pub center: u32,
    pub link: u32,
    /// 级别 cells: error, warning, info.
    pub severity: [u32; 3],
}

/// The findings sheet's columns: header and width.
const COLUMNS: [(&str, f64); 10] = [
    ("序号", 5.0),
    ("表", 14.0),
    ("单元格", 9.0),
    ("规则", 7.0),
    ("级别", 6.0),
    ("问题", 50.0),
    ("应为", 13.0),
    ("实为", 13.0),
    ("差额", 11.0),
    ("涉及单元格", 16.0),
];

fn cell(out: &mut String, row: u32, col: u32, s: u32, text: &str) {
    out.push_str(&format!(
        r#"<c r="{}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
        yusuan_grid::a1(row, col),
        escape_text(text)
    ));
}

/// A `'sheet'!A1` reference.
pub(super) fn location(sheet: &str, cell: &str) -> String {
    format!("'{}'!{cell}", sheet.replace('\'', "''"))
}

/// The findings sheet: title, the notes on the copy, one row per finding; a finding's
/// cell links to it. `lines` are in report order.
pub(super) fn list_sheet(title: &str, notes: &[String], lines: &[Line], st: &ListStyles) -> String {
    let last = yusuan_grid::a1(0, COLUMNS.len() as u32 - 1);
    let mut rows = String::new();
    let mut links = String::new();
    rows.push_str(r#"<row r="1" ht="26" customHeight="1">"#);
    cell(&mut rows, 0, 0, st.title, title);
    rows.push_str("</row>");
    let note = notes.join("\n");
    let note_height = fitted_height(&[(&note, 150.0)]);
    rows.push_str(&format!(
        r#"<row r="2" ht="{note_height}" customHeight="1">"#
    ));
    cell(&mut rows, 1, 0, st.note, &note);
    rows.push_str(r#"</row><row r="3" ht="20" customHeight="1">"#);
    for (i, (h, _)) in COLUMNS.iter().enumerate() {
        cell(&mut rows, 2, i as u32, st.header, h);
    }
    rows.push_str("</row>");
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 3;
        let texts = l.texts(i + 1);
        let height = fitted_height(
            &texts
                .iter()
                .zip(COLUMNS)
                .map(|(t, (_, w))| (t.as_str(), w))
                .collect::<Vec<_>>(),
        );
        rows.push_str(&format!(
            r#"<row r="{}" ht="{height}" customHeight="1">"#,
            r + 1
        ));
        for (c, t) in texts.iter().enumerate() {
            let s = match c {
                2 if l.sheet.is_some() && l.cell.is_some() => st.link,
                4 => st.severity[l.severity as usize],
                0 | 3 => st.center,
                _ => st.body,
            };
            cell(&mut rows, r, c as u32, s, t);
        }
        rows.push_str("</row>");
        if let (Some(sheet), Some(c)) = (&l.sheet, &l.cell) {
            links.push_str(&format!(
                r#"<hyperlink ref="{}" location="{}" display="{}"/>"#,
                yusuan_grid::a1(r, 2),
                escape(&location(sheet, c)),
                escape(c)
            ));
        }
    }
    let cols: String = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (_, w))| {
            format!(
                r#"<col min="{0}" max="{0}" width="{w}" customWidth="1"/>"#,
                i + 1
            )
        })
        .collect();
    let last_col = last.trim_end_matches('1');
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
            r#"<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>"#,
            r#"<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#,
            r#"<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{rows}</sheetData>"#,
            r#"<mergeCells count="2"><mergeCell ref="A1:{l}1"/><mergeCell ref="A2:{l}2"/></mergeCells>"#,
            "{links}",
            r#"<printOptions horizontalCentered="1"/>"#,
            r#"<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>"#,
            r#"<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>"#,
            r#"<headerFooter><oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter></headerFooter>"#,
            "</worksheet>"
        ),
        cols = cols,
        rows = rows,
        l = last_col,
        links = if links.is_empty() {
            String::new()
        } else {
            format!("<hyperlinks>{links}</hyperlinks>")
        },
    )
}
