//! The normalised model as JSON (`yusuan export`).
//!
//! Contract `yusuan-budget/1` (documented in the README; fields are only ever added):
//! top-level `department` (string), `year` (number or null), `summary` (the figures of
//! [`crate::model::Summary`]), `info`, `tables`, `other_sheets`, `duplicates`. Every
//! amount is an exact decimal string in 元 (yuan), whatever the unit of its table; a
//! value that could not be read is `null` with a `problem`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::catalog::TableId;
use crate::model::{Budget, CellIssue, Line, LineKind, Table, decimal_string};

/// The contract name in the JSON's `format` field.
pub const FORMAT: &str = "yusuan-budget/1";

#[derive(Debug, Serialize)]
pub(crate) struct Document {
    pub format: &'static str,
    pub department: String,
    pub year: Option<i32>,
    /// The regional layout recognised (`sichuan`, `shanghai`, `final`).
    pub layout: String,
    /// `budget` (预算) or `final` (决算).
    pub stage: crate::catalog::Stage,
    /// `部门` or `单位`.
    pub entity: crate::model::Entity,
    pub summary: SummaryJson,
    pub info: BTreeMap<String, String>,
    pub tables: Vec<TableJson>,
    pub other_sheets: Vec<OtherJson>,
    pub duplicates: Vec<OtherJson>,
    /// The workbook's own text sheets (部门编制说明 …), paragraph by paragraph.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub texts: Vec<TextJson>,
}

/// A text sheet of the workbook.
#[derive(Debug, Serialize)]
pub(crate) struct TextJson {
    /// The section (`explanation`, `other` …).
    pub key: String,
    /// The sheet.
    pub sheet: String,
    /// The title as written.
    pub title: String,
    /// The paragraphs, in order.
    pub paragraphs: Vec<String>,
}

fn yuan(v: Option<Decimal>) -> Option<String> {
    v.map(decimal_string)
}

#[derive(Debug, Serialize)]
pub(crate) struct PartsJson {
    pub total: Option<String>,
    pub abroad: Option<String>,
    pub vehicle_purchase: Option<String>,
    pub vehicle_operation: Option<String>,
    pub reception: Option<String>,
}

impl PartsJson {
    fn of(t: &crate::model::ThreePublic) -> PartsJson {
        PartsJson {
            total: yuan(t.total),
            abroad: yuan(t.abroad),
            vehicle_purchase: yuan(t.vehicle_purchase),
            vehicle_operation: yuan(t.vehicle_operation),
            reception: yuan(t.reception),
        }
    }
}

