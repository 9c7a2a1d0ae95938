//! S rules: tables present, units stated, empty-table notes, one year and one
//! department, no template residue, sheets that were not used.

use super::{Ctx, NotRun, Out};
use yusuan_core::CellRef;
use yusuan_core::text::fold;
use yusuan_core::{Fund, Stage, TableId};

rule! {
    /// 必须公开的表（表1至表5）都在
    ///
    /// every required table is present (表1 … 表5; a table may be empty but must exist)
    S001,
    Error,
    "必须公开的表（表1至表5）都在",
    s001
}

fn s001(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let layout = ctx
        .catalog
        .layout(&ctx.budget.layout)
        .unwrap_or(&ctx.catalog.layouts[0]);
    for id in &layout.required {
        if ctx.budget.table(*id).is_none() {
            let spec = ctx.catalog.table(*id);
            out.push(
                out.severity(),
                Some(*id),
                None,
                format!(
                    "缺少{}“{}”（{}）：未找到该表（按标题和表头识别）；空表也须公开并附说明",
                    id, spec.title, layout.name
                ),
            );
        }
    }
    Ok(())
}

rule! {
    /// 每张表都注明了金额单位
    ///
    /// table unit (`单位：…`) found; never guessed
    S002,
    Error,
    "每张表都注明了金额单位",
    s002
}

fn s002(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    for t in ctx.budget.tables.iter().filter(|t| t.unit.is_none()) {
        out.at(
            Some(t.id),
            &t.title.at,
            format!(
                "{}（工作表「{}」）没有注明金额单位：标题下方应有“单位：万元”或“单位：元”，yusuan 不猜测单位",
                t.id, t.sheet
            ),
        );
    }
    Ok(())
}

/// Words that name each fund in a note.
fn fund_words(f: Fund) -> &'static [&'static str] {
    match f {
        Fund::Gpb => &["一般公共预算"],
        Fund::Fund => &["政府性基金"],
        Fund::Soe => &["国有资本经营"],
    }
}

rule! {
    /// 空表附有说明且说明的资金类别正确；非空表不带空表说明
    ///
    /// an empty table carries the empty-table note, naming the right fund; a non-empty one does not
    S003,
    Error,
    "空表附有说明且说明的资金类别正确；非空表不带空表说明",
    s003
}

/// Whether the explanation text says a fund has no budget: a sentence naming the fund
/// that says 无/未安排/空表, or gives its 支出/预算/拨款 as 0.
fn text_says_empty(ctx: &Ctx<'_>, fund: Fund) -> bool {
    static ZERO: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?:预算|支出|拨款|安排)[^,，。；;]{0,8}?(?:为)?0(?:\.0+)?(?:万元|元)")
            .expect("re")
    });
    let Some(text) = ctx.text else {
        return false;
    };
    text.iter()
        .flat_map(|l| l.text.split(['。', '；', ';']))
        .map(fold)
        .any(|s| {
            fund_words(fund).iter().any(|w| {
                s.find(w).is_some_and(|i| {
                    let after = &s[i..];
                    after.contains('无')
                        || after.contains("未安排")
                        || after.contains("空表")
                        || ZERO.find(after).is_some_and(|m| m.start() < 40)
                })
            })
        })
}

