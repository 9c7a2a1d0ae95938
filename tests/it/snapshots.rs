//! Snapshot tests (insta) of what people read: the terminal report, the JSON report and
//! the generated 情况说明. A change to any of them shows up as a reviewed diff
//! (`cargo insta review`), never silently.

use crate::common::*;
use yusuan::CodeLists;

fn faulty() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = faulty_sample(dir.path(), "有错误.xlsx");
    (dir, p)
}

#[test]
fn terminal_report_of_a_faulty_sample() {
    let (_dir, p) = faulty();
    let b = load(&p);
    let r = yusuan::check(&b, CodeLists::builtin(), None);
    insta::assert_snapshot!(yusuan::report::text("有错误.xlsx", Some(&b), &r, false));
}

#[test]
fn json_report_of_a_faulty_sample() {
    let (_dir, p) = faulty();
    let b = load(&p);
    let r = yusuan::check(&b, CodeLists::builtin(), None);
    let json =
        serde_json::to_string_pretty(&yusuan::report::file_json("有错误.xlsx", Some(&b), &r))
            .unwrap();
    insta::assert_snapshot!(json);
}

#[test]
fn generated_explanation_of_the_luojiang_sample() {
    let b = load(&sample("luojiang-zhengxieban-2023"));
    let n = yusuan_narrative::generate(
        &b,
        CodeLists::builtin(),
        yusuan_narrative::Prior::from_info(&b),
    );
    insta::assert_snapshot!(n.to_text());
}

#[test]
fn seed_text_checked_against_the_luojiang_sample() {
    let b = load(&sample("luojiang-zhengxieban-2023"));
    let text = yusuan_narrative::check::Text::read(
        &root().join("tests/data/seed-luojiang-zhengxieban-2023.txt"),
    )
    .unwrap();
    let r = yusuan::check(&b, CodeLists::builtin(), Some(&text));
    insta::assert_snapshot!(yusuan::report::text(
        "罗江区政协办.xlsx",
        Some(&b),
        &r,
        false
    ));
}
