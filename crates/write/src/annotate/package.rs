//! The annotated copy made from the workbook's own package: every part is copied as
//! it is, except the styles (formats appended), the marked sheets (a format index
//! changed, blank marked cells added, the comments' drawing linked), the workbook part
//! (the findings sheet put first) and its relationships and content types; the
//! comments, their drawings and the findings sheet are added.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Cursor, Read, Write};

use quick_xml::events::Event;
use zip::write::SimpleFileOptions;

use super::parts::{Comment, ListStyles, comments, list_sheet, vml};
use super::sheet::{SheetEdit, SheetError, edit_sheet};
use super::styles::{List, MINIMAL, Styles};
use super::xml::{
    Edit, attr, attr_any_prefix, escape, prefix_of, rebuild_tag, relative, rels_of, resolve,
    splice, walk,
};
use crate::Mark;
use crate::findings::{Line, SEVERITY_FILLS, severity_index};

const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const WORKSHEET: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
const MAIN: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml";

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// The source package, its parts found by name as the reader finds them.
struct Source<'a> {
    zip: Zip<'a>,
    names: HashMap<String, usize>,
}

fn normalise(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

impl<'a> Source<'a> {
    fn open(bytes: &'a [u8]) -> Result<Source<'a>, String> {
        let mut zip =
            zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| "压缩包无法打开".to_string())?;
        let mut names = HashMap::new();
        for i in 0..zip.len() {
            let f = zip
                .by_index_raw(i)
                .map_err(|_| "压缩包无法打开".to_string())?;
            if let Ok(name) = f.name() {
                names.entry(normalise(&name)).or_insert(i);
            }
        }
        Ok(Source { zip, names })
    }

    fn has(&self, name: &str) -> bool {
        self.names.contains_key(&normalise(name))
    }

    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let Some(&i) = self.names.get(&normalise(name)) else {
            return Ok(None);
        };
        let mut f = self
            .zip
            .by_index(i)
            .map_err(|_| format!("部件 {name} 无法读取"))?;
        let mut out = Vec::new();
        f.read_to_end(&mut out)
            .map_err(|_| format!("部件 {name} 无法解压"))?;
        Ok(Some(out))
    }

    fn need(&mut self, name: &str) -> Result<Vec<u8>, String> {
        self.read(name)?.ok_or_else(|| format!("缺少部件 {name}"))
    }
}

/// One relationship: id, type, target.
struct Rel {
    id: String,
    kind: String,
    target: String,
}

fn relationships(xml: &[u8]) -> Result<Vec<Rel>, String> {
    let mut out = Vec::new();
    walk(xml, |ev, _, _| {
        if let Event::Start(e) | Event::Empty(e) = ev
            && e.local_name().as_ref() == "Relationship"
        {
            out.push(Rel {
                id: attr(e, "Id").unwrap_or_default(),
                kind: attr(e, "Type").unwrap_or_default(),
                target: attr(e, "Target").unwrap_or_default(),
            });
        }
    })?;
    Ok(out)
}

/// `xml` (a relationships part, or none yet) with `new` (id, type suffix, target) added.
fn add_relationships(
    xml: Option<Vec<u8>>,
    new: &[(String, &str, String)],
) -> Result<Vec<u8>, String> {
    let entries: String = new
        .iter()
        .map(|(id, kind, target)| {
            format!(
                r#"<Relationship Id="{}" Type="{REL}/{kind}" Target="{}"/>"#,
                escape(id),
                escape(target)
            )
        })
        .collect();
    let Some(xml) = xml else {
        return Ok(format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{entries}</Relationships>"#,
            "\n"
        )
        .into_bytes());
    };
    Ok(splice(&xml, vec![close_root(&xml, &entries)?]))
}

/// An edit putting `inner` at the end of the root element (expanding `<root/>`).
fn close_root(xml: &[u8], inner: &str) -> Result<Edit, String> {
    let mut depth = 0usize;
    let mut edit = None;
    walk(xml, |ev, start, end| match ev {
        Event::Start(_) => depth += 1,
        Event::End(_) => {
            depth = depth.saturating_sub(1);
            if depth == 0 && edit.is_none() {
                edit = Some(Edit::insert(start, inner.to_string()));
            }
        }
        Event::Empty(e) if depth == 0 && edit.is_none() => {
            let mut text = rebuild_tag(e, &[], &[], false);
            text.extend_from_slice(inner.as_bytes());
            text.extend_from_slice(format!("</{}>", e.name().as_ref()).as_bytes());
            edit = Some(Edit::replace(start, end, text));
        }
        _ => {}
    })?;
    edit.ok_or_else(|| "XML 没有根元素".to_string())
}

