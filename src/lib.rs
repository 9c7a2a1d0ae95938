//! yusuan (预算): read, check and publish Chinese department budget disclosures
//! (部门预算公开).
//!
//! The stages are crates, so that their direction is Cargo's to enforce:
//!
//! ```text
//! file ─yusuan_grid─▶ Grid ─yusuan_core─▶ Budget ─yusuan_rules─▶ Report
//!                                 │                    ▲
//!                                 ├─yusuan_narrative───┘ (N rules; the 情况说明)
//!                                 └─yusuan_write─▶ disclosure, template, annotated copy,
//!                                                  问题清单, 汇总表
//! ```
//!
//! This crate is the binary's library: one file through every stage ([`pipeline`]), a
//! folder in parallel ([`batch`]), and findings for the terminal and as JSON
//! ([`report`]).
//!
//! ```
//! let codes = yusuan::CodeLists::builtin();
//! let (_, budget) = yusuan::load("samples/luojiang-zhengxieban-2023.xlsx".as_ref(), codes)?;
//! let report = yusuan::check(&budget, codes, None);
//! assert!(!report.has_errors());
//! # Ok::<(), yusuan::LoadError>(())
//! ```
#![deny(missing_docs)]

pub mod batch;
pub mod pipeline;
pub mod report;
pub mod worker;

use std::path::Path;

use yusuan_core::Catalog;
pub use yusuan_core::{Budget, CodeLists, TableId, Unit};
use yusuan_narrative::Prior;
use yusuan_narrative::check::{Text, TextRules};
use yusuan_rules::{Ctx, Report, Rule};

/// Why a file could not be turned into a budget.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Not a readable workbook.
    #[error(transparent)]
    Read(#[from] yusuan_grid::ReadError),
    /// A workbook, but no table of any layout in it.
    #[error("{path}：{source}")]
    Recognise {
        /// The file.
        path: String,
        /// Why nothing was recognised.
        #[source]
        source: yusuan_core::RecogniseError,
    },
}

/// Read a workbook and recognise its tables.
pub fn load(path: &Path, codes: &CodeLists) -> Result<(yusuan_grid::Grid, Budget), LoadError> {
    let grid = yusuan_grid::read_path(path)?;
    let budget = yusuan_core::recognise(&grid, codes).map_err(|source| LoadError::Recognise {
        path: path.display().to_string(),
        source,
    })?;
    Ok((grid, budget))
}

/// An explanation text on its own (`yusuan check 情况说明.txt`, for auditors who hold
/// only the published text): the rules that need only the text (S005 template residue,
/// N402, N404–N409) run; every other rule is `not_run`.
pub fn check_text_only(text: &Text) -> Report {
    let budget = Budget {
        department: None,
        year: None,
        layout: Catalog::get().layouts[0].key.clone(),
        stage: yusuan_core::Stage::Budget,
        entity: yusuan_core::Entity::Department,
        format: yusuan_grid::Format::Xlsx,
        info: Default::default(),
        tables: vec![],
        texts: vec![],
        duplicates: vec![],
        other_sheets: vec![],
        incomplete_sheets: vec![],
    };
    let text_rules = TextRules::new(Some(text)).text_only();
    let n_rules = text_rules.rules();
    let s005 = yusuan_rules::S005;
    let mut rules: Vec<&dyn Rule> = vec![&s005];
    rules.extend(n_rules.iter().map(|r| r as &dyn Rule));
    let ctx = Ctx {
        budget: &budget,
        codes: CodeLists::builtin(),
        catalog: Catalog::get(),
        text: Some(&text.lines),
    };
    let ran = yusuan_rules::run(&ctx, &rules);
    let mut report = Report::default();
    for rule in yusuan_rules::builtin() {
        let meta = rule.meta();
        match ran.ledger.iter().find(|e| e.rule == meta.id) {
            Some(e) => report.ledger.push(e.clone()),
            None => report.ledger.push(yusuan_rules::LedgerEntry {
                rule: meta.id,
                title: meta.title,
                status: yusuan_rules::Status::NotRun,
                reason: Some("未提供工作簿（仅检查情况说明）".into()),
                checked: None,
                unchecked: None,
            }),
        }
    }
    report.ledger.extend(
        ran.ledger
            .iter()
            .filter(|e| e.rule.starts_with('N'))
            .cloned(),
    );
    report.findings = ran.findings;
    report
}

/// Why last year's workbook cannot be used with this year's.
#[derive(Debug, thiserror::Error)]
pub enum PreviousError {
    /// Another department's workbook.
    #[error("上年工作簿是“{previous}”的，本年工作簿是“{current}”的，不是同一部门")]
    Department {
        /// This year's department.
        current: String,
        /// Last year's.
        previous: String,
    },
    /// Not the year before.
    #[error("上年工作簿是 {previous} 年的，本年工作簿是 {current} 年的，应为 {expected} 年")]
    Year {
        /// This year.
        current: i32,
        /// The previous workbook's year.
        previous: i32,
        /// The year it should be.
        expected: i32,
    },
    /// A 预算 given for a 决算, or the other way round.
    #[error(
        "上年工作簿是部门{previous}，本年工作簿是部门{current}，应为同一种（预算对预算，决算对决算）"
    )]
    Stage {
        /// 预算 or 决算, this year.
        current: &'static str,
        /// 预算 or 决算, last year.
        previous: &'static str,
    },
    /// A workbook does not state its department or year.
    #[error("无法确认上年工作簿与本年工作簿是同一部门的相邻年度：{which}未注明{what}")]
    Unknown {
        /// 本年工作簿 or 上年工作簿.
        which: &'static str,
        /// 部门名称 or 年度.
        what: &'static str,
    },
}

