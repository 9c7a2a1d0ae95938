//! `yusuan template` and `yusuan export` from the command line: outputs, messages and
//! exit codes.

use crate::common::*;
use assert_cmd::Command;
use predicates::prelude::*;

fn yusuan() -> Command {
    Command::cargo_bin("yusuan").unwrap()
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).expect("valid JSON")
}

#[test]
fn template_then_export_gives_an_empty_budget() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.xlsx");
    yusuan().args(["template", "-o"]).arg(&t).assert().success();
    let out = yusuan()
        .arg("export")
        .arg(&t)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(v["format"], "yusuan-budget/1");
    assert_eq!(v["summary"]["income_total"], "0.00");
    assert_eq!(v["summary"]["three_public"]["total"], "0.00");
    assert_eq!(v["tables"].as_array().unwrap().len(), 12);
    for t in v["tables"].as_array().unwrap() {
        assert_eq!(t["unit"], "万元", "{}", t["id"]);
        assert_eq!(t["empty"], true, "{}", t["id"]);
    }
}

#[test]
fn template_with_department_and_year() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.xlsx");
    yusuan()
        .args([
            "template",
            "--year",
            "2025",
            "--department",
            "某某县财政局",
            "-o",
        ])
        .arg(&t)
        .assert()
        .success();
    let v = json(
        &yusuan()
            .arg("export")
            .arg(&t)
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    assert_eq!(v["department"], "某某县财政局");
    assert_eq!(v["year"], 2025);
    assert_eq!(v["tables"][0]["title"], "某某县财政局2025年部门收支总表");
}

#[test]
fn export_of_the_luojiang_sample() {
    let v = json(
        &yusuan()
            .arg("export")
            .arg(sample("luojiang-zhengxieban-2023"))
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    assert_eq!(v["department"], "德阳市罗江区政协办公室");
    assert_eq!(v["year"], 2023);
    let s = &v["summary"];
    for (k, want) in [
        ("income_total", "6847800.00"),
        ("expenditure_total", "6847800.00"),
        ("fiscal_total", "6847800.00"),
        ("general_public_budget", "6847800.00"),
        ("basic", "5747800.00"),
        ("project", "1100000.00"),
        ("personnel", "5132100.00"),
        ("public_operation", "615700.00"),
    ] {
        assert_eq!(s[k], want, "{k}");
    }
    assert_eq!(s["three_public"]["total"], "20000.00");
    assert_eq!(s["three_public"]["reception"], "20000.00");
    assert_eq!(s["three_public"]["vehicle_operation"], "0.00");
    // Lines carry their source cell.
    let t3 = v["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "表3")
        .unwrap();
    let l = t3["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == "2010201")
        .unwrap();
    assert_eq!(l["amounts"]["total"]["yuan"], "4040000.00");
    assert!(
        l["amounts"]["total"]["cell"]
            .as_str()
            .unwrap()
            .starts_with("表3!C")
    );
}

#[test]
fn export_to_a_file_never_over_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.xlsx");
    std::fs::copy(sample("luojiang-zhengxieban-2023"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    yusuan()
        .arg("export")
        .arg(&input)
        .arg("-o")
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("与输入文件相同"));
    assert_eq!(std::fs::read(&input).unwrap(), before);
    let out = dir.path().join("out.json");
    yusuan()
        .arg("export")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert!(json(&std::fs::read(&out).unwrap())["summary"]["basic"] == "5747800.00");
}

#[test]
fn not_a_workbook_is_exit_2_with_a_chinese_message() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("报表.xlsx");
    std::fs::write(&p, "科目,金额\n201,100\n").unwrap();
    yusuan()
        .arg("export")
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("报表.xlsx").and(predicate::str::contains("不是 Excel")));
    yusuan()
        .arg("export")
        .arg(dir.path().join("没有这个文件.xlsx"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("没有这个文件.xlsx").and(predicate::str::contains("无法打开")),
        );
}

#[test]
fn a_workbook_without_budget_tables_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let g = yusuan_grid::Grid {
        format: yusuan_grid::Format::Xlsx,
        sheets: vec![yusuan_grid::Sheet::from_cells(
            "Sheet1",
            vec![(0, 0, yusuan_grid::Cell::Text("通讯录".into()))],
        )],
    };
    let p = write_grid(&g, dir.path(), "其他.xlsx");
    yusuan().arg("export").arg(&p).assert().code(2).stderr(
        predicate::str::contains("未识别出任何部门预算表").and(predicate::str::contains("Sheet1")),
    );
}

#[test]
fn a_missing_unit_is_exit_2_naming_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = grid(&sample("luojiang-zhengxieban-2023"));
    let (r, c) = find(&g, "表3", "单位：万元");
    g.sheet_mut("表3").unwrap().set(r, c, None);
    let p = write_grid(&g, dir.path(), "缺单位.xlsx");
    yusuan().arg("export").arg(&p).assert().code(2).stderr(
        predicate::str::contains("缺单位.xlsx")
            .and(predicate::str::contains("表3"))
            .and(predicate::str::contains("缺少金额单位")),
    );
}

