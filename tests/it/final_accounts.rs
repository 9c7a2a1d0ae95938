//! 决算: the REAL 2024 部门决算 of 中共上海市普陀区委社会工作部 (samples/real/, figures as
//! published) read as a 决算, checked with exactly its real inconsistencies, exported with
//! its totals, published in its own layout, and mutated to show each 决算 identity fire.

use std::path::Path;

use crate::common::*;
use rust_decimal::Decimal;
use yusuan::{Budget, CodeLists, TableId};
use yusuan_core::Stage;
use yusuan_grid::{Cell, Grid};
use yusuan_rules::{Report, Severity, Status};

const SHGZ: &str = "shanghai-shgz-2024-final";
const T1: &str = "收入支出决算总表";
const T31: &str = "一般公共预算财政拨款基本支出决算表";
const T33: &str = "财政拨款“三公”经费支出决算表";

/// A finding as rule, severity, location, actual and expected.
type Seen<'a> = (&'a str, Severity, String, Option<&'a str>, Option<&'a str>);
/// An edit of the workbook's cells.
type Mutation = Box<dyn Fn(&mut Grid)>;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn check(b: &Budget) -> Report {
    yusuan::check(b, CodeLists::builtin(), None)
}

fn check_grid(g: &Grid) -> Report {
    let dir = tempfile::tempdir().unwrap();
    check(&load(&write_grid(g, dir.path(), "mutated.xlsx")))
}

fn status(r: &Report, rule: &str) -> Status {
    r.ledger.iter().find(|e| e.rule == rule).unwrap().status
}

/// The findings of severity error or warning, as `rule location`.
fn errors(r: &Report) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .map(|f| format!("{} {}", f.rule, f.location()))
        .collect()
}

/// Set the amount to the right of the first cell reading `label` (`col_offset` to the right).
fn set_beside(g: &mut Grid, sheet: &str, label: &str, col_offset: u32, v: f64) {
    let (r, c) = find(g, sheet, label);
    g.sheet_mut(sheet)
        .unwrap()
        .set(r, c + col_offset, Some(Cell::Number(v)));
}

#[test]
fn the_real_final_accounts_are_read_as_a_final() {
    let b = load(&sample(SHGZ));
    assert_eq!((b.stage, b.layout.as_str()), (Stage::Final, "final"));
    assert_eq!(b.department_name(), "中共上海市普陀区委社会工作部");
    assert_eq!(b.year, Some(2024));
    let ids: Vec<TableId> = b.tables.iter().map(|t| t.id).collect();
    use TableId::*;
    assert_eq!(ids, [T1, T1_1, T1_2, T2, T3, T3_1, T3_3, T4, T5]);
    assert!(
        b.tables
            .iter()
            .all(|t| t.unit == Some(yusuan::Unit::WanYuan))
    );
    // the two blocks of the 基本支出 table: 301 and 303 left, 302 and 310 right
    let t31 = b.table(T3_1).unwrap();
    for (code, v) in [
        ("301", "95.36"),
        ("30113", "17.70"),
        ("302", "10.23"),
        ("310", "0"),
    ] {
        assert_eq!(
            t31.by_code(code).unwrap().value("total"),
            Some(d(v)),
            "{code}"
        );
    }
    let total = t31.total().unwrap();
    assert_eq!(total.value("personnel"), Some(d("95.36")));
    assert_eq!(total.value("public"), Some(d("10.23")));
    // the empty tables carry their printed notes
    for id in [T3_3, T4, T5] {
        let t = b.table(id).unwrap();
        assert!(t.is_empty(), "{id}");
        assert!(
            t.note.as_ref().unwrap().value.contains("故本表无数据"),
            "{id}"
        );
    }
}

#[test]
fn check_reports_exactly_its_real_inconsistencies() {
    let r = check(&load(&sample(SHGZ)));
    let got: Vec<Seen<'_>> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.rule,
                f.severity,
                f.location(),
                f.actual.as_deref(),
                f.expected.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // 302 商品和服务支出 10.23 ≠ Σ款 10.22
            (
                "K104",
                Severity::Info,
                format!("{T31}!F4"),
                Some("10.23"),
                Some("10.22")
            ),
            // 人员经费合计 + 公用经费合计 = 95.36 + 10.23 = 105.59 ≠ 基本支出 105.58
            (
                "X208",
                Severity::Info,
                "一般公共预算财政拨款支出决算表!D22".to_string(),
                Some("105.58"),
                Some("105.59")
            ),
        ]
    );
    assert!(r.findings.iter().all(|f| f.message.starts_with("舍入差异")));
    for rule in [
        "K101", "K102", "K103", "K105", "K106", "K107", "X201", "X202", "X204",
    ] {
        assert_eq!(status(&r, rule), Status::Passed, "{rule}");
    }
}

