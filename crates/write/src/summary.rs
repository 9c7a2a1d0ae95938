//! The 汇总表: one formatted row per department workbook of a batch, a totals row,
//! links to the outputs.

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Color, Format, FormatAlign, FormatBorder, Formula, Url, Workbook, Worksheet, XlsxError,
};
use yusuan_core::{Unit, round2};

/// How a file came out of a batch (the colour of its status cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStatus {
    /// No findings above info.
    Passed,
    /// Warnings, no errors.
    Warnings,
    /// Errors.
    Errors,
    /// Not a usable workbook.
    Unreadable,
    /// Checked, but its outputs could not be written.
    OutputFailed,
}

/// One row of the 汇总表.
#[derive(Debug, Clone)]
pub struct SummaryRow<'a> {
    /// Path relative to the batch folder.
    pub file: &'a str,
    /// The department, when known.
    pub department: Option<&'a str>,
    /// The budget year, when known.
    pub year: Option<i32>,
    /// `预算` or `决算`.
    pub stage: &'a str,
    /// How it came out.
    pub status: RowStatus,
    /// The status as shown (`通过`).
    pub status_label: &'a str,
    /// Why it is unreadable, or why no disclosure was written.
    pub reason: Option<&'a str>,
    /// The money columns, in 元, in the order of the headers.
    pub amounts: Vec<Option<Decimal>>,
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// The disclosure written, relative to the output folder.
    pub disclosure: Option<&'a str>,
    /// The 问题清单 written, relative to the output folder.
    pub report: Option<&'a str>,
    /// The annotated copy written, relative to the output folder.
    pub annotated: Option<&'a str>,
    /// Whether its figures go into the 合计 (no errors, and not a second file of a
    /// department and year).
    pub counted: bool,
}

/// The 汇总表 workbook: one formatted row per file, a totals row, links to the outputs.
/// The rows are taken one at a time (a bureau's 10,000 need not be held at once).
pub fn summary_workbook<'a>(
    money_headers: &[&str],
    rows: impl ExactSizeIterator<Item = SummaryRow<'a>>,
    skipped: &[(String, String)],
    unit: Unit,
) -> Result<Workbook, XlsxError> {
    let mut wb = crate::new_workbook();
    let st = crate::style::Styles::new();
    let cell = Format::new()
        .set_font_name(crate::style::FONT)
        .set_font_charset(crate::style::CHARSET)
        .set_font_size(10)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    // Rows go to a temporary file as they are written: with 10,000 files the cell table
    // was most of the batch's peak memory.
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("汇总表")?;
    let cols = header_rows(ws, &st, money_headers, unit, rows.len())?;
    let mut row = 2u32;
    let mut totals = Totals {
        amounts: vec![Decimal::ZERO; money_headers.len()],
        ..Totals::default()
    };
    for (n, r) in rows.enumerate() {
        department_row(ws, &st, &cell, cols, (row, n + 1), &r, unit)?;
        totals.add(&r);
        row += 1;
    }
    totals_row(ws, &st, cols, row, &totals, unit)?;
    ws.autofilter(1, 0, row.saturating_sub(1).max(2), cols.last)?;
    ws.set_freeze_panes(2, 2)?;
    ws.set_paper_size(8); // A3: a summary across departments is wide
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 1)?;
    ws.set_footer("&C第 &P 页 共 &N 页");
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_area(0, 0, row, cols.last)?;
    skipped_sheet(&mut wb, &st, &cell, skipped)?;
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title("部门预算检查汇总表")
            .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    Ok(wb)
}

/// Where the 汇总表's column groups start: the money columns, then the counts and links.
#[derive(Debug, Clone, Copy)]
struct Columns {
    money: u16,
    tail: u16,
    last: u16,
}

/// A figure in the summary's unit, as written.
fn shown(v: Decimal, unit: Unit) -> f64 {
    crate::table::to_f64(round2(unit.from_yuan(v)))
}

