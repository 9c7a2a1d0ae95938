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
