//! The 问题清单 workbook, and the rows a finding becomes in it and in the findings
//! sheet of an annotated copy.

use rust_xlsxwriter::{
    Color, Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet, XlsxError,
};
use yusuan_core::text::display_width;
use yusuan_rules::{Finding, LedgerEntry, Report, Severity, Status};

use crate::Mark;

/// One file of a 问题清单.
#[derive(Debug, Clone)]
pub struct Listed<'a> {
    /// The file as the officer named it.
    pub file: String,
    /// The department, when the workbook says.
    pub department: Option<String>,
    /// The budget year.
    pub year: Option<i32>,
    /// Its findings, as [`finding_lines`] gives them.
    pub lines: Vec<Line>,
    /// Every rule's result, for the 规则执行情况 sheet of a single file's list.
    pub ledger: Option<&'a [LedgerEntry]>,
    /// The annotated copy the cells link into (a path relative to the 问题清单).
    pub annotated: Option<String>,
}

/// A finding as one row of a list, every column as text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Line {
    /// 表: the table's label, the sheet, 情况说明 or 工作簿.
    pub table: String,
    /// The sheet of the cell, if any.
    pub sheet: Option<String>,
    /// 单元格: A1, or the line of the explanation text.
    pub cell: Option<String>,
    /// 规则.
    pub rule: String,
    /// 级别.
    pub severity: Severity,
    /// 问题: the message, and the sentence it quotes.
    pub problem: String,
    /// 应为, with its unit.
    pub expected: String,
    /// 实为, with its unit.
    pub actual: String,
    /// 差额, with its unit.
    pub difference: String,
    /// 涉及单元格, one a line.
    pub related: String,
}

/// The rows of a report: most severe first within each table.
pub fn finding_lines(r: &Report) -> Vec<Line> {
    r.ordered().into_iter().map(Line::of).collect()
}

impl Line {
    fn of(f: &Finding) -> Line {
        let unit = |v: &Option<String>| match (v, f.unit) {
            (Some(v), Some(u)) => format!("{v} {u}"),
            (Some(v), None) => v.clone(),
            (None, _) => String::new(),
        };
        let table = match (f.table, &f.sheet, f.line) {
            (Some(t), _, _) => t.label().to_string(),
            (None, Some(s), _) => s.clone(),
            (None, None, Some(_)) => "情况说明".to_string(),
            _ => "工作簿".to_string(),
        };
        let problem = match &f.quote {
            Some(q) => format!("{}\n原文：“{q}”", f.message),
            None => f.message.clone(),
        };
        Line {
            table,
            sheet: f.sheet.clone(),
            cell: f
                .cell
                .clone()
                .or_else(|| f.line.map(|l| format!("第 {l} 行"))),
            rule: f.rule.to_string(),
            severity: f.severity,
            problem,
            expected: unit(&f.expected),
            actual: unit(&f.actual),
            difference: unit(&f.difference),
            related: f.related.join("\n"),
        }
    }

    /// The columns 序号, 表, 单元格, 规则, 级别, 问题, 应为, 实为, 差额, 涉及单元格.
    pub(crate) fn texts(&self, n: usize) -> [String; 10] {
        [
            n.to_string(),
            self.table.clone(),
            self.cell.clone().unwrap_or_default(),
            self.rule.to_string(),
            self.severity.label().to_string(),
            self.problem.clone(),
            self.expected.clone(),
            self.actual.clone(),
            self.difference.clone(),
            self.related.clone(),
        ]
    }

    /// Whether the cell column points at a cell of the workbook (not a line of text).
    pub(crate) fn has_cell(&self) -> bool {
        self.sheet.is_some()
            && self
                .cell
                .as_deref()
                .is_some_and(|c| yusuan_grid::parse_a1(c).is_some())
    }
}

/// A row height (points) that shows every text in full at 10 pt, given each column's
/// width (characters): each line is counted by its display width (CJK = 2).
pub(crate) fn fitted_height(cells: &[(&str, f64)]) -> f64 {
    let lines = cells
        .iter()
        .map(|(text, width)| {
            let per_line = (width - 1.0).max(1.0);
            text.split('\n')
                .map(|l| ((display_width(l) as f64) / per_line).ceil().max(1.0))
                .sum::<f64>()
        })
        .fold(1.0, f64::max);
    (lines * 13.5 + 4.0).min(409.0)
}

