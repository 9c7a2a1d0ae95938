//! Every rule passes on the clean samples, and each mutation of a clean sample (one cell
//! changed, a row deleted, a code renamed…) makes exactly the predicted findings, at the
//! predicted cells, and nothing else.

use std::io::{Read, Write};
use std::path::Path;

use crate::common::*;
use yusuan::{Budget, CodeLists, TableId};
use yusuan_core::{CellRef, Line};
use yusuan_grid::{Cell, Grid, Sheet};
use yusuan_rules::{Report, Severity, Status};

const ZXB: &str = "luojiang-zhengxieban-2023";

fn clean(name: &str) -> (Grid, Budget) {
    let p = sample(name);
    (grid(&p), load(&p))
}

fn check_path(p: &Path) -> Report {
    let b = load(p);
    yusuan::check(&b, CodeLists::builtin(), None)
}

fn check_grid(g: &Grid) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let p = write_grid(g, dir.path(), "mutated.xlsx");
    check_path(&p)
}

/// A line of a table of the clean model.
fn line<'a>(b: &'a Budget, id: TableId, who: &str) -> &'a Line {
    let t = b.table(id).unwrap();
    match who {
        "合计" => t.total(),
        w if w.starts_with('#') => t.entries().nth(w[1..].parse::<usize>().unwrap()),
        w if w.chars().all(|c| c.is_ascii_digit()) => t.by_code(w),
        w => t.fixed(w),
    }
    .unwrap_or_else(|| panic!("{id} has no {who}"))
}

/// The cell of an amount of the clean model.
fn at(b: &Budget, id: TableId, who: &str, col: &str) -> CellRef {
    line(b, id, who)
        .amount(col)
        .unwrap_or_else(|| panic!("{id} {who} has no {col}"))
        .at
        .clone()
}

fn value(b: &Budget, id: TableId, who: &str, col: &str) -> f64 {
    line(b, id, who)
        .value(col)
        .unwrap()
        .to_string()
        .parse()
        .unwrap()
}

fn set_num(g: &mut Grid, c: &CellRef, v: f64) {
    g.sheet_mut(&c.sheet)
        .unwrap()
        .set(c.row, c.col, Some(Cell::Number(v)));
}

fn set_text(g: &mut Grid, c: &CellRef, t: &str) {
    g.sheet_mut(&c.sheet)
        .unwrap()
        .set(c.row, c.col, Some(Cell::Text(t.into())));
}

fn add(g: &mut Grid, b: &Budget, id: TableId, who: &str, col: &str, delta: f64) -> CellRef {
    let c = at(b, id, who, col);
    let v = value(b, id, who, col) + delta;
    set_num(g, &c, (v * 100.0).round() / 100.0);
    c
}

/// The findings, as `(rule, location)`, must be exactly `expected` (any order).
fn assert_exactly(r: &Report, expected: &[(&str, String)]) {
    let mut got: Vec<(String, String)> = r
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.location()))
        .collect();
    let mut want: Vec<(String, String)> = expected
        .iter()
        .map(|(r, l)| (r.to_string(), l.clone()))
        .collect();
    got.sort();
    want.sort();
    let detail: Vec<String> = r
        .findings
        .iter()
        .map(|f| format!("{} {} {} {}", f.rule, f.severity, f.location(), f.message))
        .collect();
    assert_eq!(got, want, "\nfindings:\n{}", detail.join("\n"));
}

fn s(c: CellRef) -> String {
    c.to_string()
}

// ------------------------------------------------------------------ passing

#[test]
fn every_rule_passes_on_every_clean_sample() {
    for name in SAMPLES {
        let r = check_path(&sample(name));
        assert!(r.findings.is_empty(), "{name}: {:?}", r.findings);
        for e in &r.ledger {
            if e.rule.starts_with('N') {
                assert_eq!(e.status, Status::NotRun, "{name} {}", e.rule);
                assert!(e.reason.as_deref().unwrap().contains("--narrative"));
            } else {
                assert_eq!(e.status, Status::Passed, "{name} {} {:?}", e.rule, e.reason);
            }
        }
    }
}

