//! C rules: classification codes and their names.

use super::{Ctx, NotRun, Out, line_name};
use yusuan_core::text::{fold, strip_ordinal};
use yusuan_core::{Line, LineKind, Table};
use yusuan_core::{Scheme, Side, TableKind};

/// Classified tables of one scheme, with their code lines (code cells only, not names
/// mapped to codes).
fn coded_of<'a>(ctx: &Ctx<'a>, scheme: Scheme) -> Vec<(&'a Table, &'a Line)> {
    ctx.budget
        .tables
        .iter()
        .filter(|t| {
            let s = ctx.catalog.table(t.id);
            s.kind == TableKind::Classified && s.scheme == Some(scheme)
        })
        .flat_map(|t| t.coded().map(move |l| (t, l)))
        .collect()
}

fn unknown(ctx: &Ctx<'_>, out: &mut Out, scheme: Scheme) -> Result<(), NotRun> {
    let lines = coded_of(ctx, scheme);
    if lines.is_empty() {
        return Err(NotRun("没有带科目编码的表".into()));
    }
    let what = match scheme {
        Scheme::Functional => "支出功能分类",
        Scheme::Economic => "部门预算支出经济分类",
    };
    for (t, l) in lines {
        let Some(code) = l.code.as_deref() else {
            continue;
        };
        if ctx.codes.lookup(scheme, code).is_none()
            && let Some(at) = &l.code_at
        {
            out.at(
                Some(t.id),
                at,
                format!(
                    "{}科目编码 {code}（{}）不在{what}科目表中（科目表可能不全，可用 --codes 提供本地完整科目表）",
                    t.id,
                    yusuan_core::text::clip(&l.name, 60)
                ),
            );
        }
    }
    if scheme == Scheme::Functional
        && let Some(t32) = ctx.budget.table(yusuan_core::TableId::T3_2)
    {
        for l in t32.entries() {
            let Some(fc) = l.text("function_code") else {
                continue;
            };
            let Some(ct) = yusuan_core::text::parse_code_text(&fc.value) else {
                out.at(
                    Some(t32.id),
                    &fc.at,
                    format!(
                        "表3-2 项目“{}”的功能科目编码“{}”不是有效编码",
                        project(l),
                        fc.value
                    ),
                );
                continue;
            };
            if ctx.codes.lookup(scheme, &ct.code).is_none() {
                out.at(
                    Some(t32.id),
                    &fc.at,
                    format!(
                        "表3-2 项目“{}”的功能科目编码 {} 不在支出功能分类科目表中",
                        project(l),
                        ct.code
                    ),
                );
            }
        }
    }
    Ok(())
}

fn project(l: &Line) -> String {
    l.text("project_name")
        .map(|t| t.value.clone())
        .unwrap_or_else(|| l.name.clone())
}

fn mismatch(ctx: &Ctx<'_>, out: &mut Out, scheme: Scheme) -> Result<(), NotRun> {
    let lines = coded_of(ctx, scheme);
    if lines.is_empty() {
        return Err(NotRun("没有带科目编码的表".into()));
    }
    for (t, l) in lines {
        let Some(code) = l.code.as_deref() else {
            continue;
        };
        let Some(entry) = ctx.codes.lookup(scheme, code) else {
            continue;
        };
        if l.name.trim().is_empty() || fold(&l.name) == fold(&entry.name) {
            continue;
        }
        if ctx.codes.renamed_from(code, &l.name).is_some() {
            continue; // an earlier official name: C303
        }
        let at = l.name_anchor().unwrap_or(&t.title.at);
        out.at(
            Some(t.id),
            at,
            format!(
                "{}科目 {code} 的名称写为“{}”，科目表中 {code} 是“{}”",
                t.id,
                yusuan_core::text::clip(&l.name, 60),
                entry.name
            ),
        );
    }
    Ok(())
}

rule! {
    /// 功能分类科目编码在科目表中
    ///
    /// functional code not in the catalogue of the budget year (catalogue may be incomplete: warning)
    C301,
    Warning,
    "功能分类科目编码在科目表中",
    c301
}

fn c301(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    unknown(ctx, out, Scheme::Functional)
}

rule! {
    /// 功能分类科目名称与编码相符
    ///
    /// functional code known, but the name differs from the catalogue's name for it
    C302,
    Error,
    "功能分类科目名称与编码相符",
    c302
}

fn c302(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    mismatch(ctx, out, Scheme::Functional)
}

rule! {
    /// 经济分类科目编码在科目表中
    ///
    /// economic code not in the catalogue; C306 error: economic code/name mismatch
    C305,
    Warning,
    "经济分类科目编码在科目表中",
    c305
}

