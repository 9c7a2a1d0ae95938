//! X rules: figures that must agree between tables. Same unit: exact; different
//! units: within the rounding of the 万元 figures (then `info`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Cmp, Ctx, Fig, NotRun, Out, column_name, compare, line_name, num};
use yusuan_core::{Amount, Line, Table, Unit};
use yusuan_core::{Side, TableId};

fn fig(unit: Unit, a: &Amount) -> Option<Fig> {
    Some(Fig::cell(a.value()?, unit, &a.at))
}

fn fixed_fig(t: &Table, unit: Unit, key: &str, col: &str) -> Option<Fig> {
    fig(unit, t.fixed(key)?.amount(col)?)
}

fn total_fig(t: &Table, unit: Unit, col: &str) -> Option<Fig> {
    fig(unit, t.total()?.amount(col)?)
}

/// 表2's 本年支出 in a column: its own row, else 支出总计 − 结转下年.
fn t2_current(t2: &Table, unit: Unit, col: &str) -> Option<Fig> {
    fixed_fig(t2, unit, "current_expenditure", col).or_else(|| {
        let mut f = fixed_fig(t2, unit, "expenditure_total", col)?;
        let carry = t2
            .fixed("carry_over")
            .and_then(|l| l.value(col))
            .unwrap_or_default();
        f.value -= carry;
        Some(f)
    })
}

rule! {
    /// 表1-1 与表1 收入一致
    ///
    /// 表1-1 合计 = 表1 收入总计 (本年收入合计 when 表1-1 has no 上年结转 column, as the 决算
    /// 收入决算表); each source column = the matching 表1 income line
    X201,
    Error,
    "表1-1 与表1 收入一致",
    x201
}

fn x201(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let (t11, u11) = ctx.table_with_unit(TableId::T1_1)?;
    let (t1, u1) = ctx.table_with_unit(TableId::T1)?;
    // A 收入表 without a 上年结转 column (the 决算 收入决算表) totals the year's income
    // only: its 合计 is 表1's 本年收入合计, not the 收入总计 with 年初结转和结余.
    let this_year = !t11.states_column("carried_forward")
        && t1.fixed("carried_forward").is_some()
        && t1.fixed("income_subtotal").is_some();
    let (key, name) = if this_year {
        ("income_subtotal", "表1“本年收入合计”")
    } else {
        ("income_total", "表1“收入总计”")
    };
    if let (Some(a), Some(b)) = (
        total_fig(t11, u11, "total"),
        fixed_fig(t1, u1, key, "income"),
    ) {
        out.cross(t11.id, &a, &b, "表1-1 合计", name);
    }
    for key in [
        "carried_forward",
        "gpb",
        "fund",
        "soe",
        "business",
        "operating",
        "other",
        "superior",
        "affiliated",
        "fund_balance",
        "fiscal",
    ] {
        let Some(a) = (t11.has_column(key))
            .then(|| total_fig(t11, u11, key))
            .flatten()
        else {
            continue;
        };
        // 决算: 表1 lists the three 财政拨款 funds, no 财政拨款收入 row.
        let b = fixed_fig(t1, u1, key, "income")
            .or_else(|| (key == "fiscal").then(|| fiscal_sum(t1, u1)).flatten());
        match b {
            Some(b) => {
                let name = column_name(t11, key);
                out.cross(
                    t11.id,
                    &a,
                    &b,
                    &format!("表1-1 合计行的{name}"),
                    &format!("表1“{name}”"),
                );
            }
            None if !a.value.is_zero() => out.skip(format!(
                "表1 没有与表1-1“{}”对应的行",
                column_name(t11, key)
            )),
            None => {}
        }
    }
    Ok(())
}