/// Where a severity's colour is: error, warning, info.
pub(crate) fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// The fill of each severity (error, warning, info), as RGB.
pub(crate) const SEVERITY_FILLS: [u32; 3] = [0xFFC7CE, 0xFFEB9C, 0xF2F2F2];

struct Formats {
    title: Format,
    note: Format,
    header: Format,
    body: Format,
    center: Format,
    link: Format,
    severity: [Format; 3],
}

impl Formats {
    fn new() -> Formats {
        let font = Format::new()
            .set_font_name(crate::style::FONT)
            .set_font_charset(crate::style::CHARSET)
            .set_font_size(10);
        let body = font
            .clone()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let center = body.clone().set_align(FormatAlign::Center);
        Formats {
            title: font
                .clone()
                .set_font_name(crate::style::TITLE_FONT)
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            note: font
                .clone()
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter),
            header: center
                .clone()
                .set_bold()
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7)),
            severity: SEVERITY_FILLS.map(|c| center.clone().set_background_color(Color::RGB(c))),
            link: center
                .clone()
                .set_font_color(Color::RGB(0x0563C1))
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            body,
            center,
        }
    }
}

/// The columns of the 问题清单 after the file column: header and width.
const COLUMNS: [(&str, f64); 12] = [
    ("序号", 5.0),
    ("表", 12.0),
    ("单元格", 8.0),
    ("规则", 6.0),
    ("级别", 6.0),
    ("问题", 44.0),
    ("应为", 12.0),
    ("实为", 12.0),
    ("差额", 10.0),
    ("涉及单元格", 13.0),
    ("处理意见", 16.0),
    ("整改情况", 16.0),
];

/// A list of one file (with its rules), or of several (the bureau's list).
fn single<'l, 'a>(files: &'l [Listed<'a>]) -> Option<&'l Listed<'a>> {
    match files {
        [one] if one.ledger.is_some() => Some(one),
        _ => None,
    }
}

