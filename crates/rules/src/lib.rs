//! The rule catalogue: every rule a unit struct implementing [`Rule`] (its id, default
//! severity and Chinese title in one place, [`Meta`]), the built-in S, V, K, X and C rules
//! in one list ([`builtin`]); a caller adds its own (the N rules of the 情况说明) and runs
//! them with [`run`]. Running gives findings (each with the exact cell, and the cells
//! that were summed) and a ledger that says, for every rule, whether it passed, failed or
//! could not run, and why.
//!
//! ```
//! use yusuan_core::{CodeLists, Catalog, recognise};
//! use yusuan_grid::{Cell, Grid, Format, Sheet};
//! use yusuan_rules::{Ctx, Severity, Status, builtin, run};
//!
//! // 表3 whose 类 says 530.98 over a 款 of 530.88
//! let t = |s: &str| Cell::Text(s.into());
//! let n = Cell::Number;
//! let sheet = Sheet::from_cells("表3", vec![
//!     (0, 0, t("一般公共预算支出预算表")), (1, 2, t("单位：万元")),
//!     (2, 0, t("科目编码")), (2, 1, t("科目名称")), (2, 2, t("合计")),
//!     (3, 1, t("合计")), (3, 2, n(530.98)),
//!     (4, 0, t("201")), (4, 1, t("一般公共服务支出")), (4, 2, n(530.98)),
//!     (5, 0, t("20102")), (5, 1, t("政协事务")), (5, 2, n(530.88)),
//! ]);
//! let grid = Grid { format: Format::Xlsx, sheets: vec![sheet] };
//! let budget = recognise(&grid, CodeLists::builtin()).unwrap();
//! let ctx = Ctx { budget: &budget, codes: CodeLists::builtin(), catalog: Catalog::get(), text: None };
//! let report = run(&ctx, &builtin());
//! let k104 = report.of("K104").next().unwrap();
//! assert_eq!((k104.severity, k104.cell.as_deref()), (Severity::Error, Some("C5")));
//! assert_eq!(report.status("K104"), Some(Status::Failed));
//! ```
//!
//! Tolerance: figures from the same table, or from tables in the same unit, must agree
//! exactly. Where a comparison crosses units (a 万元 table against a 元 table), each
//! 万元 figure may carry up to 0.005 万元 (50 元) of rounding; a difference within that
//! allowance is reported once as `info`, never as an error.
#![deny(missing_docs)]

/// Define a rule: a documented unit struct whose id is its name, with its severity,
/// title and check function.
macro_rules! rule {
    ($(#[$doc:meta])* $name:ident, $severity:ident, $title:literal, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $crate::Rule for $name {
            fn meta(&self) -> $crate::Meta {
                $crate::Meta {
                    id: stringify!($name),
                    severity: $crate::Severity::$severity,
                    title: $title,
                }
            }

            fn check(
                &self,
                ctx: &$crate::Ctx<'_>,
                out: &mut $crate::Out,
            ) -> Result<(), $crate::NotRun> {
                $check(ctx, out)
            }
        }
    };
}

mod arithmetic;
mod codes;
mod cross;
mod structure;
mod values;

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

use yusuan_core::{Budget, CellRef, Line, Table, TextLine, Unit};
use yusuan_core::{Catalog, CodeLists, TableId};

/// How serious a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be corrected before publishing (exit 1).
    Error,
    /// Should be looked at.
    Warning,
    /// For information (a rounding difference, a convention).
    Info,
}

impl Severity {
    /// `错误`, `警告` or `提示`.
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
    /// The rule id (`K104`).
    pub rule: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// The table the finding belongs to (for grouping), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<TableId>,
    /// Sheet and A1 cell; `None` for findings about the workbook as a whole.
    pub sheet: Option<String>,
    /// The A1 cell.
    pub cell: Option<String>,
    /// What is wrong, in Chinese, with the figures.
    pub message: String,
    /// The figure found and the figure it should equal, and their difference, as
    /// shown in the message (in `unit`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// The figure it should be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// `actual − expected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<String>,
    /// The unit of `actual`, `expected` and `difference`.
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

