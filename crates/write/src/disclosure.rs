//! The formatted public-disclosure workbook: 封面, 目录 with page numbers, the
//! 情况说明 and the tables, in the layout's order or the order asked for.

use rust_xlsxwriter::{Format, Url, Workbook, XlsxError};

use crate::style::{self, Styles};
use crate::table::{Context, Mode, add_table_sheet, estimate_pages, print_setup};
use crate::{layout, new_workbook, properties};
use yusuan_core::{Budget, Catalog, Stage, TableId, Unit};

/// Where the 情况说明 goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The 情况说明 first, the tables after it as its 附表 (as most published
    /// disclosures are).
    TextFirst,
    /// The tables first, the 情况说明 last.
    TablesFirst,
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
    /// Where the texts go; `None`: as the layout has them (a layout without text
    /// sheets: the 情况说明 first).
    pub order: Option<Order>,
    /// The date printed on the cover (`2026年3月1日`); `None`: no date.
    pub date: Option<String>,
}

/// The formatted public-disclosure workbook in a layout (by default the workbook's
/// own): 封面, 目录 with links and page numbers, every table the budget has in the
/// layout's order, and the 情况说明 (the workbook's own text sheets where the layout
/// has them, else the generated text).
pub fn disclosure(budget: &Budget, opts: &DisclosureOptions) -> Result<Workbook, XlsxError> {
    let cat = Catalog::get();
    let key = opts.layout.as_deref().unwrap_or(&budget.layout);
    let parts = match cat.layout(key) {
        Some(l) if !l.tables.is_empty() => in_layout(budget, opts, l),
        _ => canonical(budget, opts),
    };
    let mut wb = write(budget, opts, &parts)?;
    if let Some(errors) = opts.unverified {
        mark_unverified(&mut wb, budget, errors)?;
    }
    Ok(wb)
}

/// What a sheet of the disclosure holds.
enum Body<'b> {
    /// A text sheet: its title and paragraphs.
    Text(String, Vec<&'b str>),
    /// The generated 情况说明.
    Narrative(&'b str),
    /// A table in a regional layout.
    Layout(&'b yusuan_core::LayoutTable, &'b yusuan_core::Table),
    /// A table of the canonical set.
    Canonical(&'b yusuan_core::TableSpec),
}

/// One sheet: its 目录 number and title, its name, what it holds.
struct Part<'b> {
    number: String,
    title: String,
    sheet: String,
    body: Body<'b>,
}

impl Part<'_> {
    fn is_text(&self) -> bool {
        matches!(self.body, Body::Text(..) | Body::Narrative(_))
    }
}

/// `parts` with the texts first or last, as `order` says (each group in its order).
fn ordered(parts: Vec<Part<'_>>, order: Option<Order>) -> Vec<Part<'_>> {
    let Some(order) = order else { return parts };
    let (texts, tables): (Vec<_>, Vec<_>) = parts.into_iter().partition(Part::is_text);
    match order {
        Order::TextFirst => texts.into_iter().chain(tables).collect(),
        Order::TablesFirst => tables.into_iter().chain(texts).collect(),
    }
}

/// The department, `2024年` (决算: `2024年度`) and `部门`/`单位` + `预算`/`决算`.
fn titles(budget: &Budget) -> (&str, String, String) {
    let year_text = match budget.stage {
        Stage::Budget => budget.year.map(|y| format!("{y}年")),
        Stage::Final => budget.year.map(|y| format!("{y}年度")),
    };
    let org = format!("{}{}", budget.entity.label(), budget.stage.label());
    (budget.department_name(), year_text.unwrap_or_default(), org)
}

/// The sheets of a disclosure in a layout of its own (the Shanghai set): its text
/// sheets, its tables, in its order and form.
fn in_layout<'b>(
    budget: &'b Budget,
    opts: &'b DisclosureOptions,
    layout: &'b yusuan_core::Layout,
) -> Vec<Part<'b>> {
    let (dept, year_text, org) = titles(budget);
    let ctx = layout_ctx(budget, opts, layout);
    let own = |key: &str| budget.texts.iter().find(|t| t.key == key);
    let texts = |after: bool| -> Vec<Part<'b>> {
        layout
            .texts
            .iter()
            .filter(|t| t.after_tables == after)
            .filter_map(|t| {
                let o = own(&t.key)?;
                Some(Part {
                    number: "说明".into(),
                    title: o.title.value.clone(),
                    sheet: layout::sheet_name(&ctx.fill(&t.sheet)),
                    body: Body::Text(
                        o.title.value.clone(),
                        o.paragraphs.iter().map(|p| p.value.as_str()).collect(),
                    ),
                })
            })
            .collect()
    };
    let mut parts = texts(false);
    // A 决算 prints its 情况说明 after the tables (第三部分), a 预算 before them.
    let mut generated = opts
        .narrative
        .as_ref()
        .filter(|_| budget.texts.is_empty())
        .map(|text| narrative_part(dept, &year_text, &org, text));
    let after = layout.stage == Stage::Final;
    if !after {
        parts.extend(generated.take());
    }
    let tables = layout
        .tables
        .iter()
        .filter(|lt| lt.org.is_none() || lt.org.as_deref() == Some(budget.entity.label()))
        .filter_map(|lt| budget.table(lt.id).map(|t| (lt, t)));
    for (i, (lt, t)) in tables.enumerate() {
        parts.push(Part {
            number: (i + 1).to_string(),
            title: if ctx.same_layout {
                t.title.value.clone()
            } else {
                ctx.fill(&lt.title)
            },
            sheet: layout::sheet_name(&ctx.fill(&lt.sheet)),
            body: Body::Layout(lt, t),
        });
    }
    if after {
        parts.extend(generated);
    }
    parts.extend(texts(true));
    ordered(parts, opts.order)
}