#[test]
fn usage_errors_are_exit_2_and_help_is_exit_0() {
    yusuan()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("部门预算"));
    yusuan().arg("no-such-command").assert().code(2);
    yusuan().arg("export").assert().code(2);
}

/// What a user sees on the terminal must be Chinese: no clap or OS English.
fn assert_chinese_once(stderr: &str, expected: &str) {
    assert!(stderr.contains(expected), "{stderr}");
    assert_eq!(stderr.matches(expected).count(), 1, "{stderr}");
    for english in [
        "error:",
        "Usage:",
        "os error",
        "No such file",
        "Options:",
        "possible values",
        "For more information",
        ".tmp",
    ] {
        assert!(!stderr.contains(english), "{english:?} in {stderr}");
    }
}

#[test]
fn usage_errors_and_os_errors_are_chinese_and_said_once() {
    let stderr = |args: &[&str]| {
        let out = yusuan().args(args).assert().code(2).get_output().clone();
        String::from_utf8(out.stderr).unwrap()
    };
    let e = stderr(&["chek", "x.xlsx"]);
    assert_chinese_once(&e, "没有“chek”这个命令；是不是要用“check”？");
    let e = stderr(&["template"]);
    assert_chinese_once(&e, "缺少必需的参数：--output <输出文件>");
    assert!(e.contains("用法：yusuan template"), "{e}");
    let zxb = sample("luojiang-zhengxieban-2023");
    let zxb = zxb.to_str().unwrap();
    let e = stderr(&["convert", zxb, "--unit", "千元"]);
    assert_chinese_once(&e, "--unit <单位> 的值“千元”无效；可选的值：万元、元");
    let e = stderr(&["check", zxb, "--codes", "nosuch.csv"]);
    assert_chinese_once(&e, "无法读取科目代码表 nosuch.csv（文件或文件夹不存在）");
    let e = stderr(&["check", "nosuch.xlsx"]);
    assert_chinese_once(&e, "nosuch.xlsx：无法打开文件（文件或文件夹不存在）");
    let e = stderr(&["convert", zxb, "-o", "/nonexistent-yusuan/out.xlsx"]);
    assert_chinese_once(&e, "输出文件夹 /nonexistent-yusuan 不存在或无法写入");
    let help = yusuan().args(["convert", "--help"]).assert().success();
    let help = String::from_utf8(help.get_output().stdout.clone()).unwrap();
    assert!(
        help.contains("用法：yusuan convert [选项] <文件>"),
        "{help}"
    );
    assert!(help.contains("（可选：万元、元）"), "{help}");
    assert!(help.contains("--layout <样式>"), "{help}");
    assert!(help.contains("（可选：sichuan、shanghai）"), "{help}");
    assert!(
        !help.contains("Usage") && !help.contains("Options"),
        "{help}"
    );
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("yusuan"))
        .arg("export")
        .arg(sample("luojiang-jiaoyuju-2023"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        let mut r = BufReader::new(child.stdout.take().unwrap());
        r.read_line(&mut first).unwrap();
    } // the reader is gone, as after `| head -1`
    let out = child.wait_with_output().unwrap();
    assert_eq!(first, "{\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
