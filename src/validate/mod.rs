//! The rule catalogue: every rule a small function with its id, default severity and
//! Chinese title, registered in one list ([`RULES`]). Running them gives findings (each
//! with the exact cell, and the cells that were summed) and a ledger that says, for
//! every rule, whether it passed, failed or could not run, and why.
//!
//! Tolerance: figures from the same table, or from tables in the same unit, must agree
//! exactly. Where a comparison crosses units (a 万元 table against a 元 table), each
//! 万元 figure may carry up to 0.005 万元 (50 元) of rounding; a difference within that
//! allowance is reported once as `info`, never as an error.

mod arithmetic;
mod codes;
mod cross;
mod structure;
mod values;

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::catalog::{Catalog, CodeLists, TableId};
use crate::model::{Budget, CellRef, Line, Table, Unit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One problem found, at one place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// The table the finding belongs to (for grouping), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<TableId>,
    /// Sheet and A1 cell; `None` for findings about the workbook as a whole.
    pub sheet: Option<String>,
    pub cell: Option<String>,
    pub message: String,
    /// The figure found and the figure it should equal, and their difference, as
    /// shown in the message (in `unit`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'static str>,
    /// The other cells involved: the summed range, the cell of the other table.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// For findings on the explanation text: its one-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// For findings on the explanation text: the sentence concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

impl Finding {
    /// A finding of `rule` with nothing filled in but its severity.
    fn empty(rule: &'static str, severity: Severity) -> Finding {
        Finding {
            rule,
            severity,
            table: None,
            sheet: None,
            cell: None,
            message: String::new(),
            actual: None,
            expected: None,
            difference: None,
            unit: None,
            related: Vec::new(),
            line: None,
            quote: None,
        }
    }

    /// `表3!E12`, the sheet alone, `情况说明第 12 行`, or `（工作簿）`.
    pub fn location(&self) -> String {
        match (&self.sheet, &self.cell, self.line) {
            (Some(s), Some(c), _) => format!("{s}!{c}"),
            (Some(s), None, _) => s.clone(),
            (None, _, Some(l)) => format!("情况说明第 {l} 行"),
            _ => "（工作簿）".to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    NotRun,
}

/// What happened to one rule on one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerEntry {
    pub rule: &'static str,
    pub status: Status,
    /// Why it did not run, or which parts of it could not run.
    pub reason: Option<String>,
}

/// Findings and ledger of one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub ledger: Vec<LedgerEntry>,
}

impl Report {
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// Findings of one rule.
    pub fn of(&self, rule: &str) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.rule == rule)
    }

    pub fn status(&self, rule: &str) -> Option<Status> {
        self.ledger
            .iter()
            .find(|e| e.rule == rule)
            .map(|e| e.status)
    }
}

/// A rule could not run at all.
#[derive(Debug, Clone)]
pub struct NotRun(pub String);

/// Everything a rule may look at.
pub struct Ctx<'a> {
    pub budget: &'a Budget,
    pub codes: &'a CodeLists,
    pub catalog: &'static Catalog,
    /// The explanation text, when checked with `--narrative`.
    pub narrative: Option<&'a crate::narrate::check::Text>,
}

impl<'a> Ctx<'a> {
    /// A recognised table, or why the rule cannot run.
    pub fn table(&self, id: TableId) -> Result<&'a Table, NotRun> {
        self.budget
            .table(id)
            .ok_or_else(|| NotRun(format!("{id}缺失")))
    }

    /// A table with a known unit (needed to compare it with another table).
    pub fn table_with_unit(&self, id: TableId) -> Result<(&'a Table, Unit), NotRun> {
        let t = self.table(id)?;
        let u = t.unit.ok_or_else(|| NotRun(format!("{id}缺少金额单位")))?;
        Ok((t, u))
    }
}

type Check = fn(&Ctx<'_>, &mut Out) -> Result<(), NotRun>;

/// One rule of the catalogue.
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// What it checks, in Chinese.
    pub title: &'static str,
    check: Check,
}

