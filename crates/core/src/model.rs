//! The normalised budget: exact amounts, explicit units, every value with the cell it
//! came from.
//!
//! Amounts are `rust_decimal::Decimal` in the unit their table states ([`Unit`]);
//! conversions are explicit ([`Unit::to_yuan`], [`Unit::from_yuan`]) and exact (a 元
//! value divided by 10,000 is still exact in a `Decimal`). Rounding happens only where
//! a figure is shown: [`round2`] is half-up (away from zero) to two decimals.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};

use crate::catalog::{Side, Stage, TableId};
use yusuan_grid::{Format, a1};

/// The money unit a table states in its `单位：` cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Unit {
    /// 元.
    #[serde(rename = "元")]
    Yuan,
    /// 万元 (10,000 元).
    #[serde(rename = "万元")]
    WanYuan,
}

impl Unit {
    /// `元` or `万元`, as written in `单位：` cells and messages.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::WanYuan => "万元",
        }
    }

    /// How many 元 one of this unit is.
    pub fn yuan_per_unit(self) -> Decimal {
        match self {
            Unit::Yuan => Decimal::ONE,
            Unit::WanYuan => Decimal::from(10_000),
        }
    }

    /// Exact conversion to 元.
    pub fn to_yuan(self, v: Decimal) -> Decimal {
        v * self.yuan_per_unit()
    }

    /// Exact conversion from 元 into this unit (no rounding).
    pub fn from_yuan(self, yuan: Decimal) -> Decimal {
        yuan / self.yuan_per_unit()
    }

    /// Parse `元`, `万元` (also `人民币万元`, `万`), as written after `单位：`.
    pub fn parse(s: &str) -> Option<Unit> {
        let t = crate::text::fold(s);
        let t = t.trim_start_matches("人民币");
        if t.starts_with("万元") || t == "万" {
            Some(Unit::WanYuan)
        } else if t.starts_with('元') {
            Some(Unit::Yuan)
        } else {
            None
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Half-up (away from zero) to two decimals: the rounding used wherever a figure is
/// shown or converted for display.
pub fn round2(v: Decimal) -> Decimal {
    v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A decimal as text with at least two decimals (`6847800` → `6847800.00`) and no
/// trailing zeros beyond them.
pub fn decimal_string(v: Decimal) -> String {
    let mut n = v.normalize();
    if n.scale() < 2 {
        n.rescale(2);
    }
    n.to_string()
}

/// A figure for people: two decimals, thousands separators off (`684.78`).
pub fn show2(v: Decimal) -> String {
    let mut r = round2(v);
    r.rescale(2);
    r.to_string()
}

/// Where a value came from: sheet and zero-based row/column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellRef {
    /// The sheet's name.
    pub sheet: String,
    /// Zero-based row.
    pub row: u32,
    /// Zero-based column.
    pub col: u32,
}

impl CellRef {
    /// The cell at zero-based `row` and `col` of `sheet`.
    pub fn new(sheet: &str, row: u32, col: u32) -> CellRef {
        CellRef {
            sheet: sheet.to_string(),
            row,
            col,
        }
    }

    /// `E12`.
    pub fn a1(&self) -> String {
        a1(self.row, self.col)
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}!{}", self.sheet, self.a1())
    }
}

impl Serialize for CellRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A value with the cell it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// The cell it was read from.
    pub at: CellRef,
}

/// Why an amount cell could not be used as a number.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum CellIssue {
    /// Text that is not a number (`十万`, `12万元`).
    NotANumber(String),
    /// An Excel error value (`#REF!`).
    ErrorValue(String),
    /// A date where an amount belongs.
    Date(String),
    /// TRUE/FALSE where an amount belongs.
    Boolean(bool),
    /// A number too large to be money (beyond ±10^20).
    OutOfRange(String),
    /// A formula whose result was never stored.
    NoCachedValue(String),
}

impl fmt::Display for CellIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CellIssue::NotANumber(s) => write!(f, "「{}」不是数字", crate::text::clip(s, 60)),
            CellIssue::ErrorValue(e) => write!(f, "错误值 {e}"),
            CellIssue::Date(d) => write!(f, "日期值 {d}，不是金额"),
            CellIssue::Boolean(b) => {
                write!(f, "逻辑值 {}，不是金额", if *b { "TRUE" } else { "FALSE" })
            }
            CellIssue::OutOfRange(s) => write!(f, "数值 {s} 超出金额的合理范围"),
            CellIssue::NoCachedValue(formula) => {
                write!(f, "公式 ={formula} 没有计算结果（文件未重新计算）")
            }
        }
    }
}

