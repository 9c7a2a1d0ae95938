//! The batch survives what happens to one file's worker: `kill -9` mid-file, a time
//! limit, SIGTERM to the batch itself; a second batch into the same output folder is
//! refused; named pipes and unreadable folders are rows, not hangs or aborts.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_yusuan"))
}

/// The slow workbook (1.35 million cells, within every limit), written once into the
/// target folder (its bytes are always the same) and renamed into place.
fn slow() -> &'static Path {
    static SLOW: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SLOW.get_or_init(|| {
        let dir = root().join("target");
        let p = dir.join("yusuan-it-slow.xlsx");
        if !p.is_file() {
            let tmp = dir.join(format!("yusuan-it-slow-{}.tmp", std::process::id()));
            yusuan_testkit::corpus::bad::write_slow(&root(), &tmp).unwrap();
            std::fs::rename(&tmp, &p).unwrap();
        }
        p
    })
}

/// An input folder: the slow workbook (`a-slow.xlsx`, first in path order) and the
/// four samples.
fn folder(tmp: &Path) -> PathBuf {
    let dir = tmp.join("in");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(slow(), dir.join("a-slow.xlsx")).unwrap();
    for e in std::fs::read_dir(root().join("samples")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "xlsx") {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// How many bundled sample workbooks there are.
fn samples_xlsx() -> usize {
    std::fs::read_dir(root().join("samples"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "xlsx")
        })
        .count()
}

fn batch(input: &Path, out: &Path, extra: &[&str]) -> Child {
    bin()
        .arg("batch")
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(["-j", "1", "-q"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The process ids of the worker processes whose parent is `parent`.
fn workers_of(parent: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        // stat: pid (comm) state ppid …
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) && cmdline.windows(8).any(|w| w == b"__worker") {
            out.push(pid);
        }
    }
    out
}

fn wait_for_worker(parent: u32) -> u32 {
    let start = Instant::now();
    loop {
        if let Some(pid) = workers_of(parent).first() {
            return *pid;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no worker started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn signal(pid: u32, sig: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(pid as i32).unwrap();
    rustix::process::kill_process(pid, sig).unwrap();
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

fn row<'a>(json: &'a serde_json::Value, file: &str) -> &'a serde_json::Value {
    json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == file)
        .unwrap_or_else(|| panic!("no row for {file}: {json}"))
}

fn temporaries(dir: &Path) -> Vec<String> {
    walkdir(dir)
        .into_iter()
        .filter(|n| n.contains(".yusuan-") && n.ends_with(".tmp"))
        .collect()
}

fn walkdir(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p.to_string_lossy().into_owned());
        }
    }
    out
}

#[test]
fn a_worker_killed_mid_file_is_one_row_and_the_batch_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let input = folder(tmp.path());
    let out = tmp.path().join("out");
    let mut child = batch(&input, &out, &[]);
    let worker = wait_for_worker(child.id());
    std::thread::sleep(Duration::from_millis(200));
    signal(worker, rustix::process::Signal::KILL);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2));
    let json = summary(&out);
    assert_eq!(json["files"], samples_xlsx() + 1);
    let slow = row(&json, "a-slow.xlsx");
    assert_eq!(slow["status"], "unreadable");
    assert!(
        slow["reason"].as_str().unwrap().contains("处理进程被终止"),
        "{slow}"
    );
    for f in ["luojiang-zhengxieban-2023.xlsx", "shanghai-wanli-2024.xlsx"] {
        assert_ne!(row(&json, f)["status"], "unreadable", "{f}");
    }
    assert!(out.join("汇总表.xlsx").is_file());
    assert_eq!(temporaries(&out), Vec::<String>::new());
}