/// The title row and the header row, with the column widths.
fn header_rows(
    ws: &mut Worksheet,
    st: &crate::style::Styles,
    money_headers: &[&str],
    unit: Unit,
    files: usize,
) -> Result<Columns, XlsxError> {
    let fixed = ["序号", "部门", "年度", "文件", "状态", "说明"];
    let tail = ["错误数", "警告数", "公开表", "问题清单", "标注副本"];
    let headers: Vec<String> = fixed
        .iter()
        .map(|s| s.to_string())
        .chain(money_headers.iter().map(|h| format!("{h}（{unit}）")))
        .chain(tail.iter().map(|s| s.to_string()))
        .collect();
    for (i, w) in [6.0, 30.0, 7.0, 34.0, 9.0, 36.0].iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    let money = fixed.len() as u16;
    for i in 0..money_headers.len() as u16 {
        ws.set_column_width(money + i, 14)?;
    }
    let tail_start = money + money_headers.len() as u16;
    for (i, w) in [7.0, 7.0, 10.0, 10.0, 10.0].iter().enumerate() {
        ws.set_column_width(tail_start + i as u16, *w)?;
    }
    let last = (headers.len() - 1) as u16;
    let title = format!("部门预算检查汇总表（共 {files} 个文件）");
    ws.set_row_height(0, 30)?;
    ws.merge_range(0, 0, 0, last, &title, &st.title)?;
    ws.set_row_height(1, 32)?;
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, i as u16, h, &st.header)?;
    }
    Ok(Columns {
        money,
        tail: tail_start,
        last,
    })
}

/// One department's row (`at`: the sheet row and the row's number).
fn department_row(
    ws: &mut Worksheet,
    st: &crate::style::Styles,
    cell: &Format,
    cols: Columns,
    at: (u32, usize),
    r: &SummaryRow<'_>,
    unit: Unit,
) -> Result<(), XlsxError> {
    let (row, n) = at;
    let colour = match r.status {
        RowStatus::Passed => 0xC6EFCE,
        RowStatus::Warnings => 0xFFEB9C,
        RowStatus::Errors | RowStatus::Unreadable | RowStatus::OutputFailed => 0xFFC7CE,
    };
    let status = cell
        .clone()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(colour));
    ws.write_number_with_format(row, 0, n as f64, cell)?;
    ws.write_string_with_format(row, 1, r.department.unwrap_or(""), &st.text)?;
    match r.year {
        Some(y) => ws.write_number_with_format(row, 2, y as f64, cell)?,
        None => ws.write_blank(row, 2, cell)?,
    };
    ws.write_string_with_format(row, 3, r.file, &st.text)?;
    ws.write_string_with_format(row, 4, r.status_label, &status)?;
    // A 决算 says so (a batch may hold a department's 预算 and its 决算).
    let note = match (r.stage, r.reason) {
        ("决算", Some(reason)) => format!("部门决算；{reason}"),
        ("决算", None) => "部门决算".to_string(),
        (_, reason) => reason.unwrap_or("").to_string(),
    };
    ws.write_string_with_format(row, 5, &note, &st.text)?;
    for (i, v) in r.amounts.iter().enumerate() {
        let c = cols.money + i as u16;
        match v {
            Some(v) => ws.write_number_with_format(row, c, shown(*v, unit), &st.money)?,
            None => ws.write_blank(row, c, &st.money)?,
        };
    }
    if r.status == RowStatus::Unreadable {
        // Not checked: no count to show.
        ws.write_blank(row, cols.tail, cell)?;
        ws.write_blank(row, cols.tail + 1, cell)?;
    } else {
        ws.write_number_with_format(row, cols.tail, r.errors as f64, cell)?;
        ws.write_number_with_format(row, cols.tail + 1, r.warnings as f64, cell)?;
    }
    for (k, link, text) in [
        (2, r.disclosure, "打开"),
        (3, r.report, "查看"),
        (4, r.annotated, "查看"),
    ] {
        let col = cols.tail + k;
        let Some(p) = link else {
            ws.write_blank(row, col, cell)?;
            continue;
        };
        match link_formula(p, text) {
            Some(f) => ws.write_formula_with_format(row, col, f, &st.link_cell)?,
            None => ws.write_url_with_format(
                row,
                col,
                Url::new(format!("file:///{p}")).set_text(text),
                &st.link_cell,
            )?,
        };
    }
    Ok(())
}