    /// The report group: tables in catalogue order, then the explanation text, then
    /// the workbook as a whole.
    pub fn group(&self) -> u8 {
        match (self.table, self.line) {
            (Some(t), _) => t as u8,
            (None, Some(_)) => 98,
            (None, None) => 99,
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

/// What happened to a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Ran, found nothing of its severity or worse.
    Passed,
    /// Ran and found something.
    Failed,
    /// Could not run (the ledger says why).
    NotRun,
}

/// What happened to one rule on one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerEntry {
    /// The rule id.
    pub rule: &'static str,
    /// The rule's title (for reports that list the ledger).
    #[serde(skip)]
    pub title: &'static str,
    /// What happened.
    pub status: Status,
    /// Why it did not run, or which parts of it could not run.
    pub reason: Option<String>,
    /// How many claims or figures it checked, when it counts them (the N rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked: Option<usize>,
    /// How many figures it could not use (their subject or counterpart unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unchecked: Option<usize>,
}

/// Findings and ledger of one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Every finding, in the order the rules found them (see [`Report::ordered`]).
    pub findings: Vec<Finding>,
    /// One entry per rule.
    pub ledger: Vec<LedgerEntry>,
}

impl Report {
    /// How many findings of severity `s`.
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// Findings of one rule.
    pub fn of(&self, rule: &str) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.rule == rule)
    }

    /// Findings in report order: by table (catalogue order, then the explanation
    /// text, then the workbook as a whole), most severe first, then by position.
    pub fn ordered(&self) -> Vec<&Finding> {
        let mut v: Vec<&Finding> = self.findings.iter().collect();
        let pos = |f: &Finding| {
            f.cell
                .as_deref()
                .and_then(yusuan_core::parse_a1)
                .unwrap_or((u32::MAX, u32::MAX))
        };
        v.sort_by_key(|f| (f.group(), f.severity, f.line.unwrap_or(0), pos(f), f.rule));
        v
    }

    /// The status of `rule`, if it ran.
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
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The budget checked.
    pub budget: &'a Budget,
    /// The code lists (built-in or a bureau's own).
    pub codes: &'a CodeLists,
    /// The catalogue.
    pub catalog: &'static Catalog,
    /// The explanation text's lines, when one is checked.
    pub text: Option<&'a [TextLine]>,
}

impl<'a> Ctx<'a> {
    /// A recognised table, or why the rule cannot run.
    pub fn table(&self, id: TableId) -> Result<&'a Table, NotRun> {
        self.budget.table(id).ok_or_else(|| {
            let layout = self.catalog.layout(&self.budget.layout);
            match layout {
                Some(l) if !l.required.contains(&id) => NotRun(format!(
                    "{}不含{id}（{}）",
                    l.name,
                    self.catalog.table(id).title
                )),
                _ => NotRun(format!("{id}缺失")),
            }
        })
    }

    /// A table with a known unit (needed to compare it with another table).
    pub fn table_with_unit(&self, id: TableId) -> Result<(&'a Table, Unit), NotRun> {
        let t = self.table(id)?;
        let u = t.unit.ok_or_else(|| NotRun(format!("{id}缺少金额单位")))?;
        Ok((t, u))
    }
}

/// What identifies a rule: its stable id, default severity and Chinese title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// The stable id (`K104`).
    pub id: &'static str,
    /// The severity of its findings unless a finding says otherwise.
    pub severity: Severity,
    /// What it checks, in Chinese.
    pub title: &'static str,
}

/// One rule of the catalogue. The built-in rules are unit structs ([`S001`] …
/// [`C306`]); other crates add their own (the narrative crate's N rules) and the
/// caller passes the list to [`run`].
pub trait Rule: Sync {
    /// Id, severity and title.
    fn meta(&self) -> Meta;
    /// Check the budget, writing findings to `out`; `Err` when the rule could not run.
    fn check(&self, ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun>;
}

pub use arithmetic::{K101, K102, K103, K104, K105, K106, K107};
pub use codes::{C301, C302, C303, C304, C305, C306};
pub use cross::{X201, X202, X203, X204, X205, X206, X207, X208};
pub use structure::{S001, S002, S003, S004, S005, S006, S007};
pub use values::{V001, V002, V003, V004, V005};

/// The built-in rules (S, V, K, X, C), in catalogue order.
pub fn builtin() -> Vec<&'static dyn Rule> {
    vec![
        &S001, &S002, &S003, &S004, &S005, &S006, &S007, &V001, &V002, &V003, &V004, &V005, &K101,
        &K102, &K103, &K104, &K105, &K106, &K107, &X201, &X202, &X203, &X204, &X205, &X206, &X207,
        &X208, &C301, &C302, &C303, &C304, &C305, &C306,
    ]
}