/// 表1's 财政拨款收入 as the sum of its three fund lines (none when it has none of them).
fn fiscal_sum(t1: &Table, unit: Unit) -> Option<Fig> {
    let parts: Vec<Fig> = ["gpb", "fund", "soe"]
        .iter()
        .filter_map(|k| fixed_fig(t1, unit, k, "income"))
        .collect();
    let first = parts.first()?;
    Some(Fig {
        value: parts.iter().map(|f| f.value).sum(),
        unit,
        at: first.at.clone(),
        terms: parts.len() as u32,
        cells: parts.iter().map(|f| f.at.clone()).collect(),
    })
}

/// Classes (code → line) on the expenditure side of 表1/表2, or 类 rows of a classified table.
fn classes(t: &Table) -> BTreeMap<&str, &Line> {
    t.coded()
        .filter(|l| l.side != Some(Side::Income))
        .filter_map(|l| Some((l.code.as_deref().filter(|c| c.len() == 3)?, l)))
        .collect()
}

/// Compare class by class; a class with money on one side only is a difference too.
#[allow(clippy::too_many_arguments)]
fn by_class(
    out: &mut Out,
    a: (&Table, Unit, &str),
    b: (&Table, Unit, &str),
    what_a: &str,
    what_b: &str,
) {
    let (ta, ua, ca) = a;
    let (tb, ub, cb) = b;
    let ma = classes(ta);
    let mb = classes(tb);
    for (code, la) in &ma {
        let Some(fa) = la.amount(ca).and_then(|x| fig(ua, x)) else {
            continue;
        };
        match mb
            .get(code)
            .and_then(|lb| lb.amount(cb))
            .and_then(|x| fig(ub, x))
        {
            Some(fb) => out.cross(
                ta.id,
                &fa,
                &fb,
                &format!("{}“{}”的{what_a}", ta.id, line_name(la)),
                &format!("{}的{what_b}", tb.id),
            ),
            None if !fa.value.is_zero() => {
                out.at(
                    Some(ta.id),
                    &fa.at,
                    format!(
                        "{}“{}”的{what_a} {} 在{}中没有对应的类级科目",
                        ta.id,
                        line_name(la),
                        fa.shown(),
                        tb.id
                    ),
                );
            }
            None => {}
        }
    }
    for (code, lb) in &mb {
        if ma.contains_key(code) {
            continue;
        }
        if let Some(fb) = lb.amount(cb).and_then(|x| fig(ub, x))
            && !fb.value.is_zero()
        {
            out.at(
                Some(tb.id),
                &fb.at,
                format!(
                    "{}“{}”的{what_b} {} 在{}中没有对应的类级科目",
                    tb.id,
                    line_name(lb),
                    fb.shown(),
                    ta.id
                ),
            );
        }
    }
}

rule! {
    /// 表1-2 与表1 支出一致
    ///
    /// 表1-2 合计 = 表1 本年支出合计; 表1-2 类 rows = 表1 expenditure 类 lines
    X202,
    Error,
    "表1-2 与表1 支出一致",
    x202
}

fn x202(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let (t12, u12) = ctx.table_with_unit(TableId::T1_2)?;
    let (t1, u1) = ctx.table_with_unit(TableId::T1)?;
    let expected = fixed_fig(t1, u1, "expenditure_subtotal", "expenditure").or_else(|| {
        let mut f = fixed_fig(t1, u1, "expenditure_total", "expenditure")?;
        f.value -= t1
            .fixed("carry_over")
            .and_then(|l| l.value("expenditure"))
            .unwrap_or_default();
        Some(f)
    });
    if let (Some(a), Some(b)) = (total_fig(t12, u12, "total"), expected) {
        out.cross(t12.id, &a, &b, "表1-2 合计", "表1“本年支出合计”");
    }
    by_class(
        out,
        (t12, u12, "total"),
        (t1, u1, "expenditure"),
        "合计",
        "支出预算数",
    );
    Ok(())
}

rule! {
    /// 表2 本年收入与表1 各项财政拨款收入一致
    ///
    /// 表2 本年收入 per fund = 表1 income lines of the same fund; 表1 − 表2 = non-fiscal income
    X203,
    Error,
    "表2 本年收入与表1 各项财政拨款收入一致",
    x203
}

