//! Findings for people and programs: the terminal report (Chinese, grouped by table,
//! most severe first), the JSON document, the 问题清单 workbook and the marks of an
//! annotated copy. Severity is decided by `validate`; this module only shows it.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use serde::Serialize;

use crate::catalog::{Catalog, TableId};
use crate::model::Budget;
use crate::validate::{Finding, LedgerEntry, Report, Severity, Status};
use crate::write::Mark;

/// The JSON contract `yusuan-check/1` of one file (see the README).
#[derive(Debug, Serialize)]
pub struct FileJson<'a> {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Set when the file could not be used at all (exit code 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub counts: Counts,
    pub findings: Vec<FindingJson<'a>>,
    pub ledger: &'a [LedgerEntry],
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

#[derive(Debug, Serialize)]
pub struct FindingJson<'a> {
    #[serde(flatten)]
    pub finding: &'a Finding,
    /// `表3!E12`, or the sheet, or `（工作簿）`.
    pub location: String,
}

pub fn counts(r: &Report) -> Counts {
    Counts {
        error: r.count(Severity::Error),
        warning: r.count(Severity::Warning),
        info: r.count(Severity::Info),
    }
}

/// Findings in report order: by table (catalogue order, workbook-level last), most
/// severe first, then by sheet position.
pub fn ordered(r: &Report) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = r.findings.iter().collect();
    let pos = |f: &Finding| {
        f.cell
            .as_deref()
            .and_then(crate::grid::parse_a1)
            .unwrap_or((u32::MAX, u32::MAX))
    };
    v.sort_by_key(|f| (group(f), f.severity, f.line.unwrap_or(0), pos(f), f.rule));
    v
}

pub fn file_json<'a>(file: &str, budget: Option<&'a Budget>, r: &'a Report) -> FileJson<'a> {
    FileJson {
        file: file.to_string(),
        department: budget.and_then(|b| b.department.as_deref()),
        year: budget.and_then(|b| b.year),
        error: None,
        counts: counts(r),
        findings: ordered(r)
            .into_iter()
            .map(|f| FindingJson {
                location: f.location(),
                finding: f,
            })
            .collect(),
        ledger: &r.ledger,
    }
}

/// The JSON object of a file that could not be used.
pub fn unreadable_json(file: &str, error: &str) -> serde_json::Value {
    serde_json::json!({
        "file": file,
        "error": error,
        "counts": { "error": 0, "warning": 0, "info": 0 },
        "findings": [],
        "ledger": [],
    })
}

const RED: &str = "\x1b[31;1m";
const YELLOW: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Report groups: tables in catalogue order, then the explanation text, then the
/// workbook as a whole.
fn group(f: &Finding) -> u8 {
    match (f.table, f.line) {
        (Some(t), _) => t as u8,
        (None, Some(_)) => 98,
        (None, None) => 99,
    }
}

fn group_title(f: &Finding) -> String {
    match (f.table, f.line) {
        (Some(TableId::Info), _) => "部门基本情况".to_string(),
        (Some(id), _) => format!("{} {}", id, Catalog::get().table(id).title),
        (None, Some(_)) => "情况说明".to_string(),
        (None, None) => "工作簿".to_string(),
    }
}

/// The ledger in one or two lines: counts, failed rules, rules not run with reasons.
pub fn ledger_summary(r: &Report) -> String {
    let n = |s: Status| r.ledger.iter().filter(|e| e.status == s).count();
    let mut out = format!(
        "规则 {} 条：通过 {}，未通过 {}，未运行 {}",
        r.ledger.len(),
        n(Status::Passed),
        n(Status::Failed),
        n(Status::NotRun)
    );
    let failed: Vec<&str> = r
        .ledger
        .iter()
        .filter(|e| e.status == Status::Failed)
        .map(|e| e.rule)
        .collect();
    if !failed.is_empty() {
        out.push_str(&format!("\n  未通过：{}", failed.join("、")));
    }
    let mut by_reason: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in r.ledger.iter().filter(|e| e.status == Status::NotRun) {
        by_reason
            .entry(e.reason.as_deref().unwrap_or(""))
            .or_default()
            .push(e.rule);
    }
    for (reason, rules) in by_reason {
        out.push_str(&format!("\n  未运行：{}（{reason}）", rules.join("、")));
    }
    for e in r.ledger.iter().filter(|e| e.status != Status::NotRun) {
        if let Some(reason) = &e.reason {
            out.push_str(&format!("\n  {}：{reason}", e.rule));
        }
    }
    out
}