/// Every rule, in catalogue order.
pub static RULES: &[Rule] = &[
    Rule {
        id: "S001",
        severity: Severity::Error,
        title: "必须公开的表（表1至表5）都在",
        check: structure::s001,
    },
    Rule {
        id: "S002",
        severity: Severity::Error,
        title: "每张表都注明了金额单位",
        check: structure::s002,
    },
    Rule {
        id: "S003",
        severity: Severity::Error,
        title: "空表附有说明且说明的资金类别正确；非空表不带空表说明",
        check: structure::s003,
    },
    Rule {
        id: "S004",
        severity: Severity::Warning,
        title: "各表标题与部门基本情况的年度、部门名称一致",
        check: structure::s004,
    },
    Rule {
        id: "S005",
        severity: Severity::Warning,
        title: "没有遗留的模板占位内容",
        check: structure::s005,
    },
    Rule {
        id: "S006",
        severity: Severity::Info,
        title: "列出未识别和重复的工作表",
        check: structure::s006,
    },
    Rule {
        id: "V001",
        severity: Severity::Error,
        title: "金额单元格是数字",
        check: values::v001,
    },
    Rule {
        id: "V002",
        severity: Severity::Error,
        title: "公式单元格有计算结果",
        check: values::v002,
    },
    Rule {
        id: "V003",
        severity: Severity::Warning,
        title: "金额不为负数",
        check: values::v003,
    },
    Rule {
        id: "V004",
        severity: Severity::Warning,
        title: "金额最多两位小数",
        check: values::v004,
    },
    Rule {
        id: "V005",
        severity: Severity::Error,
        title: "同一张表中科目编码不重复",
        check: values::v005,
    },
    Rule {
        id: "K101",
        severity: Severity::Error,
        title: "表1 收入合计与收入总计",
        check: arithmetic::k101,
    },
    Rule {
        id: "K102",
        severity: Severity::Error,
        title: "表1 支出合计、支出总计与收支平衡",
        check: arithmetic::k102,
    },
    Rule {
        id: "K103",
        severity: Severity::Error,
        title: "各行合计等于各列之和",
        check: arithmetic::k103,
    },
    Rule {
        id: "K104",
        severity: Severity::Error,
        title: "类等于其下各款之和、款等于其下各项之和、合计等于各类之和",
        check: arithmetic::k104,
    },
    Rule {
        id: "K105",
        severity: Severity::Error,
        title: "“三公”经费合计与分项",
        check: arithmetic::k105,
    },
    Rule {
        id: "K106",
        severity: Severity::Error,
        title: "表2 财政拨款收支平衡、分资金来源收支一致",
        check: arithmetic::k106,
    },
    Rule {
        id: "K107",
        severity: Severity::Warning,
        title: "表3-1 人员经费等于301和303、公用经费等于302和310",
        check: arithmetic::k107,
    },
    Rule {
        id: "X201",
        severity: Severity::Error,
        title: "表1-1 与表1 收入一致",
        check: cross::x201,
    },
    Rule {
        id: "X202",
        severity: Severity::Error,
        title: "表1-2 与表1 支出一致",
        check: cross::x202,
    },
    Rule {
        id: "X203",
        severity: Severity::Error,
        title: "表2 本年收入与表1 各项财政拨款收入一致",
        check: cross::x203,
    },
    Rule {
        id: "X204",
        severity: Severity::Error,
        title: "表2 各资金来源支出与表3、表4、表5 一致",
        check: cross::x204,
    },
    Rule {
        id: "X205",
        severity: Severity::Error,
        title: "表3 不超过表1-2（全部为一般公共预算时相等）",
        check: cross::x205,
    },
    Rule {
        id: "X206",
        severity: Severity::Error,
        title: "表3 基本支出等于表3-1，项目支出等于表3-2",
        check: cross::x206,
    },
    Rule {
        id: "X207",
        severity: Severity::Error,
        title: "表2-1 合计等于表2 本年支出",
        check: cross::x207,
    },
    Rule {
        id: "C301",
        severity: Severity::Warning,
        title: "功能分类科目编码在科目表中",
        check: codes::c301,
    },
    Rule {
        id: "C302",
        severity: Severity::Error,
        title: "功能分类科目名称与编码相符",
        check: codes::c302,
    },
    Rule {
        id: "C303",
        severity: Severity::Warning,
        title: "没有使用已停用的旧科目名称",
        check: codes::c303,
    },
    Rule {
        id: "C304",
        severity: Severity::Error,
        title: "科目编码格式正确、层级归属正确",
        check: codes::c304,
    },
    Rule {
        id: "C305",
        severity: Severity::Warning,
        title: "经济分类科目编码在科目表中",
        check: codes::c305,
    },
    Rule {
        id: "C306",
        severity: Severity::Error,
        title: "经济分类科目名称与编码相符",
        check: codes::c306,
    },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Most findings kept for one rule on one file; the rest are counted in one closing
/// finding (a workbook with 100,000 bad rows needs the pattern, not every row).
pub const MAX_FINDINGS_PER_RULE: usize = 1000;

/// Collects one rule's findings.
pub struct Out {
    rule: &'static Rule,
    findings: Vec<Finding>,
    /// Parts of the rule that could not run.
    skipped: Vec<String>,
    /// Findings beyond [`MAX_FINDINGS_PER_RULE`]: counted, written to `spill`.
    suppressed: usize,
    spill: Finding,
}

impl Out {
    fn new(rule: &'static Rule) -> Out {
        Out {
            rule,
            findings: Vec::new(),
            skipped: Vec::new(),
            suppressed: 0,
            spill: Finding::empty(rule.id, rule.severity),
        }
    }

    /// The findings, with one closing finding for those beyond the cap.
    fn finish(mut self) -> (Vec<Finding>, Vec<String>) {
        if self.suppressed > 0 {
            let severity = self
                .findings
                .iter()
                .map(|f| f.severity)
                .min()
                .unwrap_or(self.rule.severity);
            self.findings.push(Finding {
                severity,
                message: format!(
                    "另有 {} 处同类问题（{}）未逐条列出：每条规则最多列出 {MAX_FINDINGS_PER_RULE} 处",
                    self.suppressed, self.rule.id
                ),
                related: Vec::new(),
                actual: None,
                expected: None,
                difference: None,
                ..self.spill.clone()
            });
        }
        (self.findings, self.skipped)
    }

    /// A finding of the rule's own severity at `at`.
    pub fn at(&mut self, table: Option<TableId>, at: &CellRef, message: String) -> &mut Finding {
        self.push(self.rule.severity, table, Some(at), message)
    }

    /// A finding with an explicit severity; `at` may be absent (workbook-level).
    pub fn push(
        &mut self,
        severity: Severity,
        table: Option<TableId>,
        at: Option<&CellRef>,
        message: String,
    ) -> &mut Finding {
        if self.findings.len() >= MAX_FINDINGS_PER_RULE {
            self.suppressed += 1;
            return &mut self.spill;
        }
        self.findings.push(Finding {
            table,
            sheet: at.map(|c| crate::text::clip(&c.sheet, 31)),
            cell: at.map(|c| c.a1()),
            message: crate::text::clip(&message, 600),
            ..Finding::empty(self.rule.id, severity)
        });
        self.findings.last_mut().expect("just pushed")
    }

    /// A finding on line `line` of the explanation text, quoting `quote`.
    pub fn text(
        &mut self,
        severity: Severity,
        line: usize,
        quote: &str,
        message: String,
    ) -> &mut Finding {
        let f = self.push(severity, None, None, message);
        f.line = Some(line);
        f.quote = Some(crate::text::clip(quote.trim(), 300));
        f
    }

    /// Part of the rule could not run (recorded in the ledger).
    pub fn skip(&mut self, reason: impl Into<String>) {
        let r = reason.into();
        if !self.skipped.contains(&r) {
            self.skipped.push(r);
        }
    }

    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
}

// ---------------------------------------------------------------- figures and comparisons

/// A figure for messages: up to two decimals as `530.88`, more when it has them.
pub fn num(v: Decimal) -> String {
    let n = v.normalize();
    if n.scale() <= 2 {
        crate::model::show2(n)
    } else {
        n.to_string()
    }
}

/// One side of a comparison: a value in its table's unit, where it is, and how many
/// rounded figures it adds up (for the rounding allowance across units).
#[derive(Debug, Clone)]
pub struct Fig {
    pub value: Decimal,
    pub unit: Unit,
    pub at: CellRef,
    pub terms: u32,
    /// Cells summed into the value (empty for a single cell).
    pub cells: Vec<CellRef>,
}

impl Fig {
    pub fn cell(value: Decimal, unit: Unit, at: &CellRef) -> Fig {
        Fig {
            value,
            unit,
            at: at.clone(),
            terms: 1,
            cells: Vec::new(),
        }
    }

    pub fn yuan(&self) -> Decimal {
        self.unit.to_yuan(self.value)
    }

    /// `684.78万元`.
    pub fn shown(&self) -> String {
        format!("{}{}", num(self.value), self.unit)
    }
}

/// How two figures compare under the tolerance rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Equal,
    /// Different, but within the rounding a unit conversion can cause (in 元).
    Rounding(Decimal),
    /// Different (difference in 元).
    Differ(Decimal),
}