#[test]
fn export_gives_the_real_totals_in_yuan() {
    let out = assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .arg("export")
        .arg(sample(SHGZ))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["stage"], "final");
    let s = &v["summary"];
    for (key, yuan) in [
        ("income_total", "3078200.00"),
        ("expenditure_total", "3078200.00"),
        ("income_this_year", "3078200.00"),
        ("expenditure_this_year", "3078200.00"),
        ("basic", "1055800.00"),
        ("project", "2022400.00"),
        ("personnel", "953600.00"),
        ("public_operation", "102300.00"),
    ] {
        assert_eq!(s[key], yuan, "{key}");
    }
    // 年初结转和结余 and 年末结转和结余 are printed blank
    assert_eq!(s["opening_balance"], "0.00");
    assert_eq!(s["closing_balance"], "0.00");
    // the empty 三公 table: 预算数 and 决算数 of every part
    for m in ["budget", "final"] {
        for part in [
            "total",
            "abroad",
            "vehicle_purchase",
            "vehicle_operation",
            "reception",
        ] {
            assert_eq!(s["three_public"][m][part], "0.00", "{m} {part}");
        }
    }
}

#[test]
fn the_sample_is_rebuilt_from_the_shared_data_byte_for_byte() {
    let json = std::fs::read_to_string(root().join("samples/real").join(SHGZ).join("tables.json"))
        .unwrap();
    let shared = root().join("../shared/data/real/shanghai-putuo-juesuan-2024-shgz/tables.json");
    if let Ok(original) = std::fs::read_to_string(shared) {
        assert_eq!(json, original, "samples/real is a verbatim copy");
    }
    let grid =
        yusuan_testkit::final_accounts::final_accounts(&json, "中共上海市普陀区委社会工作部", 2024)
            .unwrap();
    let bytes = yusuan_write::copy_grid(&grid)
        .unwrap()
        .save_to_buffer()
        .unwrap();
    assert!(
        bytes == std::fs::read(sample(SHGZ)).unwrap(),
        "run `cargo run --example gen_samples`"
    );
}

#[test]
fn convert_publishes_the_final_layout_and_reads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("公开.xlsx");
    assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .arg("convert")
        .arg(sample(SHGZ))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let g = grid(&out);
    let names: Vec<&str> = g.sheets.iter().map(|s| s.name.as_str()).collect();
    // the generated 决算 情况说明 after the tables (第三部分), no 预算 text
    assert_eq!(names[..3], ["封面", "目录", T1]);
    assert_eq!(names.last(), Some(&"情况说明"));
    find(
        &g,
        "情况说明",
        "中共上海市普陀区委社会工作部2024年度部门决算情况说明",
    );
    find(&g, "封面", "2024年度部门决算");
    find(&g, T1, "使用非财政拨款结余");
    find(&g, T31, "公用经费合计");
    let (orig, back) = (load(&sample(SHGZ)), load(&out));
    assert_eq!(back.stage, Stage::Final);
    assert_eq!(back.year, Some(2024));
    assert_same_figures(&back, &orig, "published");
    let f = |b: &Budget| -> Vec<(&str, String)> {
        check(b)
            .findings
            .iter()
            .filter(|f| f.table.is_some())
            .map(|f| (f.rule, f.message.clone()))
            .collect()
    };
    assert_eq!(f(&back), f(&orig));
}

#[test]
fn each_final_identity_fires_on_a_mutation() {
    let g = grid(&sample(SHGZ));
    let clean = check_grid(&g);
    let cases: Vec<(&str, Mutation, &str)> = vec![
        // 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余
        (
            "K101",
            Box::new(|g| set_beside(g, T1, "使用非财政拨款结余", 1, 5.0)),
            "收入支出决算总表!B34",
        ),
        // 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余
        (
            "K102",
            Box::new(|g| set_beside(g, T1, "结余分配", 1, 5.0)),
            "收入支出决算总表!D34",
        ),
        // 基本支出 = 人员经费合计 + 公用经费合计
        (
            "X208",
            Box::new(|g| set_beside(g, T31, "人员经费合计", 1, 90.0)),
            "一般公共预算财政拨款支出决算表!D22",
        ),
        // 人员经费 = 301 + 303
        (
            "K107",
            Box::new(|g| set_beside(g, T31, "对个人和家庭的补助", 1, 3.0)),
            "一般公共预算财政拨款基本支出决算表!C42",
        ),
        // 本年收入合计 of 收入决算表 = 财政拨款 of 收入支出决算总表
        (
            "X201",
            Box::new(|g| set_beside(g, "收入决算表", "合计", 2, 300.0)),
            "收入决算表!D5",
        ),
    ];
    for (rule, mutate, at) in cases {
        assert_eq!(status(&clean, rule), Status::Passed, "{rule} clean");
        let mut m = g.clone();
        mutate(&mut m);
        let r = check_grid(&m);
        assert_eq!(status(&r, rule), Status::Failed, "{rule}");
        let e = errors(&r);
        assert!(e.contains(&format!("{rule} {at}")), "{rule}: {e:?}");
    }
}

