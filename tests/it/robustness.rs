//! Hostile and broken inputs (tests/fixtures/bad, tests/fixtures/fuzz): every one gets
//! the right exit code and a Chinese message naming the file (and sheet and cell where
//! there is one), nothing panics, nothing is left half-written, inputs are never
//! touched.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::common::*;
use assert_cmd::Command;
use predicates::prelude::*;

fn yusuan() -> Command {
    Command::cargo_bin("yusuan").unwrap()
}

fn bad(name: &str) -> PathBuf {
    root().join("tests/fixtures/bad").join(name)
}

#[test]
fn the_committed_corpus_is_what_the_generator_writes() {
    let dir = tempfile::tempdir().unwrap();
    let files = yusuan_testkit::corpus::bad::write(&root(), dir.path()).unwrap();
    assert!(files.len() >= 18);
    for f in files {
        let name = f.file_name().unwrap();
        let committed = std::fs::read(bad(&name.to_string_lossy())).unwrap_or_default();
        assert!(
            std::fs::read(&f).unwrap() == committed,
            "{name:?}: run `cargo run --example bad_corpus`"
        );
    }
}

/// Files that cannot be used: exit 2, the file named, the reason in Chinese.
#[test]
fn unusable_files_are_exit_2_with_their_reason() {
    for (file, reason) in [
        ("empty.xlsx", "文件为空"),
        ("random.xlsx", "无法识别的文件内容"),
        ("truncated.xlsx", "缺少结尾目录"),
        ("no-workbook.xlsx", "没有工作簿内容"),
        ("word.xlsx", "这是 Word 文档"),
        ("pdf.xlsx", "这是 PDF 文件"),
        ("csv.xlsx", "纯文本"),
        ("bomb.xlsx", "解压后内容达"),
        ("password.xlsx", "设有打开密码"),
        ("not-a-budget.xlsx", "未识别出任何部门预算表"),
    ] {
        for cmd in ["check", "export", "convert", "narrative"] {
            let dir = tempfile::tempdir().unwrap();
            let mut c = yusuan();
            c.arg(cmd).arg(bad(file));
            if cmd == "convert" {
                c.arg("-o").arg(dir.path().join("out.xlsx"));
            }
            c.assert()
                .code(2)
                .stderr(predicate::str::contains(file).and(predicate::str::contains(reason)))
                .stderr(predicate::str::contains("panicked").not());
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                0,
                "{cmd} {file}: nothing written"
            );
        }
    }
}

/// Workbooks with bad cells: exit 1, each finding at its cell.
#[test]
fn bad_cells_are_findings_at_their_cells() {
    for (file, rule, cell, words) in [
        ("error-cells.xlsx", "V001", "表3-1!D6", "错误值 #REF!"),
        ("error-cells.xlsx", "V001", "表3-1!D7", "错误值 #DIV/0!"),
        ("formula-no-cache.xlsx", "V002", "表3-1!D6", "没有计算结果"),
        (
            "dates-booleans.xlsx",
            "V001",
            "表3-1!D6",
            "日期值 2023-03-15",
        ),
        ("dates-booleans.xlsx", "V001", "表3-1!D7", "逻辑值 TRUE"),
        (
            "huge-numbers.xlsx",
            "V001",
            "表3-1!D6",
            "1e300 超出金额的合理范围",
        ),
        ("huge-numbers.xlsx", "V004", "表3-1!D7", "有 9 位小数"),
    ] {
        yusuan()
            .arg("check")
            .arg(bad(file))
            .assert()
            .code(1)
            .stdout(
                predicate::str::contains(format!("{cell} {rule} "))
                    .and(predicate::str::contains(words)),
            );
    }
}

#[test]
fn long_strings_and_control_characters_stay_readable() {
    let out = yusuan()
        .arg("check")
        .arg(bad("long-strings.xlsx"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("表3!B7 C302") && text.contains("表3!B8 C302"),
        "{text}"
    );
    for line in text.lines() {
        assert!(
            line.chars().count() < 400,
            "a line of {} characters",
            line.chars().count()
        );
        assert!(
            !line.chars().any(|c| c.is_control()),
            "control character in {line:?}"
        );
    }
}

#[test]
fn sheets_hidden_duplicated_or_oddly_merged() {
    yusuan()
        .arg("check")
        .arg(bad("all-hidden.xlsx"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "表3!A1 S006 表3所在的工作表「表3」是隐藏的",
        ));
    yusuan()
        .arg("check")
        .arg(bad("duplicated.xlsx"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "工作表「表3 (2)」与「表3」都是表3",
        ));
    // overlapping merges and a merge to XFD1048576: read as usual
    yusuan()
        .arg("check")
        .arg(bad("merges.xlsx"))
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    yusuan()
        .arg("check")
        .arg(bad("merges.xlsx"))
        .arg("--annotate")
        .arg(dir.path().join("a.xlsx"))
        .assert()
        .success();
    // a renamed file is read by its content
    yusuan()
        .arg("check")
        .arg(bad("xlsx-named.xls"))
        .assert()
        .success();
}

#[test]
fn large_sheets_are_bounded_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let files = yusuan_testkit::corpus::bad::write_large(&root(), dir.path()).unwrap();
    yusuan()
        .arg("check")
        .arg(&files[0])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("明细!A1 S006")
                .and(predicate::str::contains("超过 500000 个的处理上限")),
        );
    yusuan()
        .arg("check")
        .arg(&files[1])
        .assert()
        .success()
        .stdout(predicate::str::contains("宽表!A1 S006"));
}

