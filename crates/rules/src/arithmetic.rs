//! K rules: the accounting identities inside one table (exact: same table, same unit).

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::{Ctx, NotRun, Out, column_name, line_name};
use yusuan_core::{Amount, CellRef, Line, Table};
use yusuan_core::{Role, Scheme, Side, TableId, TableKind};

/// A fixed row's cell in `col` and its value (blank = 0); `None` when the row or the
/// column is absent or the cell unreadable.
fn fixed_cell<'t>(t: &'t Table, key: &str, col: &str) -> Option<(&'t Amount, Decimal)> {
    let a = t.fixed(key)?.amount(col)?;
    Some((a, a.value()?))
}

/// Sum of `key` over lines: value and the cells summed; `None` when a cell is unreadable.
fn sum<'a>(
    lines: impl IntoIterator<Item = &'a Line>,
    key: &str,
) -> Option<(Decimal, Vec<CellRef>)> {
    let mut total = Decimal::ZERO;
    let mut cells = Vec::new();
    for l in lines {
        if let Some(a) = l.amount(key) {
            total += a.value()?;
            cells.push(a.at.clone());
        }
    }
    Some((total, cells))
}

/// Sum of several columns of one line.
fn row_sum(l: &Line, keys: &[&str]) -> Option<(Decimal, Vec<CellRef>)> {
    let mut total = Decimal::ZERO;
    let mut cells = Vec::new();
    for k in keys {
        if let Some(a) = l.amount(k) {
            total += a.value()?;
            cells.push(a.at.clone());
        }
    }
    Some((total, cells))
}

rule! {
    /// 表1 收入合计与收入总计
    ///
    /// 表1: 本年收入合计 = Σ income lines; 收入总计 = 本年收入合计 + 用事业基金弥补收支差额 + 上年结转
    /// (决算: + 使用非财政拨款结余 + 年初结转和结余)
    K101,
    Error,
    "表1 收入合计与收入总计",
    k101
}

fn k101(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let t = ctx.table(TableId::T1)?;
    let col = "income";
    let three = ["gpb", "fund", "soe"];
    let has_three = three.iter().any(|k| t.fixed(k).is_some());
    let mut keys: Vec<&str> = vec![
        "gpb",
        "fund",
        "soe",
        "superior",
        "business",
        "operating",
        "affiliated",
        "other",
    ];
    if let Some(fiscal) = t.fixed("fiscal") {
        if has_three {
            // 财政拨款收入 is the subtotal of the three funds (Shanghai layout).
            if let (Some(v), Some((s, cells))) = (
                fiscal.value(col),
                sum(three.iter().filter_map(|k| t.fixed(k)), col),
            ) {
                let at = fiscal
                    .amount(col)
                    .map(|a| a.at.clone())
                    .unwrap_or_else(|| t.title.at.clone());
                out.exact(
                    t,
                    &at,
                    (v, s),
                    || ("表1“财政拨款收入”".into(), "三项财政拨款之和".into()),
                    &cells,
                );
            }
        } else {
            keys.push("fiscal");
        }
    }
    let lines: Vec<&Line> = keys.iter().filter_map(|k| t.fixed(k)).collect();
    if lines.is_empty() {
        return Err(NotRun("表1 没有可识别的收入行".into()));
    }
    let Some((income_sum, cells)) = sum(lines.iter().copied(), col) else {
        out.skip("表1 收入行有不可读的单元格");
        return Ok(());
    };
    // Each total is checked against the computed sum of its parts, so one wrong
    // subtotal is reported once, not again in every total above it.
    let subtotal = t.fixed("income_subtotal");
    let base = income_sum;
    if let Some((a, v)) = fixed_cell(t, "income_subtotal", col) {
        out.exact(
            t,
            &a.at,
            (v, income_sum),
            || ("表1“本年收入合计”".into(), "各项收入之和".into()),
            &cells,
        );
    }
    if let Some((a, v)) = fixed_cell(t, "income_total", col) {
        let extra: Vec<&Line> = ["fund_balance", "non_fiscal_balance", "carried_forward"]
            .iter()
            .filter_map(|k| t.fixed(k))
            .collect();
        if let Some((e, mut ecells)) = sum(extra, col) {
            let what = if t.fixed("non_fiscal_balance").is_some() {
                "各项收入、使用非财政拨款结余与年初结转和结余之和"
            } else {
                "各项收入、用事业基金弥补收支差额与上年结转之和"
            };
            let mut summed = cells.clone();
            summed.append(&mut ecells);
            out.exact(
                t,
                &a.at,
                (v, base + e),
                || ("表1“收入总计”".into(), what.to_string()),
                &summed,
            );
        }
    } else if subtotal.is_none() {
        return Err(NotRun("表1 没有“本年收入合计”和“收入总计”行".into()));
    }
    Ok(())
}

