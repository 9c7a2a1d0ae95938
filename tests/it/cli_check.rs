//! `yusuan check` from the command line: text and JSON reports, the 问题清单 workbook,
//! the annotated copy, several files, exit codes.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::common::*;
use assert_cmd::Command;
use predicates::prelude::*;

fn yusuan() -> Command {
    Command::cargo_bin("yusuan").unwrap()
}

/// The 罗江 sample with 一般公共服务支出(201) in 表3 off by 0.10.
fn faulty(dir: &Path) -> PathBuf {
    faulty_sample(dir, "有错误.xlsx")
}

fn zip_text(p: &Path, prefix: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
    let mut out = String::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        if f.name().unwrap().starts_with(prefix) {
            f.read_to_string(&mut out).unwrap();
        }
    }
    out
}

#[test]
fn clean_sample_exits_0() {
    yusuan()
        .arg("check")
        .arg(sample("luojiang-zhengxieban-2023"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("未发现问题")
                .and(predicate::str::contains("规则 42 条：通过 33")),
        );
}

#[test]
fn text_report_lines_name_cell_rule_and_figures() {
    let dir = tempfile::tempdir().unwrap();
    let p = faulty(dir.path());
    let out = yusuan()
        .arg("check")
        .arg(&p)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(
            "错误 表3!C5 K104 一般公共服务支出(201)的合计 530.98 ≠ 其下各款之和 530.88（差 0.10）"
        ),
        "{text}"
    );
    // grouped by table, in catalogue order
    let t2 = text.find("【表2 ").unwrap();
    let t3 = text.find("【表3 ").unwrap();
    assert!(t2 < t3);
    assert!(
        text.contains("合计：错误 5 条，警告 0 条，提示 0 条"),
        "{text}"
    );
    assert!(text.contains("未通过：K103、K104、X204、X205"), "{text}");
    // no colour codes when stdout is not a terminal
    assert!(!text.contains('\x1b'));
}

#[test]
fn json_contract() {
    let dir = tempfile::tempdir().unwrap();
    let p = faulty(dir.path());
    let out = yusuan()
        .args(["check", "--format", "json"])
        .arg(&p)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(v["file"].as_str().unwrap().ends_with("有错误.xlsx"));
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 5);
    let k = f
        .iter()
        .find(|f| f["rule"] == "K104" && f["cell"] == "C5")
        .unwrap();
    assert_eq!(k["severity"], "error");
    assert_eq!(k["sheet"], "表3");
    assert_eq!(k["location"], "表3!C5");
    assert_eq!(k["actual"], "530.98");
    assert_eq!(k["expected"], "530.88");
    assert_eq!(k["difference"], "0.10");
    assert_eq!(k["unit"], "万元");
    assert!(k["message"].as_str().unwrap().contains("其下各款之和"));
    let ledger = v["ledger"].as_array().unwrap();
    assert_eq!(ledger.len(), 42);
    for e in ledger {
        assert!(["passed", "failed", "not_run"].contains(&e["status"].as_str().unwrap()));
    }
    assert_eq!(
        ledger.iter().find(|e| e["rule"] == "K104").unwrap()["status"],
        "failed"
    );
    assert_eq!(v["counts"]["error"], 5);
}

#[test]
fn several_files_give_an_array_and_exit_2_when_one_is_unusable() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("坏文件.xlsx");
    std::fs::write(&bad, b"PK\x03\x04 not really").unwrap();
    let out = yusuan()
        .args(["check", "--format", "json"])
        .arg(sample("luojiang-zhengxieban-2023"))
        .arg(&bad)
        .arg(sample("luojiang-jiaoyuju-2023"))
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let a = v.as_array().unwrap();
    assert_eq!(a.len(), 3);
    assert!(a[1]["error"].as_str().unwrap().contains("坏文件.xlsx"));
    assert_eq!(a[2]["counts"]["error"], 0);
    // text: the unusable file's message goes to stderr, the others are still checked
    yusuan()
        .arg("check")
        .arg(&bad)
        .arg(sample("luojiang-zhengxieban-2023"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("坏文件.xlsx"))
        .stdout(predicate::str::contains("德阳市罗江区政协办公室"));
}