#[test]
fn the_ledger_lists_every_rule_once_on_every_file() {
    let text_rules = yusuan_narrative::check::TextRules::new(None);
    let all: Vec<&str> = yusuan_rules::builtin()
        .iter()
        .map(|r| r.meta().id)
        .chain(
            text_rules
                .rules()
                .iter()
                .map(|r| yusuan_rules::Rule::meta(r).id),
        )
        .collect();
    assert_eq!(all.len(), 42);
    let (mut g, _) = clean(ZXB);
    g.sheets.retain(|s| s.name != "表3" && s.name != "表4");
    for r in [check_path(&sample(ZXB)), check_grid(&g)] {
        let ids: Vec<&str> = r.ledger.iter().map(|e| e.rule).collect();
        assert_eq!(ids, all);
    }
    // With 表3 missing, the rules that need it say so.
    let r = check_grid(&g);
    let e = r.ledger.iter().find(|e| e.rule == "X206").unwrap();
    assert_eq!(e.status, Status::NotRun);
    assert_eq!(e.reason.as_deref(), Some("表3缺失"));
    let e = r.ledger.iter().find(|e| e.rule == "X204").unwrap();
    assert!(e.reason.as_deref().unwrap().contains("表4缺失"), "{e:?}");
}

// ------------------------------------------------------------------ S

#[test]
fn s001_missing_table() {
    let (mut g, _) = clean(ZXB);
    g.sheets.retain(|s| s.name != "表4");
    let r = check_grid(&g);
    assert_exactly(&r, &[("S001", "（工作簿）".into())]);
    assert!(r.findings[0].message.contains("表4"));
    assert_eq!(r.findings[0].table, Some(TableId::T4));
}

#[test]
fn s002_missing_unit() {
    let (mut g, b) = clean(ZXB);
    let t = b.table(TableId::T3_1).unwrap();
    let u = t.unit_at.clone().unwrap();
    g.sheet_mut(&u.sheet).unwrap().set(u.row, u.col, None);
    let r = check_grid(&g);
    assert_exactly(&r, &[("S002", s(t.title.at.clone()))]);
    assert_eq!(r.status("X206"), Some(Status::Passed));
    let e = r.ledger.iter().find(|e| e.rule == "X206").unwrap();
    assert!(
        e.reason.as_deref().unwrap().contains("表3-1缺少金额单位"),
        "{e:?}"
    );
}

#[test]
fn s003_empty_table_notes() {
    // (a) an empty table without its note
    let (mut g, b) = clean(ZXB);
    let note = b.table(TableId::T5).unwrap().note.clone().unwrap().at;
    g.sheet_mut(&note.sheet)
        .unwrap()
        .set(note.row, note.col, None);
    let total = line(&b, TableId::T5, "合计").anchor().unwrap().clone();
    assert_exactly(&check_grid(&g), &[("S003", s(total))]);
    // (b) a note naming the wrong fund
    let (mut g, b) = clean(ZXB);
    let note = b.table(TableId::T4).unwrap().note.clone().unwrap().at;
    set_text(
        &mut g,
        &note,
        "本部门2023年无国有资本经营预算拨款安排的支出，故本表为空表。",
    );
    let r = check_grid(&g);
    assert_exactly(&r, &[("S003", s(note))]);
    assert!(r.findings[0].message.contains("政府性基金"));
    // (c) a table with data that carries the note
    let (mut g, b) = clean(ZXB);
    let t3 = b.table(TableId::T3).unwrap();
    let last = t3.lines.last().unwrap().row + 1;
    let c = CellRef::new("表3", last, 0);
    set_text(
        &mut g,
        &c,
        "本部门2023年无一般公共预算拨款安排的支出，故本表为空表。",
    );
    assert_exactly(&check_grid(&g), &[("S003", s(c))]);
}