rule! {
    /// 表1 支出合计、支出总计与收支平衡
    ///
    /// 表1: 本年支出合计 = Σ 类 lines; 支出总计 = 本年支出合计 + 结转下年 (决算: + 结余分配 +
    /// 年末结转和结余); 收入总计 = 支出总计
    K102,
    Error,
    "表1 支出合计、支出总计与收支平衡",
    k102
}

fn k102(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let t = ctx.table(TableId::T1)?;
    let col = "expenditure";
    let classes: Vec<&Line> = t
        .coded()
        .filter(|l| l.side == Some(Side::Expenditure))
        .collect();
    let Some((class_sum, cells)) = sum(classes.iter().copied(), col) else {
        out.skip("表1 支出类行有不可读的单元格");
        return Ok(());
    };
    let subtotal = t.fixed("expenditure_subtotal");
    let base = class_sum;
    if let Some((a, v)) = fixed_cell(t, "expenditure_subtotal", col) {
        out.exact(
            t,
            &a.at,
            (v, class_sum),
            || ("表1“本年支出合计”".into(), "各类支出之和".into()),
            &cells,
        );
    }
    if let Some((a, v)) = fixed_cell(t, "expenditure_total", col) {
        let carry_cells: Vec<&Amount> = ["distribution", "carry_over"]
            .iter()
            .filter_map(|k| t.fixed(k).and_then(|l| l.amount(col)))
            .collect();
        let carry: Decimal = carry_cells.iter().filter_map(|c| c.value()).sum();
        let what = if t.fixed("distribution").is_some() {
            "各类支出、结余分配与年末结转和结余之和"
        } else {
            "各类支出与结转下年之和"
        };
        let mut summed = cells.clone();
        summed.extend(carry_cells.iter().map(|c| c.at.clone()));
        out.exact(
            t,
            &a.at,
            (v, base + carry),
            || ("表1“支出总计”".into(), what.to_string()),
            &summed,
        );
        // 收入总计 = 支出总计
        if let Some((ia, iv)) = fixed_cell(t, "income_total", "income") {
            out.exact(
                t,
                &a.at,
                (v, iv),
                || ("表1“支出总计”".into(), "“收入总计”".into()),
                std::slice::from_ref(&ia.at),
            );
        }
    } else if subtotal.is_none() {
        return Err(NotRun("表1 没有“本年支出合计”和“支出总计”行".into()));
    }
    Ok(())
}

/// The columns whose sum a row's 合计 must equal, per table.
fn row_parts(t: &Table) -> Option<Vec<&'static str>> {
    let has = |k: &str| t.has_column(k);
    let parts: Vec<&'static str> = match t.id {
        TableId::T1_1 => {
            let mut v: Vec<&'static str> = [
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
            ]
            .into_iter()
            .filter(|k| has(k))
            .collect();
            if has("fiscal") && !(has("gpb") || has("fund") || has("soe")) {
                v.push("fiscal");
            }
            v
        }
        TableId::T1_2 => [
            "basic",
            "project",
            "remit",
            "operating_expense",
            "affiliated_subsidy",
        ]
        .into_iter()
        .filter(|k| has(k))
        .collect(),
        TableId::T2_1 | TableId::T3 | TableId::T4 | TableId::T5 => vec!["basic", "project"],
        // The 决算 基本支出 table has one 决算数 per line: nothing to add up across.
        TableId::T3_1 if !has("personnel") && !has("public") => return None,
        TableId::T3_1 => vec!["personnel", "public"],
        TableId::T2 => vec!["gpb", "fund", "soe"],
        // Unit-level 表1 splits 支出 into 基本支出 (or 人员经费 and 公用经费) and 项目支出.
        TableId::T1 if has("expenditure_basic") => vec!["expenditure_basic", "expenditure_project"],
        TableId::T1 if has("expenditure_personnel") => {
            vec![
                "expenditure_personnel",
                "expenditure_public",
                "expenditure_project",
            ]
        }
        _ => return None,
    };
    Some(parts.into_iter().filter(|k| has(k)).collect())
}

