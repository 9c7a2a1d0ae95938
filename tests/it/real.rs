//! The REAL 2024 部门预算 of 上海市普陀区人民政府万里街道办事处 (samples/real/, figures as
//! published) in the real Putuo template: read with its real totals, checked without a
//! false alarm, published in its own layout, and mutated to show the rounding bound,
//! blank against 0, 单位 against 部门, and the unfilled template.

use std::path::{Path, PathBuf};

use crate::common::*;
use rust_decimal::Decimal;
use yusuan::{Budget, CodeLists, TableId};
use yusuan_grid::{Cell, Grid};
use yusuan_rules::{Report, Severity, Status};

const WANLI: &str = "shanghai-wanli-2024";

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn check(b: &Budget) -> Report {
    yusuan::check(b, CodeLists::builtin(), None)
}

fn errors(r: &Report) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{} {} {}", f.rule, f.location(), f.message))
        .collect()
}

fn export(p: &Path) -> serde_json::Value {
    let out = assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .arg("export")
        .arg(p)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn the_real_totals_are_read() {
    let b = load(&sample(WANLI));
    assert_eq!(b.layout, "shanghai");
    assert_eq!(b.entity, yusuan_core::Entity::Department);
    assert_eq!(b.department_name(), "上海市普陀区人民政府万里街道办事处");
    assert_eq!(b.year, Some(2024));
    let s = b.summary();
    assert_eq!(s.income_total, Some(d("156211123")));
    assert_eq!(s.general_public_budget, Some(d("156211123")));
    assert_eq!(s.basic, Some(d("99706020")));
    assert_eq!(s.project, Some(d("56505103")));
    assert_eq!(s.personnel, Some(d("88537451")));
    assert_eq!(s.public_operation, Some(d("11168569")));
    assert_eq!(s.three_public.total, Some(d("479100"))); // 47.91万元
    // the 机关运行经费 column of the 三公 table, headed 2024年机关运行经费预算数
    let t33 = b.table(TableId::T3_3).unwrap();
    assert_eq!(
        t33.total().unwrap().value("office_operation"),
        Some(d("443.18"))
    );
    // its text sheets are its 情况说明
    let keys: Vec<&str> = b.texts.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "functions",
            "structure",
            "terms",
            "explanation",
            "other",
            "projects"
        ]
    );
}

#[test]
fn the_real_department_has_no_error_and_its_own_text_is_checked() {
    let b = load(&sample(WANLI));
    let r = check(&b);
    assert_eq!(errors(&r), Vec::<String>::new());
    // the N rules ran on the workbook's own text sheets
    for rule in ["N401", "N404", "N407", "N409"] {
        assert_ne!(r.status(rule), Some(Status::NotRun), "{rule}");
    }
    // the empty 政府性基金 / 国有资本经营 tables: the 编制说明 says 0.00万元
    assert_eq!(r.status("S003"), Some(Status::Passed));
    // tables the Shanghai set does not have are not run, not failed
    let x207 = r.ledger.iter().find(|e| e.rule == "X207").unwrap();
    assert_eq!(x207.status, Status::NotRun);
}

