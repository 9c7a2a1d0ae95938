//! `yusuan batch` over a folder holding the samples, a workbook with findings, a corrupt
//! file, a lock file and other things that are not submissions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::*;
use assert_cmd::Command;
use predicates::prelude::*;
use yusuan_grid::Cell;

fn yusuan() -> Command {
    Command::cargo_bin("yusuan").unwrap()
}

/// The test folder:
/// ```text
/// in/luojiang-zhengxieban-2023.xlsx
/// in/住建/luojiang-zhujianju-2023.xlsx
/// in/住建/~$luojiang-zhujianju-2023.xlsx   (lock file: skipped)
/// in/教育/luojiang-jiaoyuju-2023.xlsx
/// in/教育/有错误.xlsx                        (K104 and others)
/// in/坏文件.xlsx                             (truncated: unreadable)
/// in/.隐藏.xlsx, in/说明.txt                 (skipped)
/// ```
fn folder(root: &Path) -> PathBuf {
    let dir = root.join("in");
    for sub in ["住建", "教育"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::copy(
        sample("luojiang-zhengxieban-2023"),
        dir.join("luojiang-zhengxieban-2023.xlsx"),
    )
    .unwrap();
    std::fs::copy(
        sample("luojiang-zhujianju-2023"),
        dir.join("住建/luojiang-zhujianju-2023.xlsx"),
    )
    .unwrap();
    std::fs::write(dir.join("住建/~$luojiang-zhujianju-2023.xlsx"), b"lock").unwrap();
    std::fs::copy(
        sample("luojiang-jiaoyuju-2023"),
        dir.join("教育/luojiang-jiaoyuju-2023.xlsx"),
    )
    .unwrap();
    faulty_sample(&dir.join("教育"), "有错误.xlsx");
    let bytes = std::fs::read(sample("luojiang-jiaoyuju-2023")).unwrap();
    std::fs::write(dir.join("坏文件.xlsx"), &bytes[..bytes.len() / 3]).unwrap();
    std::fs::write(dir.join(".隐藏.xlsx"), &bytes).unwrap();
    std::fs::write(dir.join("说明.txt"), "请于3月10日前报送").unwrap();
    dir
}

fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn a_mixed_folder() {
    let root = tempfile::tempdir().unwrap();
    let dir = folder(root.path());
    // A shortcut to a workbook: listed as skipped, never read.
    #[cfg(unix)]
    std::os::unix::fs::symlink(sample("luojiang-jiaoyuju-2023"), dir.join("快捷方式.xlsx"))
        .unwrap();
    let out = root.path().join("out");
    yusuan()
        .arg("batch")
        .arg(&dir)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(
                "共 5 个文件（另跳过 3 个非报送文件）：通过 3，有警告 0，有错误 1，无法读取 1",
            )
            .and(
                predicate::str::contains("无法读取：").and(predicate::str::contains("坏文件.xlsx")),
            )
            .and(predicate::str::contains(
                "有错误：教育/有错误.xlsx（5 个错误，见 教育/有错误.问题清单.xlsx）",
            ))
            .and(predicate::str::contains(
                "已跳过：住建/~$luojiang-zhujianju-2023.xlsx（Office 的锁定文件",
            ))
            .and(predicate::str::contains("已跳过：.隐藏.xlsx（隐藏文件）"))
            .and(predicate::str::contains(
                "已跳过：快捷方式.xlsx（快捷方式（符号链接）",
            )),
        );
    // outputs mirror the input tree; nothing for the bad file, no temporary files
    let names: Vec<String> = files_under(&out).into_keys().collect();
    assert_eq!(
        names,
        [
            "luojiang-zhengxieban-2023.公开.xlsx",
            "summary.json",
            "住建/luojiang-zhujianju-2023.公开.xlsx",
            "教育/luojiang-jiaoyuju-2023.公开.xlsx",
            "教育/有错误.标注副本.xlsx",
            "教育/有错误.问题清单.xlsx",
            "汇总表.xlsx",
            "问题清单.xlsx",
        ]
    );
    // the inputs are untouched
    assert_eq!(
        std::fs::read(dir.join("luojiang-zhengxieban-2023.xlsx")).unwrap(),
        std::fs::read(sample("luojiang-zhengxieban-2023")).unwrap()
    );

    // summary.json, row by row (sorted by path)
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["format"], "yusuan-batch/1");
    assert_eq!(
        (
            v["files"].as_u64(),
            v["passed"].as_u64(),
            v["errors"].as_u64(),
            v["unreadable"].as_u64()
        ),
        (Some(5), Some(3), Some(1), Some(1))
    );
    let rows = v["rows"].as_array().unwrap();
    let files: Vec<&str> = rows.iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(
        files,
        [
            "luojiang-zhengxieban-2023.xlsx",
            "住建/luojiang-zhujianju-2023.xlsx",
            "坏文件.xlsx",
            "教育/luojiang-jiaoyuju-2023.xlsx",
            "教育/有错误.xlsx",
        ]
    );
    let zxb = &rows[0];
    assert_eq!(zxb["status"], "passed");
    assert_eq!(zxb["department"], "德阳市罗江区政协办公室");
    assert_eq!(zxb["year"], 2023);
    assert_eq!(zxb["amounts"]["income_total"], "6847800.00");
    assert_eq!(zxb["amounts"]["basic"], "5747800.00");
    assert_eq!(zxb["amounts"]["three_public_total"], "20000.00");
    assert_eq!(zxb["disclosure"], "luojiang-zhengxieban-2023.公开.xlsx");
    assert!(zxb["report"].is_null());
    assert_eq!(rows[1]["amounts"]["fiscal_total"], "28746500.00");
    let bad = &rows[2];
    assert_eq!(bad["status"], "unreadable");
    assert!(
        bad["reason"].as_str().unwrap().contains("损坏或不完整"),
        "{bad}"
    );
    assert!(bad["amounts"]["income_total"].is_null());
    assert_eq!(rows[3]["amounts"]["vehicle_purchase"], "250000.00");
    let err = &rows[4];
    assert_eq!(err["status"], "errors");
    assert_eq!(err["errors"], 5);
    assert!(err["disclosure"].is_null());
    assert_eq!(err["report"], "教育/有错误.问题清单.xlsx");
    assert_eq!(err["reason"], "有 5 条错误，未生成公开表");
    // totals across the files without errors, and what was left out of the walk
    assert_eq!(
        v["totals"]["income_total"],
        format!("{}.00", 6_847_800 + 29_171_500 + 106_754_000)
    );
    assert_eq!(v["totals_files"], 3);
    let skipped: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        skipped,
        [
            ".隐藏.xlsx",
            "住建/~$luojiang-zhujianju-2023.xlsx",
            "快捷方式.xlsx"
        ]
    );

    // 汇总表.xlsx: one row per file, then 合计
    let g = grid(&out.join("汇总表.xlsx"));
    let s = g.sheet("汇总表").unwrap();
    assert_eq!(s.shown_text(1, 1), "部门");
    assert_eq!(s.shown_text(1, 6), "收入总计（万元）");
    let col_of = |h: &str| {
        (0..30)
            .find(|c| s.shown_text(1, *c) == h)
            .unwrap_or_else(|| panic!("{h}"))
    };
    let status: Vec<String> = (2..7).map(|r| s.shown_text(r, col_of("状态"))).collect();
    assert_eq!(status, ["通过", "通过", "无法读取", "通过", "有错误"]);
    assert_eq!(
        s.get(2, col_of("收入总计（万元）")),
        Some(&Cell::Number(684.78))
    );
    assert_eq!(
        s.get(5, col_of("公务用车购置费（万元）")),
        Some(&Cell::Number(25.0))
    );
    assert_eq!(s.get(6, col_of("错误数")), Some(&Cell::Number(5.0)));
    assert_eq!(s.shown_text(6, col_of("标注副本")), "查看");
    // The bureau's 问题清单: every finding of every file, with its file, linking into
    // that file's annotated copy.
    let bureau = grid(&out.join("问题清单.xlsx"));
    let q = bureau.sheet("问题清单").unwrap();
    assert_eq!(q.shown_text(2, 0), "文件");
    let files: Vec<String> = (3..=q.last_row().unwrap())
        .map(|r| q.shown_text(r, 0))
        .collect();
    assert_eq!(files, vec!["教育/有错误.xlsx"; 5], "{files:?}");
    assert_eq!(bureau.sheet("各文件情况").unwrap().shown_text(3, 3), "5");
    // Its cells link nowhere (Excel takes at most 65,530 links a sheet); each file's own
    // list links into its annotated copy.
    let z = zip::ZipArchive::new(std::fs::File::open(out.join("问题清单.xlsx")).unwrap()).unwrap();
    assert!(
        z.index_for_name("xl/worksheets/_rels/sheet1.xml.rels")
            .is_none()
    );
    let own = out.join("教育/有错误.问题清单.xlsx");
    let mut z = zip::ZipArchive::new(std::fs::File::open(own).unwrap()).unwrap();
    let mut rels = String::new();
    std::io::Read::read_to_string(
        &mut z.by_name("xl/worksheets/_rels/sheet1.xml.rels").unwrap(),
        &mut rels,
    )
    .unwrap();
    assert!(rels.contains(r#"Target="有错误.标注副本.xlsx""#), "{rels}");
    // Every skipped file, with why, on its own sheet.
    let k = g.sheet("已跳过的文件").unwrap();
    let listed: Vec<(String, String)> = (2..5)
        .map(|r| (k.shown_text(r, 1), k.shown_text(r, 2)))
        .collect();
    assert_eq!(
        listed[0],
        (".隐藏.xlsx".into(), "隐藏文件".into()),
        "{listed:?}"
    );
    assert!(
        listed.iter().any(|(f, _)| f == "快捷方式.xlsx"),
        "{listed:?}"
    );
    assert!(
        listed
            .iter()
            .any(|(f, w)| f.ends_with("~$luojiang-zhujianju-2023.xlsx") && w.contains("锁定")),
        "{listed:?}"
    );
    // an unreadable file was not checked: no count
    assert_eq!(s.get(4, col_of("错误数")), None);
    assert_eq!(
        s.shown_text(7, 0),
        "合计（不含有错误、无法读取或重复的 2 个文件）"
    );
    assert_eq!(
        s.get(7, col_of("收入总计（万元）")),
        Some(&Cell::Number(684.78 + 2917.15 + 10675.40))
    );
    let xml = {
        use std::io::Read;
        let mut z =
            zip::ZipArchive::new(std::fs::File::open(out.join("汇总表.xlsx")).unwrap()).unwrap();
        let mut f = z.by_name("xl/worksheets/sheet1.xml").unwrap();
        let mut x = String::new();
        f.read_to_string(&mut x).unwrap();
        x
    };
    assert!(
        xml.contains("<autoFilter")
            && xml.contains("state=\"frozen\"")
            && xml.contains("<pageSetup")
    );
    // Its links are HYPERLINK formulas (a sheet holds at most 65,530 hyperlinks; a
    // formula has no such limit and is not kept in memory to the sheet's end), relative
    // to the 汇总表, each to a file that is there.
    let links: Vec<&str> = xml
        .split("<f>HYPERLINK(\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert!(
        links.contains(&"教育/有错误.标注副本.xlsx") && links.len() >= 5,
        "{links:?}"
    );
    for l in &links {
        assert!(out.join(l).is_file(), "{l}");
    }
    assert!(!xml.contains("<hyperlink "), "{xml}");
    // the published workbooks are the convert command's
    let converted = root.path().join("converted.xlsx");
    yusuan()
        .arg("convert")
        .arg(sample("luojiang-zhengxieban-2023"))
        .arg("-o")
        .arg(&converted)
        .assert()
        .success();
    assert!(
        std::fs::read(&converted).unwrap()
            == std::fs::read(out.join("luojiang-zhengxieban-2023.公开.xlsx")).unwrap()
    );
}

#[test]
fn the_same_outputs_whatever_the_number_of_threads() {
    let root = tempfile::tempdir().unwrap();
    let dir = folder(root.path());
    let mut outs = Vec::new();
    for j in ["1", "4"] {
        let out = root.path().join(format!("out{j}"));
        yusuan()
            .arg("batch")
            .arg(&dir)
            .arg("-o")
            .arg(&out)
            .args(["-j", j, "--quiet"])
            .assert()
            .code(2);
        outs.push(files_under(&out));
    }
    assert_eq!(
        outs[0].keys().collect::<Vec<_>>(),
        outs[1].keys().collect::<Vec<_>>()
    );
    for (k, v) in &outs[0] {
        assert!(v == &outs[1][k], "{k} differs between -j 1 and -j 4");
    }
}

#[test]
fn all_clean_is_exit_0_and_an_output_inside_the_input_is_not_reread() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    for name in SAMPLES {
        std::fs::copy(sample(name), dir.join(format!("{name}.xlsx"))).unwrap();
    }
    let out = dir.join("公开");
    for _ in 0..2 {
        yusuan()
            .arg("batch")
            .arg(&dir)
            .arg("-o")
            .arg(&out)
            .assert()
            .success()
            .stderr(predicate::str::contains("共 3 个文件：通过 3"));
    }
}