/// 决算 fund tables: on every row 年末结转和结余 = 年初结转和结余 + 本年收入 − 本年支出.
fn fund_balance_rows(t: &Table, out: &mut Out) {
    for l in &t.lines {
        let Some(a) = l.amount("closing") else {
            continue;
        };
        let parts = ["opening", "income", "total"];
        let cells: Vec<CellRef> = parts
            .iter()
            .filter_map(|k| l.amount(k).map(|a| a.at.clone()))
            .collect();
        let (Some(v), Some(o), Some(i), Some(s)) = (
            a.value(),
            l.value("opening"),
            l.value("income"),
            l.value("total"),
        ) else {
            continue;
        };
        out.exact(
            t,
            &a.at,
            (v, o + i - s),
            || {
                (
                    format!("{}“{}”的年末结转和结余", t.id, line_name(l)),
                    "年初结转和结余 + 本年收入 − 本年支出".into(),
                )
            },
            &cells,
        );
    }
}

/// Unit-level 表1: 基本支出 = 人员经费 + 公用经费 on every expenditure row.
fn t1_split(t: &Table, out: &mut Out) {
    if !t.has_column("expenditure_personnel") {
        return;
    }
    for l in t.lines.iter().filter(|l| l.side == Some(Side::Expenditure)) {
        let Some(a) = l.amount("expenditure_basic") else {
            continue;
        };
        let parts = ["expenditure_personnel", "expenditure_public"];
        let (Some(v), Some((s, cells))) = (a.value(), row_sum(l, &parts)) else {
            continue;
        };
        out.exact(
            t,
            &a.at,
            (v, s),
            || {
                (
                    format!("表1“{}”的基本支出", line_name(l)),
                    parts_name(t, &parts),
                )
            },
            &cells,
        );
    }
}

fn parts_name(t: &Table, parts: &[&str]) -> String {
    let names: Vec<String> = parts.iter().map(|k| column_name(t, k)).collect();
    match names.len() {
        0 => "各列".to_string(),
        1 => names[0].clone(),
        2 => format!("{}与{}之和", names[0], names[1]),
        _ => format!("{}之和", names.join("、")),
    }
}

rule! {
    /// 各行合计等于各列之和
    ///
    /// row identities: 合计 = Σ source columns (表1-1); 合计 = 基本 + 项目 (表1-2, 表2-1, 表3, 表4, 表5); 合计 = 人员经费 + 公用经费 (表3-1); 表2 each row 合计 = 一般 + 基金 + 国资;
    /// 决算 表4, 表5: 年末结转和结余 = 年初结转和结余 + 本年收入 − 本年支出
    K103,
    Error,
    "各行合计等于各列之和",
    k103
}

fn k103(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let mut ran = false;
    for t in &ctx.budget.tables {
        let Some(parts) = row_parts(t) else { continue };
        let total_key = if t.id == TableId::T1 {
            "expenditure"
        } else {
            "total"
        };
        if t.id == TableId::T1 {
            t1_split(t, out);
        }
        if t.has_column("closing") {
            fund_balance_rows(t, out);
        }
        if !t.has_column(total_key) {
            out.skip(format!("{}没有“合计”列", t.id));
            continue;
        }
        if parts.is_empty() {
            out.skip(format!("{}没有可加总的列", t.id));
            continue;
        }
        ran = true;
        for l in &t.lines {
            if t.id == TableId::T2 && l.side != Some(Side::Expenditure) {
                continue;
            }
            let Some(a) = l.amount(total_key) else {
                continue;
            };
            let (Some(v), Some((s, cells))) = (a.value(), row_sum(l, &parts)) else {
                continue;
            };
            out.exact(
                t,
                &a.at,
                (v, s),
                || {
                    (
                        format!("{}“{}”的{}", t.id, line_name(l), column_name(t, total_key)),
                        parts_name(t, &parts),
                    )
                },
                &cells,
            );
        }
    }
    if !ran {
        return Err(NotRun(
            "表1-1、表1-2、表2、表2-1、表3、表3-1、表4、表5 均缺失".into(),
        ));
    }
    Ok(())
}