#[test]
fn three_public_identities_hold_for_budget_and_final_figures() {
    let mut g = grid(&sample(SHGZ));
    // One row of figures: 预算数 | 决算数 for 合计, 出国, 车小计, 购置, 运行, 接待.
    let row = |g: &mut Grid, v: [f64; 12]| {
        let (r, _) = find(g, T33, "决算数");
        let s = g.sheet_mut(T33).unwrap();
        for (c, x) in v.iter().enumerate() {
            s.set(r + 1, c as u32, Some(Cell::Number(*x)));
        }
        // the figures are there now: the 无数据 note goes
        let notes: Vec<u32> = s
            .rows()
            .filter(|(_, cells)| {
                cells
                    .iter()
                    .any(|(_, c)| c.as_text().is_some_and(|t| t.starts_with("说明")))
            })
            .map(|(r, _)| r)
            .collect();
        for r in notes {
            s.set(r, 0, None);
        }
    };
    row(
        &mut g,
        [6.0, 5.5, 1.0, 0.5, 3.0, 3.0, 0.0, 0.0, 3.0, 3.0, 2.0, 2.0],
    );
    let r = check_grid(&g);
    assert_eq!(status(&r, "K105"), Status::Passed, "{:?}", errors(&r));
    let b = load(&write_grid(
        &g,
        tempfile::tempdir().unwrap().path(),
        "x.xlsx",
    ));
    let s = b.summary();
    assert_eq!(s.three_public.total, Some(d("55000")));
    assert_eq!(s.three_public_budget.unwrap().total, Some(d("60000")));
    // a 预算数 合计 that is not the sum of its parts, and a 决算数 小计 that is not
    // 购置 + 运行
    let mut bad = g.clone();
    row(
        &mut bad,
        [7.0, 5.5, 1.0, 0.5, 3.0, 2.0, 0.0, 0.0, 3.0, 3.0, 2.0, 2.0],
    );
    let r = check_grid(&bad);
    let e = errors(&r);
    assert!(
        e.iter()
            .any(|x| x.starts_with("K105") && x.ends_with("!A7")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|x| x.starts_with("K105") && x.ends_with("!F7")),
        "{e:?}"
    );
    let msgs: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("合计预算数")), "{msgs:?}");
}

#[test]
fn check_exit_code_is_0_on_the_real_final_accounts() {
    assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .arg("check")
        .arg(sample(SHGZ))
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "合计：错误 0 条，警告 0 条，提示 2 条",
        ));
}

#[test]
fn its_text_checked_against_its_tables_gives_its_real_text_mistakes_only() {
    let text =
        std::fs::read_to_string(root().join("samples/real").join(SHGZ).join("text.txt")).unwrap();
    let b = load(&sample(SHGZ));
    let r = yusuan::check(
        &b,
        CodeLists::builtin(),
        Some(&yusuan_narrative::check::Text::parse(&text)),
    );
    let text_findings: Vec<(&str, Severity, String)> = r
        .findings
        .iter()
        .filter(|f| f.rule.starts_with('N'))
        .map(|f| (f.rule, f.severity, f.message.clone()))
        .collect();
    let shown = format!("{text_findings:#?}");
    let has = |rule: &str, sev: Severity, words: &str| {
        text_findings
            .iter()
            .filter(|f| f.0 == rule && f.1 == sev && f.2.contains(words))
            .count()
    };
    // notes.md 4: the share forced to make 100 %
    assert_eq!(has("N402", Severity::Warning, "占比9.55%"), 1, "{shown}");
    // 5: 完成年初预算的95.89% is against the 全年预算 (the 年初预算 is 0)
    assert_eq!(
        has("N402", Severity::Warning, "307.82 ÷ 321.02（全年预算）"),
        1,
        "{shown}"
    );
    // 8: 政府采购 counted twice
    assert_eq!(has("N408", Severity::Error, "重复计入"), 1, "{shown}");
    // 9: growth from a zero base, four times
    assert_eq!(has("N407", Severity::Info, "基数为 0"), 4, "{shown}");
    // nothing else: the 预算数 the text states (年初预算 0, 全年预算 321.02, each 项's) are
    // not compared with 决算 tables, 机关运行经费 is not taken for 支出总计, and the
    // four 类 amounts agree with the tables
    assert_eq!(text_findings.len(), 7, "{shown}");
    assert_eq!(
        r.findings
            .iter()
            .filter(|f| !f.rule.starts_with('N'))
            .count(),
        2
    );
}