fn x203(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let (t2, u2) = ctx.table_with_unit(TableId::T2)?;
    let (t1, u1) = ctx.table_with_unit(TableId::T1)?;
    for (k2, k1, name) in [
        ("current_gpb", "gpb", "一般公共预算拨款"),
        ("current_fund", "fund", "政府性基金预算拨款"),
        ("current_soe", "soe", "国有资本经营预算拨款"),
    ] {
        match (
            fixed_fig(t2, u2, k2, "income"),
            fixed_fig(t1, u1, k1, "income"),
        ) {
            (Some(a), Some(b)) => out.cross(
                t2.id,
                &a,
                &b,
                &format!("表2 本年{name}收入"),
                &format!("表1“{name}收入”"),
            ),
            (Some(a), None) if !a.value.is_zero() => out.skip(format!("表1 没有“{name}收入”行")),
            _ => {}
        }
    }
    // 财政拨款上年结转 cannot exceed the department's whole 上年结转.
    if let (Some(a), Some(b)) = (
        fixed_fig(t2, u2, "carried", "income"),
        fixed_fig(t1, u1, "carried_forward", "income"),
    ) && let Cmp::Differ(d) = compare(&a, &b)
        && d > Decimal::ZERO
    {
        out.at(
            Some(t2.id),
            &a.at,
            format!(
                "表2 财政拨款上年结转 {} 大于表1 上年结转 {}（多 {} 元）",
                a.shown(),
                b.shown(),
                num(d)
            ),
        )
        .related
        .push(b.at.to_string());
    }
    Ok(())
}

rule! {
    /// 表2 各资金来源支出与表3、表4、表5 一致
    ///
    /// 表2 一般公共预算 column per 类 and total = 表3; 政府性基金 column = 表4; 国有资本经营 column = 表5
    X204,
    Error,
    "表2 各资金来源支出与表3、表4、表5 一致",
    x204
}

fn x204(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let (t2, u2) = ctx.table_with_unit(TableId::T2)?;
    let mut any = false;
    for (col, id, name) in [
        ("gpb", TableId::T3, "一般公共预算"),
        ("fund", TableId::T4, "政府性基金预算"),
        ("soe", TableId::T5, "国有资本经营预算"),
    ] {
        if !t2.has_column(col) {
            out.skip(format!("表2 没有“{name}”列"));
            continue;
        }
        let (t, u) = match ctx.table_with_unit(id) {
            Ok(x) => x,
            Err(NotRun(why)) => {
                out.skip(why);
                continue;
            }
        };
        any = true;
        if let (Some(a), Some(b)) = (t2_current(t2, u2, col), total_fig(t, u, "total")) {
            out.cross(
                t2.id,
                &a,
                &b,
                &format!("表2 本年支出的{name}"),
                &format!("{id} 合计"),
            );
        }
        by_class(out, (t2, u2, col), (t, u, "total"), name, "合计");
    }
    if !any {
        return Err(NotRun("表3、表4、表5 均缺失或无单位".into()));
    }
    Ok(())
}

rule! {
    /// 表3 不超过表1-2（全部为一般公共预算时相等）
    ///
    /// 表3 ≤ 表1-2 per code and column; equal when all money is 一般公共预算
    X205,
    Error,
    "表3 不超过表1-2（全部为一般公共预算时相等）",
    x205
}

/// Whether all money is 一般公共预算: 表1's 收入总计 is 一般公共预算拨款 plus its 结转
/// (`None` without 表1).
fn all_general_public_budget(ctx: &Ctx<'_>) -> Option<bool> {
    let t1 = ctx.budget.table(TableId::T1)?;
    let total = t1.fixed_value("income_total", "income")?;
    let gpb = t1.fixed_value("gpb", "income")?;
    let carried_gpb = ctx
        .budget
        .table(TableId::T2)
        .and_then(|t2| t2.fixed_value("carried_gpb", "income"))
        .unwrap_or_default();
    Some(total == gpb + carried_gpb)
}