/// What was read from an amount cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// A number.
    Value(Decimal),
    /// Blank, `-` or `—`: nothing entered, zero.
    Blank,
    /// Something that is not a number (text, an error, a formula without a result).
    Bad(CellIssue),
}

/// One amount cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amount {
    /// What the cell held.
    pub reading: Reading,
    /// The cell.
    pub at: CellRef,
}

impl Amount {
    /// The value (blank = 0); `None` when the cell could not be read as a number.
    pub fn value(&self) -> Option<Decimal> {
        match &self.reading {
            Reading::Value(v) => Some(*v),
            Reading::Blank => Some(Decimal::ZERO),
            Reading::Bad(_) => None,
        }
    }

    /// Whether the cell was left blank (as opposed to an entered 0).
    pub fn is_blank(&self) -> bool {
        matches!(self.reading, Reading::Blank)
    }
}

/// What a row of a table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// The 合计 row.
    Total,
    /// A classification line (类/款/项) or, in 表1/表2, a 功能分类 类 line.
    Code,
    /// A fixed row of a balance table (`key` says which).
    Fixed,
    /// A 单位 or project row of a list table.
    Entry,
    /// A row with content the reader could not place (no code, malformed code…).
    Unparsed,
}

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// What the row is.
    pub kind: LineKind,
    /// The fixed-row key (balance tables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Classification code digits (`2010201`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The cell the code came from (none when derived from a name, as in 表1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_at: Option<CellRef>,
    /// The name or label as printed (tidied).
    pub name: String,
    /// The cell the name came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_at: Option<CellRef>,
    /// The side, in a balance table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// Zero-based sheet row.
    pub row: u32,
    /// Its amounts by column key, in column order.
    pub amounts: Vec<(String, Amount)>,
    /// Its text fields by column key (project names, 单位 names …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub texts: Vec<(String, Located<String>)>,
}

impl Line {
    /// The amount in column `key`.
    pub fn amount(&self, key: &str) -> Option<&Amount> {
        self.amounts.iter().find(|(k, _)| k == key).map(|(_, a)| a)
    }

    /// The value of an amount column (blank = 0); `None` when the column is absent or
    /// the cell unreadable.
    pub fn value(&self, key: &str) -> Option<Decimal> {
        self.amount(key).and_then(Amount::value)
    }

    /// The text in column `key`.
    pub fn text(&self, key: &str) -> Option<&Located<String>> {
        self.texts.iter().find(|(k, _)| k == key).map(|(_, t)| t)
    }

    /// Classification level: 1 类, 2 款, 3 项.
    pub fn level(&self) -> Option<u8> {
        self.code.as_ref().map(|c| match c.len() {
            3 => 1,
            5 => 2,
            _ => 3,
        })
    }

    /// The cell that identifies the line in messages (code, else name).
    pub fn anchor(&self) -> Option<&CellRef> {
        self.code_at.as_ref().or(self.name_at.as_ref())
    }

    /// Where a finding about the line's name goes: the name cell, else the code cell.
    pub fn name_anchor(&self) -> Option<&CellRef> {
        self.name_at.as_ref().or(self.code_at.as_ref())
    }

    /// Whether every amount is blank or zero.
    pub fn is_zero(&self) -> bool {
        self.amounts
            .iter()
            .all(|(_, a)| a.value().is_some_and(|v| v.is_zero()))
    }
}

/// A column found in the sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnRef {
    /// The catalogue key of the column.
    pub key: String,
    /// The header as found (merged parents joined with `/`).
    pub header: String,
    /// Zero-based sheet column.
    pub col: u32,
}