/// The title of a 问题清单 of `files`.
fn title(files: &[Listed<'_>]) -> String {
    match single(files) {
        Some(one) => format!(
            "{}{}问题清单",
            one.department.as_deref().unwrap_or(""),
            one.year
                .map(|y| format!("{y}年部门预算"))
                .unwrap_or_default()
        ),
        None => format!("部门预算问题清单（共 {} 个文件）", files.len()),
    }
}

/// How many lines of each severity: error, warning, info.
fn tally(lines: &[Line]) -> [usize; 3] {
    let mut n = [0; 3];
    for l in lines {
        n[severity_index(l.severity)] += 1;
    }
    n
}

/// `错误 2 个，警告 1 个，提示 0 个`.
fn counts(n: [usize; 3]) -> String {
    format!("错误 {} 个，警告 {} 个，提示 {} 个", n[0], n[1], n[2])
}

/// A 问题清单 workbook that prints on A4 (landscape, fitted to the width, header rows
/// repeated, numbered pages): a title with the department, year and `date`; one row per
/// finding with empty 处理意见 and 整改情况 columns to work it through (with several
/// files, a 文件 column first); then, for one file, every rule's result, and for
/// several, each file's counts.
pub fn findings_workbook(files: &[Listed<'_>], date: &str) -> Result<Workbook, XlsxError> {
    bureau_workbook(files, None, date)
}

/// [`findings_workbook`] of files whose findings are loaded one file at a time by
/// `load` (a batch keeps them on disk): the list never holds them all.
pub fn bureau_workbook(
    files: &[Listed<'_>],
    load: Load<'_>,
    date: &str,
) -> Result<Workbook, XlsxError> {
    let mut wb = crate::new_workbook();
    let fm = Formats::new();
    findings_sheet(&mut wb, files, &load, date, &fm)?;
    match single(files) {
        Some(one) => ledger_sheet(&mut wb, one, &fm)?,
        None => files_sheet(&mut wb, files, &load, &fm)?,
    }
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(title(files))
            .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    Ok(wb)
}

/// Title (row 1), note (row 2), headers (row 3), widths; the sheet set to print.
fn headed_sheet<'w>(
    wb: &'w mut Workbook,
    (name, title, note): (&str, &str, &str),
    cols: &[(&str, f64)],
    fm: &Formats,
) -> Result<&'w mut Worksheet, XlsxError> {
    // Rows go to a temporary file as they are written: a bureau's list may hold
    // tens of thousands of findings.
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    let last = (cols.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last, title, &fm.title)?;
    ws.set_row_height(0, 30)?;
    ws.merge_range(1, 0, 1, last, note, &fm.note)?;
    let total: f64 = cols.iter().map(|c| c.1).sum();
    ws.set_row_height(1, fitted_height(&[(note, total)]))?;
    for (i, (h, w)) in cols.iter().enumerate() {
        ws.write_string_with_format(2, i as u16, *h, &fm.header)?;
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_row_height(2, 20)?;
    ws.set_freeze_panes(3, 0)?;
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(2, 2)?;
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_footer("&C第 &P 页 共 &N 页");
    Ok(ws)
}

/// One body row: its texts, the link of its link column, and what picks its formats
/// (the severity index of a finding).
type BodyRow = (Vec<String>, Option<String>, usize);

/// Rows of texts from row 3 on, written as they come (the sheet keeps no rows in
/// memory), each as tall as its text; `format(kind, col)` picks the format, a row's
/// link goes in column `link.0` with format `link.1`. The last row written.
fn body_rows<'f>(
    ws: &mut Worksheet,
    rows: impl Iterator<Item = BodyRow>,
    cols: &[(&str, f64)],
    format: impl Fn(usize, usize) -> &'f Format,
    link: Option<(usize, &Format)>,
) -> Result<u32, XlsxError> {
    let mut row = 3;
    for (texts, url, kind) in rows {
        for (c, t) in texts.iter().enumerate() {
            match (link, &url) {
                (Some((at, f)), Some(url)) if at == c => {
                    ws.write_url_with_format(row, c as u16, Url::new(url).set_text(t), f)?;
                }
                _ => {
                    ws.write_string_with_format(row, c as u16, t, format(kind, c))?;
                }
            }
        }
        let widths: Vec<(&str, f64)> = texts
            .iter()
            .zip(cols)
            .map(|(t, c)| (t.as_str(), c.1))
            .collect();
        ws.set_row_height(row, fitted_height(&widths))?;
        row += 1;
    }
    let last = row - 1;
    ws.autofilter(2, 0, last.max(3), (cols.len() - 1) as u16)?;
    ws.set_print_area(0, 0, last, (cols.len() - 1) as u16)?;
    Ok(last)
}

/// 问题清单: one row per finding, most severe first within each table.
fn findings_sheet(
    wb: &mut Workbook,
    files: &[Listed<'_>],
    load: &Load<'_>,
    date: &str,
    fm: &Formats,
) -> Result<(), XlsxError> {
    let several = single(files).is_none();
    let mut cols: Vec<(&str, f64)> = Vec::new();
    if several {
        cols.push(("文件", 22.0));
    }
    cols.extend(COLUMNS);
    let mut n = [0; 3];
    for i in 0..files.len() {
        let t = tally(&lines_of(files, load, i));
        for (a, b) in n.iter_mut().zip(t) {
            *a += b;
        }
    }
    let note = match single(files) {
        Some(one) => format!("文件：{}　　检查日期：{date}　　{}", one.file, counts(n)),
        None => format!(
            "检查日期：{date}　　{}　　（各条问题的单元格链接见各文件自己的问题清单）",
            counts(n)
        ),
    };
    let ws = headed_sheet(wb, ("问题清单", &title(files), &note), &cols, fm)?;
    let first = usize::from(several);
    let mut number = 0;
    let rows = (0..files.len()).flat_map(|i| {
        let file = &files[i];
        lines_of(files, load, i)
            .into_owned()
            .into_iter()
            .map(move |line| (file, line))
    });
    let rows = rows.map(|(file, line)| {
        number += 1;
        let mut texts: Vec<String> = Vec::new();
        if several {
            texts.push(file.file.clone());
        }
        texts.extend(line.texts(number));
        texts.extend([String::new(), String::new()]);
        // A bureau's list links no cell: Excel takes at most 65,530 links a sheet, and
        // each file's own list links into its annotated copy.
        let url = match (&file.annotated, line.has_cell() && !several) {
            (Some(copy), true) => {
                let sheet = line.sheet.as_deref().unwrap_or_default();
                let cell = line.cell.as_deref().unwrap_or_default();
                Some(format!(
                    "file:///{copy}#'{}'!{cell}",
                    sheet.replace('\'', "''")
                ))
            }
            _ => None,
        };
        (texts, url, severity_index(line.severity))
    });
    let none = (n == [0; 3]).then(|| {
        let mut none = vec![String::new(); cols.len()];
        none[first + 5] = "未发现问题。".into();
        (none, None, 2)
    });
    let format = |kind: usize, c: usize| match c.checked_sub(first) {
        Some(0 | 3) => &fm.center,
        Some(4) => &fm.severity[kind],
        _ => &fm.body,
    };
    body_rows(
        ws,
        rows.chain(none),
        &cols,
        format,
        Some((first + 2, &fm.link)),
    )?;
    Ok(())
}

/// Where the findings of a bureau's list come from when the files do not hold them:
/// `load(i)` gives file `i`'s.
pub type Load<'a> = Option<&'a dyn Fn(usize) -> Vec<Line>>;

/// The findings of file `i`.
fn lines_of<'l>(
    files: &'l [Listed<'_>],
    load: &Load<'_>,
    i: usize,
) -> std::borrow::Cow<'l, [Line]> {
    match load {
        Some(f) if files[i].lines.is_empty() => std::borrow::Cow::Owned(f(i)),
        _ => std::borrow::Cow::Borrowed(&files[i].lines),
    }
}