/// Most findings kept for one rule on one file; the rest are counted in one closing
/// finding (a workbook with 100,000 bad rows needs the pattern, not every row).
pub const MAX_FINDINGS_PER_RULE: usize = 1000;

/// Collects one rule's findings.
#[derive(Debug)]
pub struct Out {
    rule: Meta,
    findings: Vec<Finding>,
    /// Parts of the rule that could not run.
    skipped: Vec<String>,
    /// Findings beyond [`MAX_FINDINGS_PER_RULE`]: counted, written to `spill`.
    suppressed: usize,
    /// What the rule checked and could not check, when it counts.
    counts: Option<(usize, usize)>,
    spill: Finding,
}

impl Out {
    fn new(rule: Meta) -> Out {
        Out {
            rule,
            findings: Vec::new(),
            skipped: Vec::new(),
            suppressed: 0,
            counts: None,
            spill: Finding::empty(rule.id, rule.severity),
        }
    }

    /// The findings, with one closing finding for those beyond the cap.
    fn finish(mut self) -> (Vec<Finding>, Vec<String>, Option<(usize, usize)>) {
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
        (self.findings, self.skipped, self.counts)
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
            sheet: at.map(|c| yusuan_core::text::clip(&c.sheet, 31)),
            cell: at.map(|c| c.a1()),
            message: yusuan_core::text::clip(&message, 600),
            ..Finding::empty(self.rule.id, severity)
        });
        self.findings.last_mut().expect("just pushed")
    }

    /// A finding on a line of the explanation text (its cell, when the text is the
    /// workbook's own), quoting `quote`.
    pub fn text(
        &mut self,
        severity: Severity,
        line: usize,
        cell: Option<&CellRef>,
        quote: &str,
        message: String,
    ) -> &mut Finding {
        let f = self.push(severity, None, cell, message);
        f.line = Some(line);
        f.quote = Some(yusuan_core::text::clip(quote.trim(), 300));
        f
    }

    /// What the rule checked, and how many figures it could not use (in the ledger).
    pub fn count(&mut self, checked: usize, unchecked: usize) {
        self.counts = Some((checked, unchecked));
    }

    /// Part of the rule could not run (recorded in the ledger).
    pub fn skip(&mut self, reason: impl Into<String>) {
        let r = reason.into();
        if !self.skipped.contains(&r) {
            self.skipped.push(r);
        }
    }

    /// The severity of the rule running.
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
}

// ---------------------------------------------------------------- figures and comparisons

/// A figure for messages: up to two decimals as `530.88`, more when it has them.
pub fn num(v: Decimal) -> String {
    let n = v.normalize();
    if n.scale() <= 2 {
        yusuan_core::show2(n)
    } else {
        n.to_string()
    }
}

/// One side of a comparison: a value in its table's unit, where it is, and how many
/// rounded figures it adds up (for the rounding allowance across units).
#[derive(Debug, Clone)]
pub struct Fig {
    /// The value, in `unit`.
    pub value: Decimal,
    /// The unit of its table.
    pub unit: Unit,
    /// Where it is (the total's cell for a sum).
    pub at: CellRef,
    /// How many rounded figures it adds up.
    pub terms: u32,
    /// Cells summed into the value (empty for a single cell).
    pub cells: Vec<CellRef>,
}

impl Fig {
    /// One cell's figure.
    pub fn cell(value: Decimal, unit: Unit, at: &CellRef) -> Fig {
        Fig {
            value,
            unit,
            at: at.clone(),
            terms: 1,
            cells: Vec::new(),
        }
    }