fn c305(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    unknown(ctx, out, Scheme::Economic)
}

rule! {
    /// 经济分类科目名称与编码相符
    C306,
    Error,
    "经济分类科目名称与编码相符",
    c306
}

fn c306(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    mismatch(ctx, out, Scheme::Economic)
}

rule! {
    /// 没有使用已停用的旧科目名称
    ///
    /// name is an earlier year's official name (e.g. 医疗卫生与计划生育支出 → 卫生健康支出)
    C303,
    Warning,
    "没有使用已停用的旧科目名称",
    c303
}

fn c303(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    for t in &ctx.budget.tables {
        let kind = ctx.catalog.table(t.id).kind;
        for l in t.coded() {
            let Some(code) = l.code.as_deref() else {
                continue;
            };
            // 表1/表2 类 lines carry `一、` ordinals.
            let name = if kind == TableKind::Balance {
                strip_ordinal(&fold(&l.name)).to_string()
            } else {
                l.name.clone()
            };
            if let Some(r) = ctx.codes.renamed_from(code, &name) {
                let at = l.name_anchor().unwrap_or(&t.title.at);
                out.at(
                    Some(t.id),
                    at,
                    format!(
                        "{}科目 {code} 使用了旧名称“{}”，现行名称为“{}”",
                        t.id, r.old_name, r.new_name
                    ),
                );
            }
        }
    }
    Ok(())
}

rule! {
    /// 科目编码格式正确、层级归属正确
    ///
    /// malformed code, or a child whose code does not start with its parent's
    C304,
    Error,
    "科目编码格式正确、层级归属正确",
    c304
}

fn c304(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    for t in &ctx.budget.tables {
        let spec = ctx.catalog.table(t.id);
        for l in t.lines.iter().filter(|l| l.kind == LineKind::Unparsed) {
            let Some(at) = l.anchor().or_else(|| l.amounts.first().map(|(_, a)| &a.at)) else {
                continue;
            };
            let msg = match spec.kind {
                TableKind::Classified if l.code_at.is_some() => format!(
                    "{}“{}”不是有效的科目编码（功能分类应为 3、5、7 位，经济分类 3、5 位）",
                    t.id,
                    yusuan_core::text::clip(&l.name, 60)
                ),
                TableKind::Classified => format!("{}第 {} 行有金额但没有科目编码", t.id, l.row + 1),
                TableKind::Balance if l.side == Some(Side::Expenditure) && !l.name.is_empty() => {
                    format!(
                        "{}支出项目“{}”不是可识别的功能分类类级科目",
                        t.id,
                        yusuan_core::text::clip(&l.name, 60)
                    )
                }
                TableKind::Balance if !l.name.is_empty() => {
                    let expected: Vec<String> = spec
                        .rows
                        .iter()
                        .filter(|r| r.side == Side::Income && r.write)
                        .map(|r| strip_ordinal(&fold(&r.label)).to_string())
                        .collect();
                    format!(
                        "{}收入项目“{}”不是可识别的收入行（应为：{}）",
                        t.id,
                        yusuan_core::text::clip(&l.name, 60),
                        expected.join("、")
                    )
                }
                _ => format!("{}第 {} 行有金额但没有项目名称", t.id, l.row + 1),
            };
            out.at(Some(t.id), at, msg);
        }
        if spec.kind != TableKind::Classified {
            continue;
        }
        // A 款 or 项 must sit under its own 类/款.
        let present: std::collections::HashSet<&str> =
            t.coded().filter_map(|l| l.code.as_deref()).collect();
        let mut last_by_len: [Option<&Line>; 8] = Default::default();
        for l in t.coded() {
            let Some(code) = l.code.as_deref() else {
                continue;
            };
            let parent_len = match code.len() {
                7 => 5,
                5 => 3,
                _ => 0,
            };
            if parent_len > 0
                && present.contains(&code[..parent_len])
                && let Some(above) = last_by_len[parent_len]
                && let Some(pc) = above.code.as_deref()
                && !code.starts_with(pc)
                && let Some(at) = l.code_at.as_ref()
            {
                out.at(
                    Some(t.id),
                    at,
                    format!(
                        "{}科目 {} 排在 {} 之下，但编码不以 {pc} 开头",
                        t.id,
                        line_name(l),
                        line_name(above)
                    ),
                );
            }
            if code.len() < 8 {
                last_by_len[code.len()] = Some(l);
                // A new 类 closes the 款 above it.
                if code.len() == 3 {
                    last_by_len[5] = None;
                }
            }
        }
    }
    Ok(())
}
