//! The 问题清单 workbook and the marks of an annotated copy, from the findings.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use yusuan_rules::{Report, Severity, Status};

use crate::Mark;

/// A 问题清单 workbook: one formatted row per finding, filterable, frozen header; a
/// second sheet with the ledger of every file.
pub fn findings_workbook(files: &[(String, &Report)]) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let base = Format::new()
        .set_font_name(crate::style::FONT)
        .set_font_charset(crate::style::CHARSET)
        .set_font_size(10)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let header = base
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xDDEBF7));
    let wrap = base.clone().set_text_wrap();
    findings_sheet(&mut wb, files, &base, &header, &wrap)?;
    ledger_sheet(&mut wb, files, &base, &header, &wrap)?;
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title("问题清单")
            .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    Ok(wb)
}

/// A new sheet named `name` with a header row of `cols` (header, column width).
fn headed_sheet<'w>(
    wb: &'w mut Workbook,
    name: &str,
    cols: &[(&str, f64)],
    header: &Format,
) -> Result<&'w mut rust_xlsxwriter::Worksheet, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    for (i, (h, w)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, header)?;
        ws.set_column_width(i as u16, *w)?;
    }
    Ok(ws)
}

/// 问题清单: one row per finding, most severe first, with the sentence it quotes.
fn findings_sheet(
    wb: &mut Workbook,
    files: &[(String, &Report)],
    base: &Format,
    header: &Format,
    wrap: &Format,
) -> Result<(), XlsxError> {
    let sev_fmt = |s: Severity| {
        let c = match s {
            Severity::Error => 0xFFC7CE,
            Severity::Warning => 0xFFEB9C,
            Severity::Info => 0xF2F2F2,
        };
        base.clone()
            .set_align(FormatAlign::Center)
            .set_background_color(Color::RGB(c))
    };
    let cols = [
        ("文件", 28.0),
        ("表", 10.0),
        ("单元格", 10.0),
        ("规则", 8.0),
        ("级别", 8.0),
        ("说明", 90.0),
    ];
    let ws = headed_sheet(wb, "问题清单", &cols, header)?;
    let mut row = 1;
    for (file, r) in files {
        for f in r.ordered() {
            ws.write_string_with_format(row, 0, file, base)?;
            ws.write_string_with_format(
                row,
                1,
                f.table
                    .map(|t| t.label())
                    .or(f.sheet.as_deref())
                    .unwrap_or("工作簿"),
                base,
            )?;
            ws.write_string_with_format(row, 2, f.cell.as_deref().unwrap_or(""), base)?;
            ws.write_string_with_format(row, 3, f.rule, base)?;
            ws.write_string_with_format(row, 4, f.severity.label(), &sev_fmt(f.severity))?;
            let msg = match &f.quote {
                Some(q) => format!("{}\n原文：“{q}”", f.message),
                None => f.message.clone(),
            };
            ws.write_string_with_format(row, 5, &msg, wrap)?;
            row += 1;
        }
    }
    ws.autofilter(0, 0, row.saturating_sub(1).max(1), (cols.len() - 1) as u16)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    ws.set_footer("&C第 &P 页 共 &N 页");
    Ok(())
}

/// 规则执行情况: every rule of every file, with its status and reason.
fn ledger_sheet(
    wb: &mut Workbook,
    files: &[(String, &Report)],
    base: &Format,
    header: &Format,
    wrap: &Format,
) -> Result<(), XlsxError> {
    let cols = [
        ("文件", 28.0),
        ("规则", 8.0),
        ("内容", 50.0),
        ("结果", 8.0),
        ("说明", 60.0),
    ];
    let ws = headed_sheet(wb, "规则执行情况", &cols, header)?;
    let mut row = 1;
    for (file, r) in files {
        for e in &r.ledger {
            let title = e.title;
            let status = match e.status {
                Status::Passed => "通过",
                Status::Failed => "未通过",
                Status::NotRun => "未运行",
            };
            ws.write_string_with_format(row, 0, file, base)?;
            ws.write_string_with_format(row, 1, e.rule, base)?;
            ws.write_string_with_format(row, 2, title, base)?;
            ws.write_string_with_format(row, 3, status, base)?;
            ws.write_string_with_format(row, 4, e.reason.as_deref().unwrap_or(""), wrap)?;
            row += 1;
        }
    }
    ws.autofilter(0, 0, row.saturating_sub(1).max(1), 4)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The cells to mark in an annotated copy, each with `规则 级别：说明`.
pub fn marks(r: &Report) -> Vec<Mark> {
    r.ordered()
        .into_iter()
        .filter_map(|f| {
            let (row, col) = yusuan_grid::parse_a1(f.cell.as_deref()?)?;
            Some(Mark {
                sheet: f.sheet.clone()?,
                row,
                col,
                note: format!("{} {}：{}", f.rule, f.severity.label(), f.message),
            })
        })
        .collect()
}