/// Half of 0.01万元, in 元: the rounding one 万元 figure can carry.
const HALF_CENT_WAN: i64 = 50;

pub fn compare(a: &Fig, b: &Fig) -> Cmp {
    let diff = a.yuan() - b.yuan();
    if diff.is_zero() {
        return Cmp::Equal;
    }
    if a.unit == b.unit {
        return Cmp::Differ(diff);
    }
    let terms = |f: &Fig| if f.unit == Unit::WanYuan { f.terms } else { 0 };
    let allowance = Decimal::from(HALF_CENT_WAN * i64::from(terms(a) + terms(b)));
    if diff.abs() <= allowance {
        Cmp::Rounding(diff)
    } else {
        Cmp::Differ(diff)
    }
}

/// Compact list of cells: `C7:C9` when contiguous in one column, else `C7,C9,C12`.
pub fn cells_text(cells: &[CellRef]) -> String {
    if cells.is_empty() {
        return String::new();
    }
    let same_col = cells
        .windows(2)
        .all(|w| w[0].col == w[1].col && w[0].sheet == w[1].sheet);
    let contiguous = cells.windows(2).all(|w| w[1].row == w[0].row + 1);
    if same_col && contiguous && cells.len() > 2 {
        format!(
            "{}!{}:{}",
            cells[0].sheet,
            cells[0].a1(),
            cells[cells.len() - 1].a1()
        )
    } else if cells.len() > 12 {
        format!(
            "{}!{} 等 {} 个单元格",
            cells[0].sheet,
            cells[0].a1(),
            cells.len()
        )
    } else {
        let sheet = &cells[0].sheet;
        let parts: Vec<String> = cells
            .iter()
            .map(|c| {
                if &c.sheet == sheet {
                    c.a1()
                } else {
                    c.to_string()
                }
            })
            .collect();
        format!("{sheet}!{}", parts.join(","))
    }
}