/// 规则执行情况 of one file: every rule with its result and reason.
fn ledger_sheet(wb: &mut Workbook, one: &Listed<'_>, fm: &Formats) -> Result<(), XlsxError> {
    let status = |s: Status| match s {
        Status::Passed => "通过",
        Status::Failed => "未通过",
        Status::NotRun => "未运行",
    };
    let rows: Vec<Vec<String>> = one
        .ledger
        .unwrap_or_default()
        .iter()
        .map(|e| {
            vec![
                e.rule.to_string(),
                e.title.to_string(),
                status(e.status).to_string(),
                e.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let cols = [("规则", 7.0), ("内容", 44.0), ("结果", 8.0), ("说明", 70.0)];
    let note = format!("文件：{}　　共 {} 条规则", one.file, rows.len());
    let centred = |c| matches!(c, 0 | 2);
    text_sheet(wb, ("规则执行情况", &note), &cols, rows, fm, centred)
}

/// A sheet titled `name` of plain text rows, the columns where `centred` centred.
fn text_sheet(
    wb: &mut Workbook,
    (name, note): (&str, &str),
    cols: &[(&str, f64)],
    rows: Vec<Vec<String>>,
    fm: &Formats,
    centred: impl Fn(usize) -> bool,
) -> Result<(), XlsxError> {
    let ws = headed_sheet(wb, (name, name, note), cols, fm)?;
    let format = |_, c| if centred(c) { &fm.center } else { &fm.body };
    body_rows(
        ws,
        rows.into_iter().map(|r| (r, None, 0)),
        cols,
        format,
        None,
    )?;
    Ok(())
}

/// 各文件情况 of a bureau's list: each file with its counts.
fn files_sheet(
    wb: &mut Workbook,
    files: &[Listed<'_>],
    load: &Load<'_>,
    fm: &Formats,
) -> Result<(), XlsxError> {
    let rows: Vec<Vec<String>> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let n = tally(&lines_of(files, load, i));
            vec![
                f.file.clone(),
                f.department.clone().unwrap_or_default(),
                f.year.map(|y| y.to_string()).unwrap_or_default(),
                n[0].to_string(),
                n[1].to_string(),
                n[2].to_string(),
            ]
        })
        .collect();
    let cols = [
        ("文件", 36.0),
        ("部门", 36.0),
        ("年度", 8.0),
        ("错误", 8.0),
        ("警告", 8.0),
        ("提示", 8.0),
    ];
    let note = format!(
        "共 {} 个有问题的文件；各文件的规则执行情况见其本身的问题清单",
        files.len()
    );
    text_sheet(wb, ("各文件情况", &note), &cols, rows, fm, |c| c >= 2)
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
                severity: f.severity,
                note: format!("{} {}：{}", f.rule, f.severity.label(), f.message),
            })
        })
        .collect()
}

/// Today's date in China (UTC+8) as `2026年12月2日`; `SOURCE_DATE_EPOCH` (seconds),
/// when set, fixes it, for reproducible outputs.
pub fn today() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    let (y, m, d) = civil((secs + 8 * 3600).div_euclid(86_400));
    format!("{y}年{m}月{d}日")
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_dates_in_china() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(20_423), (2025, 12, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
    }

    #[test]
    fn a_row_is_as_tall_as_its_longest_text() {
        let one = fitted_height(&[("短", 10.0)]);
        let long = "一".repeat(45);
        assert!(fitted_height(&[(&long, 10.0)]) > 4.0 * one);
        assert_eq!(fitted_height(&[("a\nb\nc", 40.0)]), 3.0 * 13.5 + 4.0);
    }
}