#[test]
fn report_workbook_lists_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let p = faulty(dir.path());
    let rep = dir.path().join("问题清单.xlsx");
    let ann = dir.path().join("标注.xlsx");
    yusuan()
        .env("SOURCE_DATE_EPOCH", "1764547200")
        .arg("check")
        .arg(&p)
        .arg("--report")
        .arg(&rep)
        .arg("--annotate")
        .arg(&ann)
        .assert()
        .code(1);
    let g = grid(&rep);
    let s = g.sheet("问题清单").unwrap();
    assert_eq!(
        s.shown_text(0, 0),
        "德阳市罗江区政协办公室2023年部门预算问题清单"
    );
    assert!(
        s.shown_text(1, 0).contains("检查日期：2025年12月1日"),
        "{}",
        s.shown_text(1, 0)
    );
    assert!(s.shown_text(1, 0).contains("错误 5 个"));
    let header: Vec<String> = (0..12).map(|c| s.shown_text(2, c)).collect();
    assert_eq!(
        header,
        [
            "序号",
            "表",
            "单元格",
            "规则",
            "级别",
            "问题",
            "应为",
            "实为",
            "差额",
            "涉及单元格",
            "处理意见",
            "整改情况"
        ]
    );
    assert_eq!(s.last_row(), Some(7), "title, note, header and 5 findings");
    let row = (3..=7)
        .find(|&r| s.shown_text(r, 3) == "K103")
        .expect("the K103 finding");
    let cells: Vec<String> = (1..10).map(|c| s.shown_text(row, c)).collect();
    assert_eq!(
        cells[..4],
        ["表3", "C5", "K103", "错误"].map(String::from),
        "{cells:?}"
    );
    assert_eq!(
        cells[5..],
        ["530.88 万元", "530.98 万元", "0.10 万元", "表3!D5,E5"].map(String::from),
        "应为, 实为, 差额, 涉及单元格: {cells:?}"
    );
    // Every sheet prints on A4 landscape, fitted to the width, header repeated.
    for part in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        let xml = zip_text(&rep, part);
        assert!(xml.contains(r#"paperSize="9""#), "{part}: A4");
        assert!(xml.contains(r#"orientation="landscape""#), "{part}");
        assert!(
            xml.contains(r#"fitToHeight="0""#),
            "{part}: fitted to the width"
        );
        assert!(xml.contains("<autoFilter"), "{part}: filter");
        assert!(xml.contains(r#"state="frozen""#), "{part}: frozen header");
        assert!(
            xml.contains("customHeight=\"1\""),
            "{part}: rows sized to their text"
        );
    }
    assert!(zip_text(&rep, "xl/workbook.xml").contains("_xlnm.Print_Titles"));
    // The cells link into the annotated copy.
    let rels = zip_text(&rep, "xl/worksheets/_rels/sheet1.xml.rels");
    assert!(rels.contains(r#"Target="标注.xlsx""#), "{rels}");
    let xml = zip_text(&rep, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"location="'表3'!C5""#), "{xml}");
    // The ledger: every rule with its title.
    let l = g.sheet("规则执行情况").unwrap();
    let n401 = (3..=60).find(|&r| l.shown_text(r, 0) == "N401").unwrap();
    assert_eq!(l.shown_text(n401, 1), "说明中的金额与表格一致");
    assert_eq!(l.shown_text(n401, 2), "未运行");
}

#[test]
fn annotated_copy_marks_the_cells_with_notes() {
    let dir = tempfile::tempdir().unwrap();
    let p = faulty(dir.path());
    let before = std::fs::read(&p).unwrap();
    let ann = dir.path().join("标注.xlsx");
    yusuan()
        .arg("check")
        .arg(&p)
        .arg("--annotate")
        .arg(&ann)
        .assert()
        .code(1);
    assert_eq!(std::fs::read(&p).unwrap(), before, "input untouched");
    let comments = zip_text(&ann, "xl/comments");
    assert!(
        comments.contains("K104 错误：一般公共服务支出(201)的合计 530.98"),
        "{comments}"
    );
    assert!(comments.contains("X204"));
    // The copy still reads as the same budget.
    assert_same_figures(&load(&ann), &load(&p), "annotated copy");
    // Only with one file; never over the input.
    yusuan()
        .arg("check")
        .arg(&p)
        .arg(sample("luojiang-zhengxieban-2023"))
        .arg("--annotate")
        .arg(&ann)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--annotate 只能用于检查一个文件"));
    yusuan()
        .arg("check")
        .arg(&p)
        .arg("--annotate")
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("与输入文件相同"));
}

#[test]
fn bureau_code_list_takes_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let codes = dir.path().join("codes.csv");
    std::fs::write(&codes, "科目编码,科目名称\n2010201,行政运行（本地名称）\n").unwrap();
    let out = yusuan()
        .args(["check", "--format", "json", "--codes"])
        .arg(&codes)
        .arg(sample("luojiang-zhengxieban-2023"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert!(f.iter().all(|f| f["rule"] == "C302"), "{f:?}");
    assert_eq!(f.len(), 3, "表1-1, 表1-2 and 表3 carry 2010201");
    yusuan()
        .args(["check", "--codes", "/nonexistent/codes.csv"])
        .arg(sample("luojiang-zhengxieban-2023"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("无法读取科目代码表"));
}
