//! The REAL Wanli 部门预算's own 情况说明 (its text sheets, as published) against its
//! own tables: every money figure of the 编制说明 is placed, the unchanged text gives
//! only its one real slip, and changing any one figure is reported naming it.

use crate::common::*;
use regex::Regex;
use rust_decimal::Decimal;
use yusuan::{Budget, CodeLists};
use yusuan_rules::{Finding, Report, Severity};

const WANLI: &str = "shanghai-wanli-2024";

/// The rules about figures.
const FIGURE_RULES: &[&str] = &["N401", "N402", "N407", "N408", "N409"];

fn check(b: &Budget) -> Report {
    yusuan::check(b, CodeLists::builtin(), None)
}

fn figure_findings(r: &Report) -> Vec<&Finding> {
    r.findings
        .iter()
        .filter(|f| FIGURE_RULES.contains(&f.rule) && f.severity != Severity::Info)
        .collect()
}

fn describe(r: &Report) -> String {
    r.findings
        .iter()
        .map(|f| format!("{} {:?} {} {}", f.rule, f.severity, f.location(), f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where each money figure of the 编制说明 stands: (paragraph, byte range), and what it
/// is by the words before it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// This year's amount (`…（项）”25.77万元`, `2024年预算安排25.77万元`).
    Current,
    /// Last year's (`2023年当年预算执行数为60.13万元`).
    LastYear,
    /// A change on last year's budget (`比2023年预算减少876.75万元`), which this
    /// workbook gives no figure for.
    Change,
}

fn explanation_figures(b: &Budget) -> (usize, Vec<(usize, usize, usize, Role)>) {
    let t = b
        .texts
        .iter()
        .position(|t| t.key == "explanation")
        .expect("编制说明");
    let money = Regex::new(r"[0-9]+\.[0-9]{2}万元").unwrap();
    let mut out = Vec::new();
    for (p, para) in b.texts[t].paragraphs.iter().enumerate() {
        let s = &para.value;
        for m in money.find_iter(s) {
            let before = &s[..m.start()];
            let role = if before.ends_with("减少") || before.ends_with("增加") {
                Role::Change
            } else if before.ends_with("执行数为") {
                Role::LastYear
            } else {
                Role::Current
            };
            out.push((p, m.start(), m.end() - "万元".len(), role));
        }
    }
    (t, out)
}

#[test]
fn its_own_text_agrees_with_its_tables_but_for_one_real_slip() {
    let b = load(&sample(WANLI));
    let r = check(&b);
    // Item 31 states 住房公积金（项）350.35万元, then 「2024年预算安排352.67万元」 (the
    // table: 3,503,499 元; the 0.53% is 350.35 on 348.52): a slip in the published text.
    let figures = figure_findings(&r);
    assert_eq!(figures.len(), 1, "{}", describe(&r));
    let slip = figures[0];
    assert_eq!(
        (slip.rule, slip.severity, slip.location().as_str()),
        ("N401", Severity::Warning, "部门编制说明!A34")
    );
    assert!(slip.message.contains("“352.67万元”") && slip.message.contains("350.35"));
    assert!(slip.message.contains("笔误"), "{}", slip.message);
    // Item 4: 114.00 → 110.60 is a decrease, its reason says 经费增加 (as published)
    let n405: Vec<_> = r.of("N405").collect();
    assert_eq!(n405.len(), 1, "{}", describe(&r));
    assert_eq!(n405[0].location(), "部门编制说明!A7");
    // no error at all: the real department publishes
    assert!(r.findings.iter().all(|f| f.severity != Severity::Error));
    // every money figure of the 编制说明 is placed; the ones the Shanghai set has no
    // table for (政府采购, 绩效目标) are named, all in the 其他相关情况说明
    let n401 = r.ledger.iter().find(|e| e.rule == "N401").unwrap();
    assert!(n401.checked.unwrap() >= 60, "{n401:?}");
    let reason = n401.reason.as_deref().unwrap_or_default();
    assert!(!reason.contains("编制说明!"), "{reason}");
    assert!(
        reason.contains("其他相关情况说明!A3 1662.44万元"),
        "{reason}"
    );
    // 4000.6平方米 and 29.8米 are measures, not money without a unit
    assert!(r.of("N409").next().is_none(), "{}", describe(&r));
    // each sheet numbers its items from 1 (and 一、) on its own
    assert!(r.of("N404").next().is_none(), "{}", describe(&r));
}

#[test]
fn any_one_figure_changed_is_reported_naming_it() {
    let b = load(&sample(WANLI));
    let (t, figs) = explanation_figures(&b);
    assert!(figs.len() >= 100, "{}", figs.len());
    let base = check(&b);
    let base_n401 = base.of("N401").count();
    let base_n407 = base
        .of("N407")
        .filter(|f| f.severity != Severity::Info)
        .count();
    let mut checked = 0;
    for &(p, start, end, role) in &figs {
        let old_text = &b.texts[t].paragraphs[p].value;
        let old: Decimal = old_text[start..end].parse().unwrap();
        if role == Role::Change {
            continue; // no 2023 budget figure to check it against
        }
        let new = old + Decimal::new(123, 2);
        let mut m = b.clone();
        m.texts[t].paragraphs[p].value = format!("{}{new}{}", &old_text[..start], &old_text[end..]);
        let r = check(&m);
        let at = &b.texts[t].paragraphs[p].at;
        let here = |f: &&Finding| f.location() == at.to_string();
        match role {
            Role::Current => {
                let named: Vec<_> = r
                    .of("N401")
                    .filter(|f| f.message.contains(&format!("“{new}万元”")))
                    .collect();
                assert_eq!(named.len(), 1, "{old} → {new} at {at}:\n{}", describe(&r));
                assert!(here(&named[0]));
                // the slip 352.67 is the one N401 already there, unless it is changed
                let expected = if old == Decimal::new(35267, 2) {
                    base_n401
                } else {
                    base_n401 + 1
                };
                assert_eq!(
                    r.of("N401").count(),
                    expected,
                    "{old} → {new}:\n{}",
                    describe(&r)
                );
            }
            Role::LastYear => {
                // last year's figure is in no table here: the rate stated on it is off
                // (N407), or the 持平 stated beside it (N408)
                let rates: Vec<_> = r
                    .findings
                    .iter()
                    .filter(|f| matches!(f.rule, "N407" | "N408"))
                    .filter(|f| f.severity != Severity::Info && here(f))
                    .collect();
                assert_eq!(rates.len(), 1, "{old} → {new} at {at}:\n{}", describe(&r));
                assert!(
                    rates[0].message.contains(&num_text(new)),
                    "{}",
                    rates[0].message
                );
                let now = r
                    .of("N407")
                    .filter(|f| f.severity != Severity::Info)
                    .count();
                assert!(now <= base_n407 + 1, "{}", describe(&r));
            }
            Role::Change => unreachable!(),
        }
        checked += 1;
    }
    assert!(checked >= 60, "{checked}");
}

/// A figure as the messages show it (two decimals).
fn num_text(v: Decimal) -> String {
    format!("{v:.2}")
}
