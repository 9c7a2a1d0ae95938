//! The 汇总表: one formatted row per department workbook of a batch, a totals row,
//! links to the outputs.

use rust_decimal::Decimal;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Url, Workbook, XlsxError};
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
}

/// The 汇总表 workbook: one formatted row per file, a totals row, links to the outputs.
pub fn summary_workbook(
    money_headers: &[&str],
    rows: &[SummaryRow<'_>],
    unit: Unit,
) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let st = crate::style::Styles::new();
    let cell = Format::new()
        .set_font_name(crate::style::FONT)
        .set_font_charset(crate::style::CHARSET)
        .set_font_size(10)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let status_fmt = |s: RowStatus| {
        let c = match s {
            RowStatus::Passed => 0xC6EFCE,
            RowStatus::Warnings => 0xFFEB9C,
            RowStatus::Errors | RowStatus::Unreadable => 0xFFC7CE,
        };
        cell.clone()
            .set_align(FormatAlign::Center)
            .set_background_color(Color::RGB(c))
    };
    // Rows go to a temporary file as they are written: with 10,000 files the cell table
    // was most of the batch's peak memory.
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("汇总表")?;
    let fixed = ["序号", "部门", "年度", "文件", "状态", "说明"];
    let tail = ["错误数", "警告数", "公开表", "问题清单"];
    let n_money = money_headers.len();
    let money_headers: Vec<String> = money_headers
        .iter()
        .map(|h| format!("{h}（{unit}）"))
        .collect();
    let headers: Vec<String> = fixed
        .iter()
        .map(|s| s.to_string())
        .chain(money_headers)
        .chain(tail.iter().map(|s| s.to_string()))
        .collect();
    let widths = [6.0, 30.0, 7.0, 34.0, 9.0, 36.0];
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    let money_start = fixed.len() as u16;
    for i in 0..n_money as u16 {
        ws.set_column_width(money_start + i, 14)?;
    }
    let tail_start = money_start + n_money as u16;
    for (i, w) in [7.0, 7.0, 10.0, 10.0].iter().enumerate() {
        ws.set_column_width(tail_start + i as u16, *w)?;
    }
    let title = format!("部门预算检查汇总表（共 {} 个文件）", rows.len());
    let last_col = (headers.len() - 1) as u16;
    ws.set_row_height(0, 30)?;
    ws.merge_range(0, 0, 0, last_col, &title, &st.title)?;
    ws.set_row_height(1, 32)?;
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, i as u16, h, &st.header)?;
    }
    let shown = |v: Decimal| crate::table::to_f64(round2(unit.from_yuan(v)));
    let mut row = 2u32;
    let mut totals = vec![Decimal::ZERO; n_money];
    for (n, r) in rows.iter().enumerate() {
        ws.write_number_with_format(row, 0, (n + 1) as f64, &cell)?;
        ws.write_string_with_format(row, 1, r.department.unwrap_or(""), &st.text)?;
        match r.year {
            Some(y) => ws.write_number_with_format(row, 2, y as f64, &cell)?,
            None => ws.write_blank(row, 2, &cell)?,
        };
        ws.write_string_with_format(row, 3, r.file, &st.text)?;
        ws.write_string_with_format(row, 4, r.status_label, &status_fmt(r.status))?;
        ws.write_string_with_format(row, 5, r.reason.unwrap_or(""), &st.text)?;
        for (i, v) in r.amounts.iter().enumerate() {
            let c = money_start + i as u16;
            match v {
                Some(v) => {
                    totals[i] += *v;
                    ws.write_number_with_format(row, c, shown(*v), &st.money)?
                }
                None => ws.write_blank(row, c, &st.money)?,
            };
        }
        ws.write_number_with_format(row, tail_start, r.errors as f64, &cell)?;
        ws.write_number_with_format(row, tail_start + 1, r.warnings as f64, &cell)?;
        for (k, link) in [(2, r.disclosure), (3, r.report)] {
            match link {
                Some(p) => ws.write_url_with_format(
                    row,
                    tail_start + k,
                    Url::new(format!("file:///{p}")).set_text(if k == 2 {
                        "打开"
                    } else {
                        "查看"
                    }),
                    &st.link_cell,
                )?,
                None => ws.write_blank(row, tail_start + k, &cell)?,
            };
        }
        row += 1;
    }
    // totals row
    ws.merge_range(row, 0, row, 5, "合计", &st.total_label)?;
    for (i, t) in totals.iter().enumerate() {
        ws.write_number_with_format(row, money_start + i as u16, shown(*t), &st.total_money)?;
    }
    let errs: usize = rows.iter().map(|r| r.errors).sum();
    let warns: usize = rows.iter().map(|r| r.warnings).sum();
    ws.write_number_with_format(
        row,
        tail_start,
        errs as f64,
        &st.total_money.clone().set_num_format("0"),
    )?;
    ws.write_number_with_format(
        row,
        tail_start + 1,
        warns as f64,
        &st.total_money.clone().set_num_format("0"),
    )?;
    ws.write_blank(row, tail_start + 2, &st.total_label)?;
    ws.write_blank(row, tail_start + 3, &st.total_label)?;
    ws.autofilter(1, 0, row.saturating_sub(1).max(2), last_col)?;
    ws.set_freeze_panes(2, 2)?;
    ws.set_paper_size(8); // A3: a summary across departments is wide
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 1)?;
    ws.set_footer("&C第 &P 页 共 &N 页");
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_area(0, 0, row, last_col)?;
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title("部门预算检查汇总表")
            .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    Ok(wb)
}
