//! Small crafted files that once took the process down (tests/fixtures/hostile): under
//! a 1 GiB address-space limit each is exit 2 with a Chinese message naming the file
//! and the limit, or (the merge cap) a warning that says what was left out; nothing is
//! written, and a batch over all of them and the samples writes its 汇总表 with one row
//! each.

use std::path::{Path, PathBuf};

use crate::common::*;

fn hostile(name: &str) -> PathBuf {
    root().join("tests/fixtures/hostile").join(name)
}

#[test]
fn the_committed_files_are_what_the_generator_writes() {
    let dir = tempfile::tempdir().unwrap();
    let files = yusuan_testkit::corpus::hostile::write(&root(), dir.path()).unwrap();
    assert_eq!(files.len(), 10);
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let committed = std::fs::read(hostile(&name)).unwrap_or_default();
        assert!(
            std::fs::read(&f).unwrap() == committed,
            "{name}: run `cargo run --example bad_corpus`"
        );
    }
}

const REFUSED: &[(&str, &str)] = &[
    (
        "unique-count-1e10.xlsx",
        "共享字符串表有（或声明有）10000000000 项",
    ),
    (
        "shared-string-20mb-x1000.xlsx",
        "单元格文字合计超过每个工作簿 64 MB",
    ),
    (
        "xls-shared-string-x20000.xls",
        "单元格文字合计超过每个工作簿 64 MB",
    ),
    (
        "sheets-400-on-one-part.xlsx",
        "工作表「表1」和「表2」指向同一份内容",
    ),
    (
        "ods-repeats-5x1e8.ods",
        "10000 行 × 10000 列，各工作表合计超过",
    ),
    ("bad-crc.xlsx", "部件「xl/sharedStrings.xml」的校验码不符"),
    ("duplicate-part.xlsx", "其中有重名的"),
    // Read from the one linked stream, which holds no budget table.
    ("xls-unlinked-workbook.xls", "未识别出任何部门预算表"),
    ("xlsb-a1-xfd1048576.xlsb", "未识别出任何部门预算表"),
];

#[test]
fn each_is_exit_2_with_its_reason_under_a_memory_limit() {
    for (file, reason) in REFUSED {
        for cmd in ["check", "convert", "export"] {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("out.xlsx");
            let path = hostile(file);
            let mut args = vec![cmd.as_ref(), path.as_os_str()];
            if cmd == "convert" {
                args.extend(["-o".as_ref(), out.as_os_str()]);
            }
            let (code, _, err) = limited(&args);
            assert_eq!(code, 2, "{cmd} {file}: {err}");
            assert!(
                err.contains(file) && err.contains(reason) && err.starts_with("错误："),
                "{cmd} {file}: {err}"
            );
            assert!(!err.contains("panicked") && !err.contains("memory allocation"));
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                0,
                "{cmd} {file}"
            );
        }
    }
}

#[test]
fn merged_ranges_over_the_cap_are_a_warning_that_says_so() {
    let path = hostile("merges-20001.xlsx");
    let (code, out, err) = limited(&["check".as_ref(), path.as_os_str()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("S006 工作表「部门基本情况」读取不完整：合并单元格超过 20000 个的处理上限"),
        "{out}"
    );
}

fn copy_into(dir: &Path, files: impl IntoIterator<Item = PathBuf>) {
    for f in files {
        std::fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
    }
}

#[test]
fn a_batch_over_all_of_them_and_the_samples_has_one_row_each() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    copy_into(input.path(), REFUSED.iter().map(|(f, _)| hostile(f)));
    copy_into(input.path(), [hostile("merges-20001.xlsx")]);
    let samples: Vec<PathBuf> = std::fs::read_dir(root().join("samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect();
    copy_into(input.path(), samples.clone());
    let (code, _, err) = limited(&[
        "batch".as_ref(),
        input.path().as_os_str(),
        "-o".as_ref(),
        out.path().as_os_str(),
        "-q".as_ref(),
    ]);
    assert_eq!(code, 2, "{err}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), REFUSED.len() + 1 + samples.len());
    for (file, reason) in REFUSED {
        let row = rows.iter().find(|r| r["file"] == *file).unwrap();
        assert_eq!(row["status"], "unreadable", "{file}");
        assert!(row["reason"].as_str().unwrap().contains(reason), "{row}");
    }
    assert_eq!(json["unreadable"], REFUSED.len());
    assert!(out.path().join("汇总表.xlsx").is_file());
}