fn s003(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    if unfilled(ctx) {
        return Err(NotRun("模板未填写（见 S007）".into()));
    }
    let layout = ctx.catalog.layout(&ctx.budget.layout);
    let mut checked = 0;
    for t in &ctx.budget.tables {
        let Some(fund) = ctx.catalog.table(t.id).fund else {
            continue;
        };
        checked += 1;
        let title = &ctx.catalog.table(t.id).title;
        match (&t.note, t.is_empty()) {
            (None, true) => {
                let in_text = layout.is_some_and(|l| l.empty_note_in_text);
                if in_text && text_says_empty(ctx, fund) {
                    continue;
                }
                let at = t
                    .total()
                    .and_then(|l| l.anchor().cloned())
                    .unwrap_or_else(|| t.title.at.clone());
                let example = ctx
                    .catalog
                    .empty_note(t.id, ctx.budget.year)
                    .unwrap_or_default();
                let msg = if in_text {
                    format!(
                        "{}“{}”是空表，表中没有空表说明，情况说明中也没有说明无{}拨款安排（如“{example}”，或写明其支出预算为0.00万元）",
                        t.id,
                        title,
                        ctx.catalog.fund_name(fund)
                    )
                } else {
                    format!("{}“{}”是空表，但没有空表说明（如“{example}”）", t.id, title)
                };
                out.at(Some(t.id), &at, msg);
            }
            (Some(note), true) => {
                let f = fold(&note.value);
                // The 决算 三公 table is of all 财政拨款, not of one fund.
                let all_fiscal = ctx.budget.stage == Stage::Final
                    && t.id == TableId::T3_3
                    && f.contains("财政拨款");
                let right = all_fiscal || fund_words(fund).iter().any(|w| f.contains(w));
                let wrong: Vec<&str> = [Fund::Gpb, Fund::Fund, Fund::Soe]
                    .into_iter()
                    .filter(|x| *x != fund)
                    .flat_map(|x| fund_words(x).iter().copied())
                    .filter(|w| f.contains(w))
                    .collect();
                if !right {
                    let said = if wrong.is_empty() {
                        "没有写明资金类别".to_string()
                    } else {
                        format!("写的是{}", wrong.join("、"))
                    };
                    out.at(
                        Some(t.id),
                        &note.at,
                        format!(
                            "{}的空表说明“{}”{said}，本表应说明无{}拨款安排的支出",
                            t.id,
                            note.value,
                            ctx.catalog.fund_name(fund)
                        ),
                    );
                }
            }
            (Some(note), false) => {
                out.at(
                    Some(t.id),
                    &note.at,
                    format!("{}有数据，却带有空表说明“{}”", t.id, note.value),
                );
            }
            (None, false) => {}
        }
    }
    if checked == 0 {
        return Err(NotRun("没有需要核对空表说明的表（表3至表5均缺失）".into()));
    }
    Ok(())
}

rule! {
    /// 各表标题与部门基本情况的年度、部门名称一致
    ///
    /// one budget year across titles and 部门基本情况; one department name
    S004,
    Warning,
    "各表标题与部门基本情况的年度、部门名称一致",
    s004
}

fn s004(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    let b = ctx.budget;
    let Some(year) = b.year else {
        return Err(NotRun("部门基本情况和各表标题都没有注明预算年度".into()));
    };
    for t in &b.tables {
        if let Some(y) = &t.year
            && y.value != year
        {
            out.at(
                Some(t.id),
                &y.at,
                format!("{}标题中的年度 {} 与预算年度 {year} 不一致", t.id, y.value),
            );
        }
        if let (Some(d), Some(name)) = (&t.department, &b.department)
            && fold(&d.value) != fold(name)
        {
            out.at(
                Some(t.id),
                &d.at,
                format!("{}写的部门名称“{}”与部门名称“{name}”不一致", t.id, d.value),
            );
        }
    }
    Ok(())
}

static GUIDANCE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"[（(](?:按照?|请按|请填写|此处填写)[^（()）]{0,20}[写填][）)]").expect("re")
});

/// Template wording left in a text: `XX`, `xxx`, `……`, `待填写`, or a bracketed
/// instruction such as `（按功能科目类写）`. Returns what was found.
pub fn placeholder_in(text: &str) -> Option<String> {
    const MARKS: &[&str] = &[
        "XX",
        "xx",
        "ＸＸ",
        "××",
        "待填写",
        "请填写",
        "……",
        "...",
        "(略)",
    ];
    // Folded once: this runs on every name and paragraph.
    static FOLDED: std::sync::LazyLock<Vec<(String, &str)>> =
        std::sync::LazyLock::new(|| MARKS.iter().map(|m| (fold(m), *m)).collect());
    let f = fold(text);
    // Every mark and instruction has one of these (after folding): most names have none.
    if !f.contains(['X', 'x', '×', '待', '请', '.', '略', '按', '此']) {
        return None;
    }
    if let Some(m) = GUIDANCE.find(text) {
        return Some(m.as_str().to_string());
    }
    FOLDED
        .iter()
        .find(|(folded, _)| f.contains(folded.as_str()))
        .map(|(_, m)| m.to_string())
}