/// Check that `plan` is the 预算 of the department and year of the 决算 `final_`.
pub fn same_department_year_budget(final_: &Budget, plan: &Budget) -> Result<(), String> {
    let fold = |b: &Budget| {
        b.department
            .as_deref()
            .map(|d| yusuan_core::text::fold(d).replace([' ', '\u{3000}'], ""))
    };
    if final_.stage != yusuan_core::Stage::Final || plan.stage != yusuan_core::Stage::Budget {
        return Err(format!(
            "--budget 用于部门决算，应给当年的部门预算工作簿（现在是部门{}对部门{}）",
            final_.stage.label(),
            plan.stage.label()
        ));
    }
    if fold(final_) != fold(plan) || final_.year != plan.year {
        return Err(format!(
            "--budget 应为同一部门同一年度的部门预算：决算是“{}”{}，预算是“{}”{}",
            final_.department_name(),
            final_.year.map(|y| format!(" {y} 年")).unwrap_or_default(),
            plan.department_name(),
            plan.year.map(|y| format!(" {y} 年")).unwrap_or_default()
        ));
    }
    Ok(())
}

/// Check that `previous` is the same department's workbook of the year before.
pub fn same_department_year_before(
    current: &Budget,
    previous: &Budget,
) -> Result<(), PreviousError> {
    let name = |b: &Budget, which| {
        b.department
            .as_deref()
            .map(|d| yusuan_core::text::fold(d).replace([' ', '\u{3000}'], ""))
            .ok_or(PreviousError::Unknown {
                which,
                what: "部门名称",
            })
    };
    let year = |b: &Budget, which| {
        b.year.ok_or(PreviousError::Unknown {
            which,
            what: "年度",
        })
    };
    let (c, p) = (name(current, "本年工作簿")?, name(previous, "上年工作簿")?);
    if c != p {
        return Err(PreviousError::Department {
            current: current.department_name().to_string(),
            previous: previous.department_name().to_string(),
        });
    }
    if current.stage != previous.stage {
        return Err(PreviousError::Stage {
            current: current.stage.label(),
            previous: previous.stage.label(),
        });
    }
    let (cy, py) = (year(current, "本年工作簿")?, year(previous, "上年工作簿")?);
    if py != cy - 1 {
        return Err(PreviousError::Year {
            current: cy,
            previous: py,
            expected: cy - 1,
        });
    }
    Ok(())
}

/// Every rule on a budget: the built-in S, V, K, X, C rules, then the N rules over the
/// explanation text: `text` when given, else the workbook's own text sheets (部门编制说明
/// …), else none (each N rule is then `not_run`).
pub fn check(budget: &Budget, codes: &CodeLists, text: Option<&Text>) -> Report {
    check_with_previous(budget, codes, text, None)
}

/// [`check`], with last year's workbook (`--previous`) for the changes the text states;
/// without it they come from the 部门基本情况 sheet's 上年 rows, when it has them.
pub fn check_with_previous(
    budget: &Budget,
    codes: &CodeLists,
    text: Option<&Text>,
    previous: Option<&Budget>,
) -> Report {
    check_with(budget, codes, text, previous, None)
}

/// [`check_with_previous`], and for a 决算 its year's 预算 (`plan`): the 年初预算数 its
/// text states are checked against the 预算's tables.
pub fn check_with(
    budget: &Budget,
    codes: &CodeLists,
    text: Option<&Text>,
    previous: Option<&Budget>,
    plan: Option<&Budget>,
) -> Report {
    let own = match text {
        Some(_) => None,
        None => {
            let lines = budget.own_text();
            (!lines.is_empty()).then(|| Text::from_lines(lines))
        }
    };
    let text = text.or(own.as_ref());
    let unfilled = !budget.tables.is_empty() && budget.tables.iter().all(|t| t.is_empty());
    let mut text_rules = if unfilled {
        TextRules::not_run("模板未填写（见 S007）")
    } else {
        TextRules::new(text)
    };
    if let Some(prev) = previous {
        let prior = Prior::from_budget(prev).or(Prior::from_info(budget));
        text_rules = text_rules.with_prior(prior);
    }
    if let Some(plan) = plan {
        text_rules = text_rules.with_plan(plan);
    }
    let n_rules = text_rules.rules();
    let mut rules: Vec<&dyn Rule> = yusuan_rules::builtin();
    rules.extend(n_rules.iter().map(|r| r as &dyn Rule));
    let lines = text.map(|t| t.lines.as_slice());
    yusuan_rules::run(
        &Ctx {
            budget,
            codes,
            catalog: Catalog::get(),
            text: lines,
        },
        &rules,
    )
}