#[test]
fn a_file_over_the_time_limit_is_one_row() {
    let tmp = tempfile::tempdir().unwrap();
    let input = folder(tmp.path());
    let out = tmp.path().join("out");
    // 2 s: the slow workbook takes about 4 s in a test build, a sample about 50 ms.
    let mut child = batch(&input, &out, &["--timeout", "2"]);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2));
    let json = summary(&out);
    let slow = row(&json, "a-slow.xlsx");
    assert!(
        slow["reason"]
            .as_str()
            .unwrap()
            .contains("处理超时（超过 2 秒）"),
        "{slow}"
    );
    // The samples after it go on in a new worker (on a loaded machine one of them
    // may reach the limit too, which is then its reason, not another).
    let rows = json["rows"].as_array().unwrap();
    let done = rows.iter().filter(|r| r["status"] != "unreadable").count();
    assert!(done >= 1, "{json}");
    for r in rows.iter().filter(|r| r["status"] == "unreadable") {
        assert!(r["reason"].as_str().unwrap().contains("处理超时"), "{r}");
    }
    assert_eq!(temporaries(&out), Vec::<String>::new());
}

#[test]
fn sigterm_twice_stops_at_once_and_leaves_no_temporaries() {
    let tmp = tempfile::tempdir().unwrap();
    let input = folder(tmp.path());
    let out = tmp.path().join("out");
    let mut child = batch(&input, &out, &[]);
    let worker = wait_for_worker(child.id());
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..2 {
        signal(child.id(), rustix::process::Signal::TERM);
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    // The worker was killed with the batch, not left running.
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !Path::new(&format!("/proc/{worker}/cmdline")).exists()
            || std::fs::read(format!("/proc/{worker}/cmdline"))
                .unwrap_or_default()
                .is_empty()
    );
    assert_eq!(temporaries(&out), Vec::<String>::new());
}

#[test]
fn a_second_batch_into_the_same_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = folder(tmp.path());
    let out = tmp.path().join("out");
    let mut first = batch(&input, &out, &[]);
    wait_for_worker(first.id());
    let second = bin()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("正在被另一个 yusuan 批量任务使用"), "{err}");
    assert!(matches!(first.wait().unwrap().code(), Some(0 | 1)));
    assert!(!out.join(".yusuan.lock").exists());
}

#[test]
fn a_named_pipe_is_refused_without_waiting_and_is_a_row_in_a_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(sample("luojiang-zhengxieban-2023"), input.join("ok.xlsx")).unwrap();
    let fifo = input.join("管道.xlsx");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let check = bin().arg("check").arg(&fifo).output().unwrap();
    assert_eq!(check.status.code(), Some(2));
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(err.contains("管道.xlsx：不是普通文件（命名管道）"), "{err}");
    let out = tmp.path().join("out");
    let result = bin()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(err.contains("管道.xlsx"), "{err}");
    let json = summary(&out);
    assert_eq!(row(&json, "管道.xlsx")["status"], "unreadable");
    assert_eq!(row(&json, "ok.xlsx")["status"], "passed");
}

#[test]
fn an_unreadable_subfolder_is_a_row_and_the_rest_is_processed() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let locked = input.join("锁定");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::copy(sample("luojiang-zhengxieban-2023"), input.join("ok.xlsx")).unwrap();
    std::fs::copy(sample("luojiang-zhengxieban-2023"), locked.join("x.xlsx")).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let privileged = std::fs::read_dir(&locked).is_ok();
    let out = tmp.path().join("out");
    let result = bin()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .output()
        .unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let json = summary(&out);
    assert_eq!(row(&json, "ok.xlsx")["status"], "passed");
    if privileged {
        // Running as root, the folder is readable after all: both files are processed.
        assert_eq!(result.status.code(), Some(0));
        assert_eq!(row(&json, "锁定/x.xlsx")["status"], "passed");
    } else {
        assert_eq!(result.status.code(), Some(2));
        let r = row(&json, "锁定");
        assert!(
            r["reason"]
                .as_str()
                .unwrap()
                .contains("无法读取该文件夹（没有权限）"),
            "{r}"
        );
    }
}

#[test]
fn a_single_file_command_that_runs_out_of_memory_is_exit_2_in_chinese() {
    // 200 MB of address space: enough for yusuan, not for 1.35 million cells.
    let out = Command::new("prlimit")
        .arg("--as=200000000")
        .arg(env!("CARGO_BIN_EXE_yusuan"))
        .arg("check")
        .arg(slow())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("错误：") && err.contains("yusuan-it-slow.xlsx：处理时所需内存超出限制"),
        "{err}"
    );
    assert!(
        !err.contains("memory allocation") && !err.contains("backtrace"),
        "{err}"
    );
}