/// One recognised table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Which table.
    pub id: TableId,
    /// The sheet it is on.
    pub sheet: String,
    /// Whether the sheet is hidden.
    pub hidden: bool,
    /// The title as written, and its cell.
    pub title: Located<String>,
    /// The catalogue title (folded) by which the table was recognised.
    #[serde(skip)]
    pub title_key: String,
    /// The unit stated in the sheet; `None` when no `单位：` cell was found (never guessed).
    pub unit: Option<Unit>,
    /// The `单位：` cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_at: Option<CellRef>,
    /// Department and year found in the title or the 部门 line, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<Located<String>>,
    /// The year found in the title, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<Located<i32>>,
    /// The columns found, in sheet order.
    pub columns: Vec<ColumnRef>,
    /// Zero-based first and last header rows.
    pub header_rows: (u32, u32),
    /// Its rows, in sheet order.
    pub lines: Vec<Line>,
    /// The empty-table note (`本部门…无…，故本表为空表`), if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Located<String>>,
    /// Template placeholders left in the table body (`…`, `XX`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub residue: Vec<Located<String>>,
}

impl Table {
    /// The column with key `key`, if the sheet has it.
    pub fn column(&self, key: &str) -> Option<&ColumnRef> {
        self.columns.iter().find(|c| c.key == key)
    }

    /// Whether the sheet has column `key`.
    pub fn has_column(&self, key: &str) -> bool {
        self.column(key).is_some()
    }

    /// Whether the table states a column: found in its header, or (a budget built in
    /// code) carried by any of its lines.
    pub fn states_column(&self, key: &str) -> bool {
        self.has_column(key) || self.lines.iter().any(|l| l.amount(key).is_some())
    }

    /// The 合计 row, if the table has one.
    pub fn total(&self) -> Option<&Line> {
        self.lines.iter().find(|l| l.kind == LineKind::Total)
    }

    /// A fixed row of a balance table.
    pub fn fixed(&self, key: &str) -> Option<&Line> {
        self.lines
            .iter()
            .find(|l| l.kind == LineKind::Fixed && l.key.as_deref() == Some(key))
    }

    /// The value of fixed row `key` in column `column`.
    pub fn fixed_value(&self, key: &str, column: &str) -> Option<Decimal> {
        self.fixed(key).and_then(|l| l.value(column))
    }

    /// Classification lines (类/款/项), in sheet order.
    pub fn coded(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.kind == LineKind::Code)
    }

    /// The first classification line with `code`.
    pub fn by_code(&self, code: &str) -> Option<&Line> {
        self.coded().find(|l| l.code.as_deref() == Some(code))
    }

    /// The entry rows (单位, projects).
    pub fn entries(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.kind == LineKind::Entry)
    }

    /// Whether the table holds no data: no line has a non-zero amount.
    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(Line::is_zero)
    }

    /// The precision the table's figures are shown to, in its unit: 1 for a 元 table of
    /// whole numbers, else one unit of the last decimal used (0.01 for two decimals;
    /// never coarser than 0.01 万元 or 1 元). Each figure may be off its exact value by
    /// half of this, which is the allowance for a sum of rounded figures.
    pub fn precision(&self) -> Decimal {
        let scale = self
            .lines
            .iter()
            .flat_map(|l| l.amounts.iter())
            .filter_map(|(_, a)| match a.reading {
                Reading::Value(v) => Some(v.normalize().scale()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let floor = match self.unit {
            Some(Unit::Yuan) => 0,
            _ => 2,
        };
        Decimal::new(1, scale.clamp(floor, 6))
    }

    /// The 合计 value of a column, converted to 元.
    pub fn total_yuan(&self, column: &str) -> Option<Decimal> {
        let v = self.total()?.value(column)?;
        Some(self.unit?.to_yuan(v))
    }

    /// `v` (in the table's unit) in 元; `None` when the table states no unit.
    pub fn to_yuan(&self, v: Decimal) -> Option<Decimal> {
        self.unit.map(|u| u.to_yuan(v))
    }
}

/// One row of the 部门基本情况 sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfoEntry {
    /// The catalogue key (`serving_total`…), when the label is a known one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The label as written.
    pub label: String,
    /// The value as written, and its cell.
    pub value: Located<String>,
}

/// The 部门基本情况 sheet: facts the explanation text needs beyond the tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Info {
    /// The sheet's name, when the workbook has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Its entries, in order.
    pub entries: Vec<InfoEntry>,
}

impl Info {
    /// The non-empty value of entry `key`.
    pub fn get(&self, key: &str) -> Option<&Located<String>> {
        self.entries
            .iter()
            .find(|e| e.key.as_deref() == Some(key))
            .map(|e| &e.value)
            .filter(|v| !v.value.trim().is_empty())
    }