#[test]
fn a_synthetic_final_in_split_code_columns_is_read_and_clean() {
    let p = sample("corpus-final-split");
    let b = load(&p);
    assert_eq!((b.stage, b.layout.as_str()), (Stage::Final, "final"));
    let t3 = b.table(TableId::T3).unwrap();
    assert!(t3.has_column("code_class") && t3.has_column("code_item"));
    assert!(
        t3.coded()
            .any(|l| l.code.as_ref().is_some_and(|c| c.len() == 7))
    );
    let r = check(&b);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    // rebuilt by the corpus generator byte for byte
    let g = yusuan_testkit::corpus::generate(
        7,
        yusuan_testkit::corpus::Size {
            items: 12,
            units: 2,
        },
    );
    let budget = yusuan_testkit::compose::compose(&g.spec, CodeLists::builtin()).unwrap();
    let grid = yusuan_testkit::final_accounts::from_budget(&budget).unwrap();
    let bytes = yusuan_write::copy_grid(&grid)
        .unwrap()
        .save_to_buffer()
        .unwrap();
    assert!(
        bytes == std::fs::read(&p).unwrap(),
        "run `cargo run --example gen_samples`"
    );
    // the same figures as the 预算 it was made from, 表3 line by line
    for l in budget.table(TableId::T3).unwrap().coded() {
        let code = l.code.as_deref().unwrap();
        assert_eq!(
            t3.by_code(code).unwrap().value("total"),
            l.value("total"),
            "{code}"
        );
    }
}

#[test]
fn compare_gives_budget_and_final_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let budget_path = sample("luojiang-zhengxieban-2023");
    let budget = composed("luojiang-zhengxieban-2023");
    let mut g = yusuan_testkit::final_accounts::from_budget(&budget).unwrap();
    // one 项 spent 1.50 万元 over its budget
    let item = budget
        .table(TableId::T3)
        .unwrap()
        .coded()
        .find(|l| l.code.as_ref().is_some_and(|c| c.len() == 7))
        .unwrap();
    let sheet = "一般公共预算财政拨款支出决算表";
    let (r, c) = find(&g, sheet, &item.name);
    let was = item.value("total").unwrap();
    let now = was + d("1.50");
    g.sheet_mut(sheet)
        .unwrap()
        .set(r, c + 1, Some(Cell::Number(yusuan_write::to_f64(now))));
    let final_path = write_grid(&g, dir.path(), "决算.xlsx");
    let xlsx = dir.path().join("对比.xlsx");
    let out = assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .args(["compare", "--format", "json", "-o"])
        .arg(&xlsx)
        .arg(&budget_path)
        .arg(&final_path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let lines = v["lines"].as_array().unwrap();
    let code = item.code.as_deref().unwrap();
    let changed = lines.iter().find(|l| l["code"] == code).unwrap();
    assert_eq!(changed["level"], "项");
    assert_eq!(changed["difference"], "15000.00"); // 1.50 万元 in 元
    // every other 科目 line agrees; one per 类/款/项 of 表3, and the five 三公 parts
    let t3 = budget.table(TableId::T3).unwrap();
    assert_eq!(lines.len(), 1 + t3.coded().count() + 5);
    // (only that cell was edited: its 款, 类 and 合计 still state the 预算's figures)
    for l in lines.iter().filter(|l| l["code"] != code) {
        assert_eq!(d(l["difference"].as_str().unwrap()), Decimal::ZERO, "{l}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l["level"] == "三公" && l["name"] == "公务接待费")
    );
    let wb = grid(&xlsx);
    find(&wb, "预算与决算对比", &item.name);
    // a 决算 given as the 预算: a usage error in Chinese
    assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .arg("compare")
        .arg(&final_path)
        .arg(&budget_path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "第一个文件应为部门预算工作簿，读到的是部门决算",
        ));
}

