//! Findings for people and programs: the terminal report (Chinese, grouped by table,
//! most severe first) and the JSON document (`yusuan-check/1`). Severity is decided by
//! the rules; this module only shows it. The 问题清单 workbook is `yusuan_write`'s.

use std::collections::BTreeMap;

use serde::Serialize;

use yusuan_core::{Budget, Catalog, TableId};
use yusuan_rules::{Finding, LedgerEntry, Report, Severity, Status};

/// The JSON contract `yusuan-check/1` of one file (see the README).
#[derive(Debug, Serialize)]
pub struct FileJson<'a> {
    /// The file as given.
    pub file: String,
    /// The department, when the file is a workbook that names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<&'a str>,
    /// The budget year, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Set when the file could not be used at all (exit code 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Findings by severity.
    pub counts: Counts,
    /// The findings, most severe first.
    pub findings: Vec<FindingJson<'a>>,
    /// Every rule's status.
    pub ledger: &'a [LedgerEntry],
}

/// How many findings of each severity.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    /// Errors.
    pub error: usize,
    /// Warnings.
    pub warning: usize,
    /// Infos.
    pub info: usize,
}

/// A finding with its location spelled out.
#[derive(Debug, Serialize)]
pub struct FindingJson<'a> {
    /// The finding's fields.
    #[serde(flatten)]
    pub finding: &'a Finding,
    /// `表3!E12`, or the sheet, or `（工作簿）`.
    pub location: String,
}

/// The counts of a report.
pub fn counts(r: &Report) -> Counts {
    Counts {
        error: r.count(Severity::Error),
        warning: r.count(Severity::Warning),
        info: r.count(Severity::Info),
    }
}

/// The JSON object of one checked file (`budget`: the workbook, when the file was one).
pub fn file_json<'a>(file: &str, budget: Option<&'a Budget>, r: &'a Report) -> FileJson<'a> {
    FileJson {
        file: file.to_string(),
        department: budget.and_then(|b| b.department.as_deref()),
        year: budget.and_then(|b| b.year),
        error: None,
        counts: counts(r),
        findings: r
            .ordered()
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

fn group_title(f: &Finding, budget: Option<&Budget>) -> String {
    let catalog = Catalog::get();
    let layout = budget.and_then(|b| catalog.layout(&b.layout));
    match (f.table, f.line) {
        (Some(TableId::Info), _) => "部门基本情况".to_string(),
        // A layout that names its tables: the name, and the sheet it is in.
        (Some(id), _) if layout.is_some_and(|l| l.labels.contains_key(&id)) => {
            let label = layout.map_or(id.label(), |l| l.label(id));
            match budget.and_then(|b| b.table(id)) {
                Some(t) => format!("{label}（工作表「{}」）", t.sheet.trim()),
                None => label.to_string(),
            }
        }
        (Some(id), _) => format!("{} {}", id, catalog.table(id).title),
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
    for f in r.ordered() {
        if current != Some(f.group()) {
            out.push_str(&paint(BOLD, &format!("【{}】", group_title(f, budget))));
            out.push('\n');
            current = Some(f.group());
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