fn narrative_part<'b>(dept: &str, year_text: &str, org: &str, text: &'b str) -> Part<'b> {
    Part {
        number: "说明".into(),
        title: format!("{dept}{year_text}{org}情况说明"),
        sheet: "情况说明".into(),
        body: Body::Narrative(text),
    }
}

fn layout_ctx<'b>(
    budget: &'b Budget,
    opts: &DisclosureOptions,
    layout: &'b yusuan_core::Layout,
) -> layout::LayoutCtx<'b> {
    layout::LayoutCtx {
        layout,
        department: budget.department_name(),
        year: budget.year,
        entity: budget.entity,
        unit: opts.unit,
        same_layout: budget.layout == layout.key,
        back_link: true,
        template: false,
    }
}

/// The sheets of the canonical (Sichuan) disclosure: the tables the budget has in the
/// standard order (nothing is published that was not submitted), and the 情况说明 —
/// first unless asked otherwise, as published documents have it.
fn canonical<'b>(budget: &'b Budget, opts: &'b DisclosureOptions) -> Vec<Part<'b>> {
    let cat = Catalog::get();
    let (dept, year_text, org) = titles(budget);
    let mut parts: Vec<Part<'b>> = Vec::new();
    if let Some(text) = &opts.narrative {
        parts.push(narrative_part(dept, &year_text, &org, text));
    }
    for id in TableId::ALL
        .iter()
        .filter(|id| **id != TableId::Info && budget.table(**id).is_some())
    {
        let spec = cat.table(*id);
        parts.push(Part {
            number: spec.sheet.clone(),
            title: format!("{dept}{year_text}{}", spec.title),
            sheet: spec.sheet.clone(),
            body: Body::Canonical(spec),
        });
    }
    ordered(parts, Some(opts.order.unwrap_or(Order::TextFirst)))
}

/// Cover, 目录 and every part; then the 目录's page numbers.
fn write(
    budget: &Budget,
    opts: &DisclosureOptions,
    parts: &[Part<'_>],
) -> Result<Workbook, XlsxError> {
    let cat = Catalog::get();
    let st = Styles::new();
    let mut wb = new_workbook();
    let (dept, year_text, org) = titles(budget);
    let key = opts.layout.as_deref().unwrap_or(&budget.layout);
    let layout = cat.layout(key).filter(|l| !l.tables.is_empty());
    let holder = match (layout.is_some(), budget.entity.label()) {
        (true, "单位") => format!("预算单位：{dept}"),
        (true, _) => format!("预算主管部门：{dept}"),
        (false, _) => dept.to_string(),
    };
    cover(
        &mut wb,
        &st,
        &format!("{year_text}{org}"),
        &holder,
        opts.date.as_deref(),
    )?;
    let contents_pages = contents(&mut wb, &st, parts)?;
    let unit = opts.unit.unwrap_or(Unit::WanYuan);
    let ctx = Context {
        department: budget.department.as_deref(),
        year: budget.year,
        back_link: true,
    };
    let mut pages = Vec::new();
    for p in parts {
        pages.push(match &p.body {
            Body::Text(title, paras) => text_sheet(&mut wb, &st, &p.sheet, title, paras)?,
            Body::Narrative(text) => {
                let lines: Vec<&str> = text.lines().collect();
                paragraph_sheet(&mut wb, &st, "情况说明", &lines)?
            }
            Body::Layout(lt, t) => {
                let l = layout.unwrap_or(&cat.layouts[0]);
                layout::add_layout_sheet(&mut wb, &st, lt, Some(t), &layout_ctx(budget, opts, l))?
            }
            Body::Canonical(spec) => add_table_sheet(
                &mut wb,
                &st,
                spec,
                budget.table(spec.id),
                Mode::Disclosure { unit },
                &ctx,
            )?,
        });
    }
    contents_page_numbers(&mut wb, &st, 1 + contents_pages, &pages)?;
    let title = format!("{dept}{year_text}{org}");
    wb.set_properties(&properties(&title, dept, budget.year)?);
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
            ws.write_string_with_format(18, 0, &note, &red)?;
        }
        ws.set_footer("&L&\"-,Bold\"&KC00000未通过校验&C第 &P 页 共 &N 页");
    }
    let (dept, year_text, org) = titles(budget);
    let title = format!("{dept}{year_text}{org}（未通过校验）");
    wb.set_properties(
        &properties(&title, dept, budget.year)?
            .set_subject(&note)
            .set_keywords("未通过校验"),
    );
    Ok(())
}