    /// The value in 元.
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
    /// Equal.
    Equal,
    /// Different, but within the rounding a unit conversion can cause (in 元).
    Rounding(Decimal),
    /// Different (difference in 元).
    Differ(Decimal),
}

/// Half of 0.01万元, in 元: the rounding one 万元 figure can carry.
const HALF_CENT_WAN: i64 = 50;

/// Compare two figures: equal, different within the rounding their units allow, or different.
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
        // Figures shown to a precision (whole 元, 0.01 万元) were each rounded on their
        // own: a sum may differ from its parts by up to half a unit per part.
        let precision = table.precision();
        let bound = precision * Decimal::from(summed.len().max(1)) / Decimal::TWO;
        if diff.abs() <= bound {
            let unit_label = unit.map_or("", Unit::label);
            let f = self.push(
                Severity::Info,
                Some(table.id),
                Some(at),
                format!(
                    "舍入差异：{what} {} 与{against} {} 相差 {}{unit_label}，在 {} 个数各自四舍五入到 {}{unit_label} 的范围内（至多 {}{unit_label}）",
                    num(actual),
                    num(expected),
                    num(diff),
                    summed.len().max(1),
                    precision.normalize(),
                    bound.normalize()
                ),
            );
            f.actual = Some(num(actual));
            f.expected = Some(num(expected));
            f.difference = Some(num(diff));
            f.unit = unit.map(Unit::label);
            if !summed.is_empty() {
                f.related.push(cells_text(summed));
            }
            return;
        }
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
    let name = yusuan_core::text::clip(&l.name, 60);
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

/// Run the built-in rules on a budget.
pub fn validate(budget: &Budget, codes: &CodeLists) -> Report {
    run(
        &Ctx {
            budget,
            codes,
            catalog: Catalog::get(),
            text: None,
        },
        &builtin(),
    )
}

/// Run `rules` in order with a prepared context: the findings of each, and the ledger
/// entry that says whether it passed, failed or could not run.
pub fn run(ctx: &Ctx<'_>, rules: &[&dyn Rule]) -> Report {
    let mut report = Report::default();
    for rule in rules {
        let meta = rule.meta();
        let mut out = Out::new(meta);
        let result = rule.check(ctx, &mut out);
        let (mut findings, skipped, counts) = out.finish();
        let layout = ctx.catalog.layout(&ctx.budget.layout);
        let relabel = |s: &str| layout.map_or_else(|| s.to_string(), |l| l.relabel(s));
        for f in &mut findings {
            f.message = relabel(&f.message);
        }
        let skipped: Vec<String> = skipped.iter().map(|s| relabel(s)).collect();
        let result = result.map_err(|NotRun(r)| NotRun(relabel(&r)));
        let failed = findings.iter().any(|f| f.severity != Severity::Info);
        let entry = match result {
            Err(NotRun(reason)) => LedgerEntry {
                rule: meta.id,
                title: meta.title,
                status: Status::NotRun,
                reason: Some(reason),
                checked: None,
                unchecked: None,
            },
            Ok(()) => LedgerEntry {
                rule: meta.id,
                title: meta.title,
                status: if failed {
                    Status::Failed
                } else {
                    Status::Passed
                },
                reason: (!skipped.is_empty())
                    .then(|| format!("部分未核对：{}", skipped.join("；"))),
                checked: counts.map(|c| c.0),
                unchecked: counts.map(|c| c.1),
            },
        };
        report.ledger.push(entry);
        report.findings.extend(findings);
    }
    report
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
        let rules = builtin();
        let mut ids: Vec<&str> = rules.iter().map(|r| r.meta().id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), rules.len());
        assert!(rules.iter().all(|r| !r.meta().title.is_empty()));
    }

    #[test]
    fn cell_ranges_are_compact() {
        let c = |r| CellRef::new("表3", r, 2);
        assert_eq!(cells_text(&[c(6), c(7), c(8)]), "表3!C7:C9");
        assert_eq!(cells_text(&[c(6), c(8)]), "表3!C7,C9");
    }
}