fn x205<'a>(ctx: &Ctx<'a>, out: &mut Out) -> Result<(), NotRun> {
    let (t3, u3) = ctx.table_with_unit(TableId::T3)?;
    let (t12, u12) = ctx.table_with_unit(TableId::T1_2)?;
    let all_gpb = all_general_public_budget(ctx);
    if all_gpb.is_none() {
        out.skip("表1 缺失，无法判断是否全部为一般公共预算（只核对“不超过”）");
    }
    let all_gpb = all_gpb.unwrap_or(false);
    let cols: Vec<&str> = ["total", "basic", "project"]
        .into_iter()
        .filter(|k| t3.has_column(k) && t12.has_column(k))
        .collect();
    // First line of each code (a repeated code is V005's).
    let index = |t: &'a Table| {
        let mut m: std::collections::HashMap<&'a str, &'a Line> = std::collections::HashMap::new();
        for l in t.coded() {
            if let Some(c) = l.code.as_deref() {
                m.entry(c).or_insert(l);
            }
        }
        m
    };
    let (ix3, ix12) = (index(t3), index(t12));
    let mut seen = std::collections::HashSet::new();
    for l3 in t3.coded() {
        let Some(code) = l3.code.as_deref() else {
            continue;
        };
        if !seen.insert(code) {
            continue;
        }
        let l12 = ix12.get(code).copied();
        for col in &cols {
            let Some(a) = l3.amount(col).and_then(|x| fig(u3, x)) else {
                continue;
            };
            let b = match l12.and_then(|l| l.amount(col)).and_then(|x| fig(u12, x)) {
                Some(b) => b,
                None if a.value.is_zero() => continue,
                None => {
                    out.at(
                        Some(t3.id),
                        &a.at,
                        format!("表3“{}”在表1-2中没有对应的科目", line_name(l3)),
                    );
                    break;
                }
            };
            let cmp = compare(&a, &b);
            if matches!(cmp, Cmp::Equal) {
                continue;
            }
            let what = format!("表3“{}”的{}", line_name(l3), column_name(t3, col));
            let against = format!("表1-2 的{}", column_name(t12, col));
            match cmp {
                Cmp::Equal => {}
                Cmp::Differ(d) if all_gpb || d > Decimal::ZERO => {
                    out.cross(t3.id, &a, &b, &what, &against);
                    if !all_gpb && let Some(f) = out_last(out) {
                        f.message
                            .push_str("：表3（一般公共预算）不能超过表1-2（全部资金）");
                    }
                }
                Cmp::Rounding(_) => out.cross(t3.id, &a, &b, &what, &against),
                Cmp::Differ(_) => {}
            }
        }
    }
    if all_gpb {
        for l12 in t12.coded() {
            let Some(code) = l12.code.as_deref() else {
                continue;
            };
            if !ix3.contains_key(code) && !l12.is_zero() {
                let at = l12
                    .anchor()
                    .cloned()
                    .unwrap_or_else(|| t12.title.at.clone());
                out.at(
                    Some(t12.id),
                    &at,
                    format!(
                        "全部资金都是一般公共预算，但表1-2“{}”在表3中没有",
                        line_name(l12)
                    ),
                );
            }
        }
    }
    Ok(())
}

fn out_last(out: &mut Out) -> Option<&mut super::Finding> {
    out.findings.last_mut()
}

rule! {
    /// 表3 基本支出等于表3-1，项目支出等于表3-2
    ///
    /// 表3 基本支出 合计 = 表3-1 合计; 表3 项目支出 合计 = 表3-2 合计
    X206,
    Error,
    "表3 基本支出等于表3-1，项目支出等于表3-2",
    x206
}

rule! {
    /// 基本支出等于人员经费合计与公用经费合计之和
    ///
    /// 决算: 表3 合计行的基本支出 = 表3-1 人员经费合计 + 公用经费合计 (the 决算 表3-1 has no
    /// 合计 of its own; a 预算 表3-1's 合计 carries the identity through X206 and K103)
    X208,
    Error,
    "基本支出等于人员经费合计与公用经费合计之和",
    x208
}

