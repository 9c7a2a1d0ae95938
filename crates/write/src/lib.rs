//! Every workbook yusuan writes (rust_xlsxwriter): the blank template departments fill
//! in ([`template`]), a filled submission ([`submission`]), the formatted
//! public-disclosure workbook ([`disclosure`]), annotated copies of a grid
//! ([`copy_grid`]), the 问题清单 ([`findings_workbook`]) and the 汇总表 of a batch
//! ([`summary_workbook`]); and writing them to disk safely ([`save_workbook`]: a
//! temporary file renamed into place, never half a file).
//!
//! Every workbook is deterministic: the creation time is fixed (1 January of the budget
//! year), so the same input gives the same bytes.
//!
//! ```
//! let mut wb = yusuan_write::template(Some("某某局"), Some(2024)).unwrap();
//! let bytes = wb.save_to_buffer().unwrap();
//! assert!(bytes.starts_with(b"PK"));
//! ```
#![deny(missing_docs)]

mod annotate;
mod copy;
mod findings;
mod layout;
mod output;
mod style;
mod summary;
mod table;

pub use annotate::{AnnotateError, Annotated, annotated_copy};
pub use findings::{Line, Listed, finding_lines, findings_workbook, marks, today};
pub use output::{
    OutputError, check_folder, check_not_input, check_output, os_reason, remove_pending,
    remove_temporaries, same_file, save_annotated, save_workbook, temporary_prefix, write_atomic,
    xlsx_reason,
};
pub use summary::{RowStatus, SummaryRow, summary_workbook};
pub use table::to_f64;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Url, Workbook, Worksheet, XlsxError};

pub use copy::{Mark, copy_grid};
use style::Styles;
use table::{Context, Mode, add_table_sheet, print_setup};
use yusuan_core::{Budget, Info, Unit};
use yusuan_core::{Catalog, TableId};

fn properties(title: &str, author: &str, year: Option<i32>) -> Result<DocProperties, XlsxError> {
    let y = year.filter(|y| (1990..=2999).contains(y)).unwrap_or(2000) as u16;
    Ok(DocProperties::new()
        .set_title(title)
        .set_author(author)
        .set_company(author)
        .set_creation_datetime(&ExcelDateTime::from_ymd(y, 1, 1)?))
}

fn new_workbook() -> Workbook {
    let mut wb = Workbook::new();
    // Level 1 (the fastest deflate): on the 1,000-file bench corpus a batch takes 10%
    // less time than with level 3 and 20% less write time than the default 6, for
    // files of 54 KB instead of 42.5 KB (level 3) or 40.8 KB (level 6) a workbook.
    wb.set_zip_compression_level(1);
    wb
}

/// The 部门基本情况 sheet: every catalogue key with its value (blank in a template).
fn write_info(wb: &mut Workbook, st: &Styles, info: Option<&Info>) -> Result<(), XlsxError> {
    let cat = Catalog::get();
    let ws = wb.add_worksheet();
    ws.set_name("部门基本情况")?;
    ws.merge_range(0, 0, 0, 1, "部门基本情况", &st.title)?;
    ws.set_row_height(0, 32)?;
    ws.write_string_with_format(1, 0, "项目", &st.header)?;
    ws.write_string_with_format(1, 1, "内容", &st.header)?;
    let mut row = 2;
    let mut put = |ws: &mut Worksheet,
                   label: &str,
                   value: &str,
                   long: bool|
     -> Result<(), XlsxError> {
        ws.write_string_with_format(row, 0, label, &st.label_bold)?;
        ws.write_string_with_format(row, 1, value, if long { &st.text_wrap } else { &st.text })?;
        if long && !value.is_empty() {
            let lines =
                yusuan_core::text::display_width(value) / 80 + value.matches('\n').count() + 1;
            ws.set_row_height(row, (15 * lines.min(25)) as u32)?;
        }
        row += 1;
        Ok(())
    };
    for spec in &cat.info {
        let value = info.and_then(|i| i.text(&spec.key)).unwrap_or("");
        let long = matches!(spec.key.as_str(), "functions" | "key_work" | "units");
        put(ws, &spec.label, value, long)?;
    }
    if let Some(info) = info {
        for e in info.entries.iter().filter(|e| e.key.is_none()) {
            put(
                ws,
                &e.label,
                &e.value.value,
                e.value.value.chars().count() > 40,
            )?;
        }
    }
    ws.set_column_width(0, 30)?;
    ws.set_column_width(1, 90)?;
    print_setup(ws, false, 1, row.saturating_sub(1), 1)?;
    Ok(())
}