/// The terminal report of one file.
pub fn text(file: &str, budget: Option<&Budget>, r: &Report, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let who = budget
        .map(|b| {
            format!(
                "（{}{}）",
                b.department_name(),
                b.year.map(|y| format!(" {y}年")).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    out.push_str(&paint(BOLD, &format!("检查 {file}{who}")));
    out.push('\n');
    let mut current: Option<u8> = None;
    for f in ordered(r) {
        if current != Some(group(f)) {
            out.push_str(&paint(BOLD, &format!("【{}】", group_title(f))));
            out.push('\n');
            current = Some(group(f));
        }
        let (code, tag) = match f.severity {
            Severity::Error => (RED, "错误"),
            Severity::Warning => (YELLOW, "警告"),
            Severity::Info => (DIM, "提示"),
        };
        let mut line = format!(
            "  {} {} {} {}",
            paint(code, tag),
            f.location(),
            f.rule,
            f.message
        );
        if let Some(q) = &f.quote {
            line.push_str(&paint(DIM, &format!("　原文：“{q}”")));
        }
        if !f.related.is_empty() {
            line.push_str(&paint(DIM, &format!("（涉及 {}）", f.related.join("；"))));
        }
        out.push_str(&line);
        out.push('\n');
    }
    if r.findings.is_empty() {
        out.push_str("  未发现问题\n");
    }
    let c = counts(r);
    out.push_str(&format!(
        "合计：错误 {} 条，警告 {} 条，提示 {} 条\n",
        c.error, c.warning, c.info
    ));
    out.push_str(&ledger_summary(r));
    out.push('\n');
    out
}

/// A 问题清单 workbook: one formatted row per finding, filterable, frozen header; a
/// second sheet with the ledger of every file.
pub fn workbook(files: &[(String, &Report)]) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let base = Format::new()
        .set_font_name(crate::write::style::FONT)
        .set_font_charset(crate::write::style::CHARSET)
        .set_font_size(10)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let header = base
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xDDEBF7));
    let wrap = base.clone().set_text_wrap();
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
    let ws = wb.add_worksheet();
    ws.set_name("问题清单")?;
    let cols = [
        ("文件", 28.0),
        ("表", 10.0),
        ("单元格", 10.0),
        ("规则", 8.0),
        ("级别", 8.0),
        ("说明", 90.0),
    ];
    for (i, (h, w)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &header)?;
        ws.set_column_width(i as u16, *w)?;
    }
    let mut row = 1;
    for (file, r) in files {
        for f in ordered(r) {
            ws.write_string_with_format(row, 0, file, &base)?;
            ws.write_string_with_format(
                row,
                1,
                f.table
                    .map(|t| t.label())
                    .or(f.sheet.as_deref())
                    .unwrap_or("工作簿"),
                &base,
            )?;
            ws.write_string_with_format(row, 2, f.cell.as_deref().unwrap_or(""), &base)?;
            ws.write_string_with_format(row, 3, f.rule, &base)?;
            ws.write_string_with_format(row, 4, f.severity.label(), &sev_fmt(f.severity))?;
            let msg = match &f.quote {
                Some(q) => format!("{}\n原文：“{q}”", f.message),
                None => f.message.clone(),
            };
            ws.write_string_with_format(row, 5, &msg, &wrap)?;
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

    let ws = wb.add_worksheet();
    ws.set_name("规则执行情况")?;
    let cols = [
        ("文件", 28.0),
        ("规则", 8.0),
        ("内容", 50.0),
        ("结果", 8.0),
        ("说明", 60.0),
    ];
    for (i, (h, w)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &header)?;
        ws.set_column_width(i as u16, *w)?;
    }
    let mut row = 1;
    for (file, r) in files {
        for e in &r.ledger {
            let title = crate::validate::rule(e.rule).map_or("", |x| x.title);
            let status = match e.status {
                Status::Passed => "通过",
                Status::Failed => "未通过",
                Status::NotRun => "未运行",
            };
            ws.write_string_with_format(row, 0, file, &base)?;
            ws.write_string_with_format(row, 1, e.rule, &base)?;
            ws.write_string_with_format(row, 2, title, &base)?;
            ws.write_string_with_format(row, 3, status, &base)?;
            ws.write_string_with_format(row, 4, e.reason.as_deref().unwrap_or(""), &wrap)?;
            row += 1;
        }
    }
    ws.autofilter(0, 0, row.saturating_sub(1).max(1), 4)?;
    ws.set_freeze_panes(1, 0)?;
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title("问题清单")
            .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    Ok(wb)
}

/// The cells to mark in an annotated copy, each with `规则 级别：说明`.
pub fn marks(r: &Report) -> Vec<Mark> {
    ordered(r)
        .into_iter()
        .filter_map(|f| {
            let (row, col) = crate::grid::parse_a1(f.cell.as_deref()?)?;
            Some(Mark {
                sheet: f.sheet.clone()?,
                row,
                col,
                note: format!("{} {}：{}", f.rule, f.severity.label(), f.message),
            })
        })
        .collect()
}