    /// The non-empty text of entry `key`.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).map(|v| v.value.as_str())
    }

    /// A numeric entry (count or money), parsed exactly.
    pub fn number(&self, key: &str) -> Option<Decimal> {
        match crate::text::parse_amount_text(self.text(key)?) {
            crate::text::AmountText::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The unit of the money entries (`金额单位`), 万元 when the sheet does not say.
    pub fn money_unit(&self) -> Option<Unit> {
        self.text("unit").and_then(Unit::parse)
    }
}

/// A sheet that is not part of the budget, or could not be used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherSheet {
    /// The sheet's name.
    pub name: String,
    /// Why it was not used, in Chinese.
    pub reason: String,
}

/// A second sheet recognised as a table that was already found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicate {
    /// The table both sheets were recognised as.
    pub table: TableId,
    /// The second sheet.
    pub sheet: String,
    /// The sheet used.
    pub first_sheet: String,
}

/// Whose budget a workbook is: a 部门 (a department, with its units) or one 单位.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Entity {
    /// 部门预算: a department and the units under it.
    #[default]
    #[serde(rename = "部门")]
    Department,
    /// 单位预算: one budget unit.
    #[serde(rename = "单位")]
    Unit,
}

impl Entity {
    /// `部门` or `单位`, as in titles (`部门收支总表`) and text (`本部门`).
    pub fn label(self) -> &'static str {
        match self {
            Entity::Department => "部门",
            Entity::Unit => "单位",
        }
    }
}

/// One line (paragraph) of an explanation text: its one-based line in the text (or its
/// place among a workbook's text paragraphs), the cell it is in when it comes from a
/// workbook's text sheet, and what it says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextLine {
    /// One-based line number.
    pub line: usize,
    /// The sheet cell, for text read from a workbook.
    pub cell: Option<CellRef>,
    /// The text of the line.
    pub text: String,
}

/// A text sheet of the workbook (部门编制说明, 其他相关情况说明 …): its title and its
/// paragraphs, each with the cell it is in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextSheet {
    /// The catalogue key of the section (`explanation`, `other` …).
    pub key: String,
    /// The sheet's name.
    pub sheet: String,
    /// The title as written (`2024年部门预算编制说明`).
    pub title: Located<String>,
    /// The paragraphs below the title, in order; a cell of several lines gives one
    /// paragraph per line.
    pub paragraphs: Vec<Located<String>>,
}

/// A department's budget as read from one workbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Budget {
    /// The department (or unit) as the workbook names it.
    pub department: Option<String>,
    /// The budget year.
    pub year: Option<i32>,
    /// The regional layout the workbook follows (catalogue `layouts[].key`).
    pub layout: String,
    /// 预算 or 决算 (the layout's stage).
    pub stage: Stage,
    /// 部门 or 单位, from the titles, the 编制部门/编制单位 line and the sheet names.
    pub entity: Entity,
    /// The container format of the workbook.
    pub format: Format,
    /// The 部门基本情况 sheet, if any.
    pub info: Info,
    /// Recognised tables in catalogue order.
    pub tables: Vec<Table>,
    /// The workbook's own explanation text, in its text sheets (Shanghai layout).
    pub texts: Vec<TextSheet>,
    /// Sheets recognised as a table that was already found.
    pub duplicates: Vec<Duplicate>,
    /// Sheets that are not part of the budget.
    pub other_sheets: Vec<OtherSheet>,
    /// Sheets read only in part, because a reader limit was hit (the reason says which).
    pub incomplete_sheets: Vec<OtherSheet>,
}

impl Budget {
    /// The table `id`, if the workbook has it.
    pub fn table(&self, id: TableId) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// The department's name, or 「（未注明部门）」.
    pub fn department_name(&self) -> &str {
        self.department.as_deref().unwrap_or("（未注明部门）")
    }

    /// The workbook's own explanation text (its text sheets, titles included) as
    /// numbered lines with their cells; empty when it has no text sheets.
    pub fn own_text(&self) -> Vec<TextLine> {
        let mut out = Vec::new();
        for t in &self.texts {
            for l in std::iter::once(&t.title).chain(&t.paragraphs) {
                out.push(TextLine {
                    line: out.len() + 1,
                    cell: Some(l.at.clone()),
                    text: l.value.clone(),
                });
            }
        }
        out
    }