fn parent_code(scheme: Scheme, code: &str) -> Option<&str> {
    match (scheme, code.len()) {
        (Scheme::Functional, 7) => Some(&code[..5]),
        (_, 5) => Some(&code[..3]),
        _ => None,
    }
}

rule! {
    /// 类等于其下各款之和、款等于其下各项之和、合计等于各类之和
    ///
    /// hierarchy in every amount column: 类 = Σ its 款, 款 = Σ its 项, 合计 = Σ 类; no orphan rows
    K104,
    Error,
    "类等于其下各款之和、款等于其下各项之和、合计等于各类之和",
    k104
}

fn k104(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let mut ran = false;
    for t in &ctx.budget.tables {
        let spec = ctx.catalog.table(t.id);
        let amount_keys: Vec<&str> = spec
            .columns
            .iter()
            .filter(|c| c.role == Role::Amount && t.has_column(&c.key))
            .map(|c| c.key.as_str())
            .collect();
        match spec.kind {
            TableKind::Classified => {
                ran = true;
                let scheme = spec.scheme.unwrap_or(Scheme::Functional);
                hierarchy(t, scheme, &amount_keys, out);
            }
            TableKind::List => {
                ran = true;
                let Some(total) = t.total() else {
                    if t.entries().any(|l| !l.is_zero()) {
                        out.skip(format!("{}没有合计行", t.id));
                    }
                    continue;
                };
                // A 合计 with no rows under it (the department-level layout) sums nothing.
                if t.entries().next().is_none() {
                    continue;
                }
                for k in &amount_keys {
                    let Some(a) = total.amount(k) else { continue };
                    let (Some(v), Some((s, cells))) = (a.value(), sum(t.entries(), k)) else {
                        continue;
                    };
                    out.exact(
                        t,
                        &a.at,
                        (v, s),
                        || {
                            (
                                format!("{}合计行的{}", t.id, column_name(t, k)),
                                "各行之和".into(),
                            )
                        },
                        &cells,
                    );
                }
            }
            _ => {}
        }
    }
    if !ran {
        return Err(NotRun("没有分类科目表或明细表".into()));
    }
    Ok(())
}