#[test]
fn a_batch_holds_a_budget_and_its_final_as_two_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let name = "luojiang-zhengxieban-2023";
    std::fs::copy(sample(name), input.join("预算.xlsx")).unwrap();
    let g = yusuan_testkit::final_accounts::from_budget(&composed(name)).unwrap();
    write_grid(&g, &input, "决算.xlsx");
    let out = dir.path().join("out");
    assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .assert()
        .code(0);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let stage = |file: &str| {
        let r = rows.iter().find(|r| r["file"] == file).unwrap();
        assert!(r["duplicate_of"].is_null(), "{r}");
        r["stage"].clone()
    };
    assert_eq!(stage("预算.xlsx"), "budget");
    assert_eq!(stage("决算.xlsx"), "final");
    let summary = grid(&out.join("汇总表.xlsx"));
    find(&summary, &summary.sheets[0].name, "部门决算");
}

#[test]
fn balances_carried_in_and_out_raise_no_false_alarm() {
    // The same 决算 with 10.00 万元 年初结转和结余 spent on nothing and carried to the end.
    let mut g = grid(&sample(SHGZ));
    set_beside(&mut g, T1, "年初结转和结余", 1, 10.0);
    set_beside(&mut g, T1, "年末结转和结余", 1, 10.0);
    let s = g.sheet_mut(T1).unwrap();
    s.set(33, 1, Some(Cell::Number(317.82)));
    s.set(33, 3, Some(Cell::Number(317.82)));
    let r = check_grid(&g);
    assert!(errors(&r).is_empty(), "{:?}", errors(&r));
    assert_eq!(status(&r, "X201"), Status::Passed);
    // and a 收入决算表 that does not match 本年收入合计 still does not pass
    set_beside(&mut g, "收入决算表", "合计", 1, 317.82);
    let r = check_grid(&g);
    assert!(
        errors(&r).contains(&"X201 收入决算表!C5".to_string()),
        "{:?}",
        errors(&r)
    );
}

#[test]
fn a_fund_table_carries_its_balance_from_opening_to_closing() {
    let fund = "政府性基金预算财政拨款收入支出决算表";
    let row = |closing: f64| {
        let mut g = grid(&sample(SHGZ));
        // the 合计 row under the two header rows (its label in 科目名称, column B)
        let (r, c) = (4, 1);
        assert_eq!(
            g.sheet(fund).unwrap().get(r, c).and_then(Cell::as_text),
            Some("合计")
        );
        let s = g.sheet_mut(fund).unwrap();
        // 年初 5 + 本年收入 10 − 本年支出 12 (基本 12) = 年末 3
        for (k, v) in [(1, 5.0), (2, 10.0), (3, 12.0), (4, 12.0), (6, closing)] {
            s.set(r, c + k, Some(Cell::Number(v)));
        }
        check_grid(&g)
    };
    let k103 = |r: &Report| -> Vec<String> {
        errors(r)
            .into_iter()
            .filter(|e| e.starts_with("K103"))
            .collect()
    };
    assert!(k103(&row(3.0)).is_empty());
    assert_eq!(k103(&row(4.0)), [format!("K103 {fund}!H5")]);
}

