//! V rules: what is in each amount cell.

use std::collections::HashMap;

use super::{Ctx, NotRun, Out, column_name, line_name, num};
use yusuan_core::{Amount, CellIssue, Line, LineKind, Reading, Table};

/// Every amount cell with its table and line.
fn amounts<'a>(
    ctx: &'a Ctx<'_>,
) -> impl Iterator<Item = (&'a Table, &'a Line, &'a str, &'a Amount)> {
    ctx.budget.tables.iter().flat_map(|t| {
        t.lines
            .iter()
            .flat_map(move |l| l.amounts.iter().map(move |(k, a)| (t, l, k.as_str(), a)))
    })
}

fn place(t: &Table, l: &Line, key: &str) -> String {
    format!("{}“{}”的{}", t.id, line_name(l), column_name(t, key))
}

rule! {
    /// 金额单元格是数字
    ///
    /// a non-numeric value in an amount cell
    V001,
    Error,
    "金额单元格是数字",
    v001
}

fn v001(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    for (t, l, k, a) in amounts(ctx) {
        if let Reading::Bad(issue) = &a.reading
            && !matches!(issue, CellIssue::NoCachedValue(_))
        {
            out.at(
                Some(t.id),
                &a.at,
                format!("{}应为金额，实为{issue}", place(t, l, k)),
            );
        }
    }
    Ok(())
}

rule! {
    /// 公式单元格有计算结果
    ///
    /// a formula cell without a cached value (the file was never recalculated)
    V002,
    Error,
    "公式单元格有计算结果",
    v002
}

fn v002(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    for (t, l, k, a) in amounts(ctx) {
        if let Reading::Bad(issue @ CellIssue::NoCachedValue(_)) = &a.reading {
            out.at(
                Some(t.id),
                &a.at,
                format!(
                    "{}是{issue}：请在 Excel 或 WPS 中打开、重新计算并保存后再提交",
                    place(t, l, k)
                ),
            );
        }
    }
    Ok(())
}

rule! {
    /// 金额不为负数
    ///
    /// negative amount
    V003,
    Warning,
    "金额不为负数",
    v003
}

fn v003(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    for (t, l, k, a) in amounts(ctx) {
        if let Some(v) = a.value()
            && v.is_sign_negative()
            && !v.is_zero()
        {
            out.at(
                Some(t.id),
                &a.at,
                format!("{}为负数 {}", place(t, l, k), num(v)),
            );
        }
    }
    Ok(())
}

rule! {
    /// 金额最多两位小数
    ///
    /// more decimals than the unit allows (万元 with more than 2, 元 with more than 2)
    V004,
    Warning,
    "金额最多两位小数",
    v004
}

fn v004(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    for (t, l, k, a) in amounts(ctx) {
        if let Some(v) = a.value()
            && v.normalize().scale() > 2
        {
            let unit = t.unit.map_or("", |u| u.label());
            out.at(
                Some(t.id),
                &a.at,
                format!(
                    "{} {} 有 {} 位小数，以{unit}为单位最多保留两位小数",
                    place(t, l, k),
                    v.normalize(),
                    v.normalize().scale()
                ),
            );
        }
    }
    Ok(())
}

rule! {
    /// 同一张表中科目编码不重复
    ///
    /// the same code twice in one table
    V005,
    Error,
    "同一张表中科目编码不重复",
    v005
}

fn v005(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    for t in &ctx.budget.tables {
        let mut first: HashMap<(Option<yusuan_core::Side>, &str), &Line> = HashMap::new();
        for l in t.lines.iter().filter(|l| l.kind == LineKind::Code) {
            let Some(code) = l.code.as_deref() else {
                continue;
            };
            match first.get(&(l.side, code)) {
                Some(prev) => {
                    let at = l.anchor().cloned().unwrap_or_else(|| t.title.at.clone());
                    out.at(
                        Some(t.id),
                        &at,
                        format!(
                            "{}中科目 {} 出现了两次（第 {} 行和第 {} 行）",
                            t.id,
                            line_name(l),
                            prev.row + 1,
                            l.row + 1
                        ),
                    );
                }
                None => {
                    first.insert((l.side, code), l);
                }
            }
        }
    }
    Ok(())
}