    /// The short name texts use (`政协办`), else the full name.
    pub fn short_name(&self) -> &str {
        self.info
            .text("short_name")
            .unwrap_or_else(|| self.department_name())
    }

    /// The headline figures (see [`Summary`]).
    pub fn summary(&self) -> Summary {
        Summary::of(self)
    }

    /// Every figure of every table in 元, keyed by what it is rather than where it
    /// stands: `表3|2010201|total`, `表1|income|gpb`, `表3-3|合计|reception`,
    /// `表3-2|德阳市…(本级)#1|amount` (entry names folded). Two workbooks holding the same budget in
    /// different layouts, formats or units give the same map. Zero figures are left
    /// out (blank and 0 mean the same); unreadable cells appear as `None`.
    pub fn figures(&self) -> std::collections::BTreeMap<String, Option<Decimal>> {
        let mut out = std::collections::BTreeMap::new();
        for t in &self.tables {
            let mut entry_no: std::collections::HashMap<String, usize> = Default::default();
            for l in &t.lines {
                let who = match l.kind {
                    LineKind::Total => "合计".to_string(),
                    LineKind::Code => {
                        let side = match l.side {
                            Some(Side::Expenditure) => "expenditure|",
                            Some(Side::Income) => "income|",
                            None => "",
                        };
                        format!("{side}{}", l.code.as_deref().unwrap_or(""))
                    }
                    LineKind::Fixed => format!(
                        "{}|{}",
                        match l.side {
                            Some(Side::Income) => "income",
                            _ => "expenditure",
                        },
                        l.key.as_deref().unwrap_or("")
                    ),
                    LineKind::Entry | LineKind::Unparsed => {
                        let name = crate::text::fold(&l.name);
                        let n = entry_no.entry(name.clone()).or_default();
                        *n += 1;
                        format!("{name}#{n}")
                    }
                };
                for (k, a) in &l.amounts {
                    let v = a.value().and_then(|v| t.to_yuan(v));
                    if v.is_some_and(|v| v.is_zero()) {
                        continue;
                    }
                    out.insert(format!("{}|{who}|{k}", t.id), v.map(|v| v.normalize()));
                }
            }
        }
        out
    }
}

/// The figures a bureau compares across departments, in 元.
///
/// - `income_total`, `expenditure_total`: 表1 收入总计 / 支出总计;
/// - `fiscal_total`: 表2 收入总计 (财政拨款, this year's plus carried forward);
/// - `general_public_budget`: 表1 一般公共预算拨款收入;
/// - `basic`, `project`: 表1-2 合计 row (all funds);
/// - `personnel`, `public_operation`: 表3-1 合计 row (一般公共预算基本支出);
/// - `three_public`: 表3-3 plus 表4-1 合计 rows (财政拨款“三公”经费).
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Summary {
    /// 表1 收入总计.
    pub income_total: Option<Decimal>,
    /// 表1 支出总计.
    pub expenditure_total: Option<Decimal>,
    /// 表1 本年收入合计.
    #[serde(default)]
    pub income_this_year: Option<Decimal>,
    /// 表1 本年支出合计.
    #[serde(default)]
    pub expenditure_this_year: Option<Decimal>,
    /// 表1 上年结转 (决算: 年初结转和结余).
    #[serde(default)]
    pub opening_balance: Option<Decimal>,
    /// 表1 结转下年 (决算: 年末结转和结余).
    #[serde(default)]
    pub closing_balance: Option<Decimal>,
    /// 表2 收入总计.
    pub fiscal_total: Option<Decimal>,
    /// 表1 一般公共预算拨款收入.
    pub general_public_budget: Option<Decimal>,
    /// 表1-2 合计行的基本支出.
    pub basic: Option<Decimal>,
    /// 表1-2 合计行的项目支出.
    pub project: Option<Decimal>,
    /// 表3-1 合计行的人员经费.
    pub personnel: Option<Decimal>,
    /// 表3-1 合计行的公用经费.
    pub public_operation: Option<Decimal>,
    /// “三公”经费 (决算: the 决算数).
    pub three_public: ThreePublic,
    /// 决算: the 预算数 of the “三公”经费 the 决算 table prints beside each 决算数.
    #[serde(default)]
    pub three_public_budget: Option<ThreePublic>,
}