#[test]
fn the_final_template_is_read_back_as_an_unfilled_final() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("决算模板.xlsx");
    assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .args([
            "template",
            "--stage",
            "final",
            "--year",
            "2025",
            "--department",
            "某某局",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let b = load(&out);
    assert_eq!((b.stage, b.year), (Stage::Final, Some(2025)));
    assert_eq!(b.department_name(), "某某局");
    assert_eq!(b.tables.len(), 9);
    // the 收入支出决算总表 lists the 类 and the foot rows as the template prints them
    let t1 = b.table(TableId::T1).unwrap();
    assert_eq!(t1.coded().count(), 26);
    for key in [
        "non_fiscal_balance",
        "distribution",
        "carried_forward",
        "carry_over",
    ] {
        assert!(t1.fixed(key).is_some(), "{key}");
    }
    let r = check(&b);
    assert_eq!(errors(&r), ["S007 （工作簿）"]);
    assert!(r.findings[0].message.contains("9 张决算表都没有任何金额"));
    // a 决算 template has one layout only
    assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .args(["template", "--stage", "final", "--layout", "shanghai", "-o"])
        .arg(dir.path().join("x.xlsx"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("部门决算模板只有一种样式"));
}

fn narrative(args: &[&std::ffi::OsStr]) -> (String, String) {
    let out = assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .arg("narrative")
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_final_text_is_generated_in_the_standard_sections_and_passes_its_own_check() {
    let p = sample(SHGZ);
    let (text, warnings) = narrative(&[p.as_os_str()]);
    let headings: Vec<&str> = text
        .lines()
        .filter(|l| l.contains('、') && l.ends_with("说明") || l.ends_with("名词解释"))
        .filter(|l| !l.starts_with('\u{3000}'))
        .collect();
    assert_eq!(
        headings,
        [
            "一、收入支出决算总体情况说明",
            "二、收入决算情况说明",
            "三、支出决算情况说明",
            "四、财政拨款收入支出决算总体情况说明",
            "五、一般公共预算财政拨款支出决算情况说明",
            "六、一般公共预算财政拨款基本支出决算情况说明",
            "七、财政拨款“三公”经费支出决算情况说明",
            "八、政府性基金预算财政拨款收入支出决算情况说明",
            "九、国有资本经营预算财政拨款收入支出决算情况说明",
            "十、名词解释",
        ],
        "{text}"
    );
    assert!(text.starts_with("中共上海市普陀区委社会工作部2024年度部门决算情况说明"));
    // each share rounded on its own: 29.42 / 307.82 = 9.56 % (the published text forced 9.55)
    assert!(
        text.contains("住房保障支出（类）29.42万元，占9.56%"),
        "{text}"
    );
    assert!(text.contains("基本支出105.58万元，占34.30%；项目支出202.24万元，占65.70%"));
    assert!(text.contains("人员经费95.36万元，主要包括：基本工资、津贴补贴"));
    // 邮电费 is 0.00 in the table: not listed (the published text lists it)
    assert!(!text.contains("邮电费"), "{text}");
    assert!(text.contains("2024年度无“三公”经费财政拨款支出。"));
    // no 年初预算 without the 预算 workbook, and the officer is told
    assert!(!text.contains("年初预算"));
    assert!(warnings.contains("--budget"), "{warnings}");
    // no growth rate without last year's 决算
    assert!(!text.contains("增长"));
    let r = yusuan::check(
        &load(&p),
        CodeLists::builtin(),
        Some(&yusuan_narrative::check::Text::parse(&text)),
    );
    let n: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.rule.starts_with('N'))
        .map(|f| f.message.as_str())
        .collect();
    assert!(n.is_empty(), "{n:?}");
}

#[test]
fn the_final_text_uses_the_years_budget_and_last_years_final() {
    let dir = tempfile::tempdir().unwrap();
    let name = "luojiang-zhengxieban-2023";
    let budget = composed(name);
    // this year's 决算: one 项 spent 1.50 万元 over its 年初预算 (its 款, 类 and totals too)
    let item = budget
        .table(TableId::T3)
        .unwrap()
        .coded()
        .find(|l| l.code.as_ref().is_some_and(|c| c.len() == 7))
        .unwrap()
        .clone();
    let code = item.code.clone().unwrap();
    let mut over = budget.clone();
    for t in over.tables.iter_mut().filter(|t| t.id == TableId::T3) {
        for l in t.lines.iter_mut() {
            let hit = l.kind == yusuan_core::LineKind::Total
                || l.code
                    .as_ref()
                    .is_some_and(|c| code.starts_with(c.as_str()));
            for (k, a) in l.amounts.iter_mut() {
                if hit
                    && k == "total"
                    && let yusuan_core::Reading::Value(v) = &mut a.reading
                {
                    *v += d("1.50");
                }
            }
        }
    }
    let this = write_grid(
        &yusuan_testkit::final_accounts::from_budget(&over).unwrap(),
        dir.path(),
        "决算2023.xlsx",
    );
    let mut last = budget.clone();
    last.year = Some(2022);
    let last = write_grid(
        &yusuan_testkit::final_accounts::from_budget(&last).unwrap(),
        dir.path(),
        "决算2022.xlsx",
    );
    let plan = sample(name);
    let (text, _) = narrative(&[
        this.as_os_str(),
        "--budget".as_ref(),
        plan.as_os_str(),
        "--previous".as_ref(),
        last.as_os_str(),
    ]);
    let v = item.value("total").unwrap();
    let want = format!(
        "{}（项）年初预算为{}万元，支出决算为{}万元，完成年初预算的{}%，决算数大于年初预算数。",
        item.name,
        yusuan_core::show2(v),
        yusuan_core::show2(v + d("1.50")),
        yusuan_narrative::share(v + d("1.50"), v).unwrap()
    );
    assert!(text.contains(&want), "{want}\n{text}");
    // the totals are last year's: 持平
    assert!(text.contains("与2022年度持平"), "{text}");
    // last year's 预算 is not last year's 决算
    assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .arg("narrative")
        .arg(&this)
        .arg("--previous")
        .arg(&plan)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("应为同一种"));
}

#[test]
fn the_initial_budget_a_final_text_states_is_checked_against_the_budget_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let name = "luojiang-zhengxieban-2023";
    let budget = composed(name);
    let fin = write_grid(
        &yusuan_testkit::final_accounts::from_budget(&budget).unwrap(),
        dir.path(),
        "决算.xlsx",
    );
    let total = budget
        .table(TableId::T3)
        .unwrap()
        .total()
        .unwrap()
        .value("total")
        .unwrap();
    let text = |initial: Decimal| {
        let p = dir.path().join(format!("说明{initial}.txt"));
        std::fs::write(
            &p,
            format!(
                "五、一般公共预算财政拨款支出决算情况说明\n一般公共预算财政拨款支出年初预算为{}万元，支出决算为{}万元。\n",
                yusuan_core::show2(initial),
                yusuan_core::show2(total)
            ),
        )
        .unwrap();
        p
    };
    let run = |t: &Path, with_budget: bool| -> (i32, String) {
        let mut cmd = assert_cmd::Command::cargo_bin("yusuan").unwrap();
        cmd.arg("check").arg(&fin).arg("--narrative").arg(t);
        if with_budget {
            cmd.arg("--budget").arg(sample(name));
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        )
    };
    let right = text(total);
    let wrong = text(total + d("10"));
    let (code, out) = run(&right, true);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("N401 "), "{out}");
    let (code, out) = run(&wrong, true);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("N401") && out.contains("当年部门预算"),
        "{out}"
    );
    // without the 预算 workbook the 年初预算数 is not compared with the 决算 tables
    let (code, out) = run(&wrong, false);
    assert_eq!(code, 0, "{out}");
    // a 预算 given where the 决算 is expected
    let (code, _) = {
        let out = assert_cmd::Command::cargo_bin("yusuan")
            .unwrap()
            .arg("check")
            .arg(sample(name))
            .arg("--budget")
            .arg(sample(name))
            .output()
            .unwrap();
        (out.status.code().unwrap(), ())
    };
    assert_eq!(code, 2);
}

