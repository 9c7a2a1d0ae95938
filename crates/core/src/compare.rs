//! 预算 against 决算 (`yusuan compare`): each 一般公共预算 类/款/项 and each “三公” part of
//! one department's year, with its 预算数 (the 预算 workbook), its 决算数 (the 决算
//! workbook) and the difference. Amounts are in 元, exact.
//!
//! A line only one side has is listed with the other side `None` (not 0: the workbook
//! does not state it).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::catalog::{Stage, TableId};
use crate::model::{Budget, Table, decimal_string};

/// One compared line: a 科目 or a “三公” part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compared {
    /// `类`, `款`, `项`, `合计` or `三公`.
    pub level: &'static str,
    /// The code (`2013901`); none for 合计 and the “三公” parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The name, from the 决算 where it has the line, else from the 预算.
    pub name: String,
    /// 预算数 in 元.
    #[serde(serialize_with = "yuan")]
    pub budget: Option<Decimal>,
    /// 决算数 in 元.
    #[serde(rename = "final", serialize_with = "yuan")]
    pub final_: Option<Decimal>,
    /// 决算数 − 预算数 in 元, when both are stated.
    #[serde(serialize_with = "yuan")]
    pub difference: Option<Decimal>,
}

fn yuan<S: serde::Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(&decimal_string(*v)),
        None => s.serialize_none(),
    }
}

/// A 预算 and a 决算 of one department, line by line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The department, as the 决算 names it.
    pub department: Option<String>,
    /// The year, as the 决算 states it.
    pub year: Option<i32>,
    /// 一般公共预算 lines (合计, then 类/款/项 in code order), then the “三公” parts.
    pub lines: Vec<Compared>,
}

/// Why two workbooks cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    /// The first is not a 预算 or the second not a 决算.
    #[error("{which}应为部门{want}工作簿，读到的是部门{got}")]
    Stage {
        /// 第一个文件 or 第二个文件.
        which: &'static str,
        /// What it should be.
        want: &'static str,
        /// What it is.
        got: &'static str,
    },
    /// Neither has the 一般公共预算 table.
    #[error("两个工作簿都没有一般公共预算支出表（表3），无法逐项对比")]
    NoLines,
}

/// The 一般公共预算 lines of a table by code, in 元 (`total`).
fn lines(t: Option<&Table>) -> Vec<(String, String, Option<Decimal>)> {
    let Some(t) = t else { return Vec::new() };
    t.coded()
        .filter_map(|l| {
            let code = l.code.clone()?;
            Some((
                code,
                l.name.clone(),
                l.value("total").and_then(|v| t.to_yuan(v)),
            ))
        })
        .collect()
}

fn level(code: &str) -> &'static str {
    match code.len() {
        3 => "类",
        5 => "款",
        _ => "项",
    }
}

fn diff(a: Option<Decimal>, b: Option<Decimal>) -> Option<Decimal> {
    Some(b? - a?)
}

/// Compare a 预算 (`budget`) with the 决算 (`final_`) of the same department and year.
pub fn compare(budget: &Budget, final_: &Budget) -> Result<Comparison, CompareError> {
    for (which, b, want) in [
        ("第一个文件", budget, Stage::Budget),
        ("第二个文件", final_, Stage::Final),
    ] {
        if b.stage != want {
            return Err(CompareError::Stage {
                which,
                want: want.label(),
                got: b.stage.label(),
            });
        }
    }
    let (tb, tf) = (budget.table(TableId::T3), final_.table(TableId::T3));
    if tb.is_none() && tf.is_none() {
        return Err(CompareError::NoLines);
    }
    let total = |t: Option<&Table>| t.and_then(|t| t.total_yuan("total"));
    let mut out = vec![Compared {
        level: "合计",
        code: None,
        name: "一般公共预算财政拨款支出合计".into(),
        budget: total(tb),
        final_: total(tf),
        difference: diff(total(tb), total(tf)),
    }];
    let (lb, lf) = (lines(tb), lines(tf));
    let mut codes: Vec<&String> = lb.iter().chain(&lf).map(|(c, _, _)| c).collect();
    codes.sort();
    codes.dedup();
    for code in codes {
        let b = lb.iter().find(|(c, _, _)| c == code);
        let f = lf.iter().find(|(c, _, _)| c == code);
        let name = f.or(b).map(|(_, n, _)| n.clone()).unwrap_or_default();
        let (bv, fv) = (b.and_then(|x| x.2), f.and_then(|x| x.2));
        out.push(Compared {
            level: level(code),
            code: Some(code.clone()),
            name,
            budget: bv,
            final_: fv,
            difference: diff(bv, fv),
        });
    }
    let (sb, sf) = (budget.summary().three_public, final_.summary().three_public);
    for (name, b, f) in [
        ("“三公”经费合计", sb.total, sf.total),
        ("因公出国（境）费", sb.abroad, sf.abroad),
        ("公务用车购置费", sb.vehicle_purchase, sf.vehicle_purchase),
        ("公务用车运行费", sb.vehicle_operation, sf.vehicle_operation),
        ("公务接待费", sb.reception, sf.reception),
    ] {
        out.push(Compared {
            level: "三公",
            code: None,
            name: name.into(),
            budget: b,
            final_: f,
            difference: diff(b, f),
        });
    }
    Ok(Comparison {
        department: final_
            .department
            .clone()
            .or_else(|| budget.department.clone()),
        year: final_.year.or(budget.year),
        lines: out,
    })
}
