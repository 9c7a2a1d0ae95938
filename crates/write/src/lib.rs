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
#![warn(missing_docs)]

mod copy;
mod findings;
mod output;
mod style;
mod summary;
mod table;

pub use findings::{findings_workbook, marks};
pub use output::{
    OutputError, check_folder, check_not_input, check_output, os_reason, remove_pending, same_file,
    save_workbook, write_atomic, xlsx_reason,
};
pub use summary::{RowStatus, SummaryRow, summary_workbook};
pub use table::to_f64;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Url, Workbook, Worksheet, XlsxError};

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
    /// 万元 (default) or 元.
    pub unit: Option<Unit>,
    /// The 情况说明 text, added as a last sheet when given.
    pub narrative: Option<String>,
}

/// The formatted public-disclosure workbook: 封面, 目录 with links, every table of the
/// canonical set in order (empty ones with their note), and the 情况说明 if given.
pub fn disclosure(budget: &Budget, opts: &DisclosureOptions) -> Result<Workbook, XlsxError> {
    let cat = Catalog::get();
    let st = Styles::new();
    let unit = opts.unit.unwrap_or(Unit::WanYuan);
    let mut wb = new_workbook();
    let dept = budget.department_name();
    let year = budget.year;
    let year_text = year.map(|y| format!("{y}年")).unwrap_or_default();
    let title = format!("{dept}{year_text}部门预算");

    // 封面
    {
        let ws = wb.add_worksheet();
        ws.set_name("封面")?;
        ws.set_column_width(0, 90)?;
        ws.set_row_height(8, 50)?;
        ws.write_string_with_format(8, 0, &title, &st.cover_title)?;
        ws.write_string_with_format(12, 0, dept, &st.cover_line)?;
        ws.write_string_with_format(13, 0, format!("{year_text}部门预算公开"), &st.cover_line)?;
        ws.set_paper_size(9);
        ws.set_print_center_horizontally(true);
        ws.set_print_area(0, 0, 20, 0)?;
    }
    // 目录: the tables the budget has, in the standard order (a regional layout may lack
    // some of the canonical set; nothing is published that was not submitted).
    let tables: Vec<_> = TableId::ALL
        .iter()
        .filter(|id| **id != TableId::Info && budget.table(**id).is_some())
        .map(|id| cat.table(*id))
        .collect();
    {
        let ws = wb.add_worksheet();
        ws.set_name("目录")?;
        ws.merge_range(0, 0, 0, 1, "目  录", &st.contents_title)?;
        ws.set_row_height(0, 36)?;
        ws.write_string_with_format(1, 0, "表号", &st.header)?;
        ws.write_string_with_format(1, 1, "表名", &st.header)?;
        let mut row = 2;
        for spec in &tables {
            ws.write_string_with_format(row, 0, &spec.sheet, &st.text)?;
            let url = Url::new(format!("internal:'{}'!A1", spec.sheet))
                .set_text(format!("{}{}{}", dept, year_text, spec.title));
            ws.write_url_with_format(row, 1, url, &st.link_cell)?;
            row += 1;
        }
        if opts.narrative.is_some() {
            ws.write_string_with_format(row, 0, "说明", &st.text)?;
            let url = Url::new("internal:'情况说明'!A1")
                .set_text(format!("{dept}{year_text}部门预算情况说明"));
            ws.write_url_with_format(row, 1, url, &st.link_cell)?;
            row += 1;
        }
        ws.set_column_width(0, 10)?;
        ws.set_column_width(1, 70)?;
        print_setup(ws, false, 1, row - 1, 1)?;
    }
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
    const WIDTH: f64 = 62.0;
    let heading = |t: &str| {
        let t = t.trim_start_matches(['\u{3000}', ' ']);
        let first = t.chars().next().unwrap_or(' ');
        ("一二三四五六七八九十".contains(first) && t.contains('、') && t.chars().count() < 40)
            || (t.starts_with('（') && t.chars().count() < 30)
    };
    let ws = wb.add_worksheet();
    ws.set_name("情况说明")?;
    ws.set_column_width(0, WIDTH)?;
    let mut row = 0;
    for (i, para) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
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