/// The blank submission workbook departments fill in.
pub fn template(department: Option<&str>, year: Option<i32>) -> Result<Workbook, XlsxError> {
    let cat = Catalog::get();
    let st = Styles::new();
    let mut wb = new_workbook();
    let mut info = Info::default();
    let sheet = "部门基本情况";
    let mut add = |key: &str, value: String| {
        info.entries.push(yusuan_core::InfoEntry {
            key: Some(key.to_string()),
            label: key.to_string(),
            value: yusuan_core::Located {
                value,
                at: yusuan_core::CellRef::new(sheet, 0, 0),
            },
        })
    };
    if let Some(d) = department {
        add("department", d.to_string());
    }
    if let Some(y) = year {
        add("year", y.to_string());
    }
    add("unit", Unit::WanYuan.label().to_string());
    write_info(&mut wb, &st, Some(&info))?;
    let ctx = Context {
        department,
        year,
        back_link: false,
    };
    for id in TableId::ALL.iter().filter(|id| **id != TableId::Info) {
        add_table_sheet(&mut wb, &st, cat.table(*id), None, Mode::Template, &ctx)?;
    }
    let title = format!(
        "{}{}部门预算（填报模板）",
        department.unwrap_or(""),
        year.map(|y| format!("{y}年")).unwrap_or_default()
    );
    wb.set_properties(&properties(&title, department.unwrap_or("yusuan"), year)?);
    Ok(wb)
}

/// The blank form of a regional layout (`template --layout shanghai`): its tables in
/// its order with their titles, header bands and fixed rows, no figures; its text
/// sheets with their titles, to be written in.
pub fn layout_template(
    layout: &yusuan_core::Layout,
    department: Option<&str>,
    year: Option<i32>,
) -> Result<Workbook, XlsxError> {
    if layout.tables.is_empty() {
        return template(department, year);
    }
    let st = Styles::new();
    let mut wb = new_workbook();
    let ctx = layout::LayoutCtx {
        layout,
        department: department.unwrap_or(""),
        year,
        entity: yusuan_core::Entity::Department,
        unit: None,
        same_layout: false,
        back_link: false,
        template: true,
    };
    let year_text = year.map(|y| format!("{y}年")).unwrap_or_default();
    let texts = |after: bool| {
        layout
            .texts
            .iter()
            .filter(move |t| t.after_tables == after)
            .map(|t| layout::sheet_name(&ctx.fill(&t.sheet)))
    };
    for sheet in texts(false) {
        text_sheet(&mut wb, &st, &sheet, &format!("{year_text}{sheet}"), &[])?;
    }
    for lt in layout
        .tables
        .iter()
        .filter(|lt| lt.org.as_deref() != Some("单位"))
    {
        layout::add_layout_sheet(&mut wb, &st, lt, None, &ctx)?;
    }
    for sheet in texts(true) {
        text_sheet(&mut wb, &st, &sheet, &format!("{year_text}{sheet}"), &[])?;
    }
    let title = format!(
        "{}{year_text}部门预算（填报模板）",
        department.unwrap_or("")
    );
    wb.set_properties(&properties(&title, department.unwrap_or("yusuan"), year)?);
    Ok(wb)
}

/// A filled submission workbook: 部门基本情况 and every table, values exactly as in
/// the model, in each table's unit. The bundled samples are written this way.
pub fn submission(budget: &Budget) -> Result<Workbook, XlsxError> {
    let cat = Catalog::get();
    let st = Styles::new();
    let mut wb = new_workbook();
    write_info(&mut wb, &st, Some(&budget.info))?;
    let ctx = Context {
        department: budget.department.as_deref(),
        year: budget.year,
        back_link: false,
    };
    for id in TableId::ALL.iter().filter(|id| **id != TableId::Info) {
        if let Some(t) = budget.table(*id) {
            add_table_sheet(
                &mut wb,
                &st,
                cat.table(*id),
                Some(t),
                Mode::Submission,
                &ctx,
            )?;
        }
    }
    let title = format!(
        "{}{}年部门预算",
        budget.department_name(),
        budget.year.unwrap_or_default()
    );
    wb.set_properties(&properties(&title, budget.department_name(), budget.year)?);
    Ok(wb)
}