#[test]
fn fuzz_regressions_never_panic_or_abort() {
    let dir = root().join("tests/fixtures/fuzz");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        n += 1;
        // Under a 1 GiB address-space limit: some once asked for gigabytes.
        let (code, _, err) = limited(&["check".as_ref(), p.as_os_str()]);
        assert!([0, 1, 2].contains(&code), "{p:?}: exit {code}");
        assert!(
            !err.contains("panicked") && !err.contains("内部错误"),
            "{p:?}: {err}"
        );
    }
    assert!(n >= 1);
}

/// calamine allocates an .xls sheet's whole grid: a 40 KB file with a cell at row
/// 65,535 and column 65,535 asked for 137 GB and the process aborted. It is refused
/// before calamine sees it.
#[test]
fn an_xls_with_a_huge_grid_is_refused_not_allocated() {
    let p = root().join("tests/fixtures/fuzz/xls-cell-at-row-65535-col-65535.bin");
    let out = yusuan().arg("check").arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("数据范围达") && err.contains("另存为 .xlsx"),
        "{err}"
    );
}

#[test]
fn a_batch_over_the_bad_corpus_and_the_samples() {
    let root_dir = tempfile::tempdir().unwrap();
    let dir = root_dir.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(root().join("tests/fixtures/bad")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    for e in std::fs::read_dir(root().join("tests/fixtures/fuzz")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(
            &p,
            dir.join(format!("{}.xls", p.file_stem().unwrap().to_string_lossy())),
        )
        .unwrap();
    }
    for name in SAMPLES {
        std::fs::copy(sample(name), dir.join(format!("{name}.xlsx"))).unwrap();
    }
    let out = root_dir.path().join("out");
    yusuan()
        .arg("batch")
        .arg(&dir)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("panicked").not());
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let status = |f: &str| {
        rows.iter()
            .find(|r| r["file"] == f)
            .unwrap_or_else(|| panic!("{f}"))
    };
    for (f, reason) in [
        ("empty.xlsx", "文件为空"),
        ("random.xlsx", "无法识别"),
        ("truncated.xlsx", "缺少结尾目录"),
        ("password.xlsx", "设有打开密码"),
        ("word.xlsx", "Word"),
        ("bomb.xlsx", "解压后内容达"),
        ("not-a-budget.xlsx", "未识别出任何部门预算表"),
        ("xls-merge-record-truncated.xls", "内部结构异常"),
    ] {
        let r = status(f);
        assert_eq!(r["status"], "unreadable", "{f}");
        assert!(
            r["reason"].as_str().unwrap().contains(reason),
            "{f}: {}",
            r["reason"]
        );
    }
    for name in SAMPLES {
        let r = status(&format!("{name}.xlsx"));
        assert_eq!(r["status"], "passed", "{name}");
        assert!(out.join(format!("{name}.公开.xlsx")).exists());
    }
    assert_eq!(status("error-cells.xlsx")["status"], "errors");
    assert_eq!(status("duplicated.xlsx")["status"], "warnings");
    // no temporary file left anywhere
    let leftovers: Vec<_> = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".yusuan-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
fn make_read_only(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o444)).unwrap();
}

#[cfg(unix)]
#[test]
fn inputs_are_only_read_and_unwritable_outputs_fail_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("只读.xlsx");
    std::fs::copy(sample("luojiang-zhengxieban-2023"), &input).unwrap();
    make_read_only(&input);
    let before = std::fs::read(&input).unwrap();
    yusuan().arg("check").arg(&input).assert().success();
    yusuan()
        .arg("convert")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("公开.xlsx"))
        .assert()
        .success();
    yusuan()
        .arg("export")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("a.json"))
        .assert()
        .success();
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // a read-only output folder (skipped when running as root, who may write anyway)
    let ro = dir.path().join("只读文件夹");
    std::fs::create_dir(&ro).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    if std::fs::File::create(ro.join("probe")).is_err() {
        yusuan()
            .arg("convert")
            .arg(&input)
            .arg("-o")
            .arg(ro.join("公开.xlsx"))
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("只读文件夹").and(predicate::str::contains("无法写入")),
            );
    }
}

/// A folder of `n` copies of the samples, for interrupting a batch.
fn many(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let name = SAMPLES[i % SAMPLES.len()];
        std::fs::copy(sample(name), dir.join(format!("{i:04}-{name}.xlsx"))).unwrap();
    }
}

#[cfg(unix)]
fn interrupt_batch(signals: usize) -> (i32, PathBuf, tempfile::TempDir) {
    let root_dir = tempfile::tempdir().unwrap();
    let dir = root_dir.path().join("in");
    many(&dir, 400);
    let out = root_dir.path().join("out");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("yusuan"))
        .arg("batch")
        .arg(&dir)
        .arg("-o")
        .arg(&out)
        .args(["-j", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // wait until the batch is writing outputs, then interrupt it
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0) < 5
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    for _ in 0..signals {
        std::process::Command::new("kill")
            .arg("-INT")
            .arg(child.id().to_string())
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), out, root_dir)
}

#[cfg(unix)]
fn assert_no_partial_files(out: &Path) {
    for e in walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
    {
        let name = e.file_name().to_string_lossy().to_string();
        assert!(!name.starts_with(".yusuan-"), "temporary file left: {name}");
        if name.ends_with(".xlsx") {
            // every output present is complete
            yusuan_grid::read_path(e.path()).unwrap_or_else(|err| panic!("{name}: {err}"));
        }
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_a_batch_leaves_no_partial_file() {
    // one Ctrl-C: the files in flight finish, no new ones start, no summary
    let (code, out, _keep) = interrupt_batch(1);
    assert_eq!(code, 2);
    assert!(!out.join("汇总表.xlsx").exists());
    assert_no_partial_files(&out);
    // two: stop at once, removing what was being written
    let (code, out, _keep) = interrupt_batch(2);
    assert!(code == 130 || code == 2, "exit {code}");
    assert_no_partial_files(&out);
}