fn x208(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let (t31, u31) = ctx.table_with_unit(TableId::T3_1)?;
    let (t3, u3) = ctx.table_with_unit(TableId::T3)?;
    let total = t31
        .total()
        .ok_or_else(|| NotRun(format!("{}没有人员经费合计和公用经费合计", t31.id)))?;
    if total.amount("total").is_some() {
        // A 预算 表3-1 has its own 合计: the identity is X206 (表3 基本支出 = 表3-1 合计)
        // and K103 (合计 = 人员经费 + 公用经费), each reported there, not twice.
        return Ok(());
    }
    let parts: Vec<&Amount> = ["personnel", "public"]
        .iter()
        .filter_map(|k| total.amount(k))
        .collect();
    let (Some(basic), false) = (t3.total().and_then(|l| l.amount("basic")), parts.is_empty())
    else {
        return Err(NotRun(format!(
            "{}没有人员经费合计、公用经费合计，或{}没有合计行的基本支出",
            t31.id, t3.id
        )));
    };
    let (Some(v), Some(s)) = (
        basic.value(),
        parts.iter().map(|a| a.value()).sum::<Option<Decimal>>(),
    ) else {
        out.skip("有不可读的单元格");
        return Ok(());
    };
    let cells: Vec<yusuan_core::CellRef> = parts.iter().map(|a| a.at.clone()).collect();
    if u3 == u31 {
        out.exact(
            t3,
            &basic.at,
            (v, s),
            || {
                (
                    format!("{} 合计行的基本支出", t3.id),
                    format!("{}人员经费合计与公用经费合计之和", t31.id),
                )
            },
            &cells,
        );
    } else {
        let a = Fig::cell(v, u3, &basic.at);
        let b = Fig {
            value: s,
            unit: u31,
            at: cells[0].clone(),
            terms: cells.len() as u32,
            cells,
        };
        out.cross(
            t3.id,
            &a,
            &b,
            "合计行的基本支出",
            &format!("{}人员经费合计与公用经费合计之和", t31.id),
        );
    }
    Ok(())
}

fn x206(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let (t3, u3) = ctx.table_with_unit(TableId::T3)?;
    let mut ran = false;
    match ctx.table_with_unit(TableId::T3_1) {
        Ok((t31, u31)) => {
            ran = true;
            if let (Some(a), Some(b)) = (total_fig(t3, u3, "basic"), total_fig(t31, u31, "total")) {
                out.cross(t3.id, &a, &b, "表3 合计行的基本支出", "表3-1 合计");
            }
        }
        Err(NotRun(why)) => out.skip(why),
    }
    match ctx.table_with_unit(TableId::T3_2) {
        Ok((t32, u32_)) => {
            ran = true;
            if let (Some(a), Some(b)) =
                (total_fig(t3, u3, "project"), total_fig(t32, u32_, "amount"))
            {
                out.cross(t3.id, &a, &b, "表3 合计行的项目支出", "表3-2 合计");
            }
        }
        Err(NotRun(why)) => out.skip(why),
    }
    if !ran {
        return Err(NotRun("表3-1、表3-2 均缺失".into()));
    }
    Ok(())
}

rule! {
    /// 表2-1 合计等于表2 本年支出
    ///
    /// 表2-1 合计 = 表2 本年支出合计
    X207,
    Error,
    "表2-1 合计等于表2 本年支出",
    x207
}

fn x207(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let (t21, u21) = ctx.table_with_unit(TableId::T2_1)?;
    let (t2, u2) = ctx.table_with_unit(TableId::T2)?;
    if let (Some(a), Some(b)) = (total_fig(t21, u21, "total"), t2_current(t2, u2, "total")) {
        out.cross(t21.id, &a, &b, "表2-1 合计", "表2“本年支出”合计");
    }
    Ok(())
}