/// Options of the disclosure workbook.
#[derive(Debug, Clone, Default)]
pub struct DisclosureOptions {
    /// The unit of every table; `None`: the layout's own (万元 for the Sichuan set; 元,
    /// and 万元 for the 三公 table, for the Shanghai set).
    pub unit: Option<Unit>,
    /// The 情况说明 text (generated), published when the workbook has no text of its own.
    pub narrative: Option<String>,
    /// The layout to publish in (catalogue key); `None`: the workbook's own.
    pub layout: Option<String>,
    /// Written although the checks found this many errors (`convert --force`): the
    /// cover, every page's footer and the document properties then say 「未通过校验」.
    pub unverified: Option<usize>,
}

/// The formatted public-disclosure workbook in a layout (by default the workbook's
/// own): 封面, 目录 with links, every table the budget has in the layout's order, and
/// the 情况说明 (the workbook's own text sheets where the layout has them, else the
/// generated text).
pub fn disclosure(budget: &Budget, opts: &DisclosureOptions) -> Result<Workbook, XlsxError> {
    let cat = Catalog::get();
    let key = opts.layout.as_deref().unwrap_or(&budget.layout);
    let mut wb = match cat.layout(key) {
        Some(l) if !l.tables.is_empty() => disclosure_in_layout(budget, opts, l)?,
        _ => disclosure_canonical(budget, opts)?,
    };
    if let Some(errors) = opts.unverified {
        mark_unverified(&mut wb, budget, errors)?;
    }
    Ok(wb)
}

/// A disclosure written although the checks failed must never pass for one that may be
/// published: the cover says so in red, every page's footer says so, and so do the
/// document's subject and keywords.
fn mark_unverified(wb: &mut Workbook, budget: &Budget, errors: usize) -> Result<(), XlsxError> {
    let note = format!("未通过校验：有 {errors} 条错误，仅供内部核对，不得公开");
    let red = Format::new()
        .set_font_name(style::TITLE_FONT)
        .set_font_size(16)
        .set_bold()
        .set_font_color(rust_xlsxwriter::Color::RGB(0xC00000))
        .set_align(rust_xlsxwriter::FormatAlign::Center);
    for ws in wb.worksheets_mut() {
        if ws.name() == "封面" {
            ws.write_string_with_format(16, 0, &note, &red)?;
        }
        ws.set_footer("&L&\"-,Bold\"&KC00000未通过校验&C第 &P 页 共 &N 页");
    }
    let dept = budget.department_name();
    let year_text = budget.year.map(|y| format!("{y}年")).unwrap_or_default();
    let title = format!(
        "{dept}{year_text}{}预算（未通过校验）",
        budget.entity.label()
    );
    wb.set_properties(
        &properties(&title, dept, budget.year)?
            .set_subject(&note)
            .set_keywords("未通过校验"),
    );
    Ok(())
}

/// The cover: the budget's title, the department and what it is.
fn cover(wb: &mut Workbook, st: &Styles, title: &str, lines: &[String]) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("封面")?;
    ws.set_column_width(0, 90)?;
    ws.set_row_height(8, 50)?;
    ws.write_string_with_format(8, 0, title, &st.cover_title)?;
    for (i, l) in lines.iter().enumerate() {
        ws.write_string_with_format(12 + i as u32, 0, l, &st.cover_line)?;
    }
    ws.set_paper_size(9);
    ws.set_print_center_horizontally(true);
    ws.set_print_area(0, 0, 20, 0)?;
    Ok(())
}

/// The 目录: one linked row per sheet, `(number, title, sheet)`.
fn contents(
    wb: &mut Workbook,
    st: &Styles,
    entries: &[(String, String, String)],
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("目录")?;
    ws.merge_range(0, 0, 0, 1, "目  录", &st.contents_title)?;
    ws.set_row_height(0, 36)?;
    ws.write_string_with_format(1, 0, "表号", &st.header)?;
    ws.write_string_with_format(1, 1, "表名", &st.header)?;
    let mut row = 2;
    for (number, title, sheet) in entries {
        ws.write_string_with_format(row, 0, number, &st.text)?;
        let url = Url::new(format!("internal:'{sheet}'!A1")).set_text(title);
        ws.write_url_with_format(row, 1, url, &st.link_cell)?;
        row += 1;
    }
    ws.set_column_width(0, 10)?;
    ws.set_column_width(1, 70)?;
    print_setup(ws, false, 1, row - 1, 1)
}