/// “三公”经费, in 元.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct ThreePublic {
    /// The total.
    pub total: Option<Decimal>,
    /// 因公出国（境）费.
    pub abroad: Option<Decimal>,
    /// 公务用车购置费.
    pub vehicle_purchase: Option<Decimal>,
    /// 公务用车运行费.
    pub vehicle_operation: Option<Decimal>,
    /// 公务接待费.
    pub reception: Option<Decimal>,
}

impl Summary {
    /// The summary of a budget.
    pub fn of(b: &Budget) -> Summary {
        let fixed = |id: TableId, key: &str, col: &str| {
            let t = b.table(id)?;
            t.to_yuan(t.fixed_value(key, col)?)
        };
        // A table that is there but holds nothing (no 合计 row, every cell blank)
        // states zero; a table that is not there states nothing.
        let total = |id: TableId, col: &str| {
            let t = b.table(id)?;
            match t.total() {
                Some(_) => t.total_yuan(col),
                None if t.is_empty() && t.has_column(col) => Some(Decimal::ZERO),
                None => None,
            }
        };
        // 表3-3 + 表4-1, each only when present.
        let three = |col: &str| {
            let parts: Vec<Decimal> = [TableId::T3_3, TableId::T4_1]
                .iter()
                .filter_map(|id| total(*id, col))
                .collect();
            (!parts.is_empty()).then(|| parts.iter().sum())
        };
        let three_budget = b
            .table(TableId::T3_3)
            .is_some_and(|t| t.has_column("budget_total"))
            .then(|| ThreePublic {
                total: three("budget_total"),
                abroad: three("budget_abroad"),
                vehicle_purchase: three("budget_vehicle_purchase"),
                vehicle_operation: three("budget_vehicle_operation"),
                reception: three("budget_reception"),
            });
        Summary {
            income_total: fixed(TableId::T1, "income_total", "income"),
            expenditure_total: fixed(TableId::T1, "expenditure_total", "expenditure"),
            income_this_year: fixed(TableId::T1, "income_subtotal", "income"),
            expenditure_this_year: fixed(TableId::T1, "expenditure_subtotal", "expenditure"),
            opening_balance: fixed(TableId::T1, "carried_forward", "income"),
            closing_balance: fixed(TableId::T1, "carry_over", "expenditure"),
            fiscal_total: fixed(TableId::T2, "income_total", "income"),
            general_public_budget: fixed(TableId::T1, "gpb", "income"),
            basic: total(TableId::T1_2, "basic"),
            project: total(TableId::T1_2, "project"),
            personnel: total(TableId::T3_1, "personnel"),
            public_operation: total(TableId::T3_1, "public"),
            three_public: ThreePublic {
                total: three("total"),
                abroad: three("abroad"),
                vehicle_purchase: three("vehicle_purchase"),
                vehicle_operation: three("vehicle_operation"),
                reception: three("reception"),
            },
            three_public_budget: three_budget,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn units_convert_exactly() {
        assert_eq!(Unit::WanYuan.to_yuan(d("684.78")), d("6847800"));
        assert_eq!(Unit::WanYuan.from_yuan(d("6847812.34")), d("684.781234"));
        assert_eq!(Unit::Yuan.to_yuan(d("12.5")), d("12.5"));
    }

    #[test]
    fn units_parse() {
        assert_eq!(Unit::parse("万元"), Some(Unit::WanYuan));
        assert_eq!(Unit::parse(" 元"), Some(Unit::Yuan));
        assert_eq!(Unit::parse("人民币万元"), Some(Unit::WanYuan));
        assert_eq!(Unit::parse("万元（保留两位小数）"), Some(Unit::WanYuan));
        assert_eq!(Unit::parse("千元"), None);
    }

    #[test]
    fn rounding_is_half_up() {
        assert_eq!(round2(d("2.995")), d("3.00"));
        assert_eq!(round2(d("2.994999")), d("2.99"));
        assert_eq!(round2(d("-0.005")), d("-0.01"));
        assert_eq!(show2(d("684.78")), "684.78");
        assert_eq!(show2(d("110")), "110.00");
    }

    #[test]
    fn decimal_strings_keep_two_places() {
        assert_eq!(decimal_string(d("6847800")), "6847800.00");
        assert_eq!(decimal_string(d("0.005")), "0.005");
        assert_eq!(decimal_string(d("12.3400")), "12.34");
    }
}