#[test]
fn s004_year_and_department() {
    let (mut g, b) = clean(ZXB);
    let t = b.table(TableId::T3).unwrap().title.at.clone();
    set_text(
        &mut g,
        &t,
        "德阳市罗江区政协办公室2022年一般公共预算支出预算表",
    );
    let t2 = b.table(TableId::T1_1).unwrap().title.at.clone();
    set_text(&mut g, &t2, "罗江区政协2023年部门收入总表");
    assert_exactly(&check_grid(&g), &[("S004", s(t)), ("S004", s(t2))]);
}

#[test]
fn s005_template_residue() {
    let (mut g, b) = clean(ZXB);
    let f = b.info.get("functions").unwrap().at.clone();
    set_text(&mut g, &f, "XX是区政协的办事机构。");
    // a `…` row left in 表3-2
    let t32 = b.table(TableId::T3_2).unwrap();
    let below = CellRef::new("表3-2", t32.lines.last().unwrap().row + 1, 0);
    set_text(&mut g, &below, "…");
    assert_exactly(&check_grid(&g), &[("S005", s(f)), ("S005", s(below))]);
}

#[test]
fn s006_unrelated_sheet_is_info() {
    let (mut g, _) = clean(ZXB);
    g.sheets.push(Sheet::from_cells(
        "填表说明",
        vec![(0, 0, Cell::Text("请按要求填写".into()))],
    ));
    let r = check_grid(&g);
    assert_exactly(&r, &[("S006", "填表说明!A1".into())]);
    assert_eq!(r.findings[0].severity, Severity::Info);
    assert!(!r.has_errors());
}

// ------------------------------------------------------------------ V

#[test]
fn v001_not_a_number() {
    let (mut g, b) = clean(ZXB);
    let c = at(&b, TableId::T3_1, "30101", "personnel");
    set_text(&mut g, &c, "十万");
    let r = check_grid(&g);
    assert_exactly(&r, &[("V001", s(c))]);
    assert!(
        r.findings[0].message.contains("「十万」不是数字"),
        "{}",
        r.findings[0].message
    );
}