/// Publishing in a layout of its own (the Shanghai set): its text sheets, its tables,
/// in its order and form.
fn disclosure_in_layout(
    budget: &Budget,
    opts: &DisclosureOptions,
    layout: &yusuan_core::Layout,
) -> Result<Workbook, XlsxError> {
    let st = Styles::new();
    let mut wb = new_workbook();
    let dept = budget.department_name();
    let org = budget.entity.label();
    let year_text = budget.year.map(|y| format!("{y}年")).unwrap_or_default();
    let title = format!("{dept}{year_text}{org}预算");
    let ctx = layout::LayoutCtx {
        layout,
        department: dept,
        year: budget.year,
        entity: budget.entity,
        unit: opts.unit,
        same_layout: budget.layout == layout.key,
        back_link: true,
        template: false,
    };
    cover(
        &mut wb,
        &st,
        &title,
        &[
            format!(
                "预算{}：{dept}",
                if org == "单位" {
                    "单位"
                } else {
                    "主管部门"
                }
            ),
            format!("{year_text}{org}预算公开"),
        ],
    )?;
    let own = |key: &str| budget.texts.iter().find(|t| t.key == key);
    let has_own = !budget.texts.is_empty();
    let texts = |after: bool| {
        layout
            .texts
            .iter()
            .filter(move |t| t.after_tables == after)
            .filter_map(|t| own(&t.key).map(|o| (layout::sheet_name(&ctx.fill(&t.sheet)), o)))
    };
    let tables: Vec<(&yusuan_core::LayoutTable, &yusuan_core::Table)> = layout
        .tables
        .iter()
        .filter(|lt| lt.org.is_none() || lt.org.as_deref() == Some(org))
        .filter_map(|lt| budget.table(lt.id).map(|t| (lt, t)))
        .collect();
    let mut entries = Vec::new();
    for (sheet, t) in texts(false) {
        entries.push(("说明".to_string(), t.title.value.clone(), sheet));
    }
    if !has_own && opts.narrative.is_some() {
        entries.push((
            "说明".into(),
            format!("{dept}{year_text}{org}预算情况说明"),
            "情况说明".into(),
        ));
    }
    for (i, (lt, t)) in tables.iter().enumerate() {
        let table_title = if ctx.same_layout {
            t.title.value.clone()
        } else {
            ctx.fill(&lt.title)
        };
        entries.push((
            (i + 1).to_string(),
            table_title,
            layout::sheet_name(&ctx.fill(&lt.sheet)),
        ));
    }
    for (sheet, t) in texts(true) {
        entries.push(("说明".to_string(), t.title.value.clone(), sheet));
    }
    contents(&mut wb, &st, &entries)?;
    for (sheet, t) in texts(false) {
        let paras: Vec<&str> = t.paragraphs.iter().map(|p| p.value.as_str()).collect();
        text_sheet(&mut wb, &st, &sheet, &t.title.value, &paras)?;
    }
    if !has_own && let Some(text) = &opts.narrative {
        narrative_sheet(&mut wb, &st, text)?;
    }
    for (lt, t) in &tables {
        layout::add_layout_sheet(&mut wb, &st, lt, Some(t), &ctx)?;
    }
    for (sheet, t) in texts(true) {
        let paras: Vec<&str> = t.paragraphs.iter().map(|p| p.value.as_str()).collect();
        text_sheet(&mut wb, &st, &sheet, &t.title.value, &paras)?;
    }
    wb.set_properties(&properties(&title, dept, budget.year)?);
    Ok(wb)
}

/// A text sheet: its title, then one wrapped paragraph per row.
fn text_sheet(
    wb: &mut Workbook,
    st: &Styles,
    name: &str,
    title: &str,
    paragraphs: &[&str],
) -> Result<(), XlsxError> {
    let mut lines = vec![title];
    lines.extend_from_slice(paragraphs);
    paragraph_sheet(wb, st, name, &lines)
}