/// The cover: the department, the budget's title, and the date.
fn cover(
    wb: &mut Workbook,
    st: &Styles,
    title: &str,
    holder: &str,
    date: Option<&str>,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("封面")?;
    ws.set_column_width(0, 90)?;
    ws.set_row_height(7, 40)?;
    ws.write_string_with_format(7, 0, holder, &st.cover_line)?;
    ws.set_row_height(9, 50)?;
    ws.write_string_with_format(9, 0, title, &st.cover_title)?;
    if let Some(d) = date {
        ws.write_string_with_format(16, 0, d, &st.cover_line)?;
    }
    ws.set_paper_size(9);
    ws.set_print_center_horizontally(true);
    ws.set_print_area(0, 0, 20, 0)?;
    Ok(())
}

/// The 目录: one linked row per part (表号, 表名, 页码 filled in later); its pages.
fn contents(wb: &mut Workbook, st: &Styles, parts: &[Part<'_>]) -> Result<usize, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("目录")?;
    ws.merge_range(0, 0, 0, 2, "目  录", &st.contents_title)?;
    ws.set_row_height(0, 36)?;
    for (c, h) in ["表号", "表名", "页码"].iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &st.header)?;
    }
    let mut row = 2;
    for p in parts {
        ws.write_string_with_format(row, 0, &p.number, &st.text)?;
        let url =
            Url::new(format!("internal:'{}'!A1", p.sheet.replace('\'', "''"))).set_text(&p.title);
        ws.write_url_with_format(row, 1, url, &st.link_cell)?;
        row += 1;
    }
    let widths = [10, 70, 8];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64)?;
    }
    print_setup(ws, false, 1, row - 1, 2)?;
    Ok(estimate_pages(&widths, row, 21.0, false))
}

/// Each part's first page in the 目录, counting from `first` (the cover is page 1).
fn contents_page_numbers(
    wb: &mut Workbook,
    st: &Styles,
    first: usize,
    pages: &[usize],
) -> Result<(), XlsxError> {
    let ws = wb.worksheet_from_name("目录")?;
    let mut page = first + 1;
    for (i, n) in pages.iter().enumerate() {
        ws.write_number_with_format(i as u32 + 2, 2, page as f64, &st.page_number)?;
        page += n;
    }
    Ok(())
}

/// A text sheet: its title, then one wrapped paragraph per row; its pages.
pub(crate) fn text_sheet(
    wb: &mut Workbook,
    st: &Styles,
    name: &str,
    title: &str,
    paragraphs: &[&str],
) -> Result<usize, XlsxError> {
    let mut lines = vec![title];
    lines.extend_from_slice(paragraphs);
    paragraph_sheet(wb, st, name, &lines)
}

/// A sheet of text: the first line as its title, then one wrapped paragraph per row
/// (headings bold), A4 portrait, a link back to the 目录; its pages.
fn paragraph_sheet(
    wb: &mut Workbook,
    st: &Styles,
    name: &str,
    lines: &[&str],
) -> Result<usize, XlsxError> {
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
    let mut total = 0.0;
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
        total += height;
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
    Ok(estimate_pages(&[WIDTH as usize], 0, total, false))
}