#[test]
fn blank_and_zero_export_differently() {
    let v = export(&sample(WANLI));
    let table = |id: &str| {
        v["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap()
            .clone()
    };
    // 表1 “2. 政府性基金” is printed blank
    let t1 = table("表1");
    let fund = t1["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "fund")
        .unwrap();
    assert_eq!(fund["amounts"]["income"]["yuan"], serde_json::Value::Null);
    assert_eq!(fund["amounts"]["income"]["blank"], true);
    // 收入预算总表 201 事业收入 is printed 0
    let t11 = table("表1-1");
    let l201 = t11["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == "201")
        .unwrap();
    assert_eq!(l201["amounts"]["business"]["yuan"], "0.00");
    assert!(l201["amounts"]["business"].get("blank").is_none());
    assert_eq!(v["layout"], "shanghai");
    assert_eq!(v["entity"], "部门");
}

fn convert(input: &Path, dir: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join("公开.xlsx");
    assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .arg("convert")
        .arg(input)
        .arg("-o")
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    out
}

fn sheet_texts(g: &Grid, name: &str) -> Vec<String> {
    g.sheet(name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .cells()
        .map(|(_, _, c)| c.display())
        .collect()
}

#[test]
fn published_in_its_own_layout_and_read_back_to_the_same_model() {
    let dir = tempfile::tempdir().unwrap();
    let src = load(&sample(WANLI));
    let out = convert(&sample(WANLI), dir.path(), &[]);
    let g = grid(&out);
    let names: Vec<&str> = g.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "封面",
            "目录",
            "部门主要职能",
            "部门机构设置",
            "名词解释",
            "部门编制说明",
            "部门收支总表",
            "部门收入总表",
            "部门支出总表",
            "部门财政拨款收支总表",
            "部门一般公共预算拨款表",
            "部门政府性基金拨款表",
            "部门国有资本经营预算拨款表",
            "部门一般公共预算拨款基本支出明细表",
            "部门“三公”经费和机关运行费预算表",
            "其他相关情况说明",
            "项目经费情况说明",
        ]
    );
    // its nine titles, as printed
    let contents = sheet_texts(&g, "目录").join("\n");
    for t in &src.tables {
        assert!(contents.contains(&t.title.value), "{}", t.title.value);
    }
    // no invented rows or columns: nothing of 上年结转 / 结转下年 / 用事业基金
    let all: String = g
        .sheets
        .iter()
        .flat_map(|s| s.cells().map(|(_, _, c)| c.display()))
        .collect();
    for invented in ["上年结转", "结转下年", "用事业基金弥补收支差额"] {
        assert!(!all.contains(invented), "{invented}");
    }
    // the 机关运行经费 column, in 万元 as the source has it
    let t33 = sheet_texts(&g, "部门“三公”经费和机关运行费预算表").join("|");
    assert!(t33.contains("2024年机关运行经费预算数"), "{t33}");
    assert!(
        t33.contains("443.18") && t33.contains("单位：万元"),
        "{t33}"
    );
    // a blank stays blank: 表1 “2. 政府性基金” has no figure beside it
    let t1 = g.sheet("部门收支总表").unwrap();
    let fund_row = t1
        .rows()
        .find(|(_, cells)| cells.iter().any(|(_, c)| c.display() == "2. 政府性基金"))
        .map(|(r, _)| r)
        .unwrap();
    assert_eq!(t1.get(fund_row, 1), None);
    // read back: the same figures, cell for cell meaning, blank for blank
    let back = load(&out);
    assert_eq!(back.layout, "shanghai");
    assert_eq!(back.figures(), src.figures());
    let blanks = |b: &Budget| -> usize {
        b.tables
            .iter()
            .flat_map(|t| t.lines.iter())
            .flat_map(|l| l.amounts.iter())
            .filter(|(_, a)| a.is_blank())
            .count()
    };
    assert_eq!(blanks(&back), blanks(&src));
    assert_eq!(back.summary(), src.summary());
    assert_eq!(errors(&check(&back)), Vec::<String>::new());
}

/// The sample with the 合计 of 行政运行 (2120101) raised by `by` 元 in the 支出预算总表
/// and the 一般公共预算 table alike.
fn raised(dir: &Path, by: f64) -> PathBuf {
    let b = load(&sample(WANLI));
    let mut g = grid(&sample(WANLI));
    for id in [TableId::T1_2, TableId::T3] {
        let a = b
            .table(id)
            .unwrap()
            .by_code("2120101")
            .unwrap()
            .amount("total")
            .unwrap()
            .at
            .clone();
        let s = g.sheet_mut(&a.sheet).unwrap();
        let Some(Cell::Number(v)) = s.get(a.row, a.col).cloned() else {
            panic!("not a number")
        };
        s.set(a.row, a.col, Some(Cell::Number(v + by)));
    }
    write_grid(&g, dir, &format!("raised-{by}.xlsx"))
}

#[test]
fn a_rounding_difference_is_info_and_one_yuan_beyond_the_bound_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // +1 元: the 项 合计 is off its 基本 + 项目 by 1 (bound 2 × 0.5 = 1) and the 款
    // off the sum of its four 项 by 1 (bound 4 × 0.5 = 2): rounding, info
    let r = check(&load(&raised(dir.path(), 1.0)));
    assert_eq!(errors(&r), Vec::<String>::new());
    let rounding: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.message.starts_with("舍入差异"))
        .collect();
    assert!(!rounding.is_empty());
    assert!(rounding.iter().all(|f| f.severity == Severity::Info));
    let k103: Vec<_> = rounding.iter().filter(|f| f.rule == "K103").collect();
    assert_eq!(k103.len(), 2, "{k103:?}"); // one per table
    assert!(k103[0].message.contains("至多 1元"), "{}", k103[0].message);
    let k104: Vec<_> = rounding.iter().filter(|f| f.rule == "K104").collect();
    assert_eq!(k104.len(), 2, "{k104:?}");
    assert!(k104[0].message.contains("至多 2元"), "{}", k104[0].message);
    // +2 元: beyond the row's bound of 1 元, an error in each table
    let r = check(&load(&raised(dir.path(), 2.0)));
    let k103: Vec<String> = errors(&r)
        .into_iter()
        .filter(|e| e.starts_with("K103"))
        .collect();
    assert_eq!(k103.len(), 2, "{k103:?}");
    // the 款 sum (bound 2 元) is still rounding at +2
    assert!(errors(&r).iter().all(|e| !e.starts_with("K104")));
}