/// The canonical (Sichuan) disclosure, written from the catalogue's tables.
fn disclosure_canonical(budget: &Budget, opts: &DisclosureOptions) -> Result<Workbook, XlsxError> {
    let cat = Catalog::get();
    let st = Styles::new();
    let unit = opts.unit.unwrap_or(Unit::WanYuan);
    let mut wb = new_workbook();
    let dept = budget.department_name();
    let year = budget.year;
    let year_text = year.map(|y| format!("{y}年")).unwrap_or_default();
    let org = budget.entity.label();
    let title = format!("{dept}{year_text}{org}预算");

    cover(
        &mut wb,
        &st,
        &title,
        &[dept.to_string(), format!("{year_text}{org}预算公开")],
    )?;
    // 目录: the tables the budget has, in the standard order (a regional layout may lack
    // some of the canonical set; nothing is published that was not submitted).
    let tables: Vec<_> = TableId::ALL
        .iter()
        .filter(|id| **id != TableId::Info && budget.table(**id).is_some())
        .map(|id| cat.table(*id))
        .collect();
    let mut entries: Vec<(String, String, String)> = tables
        .iter()
        .map(|spec| {
            (
                spec.sheet.clone(),
                format!("{}{}{}", dept, year_text, spec.title),
                spec.sheet.clone(),
            )
        })
        .collect();
    if opts.narrative.is_some() {
        entries.push((
            "说明".into(),
            format!("{dept}{year_text}{org}预算情况说明"),
            "情况说明".into(),
        ));
    }
    contents(&mut wb, &st, &entries)?;
    let ctx = Context {
        department: budget.department.as_deref(),
        year,
        back_link: true,
    };
    for spec in &tables {
        add_table_sheet(
            &mut wb,
            &st,
            spec,
            budget.table(spec.id),
            Mode::Disclosure { unit },
            &ctx,
        )?;
    }
    if let Some(text) = &opts.narrative {
        narrative_sheet(&mut wb, &st, text)?;
    }
    wb.set_properties(&properties(&title, dept, year)?);
    Ok(wb)
}

/// The 情况说明 as a sheet: one wrapped paragraph per row, headings bold, A4 portrait.
fn narrative_sheet(wb: &mut Workbook, st: &Styles, text: &str) -> Result<(), XlsxError> {
    let lines: Vec<&str> = text.lines().collect();
    paragraph_sheet(wb, st, "情况说明", &lines)
}

/// A sheet of text: the first line as its title, then one wrapped paragraph per row
/// (headings bold), A4 portrait, a link back to the 目录.
fn paragraph_sheet(
    wb: &mut Workbook,
    st: &Styles,
    name: &str,
    lines: &[&str],
) -> Result<(), XlsxError> {
    const WIDTH: f64 = 62.0;
    let heading = |t: &str| {
        let t = t.trim_start_matches(['\u{3000}', ' ']);
        let first = t.chars().next().unwrap_or(' ');
        ("一二三四五六七八九十".contains(first) && t.contains('、') && t.chars().count() < 40)
            || (t.starts_with('（') && t.chars().count() < 30)
    };
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    ws.set_column_width(0, WIDTH)?;
    let mut row = 0;
    for (i, para) in lines.iter().filter(|l| !l.trim().is_empty()).enumerate() {
        let p = para.trim_end();
        let fmt = if i == 0 {
            &st.title
        } else if heading(p) {
            &st.para_heading
        } else {
            &st.para
        };
        ws.write_string_with_format(row, 0, p, fmt)?;
        let lines = yusuan_core::text::display_width(p) as f64 / (WIDTH * 0.95);
        let height = if i == 0 {
            36.0
        } else {
            16.0 * lines.ceil().max(1.0) + 4.0
        };
        ws.set_row_height(row, height)?;
        row += 1;
    }
    ws.write_url_with_format(
        0,
        1,
        Url::new("internal:'目录'!A1").set_text("返回目录"),
        &st.link,
    )?;
    ws.set_column_width(1, 10)?;
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_footer("&C第 &P 页 共 &N 页");
    ws.set_margins(0.7, 0.7, 0.75, 0.75, 0.3, 0.3);
    ws.set_print_area(0, 0, row.saturating_sub(1), 0)?;
    Ok(())
}