/// The central 决算 format: 行次 columns beside the 总表's 项目, a 栏次 row under every
/// header, the 三公 table with 预算数 and 决算数 as the top headers, 本年支出 小计.
fn central_format(g: &mut Grid) {
    use yusuan_testkit::SheetEdit;
    let t = |s: &str| Some(Cell::Text(s.to_string()));
    let s = g.sheet_mut(T1).unwrap();
    s.insert_col(3);
    s.insert_col(1);
    s.set(3, 1, t("行次"));
    s.set(3, 4, t("行次"));
    for r in 4..34 {
        s.set(r, 1, Some(Cell::Number(f64::from(r - 3))));
        s.set(r, 4, Some(Cell::Number(f64::from(r + 27))));
    }
    s.insert_row(4);
    s.set(4, 0, t("栏次"));
    s.set(4, 2, t("1"));
    s.set(4, 5, t("2"));
    for sheet in ["收入决算表", "支出决算表", "一般公共预算财政拨款支出决算表"]
    {
        let s = g.sheet_mut(sheet).unwrap();
        s.insert_row(4);
        s.set(4, 0, t("栏次"));
        for c in 2..8 {
            s.set(4, c, t(&(c - 1).to_string()));
        }
    }
    for sheet in [
        "政府性基金预算财政拨款收入支出决算表",
        "国有资本经营预算财政拨款收入支出决算表",
    ] {
        g.sheet_mut(sheet).unwrap().set(3, 4, t("小计"));
    }
    let parts = [
        "合计",
        "因公出国（境）费",
        "小计",
        "公务用车购置费",
        "公务用车运行维护费",
        "公务接待费",
    ];
    let groups = [
        "合计",
        "因公出国（境）费",
        "公务用车购置及运行维护费",
        "公务用车购置及运行维护费",
        "公务用车购置及运行维护费",
        "公务接待费",
    ];
    // 预算数 6 = 1 + 3 + 2 (车 3 = 0 + 3); 决算数 5.5 = 0.5 + 3 + 2
    let figures = [6.0, 1.0, 3.0, 0.0, 3.0, 2.0, 5.5, 0.5, 3.0, 0.0, 3.0, 2.0];
    let mut cells = vec![
        (0, 0, Cell::Text(T33.into())),
        (
            1,
            0,
            Cell::Text("编制部门：中共上海市普陀区委社会工作部".into()),
        ),
        (1, 11, Cell::Text("单位：万元".into())),
    ];
    for (i, m) in ["预算数", "决算数"].iter().enumerate() {
        for k in 0..6 {
            let c = (i * 6 + k) as u32;
            cells.push((2, c, Cell::Text(m.to_string())));
            cells.push((3, c, Cell::Text(groups[k].into())));
            cells.push((4, c, Cell::Text(parts[k].into())));
            cells.push((5, c, Cell::Text((c + 1).to_string())));
            cells.push((6, c, Cell::Number(figures[c as usize])));
        }
    }
    cells.push((5, 0, Cell::Text("栏次".into())));
    let at = g.sheets.iter().position(|s| s.name == T33).unwrap();
    g.sheets[at] = yusuan_grid::Sheet::from_cells(T33, cells);
}