/// The “三公”经费: the figures of the stage (预算数 of a 预算, 决算数 of a 决算) and, for a
/// 决算, the 预算数 and 决算数 it prints side by side.
#[derive(Debug, Serialize)]
pub(crate) struct ThreePublicJson {
    #[serde(flatten)]
    pub figures: PartsJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<PartsJson>,
    #[serde(rename = "final", skip_serializing_if = "Option::is_none")]
    pub final_: Option<PartsJson>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SummaryJson {
    pub income_total: Option<String>,
    pub expenditure_total: Option<String>,
    pub income_this_year: Option<String>,
    pub expenditure_this_year: Option<String>,
    pub opening_balance: Option<String>,
    pub closing_balance: Option<String>,
    pub fiscal_total: Option<String>,
    pub general_public_budget: Option<String>,
    pub basic: Option<String>,
    pub project: Option<String>,
    pub personnel: Option<String>,
    pub public_operation: Option<String>,
    pub three_public: ThreePublicJson,
}

/// One amount cell: its value in 元 (`null` when blank or unreadable), its cell, and
/// `blank: true` for a cell left empty (or `-`), which is not an entered 0.
#[derive(Debug, Serialize)]
pub(crate) struct AmountJson {
    /// The value in 元; `null` for a blank or unreadable cell.
    pub yuan: Option<String>,
    /// `sheet!A1` in the source workbook.
    pub cell: String,
    /// True when nothing was entered (blank, `-`, `—`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub blank: bool,
    /// Why the cell could not be read as a number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct LineJson {
    pub kind: LineKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<crate::catalog::Side>,
    /// One-based sheet row.
    pub row: u32,
    pub amounts: BTreeMap<String, AmountJson>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub texts: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ColumnJson {
    pub key: String,
    pub header: String,
    pub column: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct TableJson {
    pub id: TableId,
    pub sheet: String,
    pub title: String,
    pub unit: Option<&'static str>,
    pub hidden: bool,
    pub columns: Vec<ColumnJson>,
    pub lines: Vec<LineJson>,
    pub empty: bool,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct OtherJson {
    pub sheet: String,
    pub reason: String,
}

fn line_json(t: &Table, l: &Line) -> LineJson {
    LineJson {
        kind: l.kind,
        key: l.key.clone(),
        code: l.code.clone(),
        name: l.name.clone(),
        side: l.side,
        row: l.row + 1,
        amounts: l
            .amounts
            .iter()
            .map(|(k, a)| {
                let problem = match &a.reading {
                    crate::model::Reading::Bad(i) => Some(issue_text(i)),
                    _ => None,
                };
                (
                    k.clone(),
                    AmountJson {
                        yuan: match a.reading {
                            crate::model::Reading::Value(v) => yuan(t.to_yuan(v)),
                            _ => None,
                        },
                        cell: a.at.to_string(),
                        blank: a.is_blank(),
                        problem,
                    },
                )
            })
            .collect(),
        texts: l
            .texts
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect(),
    }
}

fn issue_text(i: &CellIssue) -> String {
    i.to_string()
}

fn table_json(t: &Table) -> TableJson {
    TableJson {
        id: t.id,
        sheet: t.sheet.clone(),
        title: t.title.value.clone(),
        unit: t.unit.map(|u| u.label()),
        hidden: t.hidden,
        columns: t
            .columns
            .iter()
            .map(|c| ColumnJson {
                key: c.key.clone(),
                header: c.header.clone(),
                column: yusuan_grid::col_letters(c.col),
            })
            .collect(),
        lines: t.lines.iter().map(|l| line_json(t, l)).collect(),
        empty: t.is_empty(),
        note: t.note.as_ref().map(|n| n.value.clone()),
    }
}

/// The JSON document of a budget.
pub(crate) fn document(b: &Budget) -> Document {
    let s = b.summary();
    Document {
        format: FORMAT,
        department: b.department.clone().unwrap_or_default(),
        year: b.year,
        layout: b.layout.clone(),
        stage: b.stage,
        entity: b.entity,
        summary: SummaryJson {
            income_total: yuan(s.income_total),
            expenditure_total: yuan(s.expenditure_total),
            income_this_year: yuan(s.income_this_year),
            expenditure_this_year: yuan(s.expenditure_this_year),
            opening_balance: yuan(s.opening_balance),
            closing_balance: yuan(s.closing_balance),
            fiscal_total: yuan(s.fiscal_total),
            general_public_budget: yuan(s.general_public_budget),
            basic: yuan(s.basic),
            project: yuan(s.project),
            personnel: yuan(s.personnel),
            public_operation: yuan(s.public_operation),
            three_public: ThreePublicJson {
                figures: PartsJson::of(&s.three_public),
                budget: s.three_public_budget.as_ref().map(PartsJson::of),
                final_: s
                    .three_public_budget
                    .is_some()
                    .then(|| PartsJson::of(&s.three_public)),
            },
        },
        info: b
            .info
            .entries
            .iter()
            .map(|e| {
                (
                    e.key.clone().unwrap_or_else(|| e.label.clone()),
                    e.value.value.clone(),
                )
            })
            .collect(),
        tables: b.tables.iter().map(table_json).collect(),
        other_sheets: b
            .other_sheets
            .iter()
            .map(|o| OtherJson {
                sheet: o.name.clone(),
                reason: o.reason.clone(),
            })
            .collect(),
        duplicates: b
            .duplicates
            .iter()
            .map(|d| OtherJson {
                sheet: d.sheet.clone(),
                reason: format!("与工作表「{}」重复，均为{}", d.first_sheet, d.table),
            })
            .collect(),
        texts: b
            .texts
            .iter()
            .map(|t| TextJson {
                key: t.key.clone(),
                sheet: t.sheet.clone(),
                title: t.title.value.clone(),
                paragraphs: t.paragraphs.iter().map(|p| p.value.clone()).collect(),
            })
            .collect(),
    }
}

/// Pretty JSON text of a budget.
pub fn to_json(b: &Budget) -> String {
    serde_json::to_string_pretty(&document(b)).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
