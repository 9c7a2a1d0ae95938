//! The N rules: an explanation text checked against the tables and against itself.
//!
//! Text → sections → paragraphs → sentences → claims (`claims.rs`): each figure with
//! what it is (an amount, a change with its direction, a growth rate, a share of a
//! stated whole, a completion rate, a count or measure that is not money), its subject,
//! the base it is compared with when stated, and where it is. The rules are functions
//! over the claims, computed once per text ([`TextRules`]): N401 resolves subjects to
//! the tables; N402, N407 and N408 need only the text, so they also run on a published
//! explanation for which no workbook is at hand.

mod claims;
mod resolve;
mod scan;
mod structure;
mod text;
mod verify;

pub use text::{Text, TextError};

use yusuan_rules::{Ctx, Meta, NotRun, Out, Rule, Severity};

use crate::Prior;
use verify::Analysis;

/// The N rules over one explanation text (or over none: then each is `not_run`).
/// The claims are analysed once, by the first rule that runs, and shared.
#[derive(Debug)]
pub struct TextRules<'a> {
    text: Option<&'a Text>,
    /// Why the rules do not run when there is no text.
    absent: String,
    /// Last year's figures (部门基本情况, or the previous year's workbook).
    prior: Option<Prior>,
    /// Only the text is checked: no workbook was given.
    text_only: bool,
    /// A 决算's text: the year's 预算, for the 年初预算数 it states.
    plan: Option<&'a yusuan_core::Budget>,
    observed: std::sync::OnceLock<Analysis>,
}

impl<'a> TextRules<'a> {
    /// The N rules for `text` against the budget they run with.
    pub fn new(text: Option<&'a Text>) -> TextRules<'a> {
        TextRules {
            text,
            absent: "未提供情况说明文本（用 --narrative 指定）".into(),
            prior: None,
            text_only: false,
            plan: None,
            observed: std::sync::OnceLock::new(),
        }
    }

    /// The N rules with no text to check, for the reason given (all `not_run`).
    pub fn not_run(reason: &str) -> TextRules<'a> {
        TextRules {
            absent: reason.to_string(),
            ..TextRules::new(None)
        }
    }

    /// Last year's figures for the changes the text states (otherwise those of the
    /// 部门基本情况 sheet).
    pub fn with_prior(mut self, prior: Prior) -> TextRules<'a> {
        self.prior = Some(prior);
        self
    }

    /// A 决算's text: the 年初预算数 it states are checked against the year's 预算.
    pub fn with_plan(mut self, plan: &'a yusuan_core::Budget) -> TextRules<'a> {
        self.plan = Some(plan);
        self
    }

    /// Check the text on its own: the rules that need the tables are `not_run`.
    pub fn text_only(mut self) -> TextRules<'a> {
        self.text_only = true;
        self
    }

    /// N401 … N409, in catalogue order, to be run after the built-in rules.
    pub fn rules(&self) -> Vec<NRule<'_>> {
        N_RULES
            .iter()
            .map(|&(id, severity, title)| NRule {
                meta: Meta {
                    id,
                    severity,
                    title,
                },
                set: self,
            })
            .collect()
    }

    fn text(&self) -> Result<&'a Text, NotRun> {
        self.text.ok_or_else(|| NotRun(self.absent.clone()))
    }

    fn observed(&self, ctx: &Ctx<'_>, text: &Text) -> &Analysis {
        self.observed.get_or_init(|| {
            let prior = self
                .prior
                .clone()
                .unwrap_or_else(|| Prior::from_info(ctx.budget));
            let ctx = (!self.text_only).then_some(ctx);
            verify::analyse(text, ctx, prior, self.plan)
        })
    }
}

/// One N rule: its id, severity and title, over the shared analysis of a text.
#[derive(Debug, Clone, Copy)]
pub struct NRule<'a> {
    meta: Meta,
    set: &'a TextRules<'a>,
}

/// Why a rule that found nothing to check did not run.
fn nothing_to_check(rule: &str) -> &'static str {
    match rule {
        "N401" | "N403" => "说明中没有能与表格对应的金额或科目",
        "N402" => "说明中没有占比或完成率",
        "N404" => "说明中没有编号",
        "N405" => "说明中没有增减变化",
        "N406" => "说明中没有年份",
        "N407" => "说明中没有能核对的增减率",
        "N408" => "说明中没有能相互核对的金额（分项与总数、增减额、收支总计）",
        _ => "说明中没有金额",
    }
}

impl Rule for NRule<'_> {
    fn meta(&self) -> Meta {
        self.meta
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
        let rule = self.meta.id;
        let text = self.set.text()?;
        if self.set.text_only && matches!(rule, "N401" | "N403") {
            return Err(NotRun(
                "未提供工作簿，无法与表格核对（仅检查了文字）".into(),
            ));
        }
        let a = self.set.observed(ctx, text);
        if rule == "N406" && a.year.is_none() {
            return Err(NotRun("不知道预算年度".into()));
        }
        let tally_rule = if rule == "N403" { "N401" } else { rule };
        let tally = a.tally.get(tally_rule).cloned().unwrap_or_default();
        let found: Vec<_> = a.obs.iter().filter(|o| o.rule == rule).collect();
        if tally.checked == 0 && found.is_empty() {
            // Figures it could not place are not "nothing to check": say which.
            let why = match tally.unmatched.is_empty() {
                true => nothing_to_check(rule).to_string(),
                false => unplaced_note(&tally.unmatched),
            };
            return Err(NotRun(why));
        }
        for o in found {
            let f = out.text(
                o.severity,
                o.line,
                o.cell.as_ref(),
                &o.quote,
                o.message.clone(),
            );
            f.actual.clone_from(&o.actual);
            f.expected.clone_from(&o.expected);
            f.related.clone_from(&o.related);
            if f.actual.is_some() && !matches!(rule, "N402" | "N407") {
                f.unit = Some("万元");
            }
        }
        out.count(tally.checked, tally.unmatched.len());
        if !tally.unmatched.is_empty() {
            out.skip(unplaced_note(&tally.unmatched));
        }
        // N403 shares N401's placing of amounts, not its notes on changes.
        if rule != "N403" {
            for n in &tally.notes {
                out.skip(n.clone());
            }
        }
        Ok(())
    }
}

/// The ledger's note on the figures a rule could not place: how many, and the first
/// few by where they stand.
fn unplaced_note(figures: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut list = figures
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("、");
    if figures.len() > SHOWN {
        list.push_str(" 等");
    }
    format!("{} 个数字未能确定所指（{list}）", figures.len())
}

/// The N rules: id, severity and title, in catalogue order.
const N_RULES: [(&str, Severity, &str); 9] = [
    ("N401", Severity::Error, "说明中的金额与表格一致"),
    (
        "N402",
        Severity::Warning,
        "说明中的占比、完成率与重新计算的一致",
    ),
    (
        "N403",
        Severity::Warning,
        "说明中的科目名称为现行名称且与表格一致",
    ),
    ("N404", Severity::Warning, "列表序号连续"),
    (
        "N405",
        Severity::Warning,
        "增减变化写明原因，且原因与增减方向一致",
    ),
    ("N406", Severity::Warning, "只出现预算年度和上一年度"),
    ("N407", Severity::Warning, "增长率与所述金额一致"),
    (
        "N408",
        Severity::Error,
        "同一段中的数字相符（分项与总数、增减额、收支总计、占比合计）",
    ),
    ("N409", Severity::Warning, "金额单位正确"),
];