fn hierarchy(t: &Table, scheme: Scheme, keys: &[&str], out: &mut Out) {
    let coded: Vec<&Line> = t.coded().collect();
    let present: HashSet<&str> = coded.iter().filter_map(|l| l.code.as_deref()).collect();
    let lengths: HashSet<usize> = present.iter().map(|c| c.len()).collect();
    let mut children: HashMap<&str, Vec<&Line>> = HashMap::new();
    let mut roots: Vec<&Line> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for l in &coded {
        let Some(code) = l.code.as_deref() else {
            continue;
        };
        if !seen.insert(code) {
            continue; // duplicates are V005's
        }
        match parent_code(scheme, code) {
            Some(p) if present.contains(p) => children.entry(p).or_default().push(l),
            Some(p) => {
                // A line is a root only when no ancestor at all is present; an orphan
                // 项 under a present 类 is part of that 类, not a root of its own.
                let has_ancestor = parent_code(scheme, p).is_some_and(|g| present.contains(g));
                if !has_ancestor {
                    roots.push(l);
                }
                if lengths.contains(&p.len())
                    && let Some(at) = l.anchor()
                {
                    let level = if p.len() == 3 { "类" } else { "款" };
                    out.at(
                        Some(t.id),
                        at,
                        format!("{}科目 {} 缺少上级{level}科目 {p} 的行", t.id, line_name(l)),
                    );
                }
            }
            None => roots.push(l),
        }
    }
    for l in &coded {
        let Some(code) = l.code.as_deref() else {
            continue;
        };
        let Some(kids) = children.get(code) else {
            continue;
        };
        let level = if code.len() == 3 { "款" } else { "项" };
        for k in keys {
            let Some(a) = l.amount(k) else { continue };
            let (Some(v), Some((s, cells))) = (a.value(), sum(kids.iter().copied(), k)) else {
                continue;
            };
            out.exact(
                t,
                &a.at,
                (v, s),
                || {
                    (
                        format!("{}的{}", line_name(l), column_name(t, k)),
                        format!("其下各{level}之和"),
                    )
                },
                &cells,
            );
        }
    }
    if let Some(total) = t.total() {
        let level = if roots
            .iter()
            .all(|l| l.code.as_ref().is_some_and(|c| c.len() == 3))
        {
            "类"
        } else {
            "科目"
        };
        for k in keys {
            let Some(a) = total.amount(k) else { continue };
            let (Some(v), Some((s, cells))) = (a.value(), sum(roots.iter().copied(), k)) else {
                continue;
            };
            out.exact(
                t,
                &a.at,
                (v, s),
                || {
                    (
                        format!("{}合计行的{}", t.id, column_name(t, k)),
                        format!("各{level}之和"),
                    )
                },
                &cells,
            );
        }
    } else if !coded.is_empty() {
        out.skip(format!("{}没有合计行", t.id));
    }
}

rule! {
    /// “三公”经费合计与分项
    ///
    /// 三公 (表3-3, 表4-1): 合计 = 出国 + 用车小计 + 接待; 小计 = 购置 + 运行; each 单位 row and the 合计 row
    K105,
    Error,
    "“三公”经费合计与分项",
    k105
}

fn k105(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let tables: Vec<&Table> = [TableId::T3_3, TableId::T4_1]
        .iter()
        .filter_map(|id| ctx.budget.table(*id))
        .collect();
    if tables.is_empty() {
        return Err(NotRun("表3-3、表4-1 均缺失".into()));
    }
    for t in tables {
        // The 决算 table has a 预算数 (`budget_…`) beside every 决算数.
        let measures: &[&str] = if t.has_column("budget_total") {
            &["budget_", ""]
        } else {
            &[""]
        };
        for prefix in measures {
            three_public_parts(t, prefix, out);
        }
    }
    Ok(())
}

/// One 三公 table's identities for one measure (`budget_` for its 预算数, `` else).
fn three_public_parts(t: &Table, prefix: &str, out: &mut Out) {
    let k = |key: &str| format!("{prefix}{key}");
    let measure = if prefix.is_empty() { "" } else { "预算数" };
    let has_sub = t.has_column(&k("vehicle"));
    for l in &t.lines {
        let vehicle_parts = [k("vehicle_purchase"), k("vehicle_operation")];
        let vehicle_parts: Vec<&str> = vehicle_parts.iter().map(String::as_str).collect();
        if has_sub
            && let Some(a) = l.amount(&k("vehicle"))
            && let (Some(v), Some((s, cells))) = (a.value(), row_sum(l, &vehicle_parts))
        {
            out.exact(
                t,
                &a.at,
                (v, s),
                || {
                    (
                        format!(
                            "{}“{}”的公务用车购置及运行费小计{measure}",
                            t.id,
                            line_name(l)
                        ),
                        "购置费与运行费之和".into(),
                    )
                },
                &cells,
            );
        }
        let parts: Vec<String> = if has_sub {
            ["abroad", "vehicle", "reception"].map(k).to_vec()
        } else {
            [
                "abroad",
                "vehicle_purchase",
                "vehicle_operation",
                "reception",
            ]
            .map(k)
            .to_vec()
        };
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        if let Some(a) = l.amount(&k("total"))
            && let (Some(v), Some((s, cells))) = (a.value(), row_sum(l, &parts))
        {
            out.exact(
                t,
                &a.at,
                (v, s),
                || {
                    (
                        format!("{}“{}”的“三公”经费合计{measure}", t.id, line_name(l)),
                        "因公出国（境）费、公务用车购置及运行费与公务接待费之和".into(),
                    )
                },
                &cells,
            );
        }
    }
}