#[test]
fn command_errors_are_exit_2_before_any_work() {
    let root = tempfile::tempdir().unwrap();
    yusuan()
        .arg("batch")
        .arg(root.path().join("没有这个文件夹"))
        .arg("-o")
        .arg(root.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("不是文件夹"));
    let empty = root.path().join("空");
    std::fs::create_dir_all(&empty).unwrap();
    yusuan()
        .arg("batch")
        .arg(&empty)
        .arg("-o")
        .arg(root.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("没有找到工作簿"));
    // an output folder that cannot be created
    let file = root.path().join("文件");
    std::fs::write(&file, b"x").unwrap();
    yusuan()
        .arg("batch")
        .arg(&empty)
        .arg("-o")
        .arg(file.join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("无法写入"));
}

/// A second run over a folder that holds the outputs of the first (written into the
/// input folder itself) gives the same rows: yusuan's own outputs are skipped and
/// listed, never read as submissions; and a file that no longer passes loses its old
/// disclosure.
#[test]
fn a_rerun_over_a_folder_with_earlier_outputs_gives_the_same_rows() {
    let root = tempfile::tempdir().unwrap();
    let dir = folder(root.path());
    let clean = root.path().join("clean");
    let run = |out: &Path| {
        let _ = yusuan()
            .arg("batch")
            .arg(&dir)
            .arg("-o")
            .arg(out)
            .arg("-q")
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(
            &std::fs::read(out.join("summary.json")).unwrap(),
        )
        .unwrap()
    };
    let first = run(&clean);
    // Earlier outputs inside the input folder, as an officer might leave them.
    for (name, bytes) in files_under(&clean) {
        let to = dir.join(&name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    let again = run(&dir.join("再次输出"));
    assert_eq!(again["rows"], first["rows"]);
    assert_eq!(again["totals"], first["totals"]);
    // The same 汇总表, cell for cell.
    let sheet = |out: &Path| {
        let g = grid(&out.join("汇总表.xlsx"));
        let s = g.sheet("汇总表").unwrap();
        s.rows()
            .map(|(r, cells)| {
                (
                    r,
                    cells
                        .iter()
                        .map(|(c, v)| (*c, v.display()))
                        .collect::<Vec<_>>(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(sheet(&dir.join("再次输出")), sheet(&clean));
    let skipped: Vec<&str> = again["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    for own in ["汇总表.xlsx", "问题清单.xlsx", "教育/有错误.标注副本.xlsx"] {
        assert!(skipped.contains(&own), "{own}: {skipped:?}");
    }
    assert!(
        skipped.contains(&"luojiang-zhengxieban-2023.公开.xlsx"),
        "{skipped:?}"
    );

    // The zxb file now has an error: its disclosure of the first run is removed.
    let out = root.path().join("stale");
    run(&out);
    assert!(out.join("luojiang-zhengxieban-2023.公开.xlsx").is_file());
    std::fs::copy(
        dir.join("教育/有错误.xlsx"),
        dir.join("luojiang-zhengxieban-2023.xlsx"),
    )
    .unwrap();
    let v = run(&out);
    assert_eq!(v["rows"][0]["status"], "errors");
    assert!(!out.join("luojiang-zhengxieban-2023.公开.xlsx").exists());
}

/// The same department and year twice (a file sent again under another name): the
/// second says so and is summed once.
#[test]
fn the_same_department_twice_is_reported_and_summed_once() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["a.xlsx", "b.xlsx"] {
        std::fs::copy(sample("luojiang-zhengxieban-2023"), dir.join(name)).unwrap();
    }
    let out = root.path().join("out");
    yusuan()
        .arg("batch")
        .arg(&dir)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .assert()
        .code(0);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["rows"][0]["duplicate_of"], serde_json::Value::Null);
    assert_eq!(v["rows"][1]["duplicate_of"], "a.xlsx");
    assert!(
        v["rows"][1]["reason"].as_str().unwrap().contains(
            "与「a.xlsx」是同一部门同一年度（德阳市罗江区政协办公室，2023 年），合计中只计一次"
        ),
        "{v}"
    );
    assert_eq!(v["totals_files"], 1);
    assert_eq!(v["totals"]["income_total"], "6847800.00");
    let g = grid(&out.join("汇总表.xlsx"));
    let s = g.sheet("汇总表").unwrap();
    assert_eq!(
        s.shown_text(4, 0),
        "合计（不含有错误、无法读取或重复的 1 个文件）"
    );
}

/// Two inputs whose outputs would have one name (`a.xls` and `a.xls.xlsx`) get
/// distinct ones.
#[test]
fn colliding_names_get_distinct_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/formats/zhujianju.xls"),
        dir.join("a.xls"),
    )
    .unwrap();
    std::fs::copy(sample("luojiang-zhengxieban-2023"), dir.join("a.xls.xlsx")).unwrap();
    std::fs::copy(sample("luojiang-jiaoyuju-2023"), dir.join("a.xlsx")).unwrap();
    let out = tmp.path().join("out");
    yusuan()
        .arg("batch")
        .arg(&dir)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .assert()
        .code(0);
    let names: Vec<String> = files_under(&out)
        .into_keys()
        .filter(|n| n.ends_with(".公开.xlsx"))
        .collect();
    assert_eq!(
        names,
        ["a.xls-2.公开.xlsx", "a.xls.公开.xlsx", "a.xlsx.公开.xlsx"]
    );
}