impl Out {
    /// Report `actual ≠ expected` within one table (exact). `describe` gives `what` and
    /// `against`, the message without the figures: `一般公共服务支出(201)的合计`,
    /// `其下各款之和`.
    pub fn exact(
        &mut self,
        table: &Table,
        at: &CellRef,
        (actual, expected): (Decimal, Decimal),
        describe: impl FnOnce() -> (String, String),
        summed: &[CellRef],
    ) {
        if actual == expected {
            return;
        }
        // Described only when they differ: most sums agree, and the names cost more
        // than the comparison.
        let (what, against) = describe();
        let diff = actual - expected;
        let unit = table.unit;
        let f = self.at(
            Some(table.id),
            at,
            format!(
                "{what} {} ≠ {against} {}（差 {}）",
                num(actual),
                num(expected),
                num(diff)
            ),
        );
        f.actual = Some(num(actual));
        f.expected = Some(num(expected));
        f.difference = Some(num(diff));
        f.unit = unit.map(Unit::label);
        if !summed.is_empty() {
            f.related.push(cells_text(summed));
        }
    }

    /// Report a cross-table difference under the tolerance rules. `a` is where the
    /// finding is placed.
    pub fn cross(&mut self, table: TableId, a: &Fig, b: &Fig, what_a: &str, what_b: &str) {
        match compare(a, b) {
            Cmp::Equal => {}
            Cmp::Rounding(diff) => {
                let f = self.push(
                    Severity::Info,
                    Some(table),
                    Some(&a.at),
                    format!(
                        "{what_a} {} 与 {what_b} {} 相差 {} 元，在单位换算的四舍五入范围内",
                        a.shown(),
                        b.shown(),
                        num(diff)
                    ),
                );
                f.difference = Some(num(diff));
                f.unit = Some("元");
                f.related.push(b.at.to_string());
            }
            Cmp::Differ(diff) => {
                let same = a.unit == b.unit;
                let shown_diff = if same {
                    format!("{}{}", num(a.value - b.value), a.unit)
                } else {
                    format!("{}元", num(diff))
                };
                let f = self.at(
                    Some(table),
                    &a.at,
                    format!(
                        "{what_a} {} ≠ {what_b} {}（差 {shown_diff}）",
                        a.shown(),
                        b.shown()
                    ),
                );
                f.actual = Some(num(a.value));
                f.expected = Some(num(if same {
                    b.value
                } else {
                    a.unit.from_yuan(b.yuan())
                }));
                f.difference = Some(num(if same {
                    a.value - b.value
                } else {
                    a.unit.from_yuan(diff)
                }));
                f.unit = Some(a.unit.label());
                f.related.push(b.at.to_string());
                if !b.cells.is_empty() {
                    f.related.push(cells_text(&b.cells));
                }
            }
        }
    }
}