rule! {
    /// 表2 财政拨款收支平衡、分资金来源收支一致
    ///
    /// 表2: 收入总计 = 支出总计; per fund, income = expenditure column
    K106,
    Error,
    "表2 财政拨款收支平衡、分资金来源收支一致",
    k106
}

fn k106(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let t = ctx.table(TableId::T2)?;
    k106_income(t, out);
    k106_expenditure(t, out);
    k106_balance(t, out)
}

/// 表2 income: 本年收入 and 上年结转 are each the sum of their three funds, 收入总计 the
/// sum of all six.
fn k106_income(t: &Table, out: &mut Out) {
    let inc = |k: &str| t.fixed(k).and_then(|l| l.amount("income"));
    // 本年收入 = 三项之和; 上年结转 = 三项之和
    for (head, parts, what) in [
        (
            "current",
            ["current_gpb", "current_fund", "current_soe"],
            "表2“本年收入”",
        ),
        (
            "carried",
            ["carried_gpb", "carried_fund", "carried_soe"],
            "表2“上年结转”",
        ),
    ] {
        let lines: Vec<&Line> = parts.iter().filter_map(|k| t.fixed(k)).collect();
        if let (Some(a), Some((s, cells))) = (inc(head), sum(lines, "income"))
            && let Some(v) = a.value()
            && !cells.is_empty()
        {
            out.exact(
                t,
                &a.at,
                (v, s),
                || (what.to_string(), "其下各项之和".into()),
                &cells,
            );
        }
    }
    // 收入总计 = 本年收入 + 上年结转
    let income_total = inc("income_total");
    if let Some(a) = income_total
        && let Some(v) = a.value()
    {
        let parts = [
            "current_gpb",
            "current_fund",
            "current_soe",
            "carried_gpb",
            "carried_fund",
            "carried_soe",
        ];
        let lines: Vec<&Line> = parts.iter().filter_map(|k| t.fixed(k)).collect();
        if let Some((s, cells)) = sum(lines, "income") {
            out.exact(
                t,
                &a.at,
                (v, s),
                || ("表2“收入总计”".into(), "本年收入与上年结转各项之和".into()),
                &cells,
            );
        }
    }
}

/// 表2 expenditure, per column: 本年支出 is the sum of the 类, 支出总计 that plus 结转下年.
fn k106_expenditure(t: &Table, out: &mut Out) {
    // 支出: 本年支出 = 各类之和 (per column); 支出总计 = 本年支出 + 结转下年
    let cols: Vec<&str> = ["total", "gpb", "fund", "soe"]
        .into_iter()
        .filter(|k| t.has_column(k))
        .collect();
    let classes: Vec<&Line> = t
        .coded()
        .filter(|l| l.side == Some(Side::Expenditure))
        .collect();
    let current_exp = t.fixed("current_expenditure");
    let exp_total = t.fixed("expenditure_total");
    let carry = t.fixed("carry_over");
    for k in &cols {
        let Some((s, cells)) = sum(classes.iter().copied(), k) else {
            continue;
        };
        let base = s;
        if let Some(a) = current_exp.and_then(|l| l.amount(k))
            && let Some(v) = a.value()
        {
            out.exact(
                t,
                &a.at,
                (v, s),
                || {
                    (
                        format!("表2“本年支出”的{}", column_name(t, k)),
                        "各类支出之和".into(),
                    )
                },
                &cells,
            );
        }
        if let Some(a) = exp_total.and_then(|l| l.amount(k))
            && let Some(v) = a.value()
        {
            let c = carry.and_then(|l| l.value(k)).unwrap_or_default();
            out.exact(
                t,
                &a.at,
                (v, base + c),
                || {
                    (
                        format!("表2“支出总计”的{}", column_name(t, k)),
                        "各类支出与结转下年之和".into(),
                    )
                },
                &[],
            );
        }
    }
}