#[test]
fn a_unit_workbook_stays_unit_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = grid(&sample(WANLI));
    for s in &mut g.sheets {
        let cells: Vec<(u32, u32, String)> = s
            .cells()
            .filter_map(|(r, c, x)| x.as_text().map(|t| (r, c, t.to_string())))
            .collect();
        for (r, c, t) in cells {
            let u = t
                .replace("年部门", "年预算单位")
                .replace("编制部门", "编制单位")
                .replace("（部门）", "（单位）");
            if u != t {
                s.set(r, c, Some(Cell::Text(u)));
            }
        }
        s.name = s.name.replacen("部门", "单位", 1);
    }
    let p = write_grid(&g, dir.path(), "单位.xlsx");
    let b = load(&p);
    assert_eq!(b.entity, yusuan_core::Entity::Unit);
    assert_eq!(export(&p)["entity"], "单位");
    let out = convert(&p, dir.path(), &[]);
    let pub_grid = grid(&out);
    let all: Vec<String> = pub_grid
        .sheets
        .iter()
        .flat_map(|s| s.cells().map(|(_, _, c)| c.display()))
        .collect();
    assert!(all.iter().any(|t| t.contains("单位预算")), "cover");
    assert!(all.iter().any(|t| t.starts_with("编制单位：")));
    assert!(!all.iter().any(|t| t.starts_with("编制部门")));
    assert!(pub_grid.sheets.iter().any(|s| s.name == "单位收支总表"));
    assert!(!pub_grid.sheets.iter().any(|s| s.name.starts_with("部门")));
}

#[test]
fn an_unfilled_template_is_one_finding_and_is_not_published() {
    let template = root().join("tests/data/shanghai-putuo-2026-department-template.xlsx");
    let r = check(&load(&template));
    let errs = errors(&r);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("S007") && errs[0].contains("模板未填写"),
        "{errs:?}"
    );
    assert_eq!(r.status("S003"), Some(Status::NotRun));
    let dir = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("yusuan")
        .unwrap()
        .arg("convert")
        .arg(&template)
        .arg("-o")
        .arg(dir.path().join("x.xlsx"))
        .assert()
        .code(1);
    assert!(!dir.path().join("x.xlsx").exists());
}

#[test]
fn template_in_either_layout_is_read_back_as_that_layout_unfilled() {
    let dir = tempfile::tempdir().unwrap();
    for (layout, tables) in [("shanghai", 9), ("sichuan", 12)] {
        let out = dir.path().join(format!("{layout}.xlsx"));
        assert_cmd::Command::cargo_bin("yusuan")
            .unwrap()
            .args([
                "template",
                "--year",
                "2025",
                "--department",
                "上海市普陀区测试局",
                "--layout",
                layout,
            ])
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        let b = load(&out);
        assert_eq!(b.layout, layout);
        assert_eq!(b.year, Some(2025));
        assert_eq!(b.tables.len(), tables, "{layout}");
        assert!(b.tables.iter().all(|t| t.is_empty()), "{layout}: no figure");
        let errs = errors(&check(&b));
        assert_eq!(errs.len(), 1, "{layout}: {errs:?}");
        assert!(errs[0].starts_with("S007"), "{errs:?}");
    }
    // the Shanghai form is the layout's own: its text sheets and its nine titles
    let g = grid(&dir.path().join("shanghai.xlsx"));
    let names: Vec<&str> = g.sheets.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names.contains(&"部门编制说明") && names.contains(&"部门收支总表"),
        "{names:?}"
    );
    assert_eq!(
        sheet_texts(&g, "部门收支总表")[0],
        "2025年部门财务收支预算总表"
    );
}