/// Whether the workbook is a template nobody filled in: every table it has holds no
/// figure at all.
pub(crate) fn unfilled(ctx: &Ctx<'_>) -> bool {
    !ctx.budget.tables.is_empty() && ctx.budget.tables.iter().all(|t| t.is_empty())
}

rule! {
    /// 工作簿不是未填写的模板
    ///
    /// every table is empty: the workbook is the blank template (one finding instead of
    /// an empty-table error per table; such a workbook is never published)
    S007,
    Error,
    "工作簿不是未填写的模板",
    s007
}

fn s007(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    if unfilled(ctx) {
        let n = ctx.budget.tables.len();
        let stage = ctx.budget.stage.label();
        out.push(
            out.severity(),
            None,
            None,
            format!(
                "模板未填写：工作簿中的 {n} 张{stage}表都没有任何金额，这是未填写的模板，不能公开"
            ),
        );
    }
    Ok(())
}

rule! {
    /// 没有遗留的模板占位内容
    ///
    /// template placeholders left in (`XX`, `xxx`, `……`, `待填写`, `（按功能科目类写）`)
    S005,
    Warning,
    "没有遗留的模板占位内容",
    s005
}

fn s005(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    if unfilled(ctx) {
        return Err(NotRun("模板未填写（见 S007）".into()));
    }
    for t in &ctx.budget.tables {
        for r in &t.residue {
            out.at(
                Some(t.id),
                &r.at,
                format!("{}中有遗留的模板占位内容“{}”", t.id, r.value),
            );
        }
        for l in &t.lines {
            if let Some(m) = placeholder_in(&l.name)
                && let Some(at) = l.name_at.as_ref()
            {
                out.at(
                    Some(t.id),
                    at,
                    format!(
                        "{}“{}”含模板占位内容“{m}”",
                        t.id,
                        yusuan_core::text::clip(&l.name, 60)
                    ),
                );
            }
        }
        if let Some(d) = &t.department
            && let Some(m) = placeholder_in(&d.value)
        {
            out.at(
                Some(t.id),
                &d.at,
                format!("{}的部门名称“{}”含模板占位内容“{m}”", t.id, d.value),
            );
        }
    }
    if let Some(text) = ctx.text {
        for l in text {
            if let Some(m) = placeholder_in(&l.text) {
                out.text(
                    out.severity(),
                    l.line,
                    l.cell.as_ref(),
                    &l.text,
                    format!("情况说明中有遗留的模板内容“{m}”"),
                );
            }
        }
    }
    for e in &ctx.budget.info.entries {
        if let Some(m) = placeholder_in(&e.value.value) {
            out.at(
                Some(TableId::Info),
                &e.value.at,
                format!("部门基本情况“{}”含模板占位内容“{m}”", e.label),
            );
        }
    }
    Ok(())
}

rule! {
    /// 列出未识别、重复和读取不完整的工作表
    ///
    /// sheets not recognised (listed, not fatal), duplicated, or read only in part
    S006,
    Info,
    "列出未识别、重复和读取不完整的工作表",
    s006
}

fn s006(ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
    for o in &ctx.budget.other_sheets {
        out.at(
            None,
            &CellRef::new(&o.name, 0, 0),
            format!("工作表「{}」未使用：{}", o.name, o.reason),
        );
    }
    for o in &ctx.budget.incomplete_sheets {
        out.push(
            super::Severity::Warning,
            None,
            Some(&CellRef::new(&o.name, 0, 0)),
            format!(
                "工作表「{}」读取不完整：{}，请核对该表的表头和合并单元格",
                o.name, o.reason
            ),
        );
    }
    for d in &ctx.budget.duplicates {
        out.push(
            super::Severity::Warning,
            Some(d.table),
            Some(&CellRef::new(&d.sheet, 0, 0)),
            format!(
                "工作表「{}」与「{}」都是{}，已按「{}」读取，请删除多余的一张",
                d.sheet, d.first_sheet, d.table, d.first_sheet
            ),
        );
    }
    for t in ctx.budget.tables.iter().filter(|t| t.hidden) {
        out.push(
            super::Severity::Warning,
            Some(t.id),
            Some(&t.title.at),
            format!(
                "{}所在的工作表「{}」是隐藏的，公开前请取消隐藏",
                t.id, t.sheet
            ),
        );
    }
    Ok(())
}