/// 表2 balance: 收入总计 = 支出总计, and per fund its expenditure (各类 + 结转下年) =
/// its income (本年收入 + 上年结转).
fn k106_balance(t: &Table, out: &mut Out) -> Result<(), NotRun> {
    let inc = |k: &str| t.fixed(k).and_then(|l| l.amount("income"));
    let val = |k: &str| inc(k).and_then(|a| a.value());
    let income_total = inc("income_total");
    let fund_income = |fund: &str| -> Option<Decimal> {
        Some(
            val(&format!("current_{fund}")).unwrap_or_default()
                + val(&format!("carried_{fund}")).unwrap_or_default(),
        )
    };
    let classes: Vec<&Line> = t
        .coded()
        .filter(|l| l.side == Some(Side::Expenditure))
        .collect();
    let exp_total = t.fixed("expenditure_total");
    let carry = t.fixed("carry_over");
    // 收入总计 = 支出总计; per fund, income = expenditure column.
    let Some(et) = exp_total else {
        return if income_total.is_none() {
            Err(NotRun("表2 没有“收入总计”和“支出总计”行".into()))
        } else {
            Ok(())
        };
    };
    if let (Some(ia), Some(ea)) = (income_total, et.amount("total"))
        && let (Some(iv), Some(ev)) = (ia.value(), ea.value())
    {
        out.exact(
            t,
            &ea.at,
            (ev, iv),
            || ("表2“支出总计”".into(), "“收入总计”".into()),
            std::slice::from_ref(&ia.at),
        );
    }
    // Per fund: the fund's column of 各类支出 + 结转下年 = its income lines.
    for (fund, name) in [
        ("gpb", "一般公共预算"),
        ("fund", "政府性基金预算"),
        ("soe", "国有资本经营预算"),
    ] {
        let spent = sum(classes.iter().copied(), fund)
            .map(|(s, _)| s + carry.and_then(|l| l.value(fund)).unwrap_or_default());
        if let Some(ea) = et.amount(fund)
            && let (Some(ev), Some(iv)) = (spent, fund_income(fund))
        {
            let cells: Vec<CellRef> = [format!("current_{fund}"), format!("carried_{fund}")]
                .iter()
                .filter_map(|k| inc(k))
                .map(|a| a.at.clone())
                .collect();
            out.exact(
                t,
                &ea.at,
                (ev, iv),
                || {
                    (
                        format!("表2 {name}支出总计"),
                        format!("{name}收入（本年收入与上年结转）"),
                    )
                },
                &cells,
            );
        }
    }
    Ok(())
}

rule! {
    /// 表3-1 人员经费等于301和303、公用经费等于302和310
    ///
    /// 表3-1: 人员经费 = 301 + 303 rows, 公用经费 = 302 + 310 rows
    K107,
    Warning,
    "表3-1 人员经费等于301和303、公用经费等于302和310",
    k107
}

fn k107(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let t = ctx.table(TableId::T3_1)?;
    let total = t.total().ok_or_else(|| NotRun("表3-1 没有合计行".into()))?;
    let class = |codes: &[&str]| -> Vec<&Line> {
        t.coded()
            .filter(|l| l.code.as_deref().is_some_and(|c| codes.contains(&c)))
            .collect()
    };
    if !t
        .coded()
        .any(|l| l.code.as_ref().is_some_and(|c| c.len() == 3))
    {
        return Err(NotRun("表3-1 没有经济分类类级（301、302…）行".into()));
    }
    for (key, codes, what) in [
        (
            "personnel",
            &["301", "303"][..],
            "工资福利支出(301)与对个人和家庭的补助(303)之和",
        ),
        (
            "public",
            &["302", "310"][..],
            "商品和服务支出(302)与资本性支出(310)之和",
        ),
    ] {
        let Some(a) = total.amount(key) else { continue };
        let (Some(v), Some((s, cells))) = (a.value(), sum(class(codes), "total")) else {
            continue;
        };
        out.exact(
            t,
            &a.at,
            (v, s),
            || {
                (
                    format!("表3-1 合计行的{}", column_name(t, key)),
                    what.to_string(),
                )
            },
            &cells,
        );
    }
    Ok(())
}
