//! REAL published passages of 预算/决算 texts (tests/data/real-texts, from
//! shared/data/real-texts), each labelled consistent or with its real mistake, checked
//! as a text on its own (the text-only audit): every labelled mistake is reported by a
//! figure rule whose message quotes the figure a correct message quotes; no consistent
//! passage gets a figure finding.

use crate::common::*;
use yusuan_narrative::check::Text;
use yusuan_rules::Severity;

/// The rules about figures: amounts, shares, rates, sums, units.
const FIGURE_RULES: &[&str] = &["N401", "N402", "N407", "N408", "N409"];

#[derive(Debug, serde::Deserialize)]
struct Passage {
    id: String,
    text: String,
    expect: Option<String>,
    marker: Option<String>,
}

fn passages() -> Vec<Passage> {
    let text =
        std::fs::read_to_string(root().join("tests/data/real-texts/sentences-dev.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn figure_findings(text: &str) -> Vec<(String, String)> {
    let r = yusuan::check_text_only(&Text::parse(text));
    r.findings
        .iter()
        .filter(|f| FIGURE_RULES.contains(&f.rule) && f.severity != Severity::Info)
        .map(|f| (f.rule.to_string(), f.message.clone()))
        .collect()
}

#[test]
fn real_mistakes_are_found_and_consistent_passages_pass() {
    let mut missed = Vec::new();
    let mut alarms = Vec::new();
    let all = passages();
    assert_eq!(all.len(), 33);
    for p in &all {
        let found = figure_findings(&p.text);
        match (&p.expect, &p.marker) {
            (Some(kind), Some(marker)) => {
                if !found.iter().any(|(_, m)| m.contains(marker.as_str())) {
                    missed.push(format!("{} ({kind}, {marker}): {found:?}", p.id));
                }
            }
            _ => {
                if !found.is_empty() {
                    alarms.push(format!("{}: {found:?}", p.id));
                }
            }
        }
    }
    assert!(
        missed.is_empty() && alarms.is_empty(),
        "missed {}:\n{}\nalarms {}:\n{}",
        missed.len(),
        missed.join("\n"),
        alarms.len(),
        alarms.join("\n")
    );
}

/// The REAL 2024 部门决算 text of 中共上海市普陀区委社会工作部 (copied unchanged with its
/// notes from shared/data/real): its text-only audit gives the text's real mistakes
/// (notes 4, 5, 8, 9) and no other figure finding.
#[test]
fn a_real_final_accounts_text_gives_its_real_mistakes_only() {
    let text = std::fs::read_to_string(
        root().join("tests/data/real-texts/shanghai-putuo-juesuan-2024-shgz/text.txt"),
    )
    .unwrap();
    let r = yusuan::check_text_only(&Text::parse(&text));
    let figures: Vec<_> = r
        .findings
        .iter()
        .filter(|f| FIGURE_RULES.contains(&f.rule))
        .map(|f| (f.rule, f.severity, f.line.unwrap(), f.message.clone()))
        .collect();
    let shown = format!("{figures:#?}");
    // 4: 住房保障支出 29.42 / 307.82 = 9.56 %, printed 9.55 % to make 100.00 %
    let share: Vec<_> = figures
        .iter()
        .filter(|f| f.0 == "N402" && f.3.contains("9.55%"))
        .collect();
    assert_eq!(share.len(), 1, "{shown}");
    assert!(share[0].3.contains("凑足100%"), "{shown}");
    // 5: 「完成年初预算的95.89%」 is 307.82 ÷ 321.02, the 全年预算; the 年初预算 is 0
    let completion: Vec<_> = figures.iter().filter(|f| f.3.contains("95.89%")).collect();
    assert_eq!(completion.len(), 1, "{shown}");
    assert!(
        completion[0].3.contains("307.82 ÷ 321.02（全年预算）"),
        "{shown}"
    );
    // 9: four growth rates on a zero base (the unit was founded in 2024): info
    let zero: Vec<_> = figures
        .iter()
        .filter(|f| f.3.contains("基数为 0"))
        .collect();
    assert_eq!(zero.len(), 4, "{shown}");
    assert!(zero.iter().all(|f| f.1 == Severity::Info));
    // 8: 面向中小企业预留 21.07 + 其他项目中由中小企业中标 21.07 > 政府采购 21.07
    let twice: Vec<_> = figures
        .iter()
        .filter(|f| f.0 == "N408" && f.3.contains("重复计入"))
        .collect();
    assert_eq!(twice.len(), 1, "{shown}");
    assert!(twice[0].3.contains("合计 42.14 万元"), "{shown}");
    // nothing else: every other figure of the text is consistent
    assert_eq!(figures.len(), 7, "{shown}");
}