/// The name of a line for messages: `一般公共服务支出(201)`.
pub fn line_name(l: &Line) -> String {
    let name = crate::text::clip(&l.name, 60);
    match &l.code {
        Some(c) if !name.is_empty() => format!("{name}({c})"),
        Some(c) => c.clone(),
        None if name.is_empty() => format!("第 {} 行", l.row + 1),
        None => name,
    }
}

/// The header of a column for messages (as found in the sheet, else the catalogue's).
pub fn column_name(t: &Table, key: &str) -> String {
    t.column(key)
        .map(|c| c.header.rsplit('/').next().unwrap_or(&c.header).to_string())
        .or_else(|| {
            Catalog::get()
                .table(t.id)
                .column(key)
                .map(|c| c.header.clone())
        })
        .unwrap_or_else(|| key.to_string())
}

// ---------------------------------------------------------------- running

/// Run every rule on a budget.
pub fn validate(budget: &Budget, codes: &CodeLists) -> Report {
    run(&Ctx {
        budget,
        codes,
        catalog: Catalog::get(),
        narrative: None,
    })
}

/// Run every rule (and, when a text is given, the N rules) with a prepared context.
pub fn run(ctx: &Ctx<'_>) -> Report {
    let mut report = Report::default();
    let rules = RULES.iter().chain(crate::narrate::check::RULES.iter());
    for rule in rules {
        let mut out = Out::new(rule);
        let result = (rule.check)(ctx, &mut out);
        let (findings, skipped) = out.finish();
        let failed = findings.iter().any(|f| f.severity != Severity::Info);
        let entry = match result {
            Err(NotRun(reason)) => LedgerEntry {
                rule: rule.id,
                status: Status::NotRun,
                reason: Some(reason),
            },
            Ok(()) => LedgerEntry {
                rule: rule.id,
                status: if failed {
                    Status::Failed
                } else {
                    Status::Passed
                },
                reason: (!skipped.is_empty())
                    .then(|| format!("部分未核对：{}", skipped.join("；"))),
            },
        };
        report.ledger.push(entry);
        report.findings.extend(findings);
    }
    report
}

/// Build a rule (for the narrative rules, which live with the narrative code).
pub const fn make_rule(
    id: &'static str,
    severity: Severity,
    title: &'static str,
    check: Check,
) -> Rule {
    Rule {
        id,
        severity,
        title,
        check,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn fig(v: &str, unit: Unit, terms: u32) -> Fig {
        Fig {
            value: Decimal::from_str(v).unwrap(),
            unit,
            at: CellRef::new("表1", 0, 0),
            terms,
            cells: vec![],
        }
    }

    #[test]
    fn tolerance_only_across_units() {
        let w = Unit::WanYuan;
        let y = Unit::Yuan;
        assert_eq!(
            compare(&fig("684.78", w, 1), &fig("684.78", w, 1)),
            Cmp::Equal
        );
        assert!(matches!(
            compare(&fig("684.78", w, 1), &fig("684.79", w, 1)),
            Cmp::Differ(_)
        ));
        assert_eq!(
            compare(&fig("684.78", w, 1), &fig("6847800", y, 1)),
            Cmp::Equal
        );
        assert!(matches!(
            compare(&fig("684.78", w, 1), &fig("6847849", y, 1)),
            Cmp::Rounding(_)
        ));
        assert!(matches!(
            compare(&fig("684.78", w, 1), &fig("6847851", y, 1)),
            Cmp::Differ(_)
        ));
        // a sum of four rounded 万元 figures may be off by 4 × 50 元
        assert!(matches!(
            compare(&fig("684.78", w, 4), &fig("6847990", y, 1)),
            Cmp::Rounding(_)
        ));
    }

    #[test]
    fn rule_ids_are_unique_and_titled() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        assert!(RULES.iter().all(|r| !r.title.is_empty()));
    }

    #[test]
    fn cell_ranges_are_compact() {
        let c = |r| CellRef::new("表3", r, 2);
        assert_eq!(cells_text(&[c(6), c(7), c(8)]), "表3!C7:C9");
        assert_eq!(cells_text(&[c(6), c(8)]), "表3!C7,C9");
    }
}