/// Remove the cached results of every formula in a sheet of an xlsx file, as files
/// saved by tools that never calculate look.
fn strip_formula_results(p: &Path, sheet_xml: &str) {
    let bytes = std::fs::read(p).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let re = regex::Regex::new(r"(</f>)<v>[^<]*</v>").unwrap();
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == sheet_xml {
            let s = String::from_utf8(data).unwrap();
            data = re.replace_all(&s, "$1").into_owned().into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    std::fs::write(p, out.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn v002_formula_without_cached_value() {
    let (mut g, b) = clean(ZXB);
    let c = at(&b, TableId::T3_1, "30101", "personnel");
    g.sheet_mut(&c.sheet)
        .unwrap()
        .set(c.row, c.col, Some(Cell::Formula("100+18.62".into())));
    let dir = tempfile::tempdir().unwrap();
    let p = write_grid(&g, dir.path(), "formula.xlsx");
    // 表3-1 is the 8th sheet of the workbook.
    let idx = g.sheets.iter().position(|s| s.name == "表3-1").unwrap() + 1;
    strip_formula_results(&p, &format!("xl/worksheets/sheet{idx}.xml"));
    let r = check_path(&p);
    assert_exactly(&r, &[("V002", s(c))]);
    assert!(r.findings[0].message.contains("=100+18.62"));
}

#[test]
fn v003_negative_amount() {
    let (mut g, b) = clean(ZXB);
    let p1 = at(&b, TableId::T3_2, "#0", "amount");
    let p2 = at(&b, TableId::T3_2, "#1", "amount");
    set_num(&mut g, &p1, -60.0);
    set_num(&mut g, &p2, 170.0); // the total stays 110
    assert_exactly(&check_grid(&g), &[("V003", s(p1))]);
}

#[test]
fn v004_too_many_decimals() {
    let (mut g, b) = clean(ZXB);
    let p1 = at(&b, TableId::T3_2, "#0", "amount");
    let p2 = at(&b, TableId::T3_2, "#1", "amount");
    set_num(&mut g, &p1, 60.005);
    set_num(&mut g, &p2, 49.995);
    assert_exactly(&check_grid(&g), &[("V004", s(p1)), ("V004", s(p2))]);
}

#[test]
fn v005_repeated_code() {
    let (mut g, b) = clean(ZXB);
    // A second, empty line 2010201 right below the first.
    let row = line(&b, TableId::T3, "2010201").row + 1;
    g.sheet_mut("表3").unwrap().insert_row(row);
    let c = CellRef::new("表3", row, 0);
    set_text(&mut g, &c, "2010201");
    set_text(&mut g, &CellRef::new("表3", row, 1), "行政运行");
    assert_exactly(&check_grid(&g), &[("V005", s(c))]);
}

// ------------------------------------------------------------------ K

#[test]
fn k101_income_subtotal() {
    let (mut g, b) = clean(ZXB);
    let c = add(&mut g, &b, TableId::T1, "income_subtotal", "income", 1.0);
    assert_exactly(&check_grid(&g), &[("K101", s(c))]);
}

#[test]
fn k102_expenditure_total() {
    let (mut g, b) = clean(ZXB);
    let c = add(
        &mut g,
        &b,
        TableId::T1,
        "expenditure_total",
        "expenditure",
        0.5,
    );
    // Both identities fail at the cell: the total of its parts, and 收入总计 = 支出总计.
    let r = check_grid(&g);
    assert_exactly(&r, &[("K102", s(c.clone())), ("K102", s(c))]);
}

#[test]
fn k103_row_total() {
    let (mut g, b) = clean(ZXB);
    let c = add(&mut g, &b, TableId::T3_1, "30101", "total", 0.3);
    let class = at(&b, TableId::T3_1, "301", "total");
    assert_exactly(&check_grid(&g), &[("K103", s(c)), ("K104", s(class))]);
}

#[test]
fn k104_class_total_off_by_a_dime() {
    // The issue's example: 一般公共服务支出(201) 合计 530.88 → 530.98 in 表3.
    let (mut g, b) = clean(ZXB);
    let c = add(&mut g, &b, TableId::T3, "201", "total", 0.10);
    let total = at(&b, TableId::T3, "合计", "total");
    let t2 = at(&b, TableId::T2, "201", "gpb");
    let r = check_grid(&g);
    assert_exactly(
        &r,
        &[
            ("K104", s(c.clone())), // 类 ≠ Σ款
            ("K104", s(total)),     // 合计 ≠ Σ类
            ("K103", s(c.clone())), // 合计 ≠ 基本 + 项目
            ("X205", s(c.clone())), // 表3 ≠ 表1-2 (all 一般公共预算)
            ("X204", s(t2)),        // 表2 一般公共预算 ≠ 表3
        ],
    );
    let k = r
        .findings
        .iter()
        .find(|f| f.rule == "K104" && f.location() == s(c.clone()))
        .unwrap();
    assert_eq!(
        k.message,
        "一般公共服务支出(201)的合计 530.98 ≠ 其下各款之和 530.88（差 0.10）"
    );
    assert_eq!(k.difference.as_deref(), Some("0.10"));
    assert_eq!(
        k.related,
        vec![format!(
            "表3!{}",
            at(&b, TableId::T3, "20102", "total").a1()
        )]
    );
}

#[test]
fn k104_orphan_rows() {
    let (mut g, b) = clean(ZXB);
    let kuan = line(&b, TableId::T1_2, "20805").row;
    g.sheet_mut("表1-2").unwrap().delete_row(kuan);
    // After the deletion the rows below move up by one.
    let up = |c: CellRef| CellRef::new(&c.sheet, c.row - 1, c.col);
    let code = |w: &str| up(line(&b, TableId::T1_2, w).code_at.clone().unwrap());
    let r = check_grid(&g);
    assert_exactly(
        &r,
        &[
            ("K104", s(code("2080505"))),
            ("K104", s(code("2080506"))),
            ("K104", s(code("2080599"))),
            ("K104", s(at(&b, TableId::T1_2, "208", "total"))),
            ("K104", s(at(&b, TableId::T1_2, "208", "basic"))),
            // 表3 still has 20805, which 表1-2 no longer lists.
            ("X205", s(at(&b, TableId::T3, "20805", "total"))),
        ],
    );
}

#[test]
fn k105_three_public_total() {
    let (mut g, b) = clean(ZXB);
    let c = add(&mut g, &b, TableId::T3_3, "合计", "total", 1.0);
    // The 合计 row is both ≠ its parts (K105) and ≠ the sum of the unit rows (K104).
    assert_exactly(&check_grid(&g), &[("K105", s(c.clone())), ("K104", s(c))]);
}

#[test]
fn k106_fiscal_income_total() {
    let (mut g, b) = clean(ZXB);
    let c = add(&mut g, &b, TableId::T2, "income_total", "income", 2.0);
    let exp = at(&b, TableId::T2, "expenditure_total", "total");
    assert_exactly(&check_grid(&g), &[("K106", s(c)), ("K106", s(exp))]);
}

#[test]
fn k107_personnel_and_public_split() {
    let (mut g, b) = clean(ZXB);
    let p = add(&mut g, &b, TableId::T3_1, "合计", "personnel", 0.10);
    let q = add(&mut g, &b, TableId::T3_1, "合计", "public", -0.10);
    let r = check_grid(&g);
    assert_exactly(
        &r,
        &[
            ("K104", s(p.clone())),
            ("K104", s(q.clone())),
            ("K107", s(p)),
            ("K107", s(q)),
        ],
    );
    assert!(r.of("K107").all(|f| f.severity == Severity::Warning));
}

// ------------------------------------------------------------------ X

#[test]
fn x201_income_sources() {
    let (mut g, b) = clean(ZXB);
    let gpb = add(&mut g, &b, TableId::T1_1, "合计", "gpb", -0.10);
    let cf = at(&b, TableId::T1_1, "合计", "carried_forward");
    set_num(&mut g, &cf, 0.10);
    assert_exactly(
        &check_grid(&g),
        &[
            ("K104", s(gpb.clone())),
            ("K104", s(cf.clone())),
            ("X201", s(gpb)),
            ("X201", s(cf)),
        ],
    );
}

#[test]
fn x202_expenditure_classes() {
    let (mut g, b) = clean(ZXB);
    // Swap the 201 and 208 figures in 表1: totals still agree, classes do not.
    let c201 = at(&b, TableId::T1, "201", "expenditure");
    let c208 = at(&b, TableId::T1, "208", "expenditure");
    set_num(&mut g, &c201, value(&b, TableId::T1, "208", "expenditure"));
    set_num(&mut g, &c208, value(&b, TableId::T1, "201", "expenditure"));
    assert_exactly(
        &check_grid(&g),
        &[
            ("X202", s(at(&b, TableId::T1_2, "201", "total"))),
            ("X202", s(at(&b, TableId::T1_2, "208", "total"))),
        ],
    );
}

#[test]
fn x203_fiscal_income_by_fund() {
    let (mut g, b) = clean(ZXB);
    let gpb = add(&mut g, &b, TableId::T1, "gpb", "income", -0.10);
    let other = at(&b, TableId::T1, "other", "income");
    set_num(&mut g, &other, 0.10);
    assert_exactly(
        &check_grid(&g),
        &[
            ("X201", s(at(&b, TableId::T1_1, "合计", "gpb"))),
            ("X201", s(at(&b, TableId::T1_1, "合计", "other"))),
            ("X203", s(at(&b, TableId::T2, "current_gpb", "income"))),
        ],
    );
    let _ = gpb;
}

#[test]
fn x204_table3_total_disagrees_with_table2() {
    // The issue's example: 表3's 一般公共预算 total disagrees with 表2.
    let (mut g, b) = clean(ZXB);
    let c = add(&mut g, &b, TableId::T3, "合计", "total", 0.20);
    assert_exactly(
        &check_grid(&g),
        &[
            ("K104", s(c.clone())),
            ("K103", s(c)),
            ("X204", s(at(&b, TableId::T2, "current_expenditure", "gpb"))),
        ],
    );
    // And class by class: swap 表2's 208 and 210 (both columns); 表2 stays balanced.
    let (mut g, b) = clean(ZXB);
    for col in ["total", "gpb"] {
        let a = at(&b, TableId::T2, "208", col);
        let z = at(&b, TableId::T2, "210", col);
        set_num(&mut g, &a, value(&b, TableId::T2, "210", col));
        set_num(&mut g, &z, value(&b, TableId::T2, "208", col));
    }
    assert_exactly(
        &check_grid(&g),
        &[
            ("X204", s(at(&b, TableId::T2, "208", "gpb"))),
            ("X204", s(at(&b, TableId::T2, "210", "gpb"))),
        ],
    );
}

#[test]
fn x205_table3_against_table1_2() {
    let (mut g, b) = clean(ZXB);
    for col in ["total", "basic"] {
        let a = at(&b, TableId::T1_2, "2080505", col);
        let z = at(&b, TableId::T1_2, "2080506", col);
        set_num(&mut g, &a, value(&b, TableId::T1_2, "2080506", col));
        set_num(&mut g, &z, value(&b, TableId::T1_2, "2080505", col));
    }
    assert_exactly(
        &check_grid(&g),
        &[
            ("X205", s(at(&b, TableId::T3, "2080505", "total"))),
            ("X205", s(at(&b, TableId::T3, "2080505", "basic"))),
            ("X205", s(at(&b, TableId::T3, "2080506", "total"))),
            ("X205", s(at(&b, TableId::T3, "2080506", "basic"))),
        ],
    );
}

#[test]
fn x206_projects_against_table3() {
    let (mut g, b) = clean(ZXB);
    add(&mut g, &b, TableId::T3_2, "#0", "amount", 1.0);
    add(&mut g, &b, TableId::T3_2, "合计", "amount", 1.0);
    assert_exactly(
        &check_grid(&g),
        &[("X206", s(at(&b, TableId::T3, "合计", "project")))],
    );
}

#[test]
fn x207_economic_total_against_table2() {
    let (mut g, b) = clean(ZXB);
    let t = add(&mut g, &b, TableId::T2_1, "合计", "total", 0.10);
    let bs = add(&mut g, &b, TableId::T2_1, "合计", "basic", 0.10);
    assert_exactly(
        &check_grid(&g),
        &[("K104", s(t.clone())), ("K104", s(bs)), ("X207", s(t))],
    );
}

#[test]
fn cross_unit_rounding_is_info_not_error() {
    // 表3-1 in 元, 0.30 元 below what 表3's 574.78 万元 says: within rounding.
    let (mut g, b) = clean(ZXB);
    let sheet = g.sheet_mut("表3-1").unwrap();
    let u = b.table(TableId::T3_1).unwrap().unit_at.clone().unwrap();
    sheet.set(u.row, u.col, Some(Cell::Text("单位：元".into())));
    let t = b.table(TableId::T3_1).unwrap();
    for l in &t.lines {
        for (_, a) in &l.amounts {
            if let Some(v) = a.value() {
                let y: f64 = v.to_string().parse::<f64>().unwrap() * 10000.0;
                sheet.set(a.at.row, a.at.col, Some(Cell::Number(y.round())));
            }
        }
    }
    // Take 30 元 from one 款 (and its class, and the total) of personnel: the table
    // stays consistent, the cross-table difference is 30 元 < 50 元.
    for who in ["30101", "301", "合计"] {
        for col in ["total", "personnel"] {
            let c = at(&b, TableId::T3_1, who, col);
            let v = value(&b, TableId::T3_1, who, col) * 10000.0 - 30.0;
            g.sheet_mut("表3-1")
                .unwrap()
                .set(c.row, c.col, Some(Cell::Number(v.round())));
        }
    }
    let r = check_grid(&g);
    assert_exactly(&r, &[("X206", s(at(&b, TableId::T3, "合计", "basic")))]);
    assert_eq!(r.findings[0].severity, Severity::Info);
    assert!(!r.has_errors());
    assert_eq!(r.status("X206"), Some(Status::Passed));
}

// ------------------------------------------------------------------ C

#[test]
fn c301_unknown_functional_code() {
    let (mut g, b) = clean(ZXB);
    let mut cells = Vec::new();
    for id in [TableId::T1_1, TableId::T1_2, TableId::T3] {
        let c = line(&b, id, "2010299").code_at.clone().unwrap();
        set_text(&mut g, &c, "2010298");
        cells.push(("C301", s(c)));
    }
    assert_exactly(&check_grid(&g), &cells);
}

#[test]
fn c302_wrong_name_for_known_code() {
    let (mut g, b) = clean(ZXB);
    let c = line(&b, TableId::T3, "2101102").name_at.clone().unwrap();
    set_text(&mut g, &c, "行政单位医疗");
    let r = check_grid(&g);
    assert_exactly(&r, &[("C302", s(c))]);
    assert!(r.findings[0].message.contains("事业单位医疗"));
}

#[test]
fn c303_outdated_class_name() {
    let (mut g, b) = clean(ZXB);
    let c = line(&b, TableId::T3, "210").name_at.clone().unwrap();
    set_text(&mut g, &c, "医疗卫生与计划生育支出");
    let r = check_grid(&g);
    assert_exactly(&r, &[("C303", s(c))]);
    assert!(r.findings[0].message.contains("卫生健康支出"));
    assert_eq!(r.findings[0].severity, Severity::Warning);
}

#[test]
fn c304_malformed_and_misplaced_codes() {
    let (mut g, b) = clean(ZXB);
    let row = b.table(TableId::T3).unwrap().lines.last().unwrap().row + 1;
    let c = CellRef::new("表3", row, 0);
    set_text(&mut g, &c, "2010X");
    assert_exactly(&check_grid(&g), &[("C304", s(c))]);
    // 2080505 moved up under 政协事务(20102).
    let (mut g, b) = clean(ZXB);
    let sh = g.sheet_mut("表3").unwrap();
    let from = line(&b, TableId::T3, "2080505").row;
    let to = line(&b, TableId::T3, "2010299").row + 1;
    let cells: Vec<(u32, Cell)> = sh.row(from).to_vec();
    sh.delete_row(from);
    sh.insert_row(to);
    for (col, cell) in cells {
        sh.set(to, col, Some(cell));
    }
    assert_exactly(&check_grid(&g), &[("C304", format!("表3!A{}", to + 1))]);
}

#[test]
fn c305_c306_economic_codes() {
    let (mut g, b) = clean(ZXB);
    let mut want = Vec::new();
    for id in [TableId::T2_1, TableId::T3_1] {
        let c = line(&b, id, "30199").code_at.clone().unwrap();
        set_text(&mut g, &c, "30198");
        want.push(("C305", s(c)));
    }
    let n = line(&b, TableId::T3_1, "30101").name_at.clone().unwrap();
    set_text(&mut g, &n, "基本工资福利");
    want.push(("C306", s(n)));
    assert_exactly(&check_grid(&g), &want);
}