/// An id for a new relationship, not among `rels`.
fn free_id(rels: &[Rel], base: &str) -> String {
    (1..)
        .map(|i| format!("{base}{i}"))
        .find(|id| !rels.iter().any(|r| &r.id == id))
        .unwrap_or_default()
}

/// What the workbook part says: its sheets and where to edit it.
struct WorkbookPart {
    /// (name, relationship id), in order.
    sheets: Vec<(String, String)>,
    max_sheet_id: u32,
    edits: Vec<Edit>,
    /// Where the first `<sheet>` goes, and the prefix of `<sheets>`.
    first_sheet: Option<(usize, String)>,
}

fn workbook_part(xml: &[u8]) -> Result<WorkbookPart, String> {
    let mut wb = WorkbookPart {
        sheets: Vec::new(),
        max_sheet_id: 0,
        edits: Vec::new(),
        first_sheet: None,
    };
    walk(xml, |ev, start, end| {
        let (Event::Start(e) | Event::Empty(e)) = ev else {
            return;
        };
        let empty = matches!(ev, Event::Empty(_));
        match e.local_name().as_ref() {
            "sheets" if !empty => wb.first_sheet = Some((end, prefix_of(e))),
            "sheet" => {
                wb.sheets.push((
                    attr(e, "name").unwrap_or_default(),
                    attr_any_prefix(e, "id").unwrap_or_default(),
                ));
                let id = attr(e, "sheetId").and_then(|s| s.parse().ok()).unwrap_or(0);
                wb.max_sheet_id = wb.max_sheet_id.max(id);
            }
            "definedName" => {
                if let Some(n) = attr(e, "localSheetId").and_then(|s| s.parse::<u32>().ok()) {
                    let tag = rebuild_tag(e, &[("localSheetId", (n + 1).to_string())], &[], empty);
                    wb.edits.push(Edit::replace(start, end, tag));
                }
            }
            "workbookView" => {
                let tag = rebuild_tag(e, &[("activeTab", "0".into())], &["firstSheet"], empty);
                wb.edits.push(Edit::replace(start, end, tag));
            }
            _ => {}
        }
    })?;
    Ok(wb)
}

/// A free part name `{head}{k}{tail}`.
fn free_part(src: &Source<'_>, taken: &mut HashSet<String>, head: &str, tail: &str) -> String {
    let name = (1..)
        .map(|k| format!("{head}{k}{tail}"))
        .find(|n| !src.has(n) && !taken.contains(&normalise(n)))
        .unwrap_or_default();
    taken.insert(normalise(&name));
    name
}