/// A link to `path` (relative to the 汇总表) shown as `text`, as a `HYPERLINK` formula
/// (its shown text stored with it), where the path fits the function (255 characters).
/// A formula is written with its row and leaves nothing behind, where a hyperlink is
/// kept by the writer until the sheet ends, and a sheet holds at most 65,530 of them:
/// with three a row, 10,000 files held 14 MB of them and 21,844 could not be listed.
fn link_formula(path: &str, text: &str) -> Option<Formula> {
    (path.chars().count() <= 255).then(|| {
        let path = path.replace('"', "\"\"");
        Formula::new(format!("=HYPERLINK(\"{path}\",\"{text}\")")).set_result(text)
    })
}

/// Whether a row's figures go into the 合计: only files without errors (the figures of
/// a file with errors are not to be trusted, and an unreadable one has none).
fn counted(r: &SummaryRow<'_>) -> bool {
    r.counted && matches!(r.status, RowStatus::Passed | RowStatus::Warnings)
}

/// What the 合计 row shows, summed as the rows are written.
#[derive(Debug, Default)]
struct Totals {
    /// The money columns of the counted rows, in 元.
    amounts: Vec<Decimal>,
    /// Rows not counted.
    left_out: usize,
    errors: usize,
    warnings: usize,
}

impl Totals {
    fn add(&mut self, r: &SummaryRow<'_>) {
        if counted(r) {
            for (t, v) in self.amounts.iter_mut().zip(&r.amounts) {
                *t += v.unwrap_or_default();
            }
        } else {
            self.left_out += 1;
        }
        self.errors += r.errors;
        self.warnings += r.warnings;
    }
}

/// The 合计 row: the money columns summed over the files without errors (the label says
/// how many were left out), and the counts.
fn totals_row(
    ws: &mut Worksheet,
    st: &crate::style::Styles,
    cols: Columns,
    row: u32,
    totals: &Totals,
    unit: Unit,
) -> Result<(), XlsxError> {
    let label = match totals.left_out {
        0 => "合计".to_string(),
        n => format!("合计（不含有错误、无法读取或重复的 {n} 个文件）"),
    };
    ws.merge_range(row, 0, row, 5, &label, &st.total_label)?;
    for (i, t) in totals.amounts.iter().enumerate() {
        ws.write_number_with_format(row, cols.money + i as u16, shown(*t, unit), &st.total_money)?;
    }
    let count = st.total_money.clone().set_num_format("0");
    ws.write_number_with_format(row, cols.tail, totals.errors as f64, &count)?;
    ws.write_number_with_format(row, cols.tail + 1, totals.warnings as f64, &count)?;
    ws.write_blank(row, cols.tail + 2, &st.total_label)?;
    ws.write_blank(row, cols.tail + 3, &st.total_label)?;
    ws.write_blank(row, cols.tail + 4, &st.total_label)?;
    Ok(())
}

/// 已跳过的文件: every file under the folder that was not read as a submission, and why
/// (a lock file, a hidden file, a shortcut, one of yusuan's own outputs).
fn skipped_sheet(
    wb: &mut Workbook,
    st: &crate::style::Styles,
    cell: &Format,
    skipped: &[(String, String)],
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("已跳过的文件")?;
    let title = format!("已跳过的文件（共 {} 个，未计入汇总）", skipped.len());
    ws.merge_range(0, 0, 0, 2, &title, &st.title)?;
    ws.set_row_height(0, 30)?;
    for (i, (h, w)) in [("序号", 6.0), ("文件", 50.0), ("原因", 50.0)]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(1, i as u16, *h, &st.header)?;
        ws.set_column_width(i as u16, *w)?;
    }
    for (i, (file, why)) in skipped.iter().enumerate() {
        let row = i as u32 + 2;
        ws.write_number_with_format(row, 0, (i + 1) as f64, cell)?;
        ws.write_string_with_format(row, 1, file, &st.text)?;
        ws.write_string_with_format(row, 2, why, &st.text)?;
    }
    crate::table::print_setup(ws, false, 1, skipped.len() as u32 + 1, 2)
}