#[test]
fn a_final_in_the_central_format_reads_and_checks_the_same() {
    let mut g = grid(&sample(SHGZ));
    central_format(&mut g);
    let dir = tempfile::tempdir().unwrap();
    let b = load(&write_grid(&g, dir.path(), "central.xlsx"));
    let orig = load(&sample(SHGZ));
    assert_eq!(b.stage, Stage::Final);
    let t1 = b.table(TableId::T1).unwrap();
    assert_eq!(t1.fixed_value("income_total", "income"), Some(d("307.82")));
    assert!(
        !t1.lines
            .iter()
            .any(|l| l.kind == yusuan_core::LineKind::Unparsed)
    );
    let s = b.summary();
    assert_eq!(s.three_public.total, Some(d("55000")));
    assert_eq!(s.three_public.abroad, Some(d("5000")));
    let planned = s.three_public_budget.unwrap();
    assert_eq!(planned.total, Some(d("60000")));
    assert_eq!(planned.vehicle_operation, Some(d("30000")));
    for id in [TableId::T1_1, TableId::T1_2, TableId::T3] {
        let (a, o) = (b.table(id).unwrap(), orig.table(id).unwrap());
        assert_eq!(a.lines.len(), o.lines.len(), "{id}");
    }
    // the same two real rounding differences, and nothing else
    let r = check(&b);
    let got: Vec<(&str, Severity)> = r.findings.iter().map(|f| (f.rule, f.severity)).collect();
    assert_eq!(
        got,
        [("K104", Severity::Info), ("X208", Severity::Info)],
        "{:?}",
        r.findings
    );
    assert_eq!(status(&r, "K105"), Status::Passed);
}

#[test]
fn direction_words_are_checked_against_the_figures_they_follow() {
    let text =
        std::fs::read_to_string(root().join("samples/real").join(SHGZ).join("text.txt")).unwrap();
    let b = load(&sample(SHGZ));
    let n408 = |t: &str| -> Vec<String> {
        let r = yusuan::check(
            &b,
            CodeLists::builtin(),
            Some(&yusuan_narrative::check::Text::parse(t)),
        );
        r.findings
            .iter()
            .filter(|f| f.rule == "N408" && f.message.contains("所述决算数"))
            .map(|f| f.message.clone())
            .collect()
    };
    // the real text: every 大于/小于/持平 agrees with its 全年预算 and 决算
    assert!(n408(&text).is_empty(), "{:?}", n408(&text));
    // 其他社会工作事务支出: 202.24 against 202.24 written 大于
    let mutated = text.replacen("决算数与全年预算数持平", "决算数大于全年预算数", 1);
    let got = n408(&mutated);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].contains("202.24 万元等于预算数 202.24 万元"),
        "{got:?}"
    );
}

#[test]
fn a_budget_three_public_table_headed_by_its_budget_figure_is_read_as_before() {
    // A 预算 三公 table whose parts stand under 预算数: that is its figure, not a twin.
    let t = |s: &str| Cell::Text(s.into());
    let mut cells = vec![
        (0, 0, t("一般公共预算“三公”经费支出预算表")),
        (1, 5, t("单位：万元")),
    ];
    for (c, h) in [
        "合计",
        "因公出国（境）费",
        "公务用车购置费",
        "公务用车运行费",
        "公务接待费",
    ]
    .iter()
    .enumerate()
    {
        cells.push((2, c as u32, t("预算数")));
        cells.push((3, c as u32, t(h)));
    }
    for (c, v) in [6.0, 1.0, 0.0, 3.0, 2.0].iter().enumerate() {
        cells.push((4, c as u32, Cell::Number(*v)));
    }
    let g = Grid {
        format: yusuan_grid::Format::Xlsx,
        sheets: vec![yusuan_grid::Sheet::from_cells("表3-3", cells)],
    };
    let b = yusuan_core::recognise(&g, CodeLists::builtin()).unwrap();
    assert_eq!(b.stage, Stage::Budget);
    let s = b.summary();
    assert_eq!(s.three_public.total, Some(d("60000")));
    assert_eq!(s.three_public.reception, Some(d("20000")));
    assert!(s.three_public_budget.is_none());
}