/// The formats the findings sheet uses, and the fill of each severity for marks.
fn list_styles(st: &mut Styles) -> (ListStyles, [u32; 3]) {
    let p = st.prefix().to_string();
    let font = |st: &mut Styles, extra: &str, size: u32, name: &str| {
        st.add(List::Fonts, format!(r#"<{p}font>{extra}<{p}sz val="{size}"/><{p}name val="{name}"/><{p}charset val="134"/></{p}font>"#))
    };
    let body_font = font(st, "", 10, "宋体");
    let bold_font = font(st, &format!("<{p}b/>"), 10, "宋体");
    let title_font = font(st, &format!("<{p}b/>"), 16, "黑体");
    let link_font = font(
        st,
        &format!(r#"<{p}u/><{p}color rgb="FF0563C1"/>"#),
        10,
        "宋体",
    );
    let fill = |st: &mut Styles, rgb: u32| {
        st.add(List::Fills, format!(r#"<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="FF{rgb:06X}"/><{p}bgColor indexed="64"/></{p}patternFill></{p}fill>"#))
    };
    let fills = SEVERITY_FILLS.map(|c| fill(st, c));
    let header_fill = fill(st, 0xDDEBF7);
    let thin = st.add(
        List::Borders,
        format!(r#"<{p}border><{p}left style="thin"/><{p}right style="thin"/><{p}top style="thin"/><{p}bottom style="thin"/><{p}diagonal/></{p}border>"#),
    );
    let mut xf = |font: u32, fill: u32, border: u32, align: &str| {
        st.add(List::CellXfs, format!(
            r#"<{p}xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><{p}alignment {align} wrapText="1"/></{p}xf>"#
        ))
    };
    let center = r#"horizontal="center" vertical="center""#;
    let list = ListStyles {
        title: xf(title_font, 0, 0, center),
        note: xf(body_font, 0, 0, r#"vertical="center""#),
        header: xf(bold_font, header_fill, thin, center),
        body: xf(body_font, 0, thin, r#"vertical="top""#),
        center: xf(body_font, 0, thin, center),
        link: xf(link_font, 0, thin, center),
        severity: fills.map(|f| xf(body_font, f, thin, center)),
    };
    (list, fills)
}

/// The marked cells of a sheet, each with its severity key (see [`severity_index`]).
type Keys = BTreeMap<(u32, u32), u8>;

/// The marks of each sheet: the most severe key of each cell, and its comment.
fn marks_by_sheet(marks: &[Mark]) -> HashMap<&str, (Keys, Vec<Comment>)> {
    type Notes<'m> = BTreeMap<(u32, u32), Vec<&'m str>>;
    let mut out: HashMap<&str, (Keys, Notes<'_>)> = HashMap::new();
    for m in marks {
        let e = out.entry(m.sheet.as_str()).or_default();
        let key = severity_index(m.severity) as u8;
        let k = e.0.entry((m.row, m.col)).or_insert(key);
        *k = (*k).min(key);
        e.1.entry((m.row, m.col)).or_default().push(&m.note);
    }
    out.into_iter()
        .map(|(s, (keys, notes))| {
            let list = notes
                .into_iter()
                .map(|((row, col), n)| Comment {
                    row,
                    col,
                    text: n.join("\n"),
                })
                .collect();
            (s, (keys, list))
        })
        .collect()
}

/// Everything the copy changes or adds, by part name.
#[derive(Default)]
struct Output {
    replaced: HashMap<String, Vec<u8>>,
    added: Vec<(String, Vec<u8>)>,
    overrides: Vec<(String, &'static str)>,
    taken: HashSet<String>,
    notes: Vec<String>,
}

/// The annotated package and what could not be done on it (in Chinese), or why the
/// package cannot be edited at all.
pub(super) fn annotate(
    bytes: &[u8],
    marks: &[Mark],
    lines: &[Line],
    title: &str,
    notes: &[String],
) -> Result<(Vec<u8>, Vec<String>), String> {
    let mut src = Source::open(bytes)?;
    let mut out = Output::default();
    let root = relationships(&src.need("_rels/.rels")?)?;
    let workbook = root
        .iter()
        .find(|r| r.kind.ends_with("/officeDocument"))
        .map(|r| resolve("", &r.target))
        .ok_or("没有找到工作簿部件")?;
    let types = src.need("[Content_Types].xml")?;
    if !String::from_utf8_lossy(&types).contains(MAIN) {
        return Err("工作簿是含宏的文件或模板".into());
    }
    let wb_xml = src.need(&workbook)?;
    let wb_rels_name = rels_of(&workbook);
    let wb_rels_xml = src.need(&wb_rels_name)?;
    let wb_rels = relationships(&wb_rels_xml)?;
    let mut wb = workbook_part(&wb_xml)?;
    let part_of = |id: &str| {
        wb_rels
            .iter()
            .find(|r| r.id == id && r.kind.ends_with("/worksheet"))
            .map(|r| resolve(&workbook, &r.target))
    };
    let mut new_wb_rels: Vec<(String, &str, String)> = Vec::new();
    let mut styles = styles_part(&mut src, &mut out, &workbook, &wb_rels, &mut new_wb_rels)?;
    let (list_st, fills) = list_styles(&mut styles.1);
    let by_sheet = marks_by_sheet(marks);
    for (ordinal, (name, id)) in wb.sheets.clone().iter().enumerate() {
        let Some(part) = part_of(id) else { continue };
        let marked = by_sheet.get(name.as_str());
        let Some(xml) = src.read(&part)? else {
            continue;
        };
        let selected = memchr::memmem::find(&xml, b"tabSelected").is_some();
        if marked.is_none() && !selected {
            continue;
        }
        let empty = (BTreeMap::new(), Vec::new());
        let (keys, list) = marked.unwrap_or(&empty);
        edit_one(
            &mut src,
            &mut out,
            &mut styles.1,
            &fills,
            (name, &part, xml, ordinal + 1),
            keys,
            list,
        )?;
    }
    let list_part = free_part(&src, &mut out.taken, "xl/worksheets/sheet", ".xml");
    let list_id = free_id(&wb_rels, "rIdYusuanList");
    new_wb_rels.push((
        list_id.clone(),
        "worksheet",
        relative(&workbook, &list_part),
    ));
    let names: Vec<&str> = wb.sheets.iter().map(|s| s.0.as_str()).collect();
    let list_name = list_name(&names);
    let (at, p) = wb.first_sheet.clone().ok_or("工作簿部件中没有工作表列表")?;
    wb.edits.push(Edit::insert(
        at,
        format!(
            r#"<{p}sheet xmlns:r="{REL}" name="{}" sheetId="{}" r:id="{}"/>"#,
            escape(&list_name),
            wb.max_sheet_id + 1,
            escape(&list_id)
        ),
    ));
    out.replaced
        .insert(normalise(&workbook), splice(&wb_xml, wb.edits));
    out.replaced.insert(
        normalise(&wb_rels_name),
        add_relationships(Some(wb_rels_xml), &new_wb_rels)?,
    );
    let mut all_notes = notes.to_vec();
    all_notes.extend(out.notes.iter().cloned());
    let sheet = list_sheet(title, &all_notes, lines, &list_st);
    out.added.push((list_part.clone(), sheet.into_bytes()));
    out.overrides.push((list_part, WORKSHEET));
    let (styles_name, styles) = styles;
    let styles_xml = styles.render();
    if src.has(&styles_name) {
        out.replaced.insert(normalise(&styles_name), styles_xml);
    } else {
        out.added.push((styles_name, styles_xml));
    }
    let types = content_types(types, &out.overrides)?;
    out.replaced.insert(normalise("[Content_Types].xml"), types);
    let zipped = write(&mut src, &mut out)?;
    Ok((zipped, out.notes))
}

/// The styles part (its name and content), or a new one with its relationship.
fn styles_part(
    src: &mut Source<'_>,
    out: &mut Output,
    workbook: &str,
    wb_rels: &[Rel],
    new_wb_rels: &mut Vec<(String, &str, String)>,
) -> Result<(String, Styles), String> {
    if let Some(r) = wb_rels.iter().find(|r| r.kind.ends_with("/styles")) {
        let name = resolve(workbook, &r.target);
        let xml = src.need(&name)?;
        return Ok((
            name,
            Styles::parse(xml).map_err(|e| format!("样式部件：{e}"))?,
        ));
    }
    let name = free_part(src, &mut out.taken, "xl/styles", ".xml");
    new_wb_rels.push((
        free_id(wb_rels, "rIdYusuanStyles"),
        "styles",
        relative(workbook, &name),
    ));
    out.overrides.push((
        name.clone(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
    ));
    Ok((name, Styles::parse(MINIMAL.as_bytes().to_vec())?))
}

/// The findings sheet's name: 问题清单, or with a number when the workbook has one.
fn list_name(names: &[&str]) -> String {
    (1..)
        .map(|i| {
            if i == 1 {
                "问题清单".to_string()
            } else {
                format!("问题清单({i})")
            }
        })
        .find(|n| !names.iter().any(|s| s.to_lowercase() == n.to_lowercase()))
        .unwrap_or_default()
}

/// Edit one sheet: its marks, its comments (unless it has its own), its selection.
fn edit_one(
    src: &mut Source<'_>,
    out: &mut Output,
    styles: &mut Styles,
    fills: &[u32; 3],
    (name, part, xml, ordinal): (&str, &str, Vec<u8>, usize),
    keys: &BTreeMap<(u32, u32), u8>,
    list: &[Comment],
) -> Result<(), String> {
    let rels_name = rels_of(part);
    let rels_xml = src.read(&rels_name)?;
    let rels = match &rels_xml {
        Some(x) => relationships(x)?,
        None => Vec::new(),
    };
    let mut cache: HashMap<(u32, u8), u32> = HashMap::new();
    let mut style = |s: u32, key: u8| {
        *cache
            .entry((s, key))
            .or_insert_with(|| styles.with_fill(s, fills[usize::from(key)]))
    };
    let own_comments = rels.iter().any(|r| r.kind.ends_with("/comments"));
    let vml_id = free_id(&rels, "rIdYusuanVml");
    let want = !list.is_empty() && !own_comments;
    let edit = SheetEdit {
        marks: keys,
        legacy: want.then_some(vml_id.as_str()),
        unselect: true,
    };
    let edited = match edit_sheet(&xml, &edit, &mut style) {
        Ok(x) => Some(x),
        Err(SheetError::HasLegacyDrawing) => None,
        Err(SheetError::Xml(e)) => return Err(format!("工作表“{name}”的{e}")),
    };
    let (edited, commented) = match edited {
        Some(x) => (x, want),
        None => {
            let edit = SheetEdit {
                legacy: None,
                ..edit
            };
            match edit_sheet(&xml, &edit, &mut style) {
                Ok(x) => (x, false),
                Err(_) => return Err(format!("工作表“{name}”无法加注")),
            }
        }
    };
    if !list.is_empty() && !commented {
        out.notes.push(format!(
            "工作表“{name}”原有批注或控件，问题单元格已填色，未加批注（问题见本表）"
        ));
    }
    out.replaced.insert(normalise(part), edited);
    if commented {
        let c = free_part(src, &mut out.taken, "xl/comments", ".xml");
        let v = free_part(src, &mut out.taken, "xl/drawings/vmlDrawing", ".vml");
        let new = [
            (
                free_id(&rels, "rIdYusuanComments"),
                "comments",
                relative(part, &c),
            ),
            (vml_id, "vmlDrawing", relative(part, &v)),
        ];
        out.replaced
            .insert(normalise(&rels_name), add_relationships(rels_xml, &new)?);
        if !src.has(&rels_name) {
            let xml = out
                .replaced
                .remove(&normalise(&rels_name))
                .unwrap_or_default();
            out.added.push((rels_name, xml));
        }
        out.added.push((c.clone(), comments(list).into_bytes()));
        out.added.push((v, vml(list, ordinal).into_bytes()));
        out.overrides.push((
            c,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml",
        ));
    }
    Ok(())
}

/// `[Content_Types].xml` with overrides for the new parts, and the vml default.
fn content_types(xml: Vec<u8>, overrides: &[(String, &str)]) -> Result<Vec<u8>, String> {
    let mut has_vml = false;
    walk(&xml, |ev, _, _| {
        if let Event::Start(e) | Event::Empty(e) = ev
            && e.local_name().as_ref() == "Default"
            && attr(e, "Extension").is_some_and(|x| x.eq_ignore_ascii_case("vml"))
        {
            has_vml = true;
        }
    })?;
    let mut inner: String = overrides
        .iter()
        .map(|(part, kind)| {
            format!(
                r#"<Override PartName="/{}" ContentType="{kind}"/>"#,
                escape(part)
            )
        })
        .collect();
    if !has_vml {
        inner.insert_str(0, r#"<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>"#);
    }
    Ok(splice(&xml, vec![close_root(&xml, &inner)?]))
}

/// The new package: the source's entries in order (unchanged ones copied raw, without
/// inflating), then the added parts.
fn write(src: &mut Source<'_>, out: &mut Output) -> Result<Vec<u8>, String> {
    // The officer reads these: Chinese only, not the zip crate's English.
    let fail = |_: zip::result::ZipError| "写入压缩包失败".to_string();
    let io = |e: std::io::Error| format!("写入压缩包失败（{}）", crate::os_reason(&e));
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // Level 1, as every workbook yusuan writes (crates/write: new_workbook).
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for i in 0..src.zip.len() {
        let f = src.zip.by_index_raw(i).map_err(fail)?;
        let name = f.name().map_err(fail)?.to_string();
        match out.replaced.remove(&normalise(&name)) {
            Some(bytes) => {
                drop(f);
                w.start_file(name, opts).map_err(fail)?;
                w.write_all(&bytes).map_err(io)?;
            }
            None => w.raw_copy_file(f).map_err(fail)?,
        }
    }
    for (name, bytes) in out.added.drain(..) {
        w.start_file(name, opts).map_err(fail)?;
        w.write_all(&bytes).map_err(io)?;
    }
    Ok(w.finish().map_err(fail)?.into_inner())
}
