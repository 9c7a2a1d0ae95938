//! The single-file commands (`check`, `convert`, `export`, `narrative`) run supervised:
//! the command re-runs itself as a child process with an address-space limit, and this
//! process only relays the child's messages and its exit code. Should a file get past
//! every limit of the reader and make the child abort (a failed allocation, a signal),
//! the user still gets one Chinese message naming the file and exit 2, never a
//! backtrace, and the temporary files the child was writing are removed. Ctrl-C reaches
//! both processes and the child cleans up after itself; SIGTERM and SIGHUP sent to this
//! process are passed on to the child.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// Set in the child's environment: it runs the command itself.
const CHILD: &str = "YUSUAN_SUPERVISED";

/// The child being supervised (0: none), for passing signals on.
static CHILD_PID: AtomicU32 = AtomicU32::new(0);

/// Whether this process is the supervised child (it limits its own memory then).
pub fn is_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// Whether this process is supervising a child (signals are then the child's).
pub fn is_supervising() -> bool {
    CHILD_PID.load(Ordering::SeqCst) != 0
}

/// Pass a termination signal on to the child.
pub fn forward_termination() {
    #[cfg(unix)]
    if let Some(pid) = i32::try_from(CHILD_PID.load(Ordering::SeqCst))
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
}

/// Run this same command line as a supervised child; `inputs` name the files in the
/// message should the child abort. `None` where supervision is not available (the
/// caller then runs the command itself).
pub fn run(inputs: &[PathBuf]) -> Option<ExitCode> {
    if !cfg!(unix) || is_child() {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let mut child = Command::new(exe)
        .args(&args)
        .env(CHILD, "1")
        // See `yusuan::worker`: arenas would take the address space the limit is for.
        .env("MALLOC_ARENA_MAX", "2")
        .stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    CHILD_PID.store(child.id(), Ordering::SeqCst);
    let mut out_of_memory = false;
    if let Some(stderr) = child.stderr.take() {
        let mut err = std::io::stderr().lock();
        for line in BufReader::new(stderr).split(b'\n').map_while(Result::ok) {
            // The runtime's last words on a failed allocation, and the backtrace after
            // them, are English and for nobody here.
            if line.starts_with(b"memory allocation of") {
                out_of_memory = true;
            }
            if !out_of_memory {
                let _ = err.write_all(&line).and_then(|()| err.write_all(b"\n"));
            }
        }
    }
    let status = child.wait().ok()?;
    let pid = child.id();
    CHILD_PID.store(0, Ordering::SeqCst);
    if let Some(code) = status.code().filter(|_| !out_of_memory) {
        return Some(ExitCode::from(u8::try_from(code).unwrap_or(2)));
    }
    remove_temporaries(&args, pid);
    let files = inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("、");
    let why = if out_of_memory {
        format!(
            "处理时所需内存超出限制（{} MB）",
            yusuan::worker::Limits::default().effective_memory_mb()
        )
    } else {
        signal_text(&status)
    };
    eprintln!(
        "错误：{files}：{why}，已停止处理；文件可能是异常或恶意构造的。输入文件未被修改，也没有留下未写完的输出。"
    );
    Some(ExitCode::from(2))
}

#[cfg(unix)]
fn signal_text(status: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(9) => "处理进程被终止（可能是内存不足或被人为结束）".to_string(),
        Some(n) => format!("处理进程异常退出（信号 {n}）"),
        None => "处理进程异常退出".to_string(),
    }
}

#[cfg(not(unix))]
fn signal_text(_: &std::process::ExitStatus) -> String {
    "处理进程异常退出".to_string()
}

/// The child's temporary files, in the folder of any argument that names a path.
fn remove_temporaries(args: &[OsString], pid: u32) {
    let mut dirs: Vec<PathBuf> = args
        .iter()
        .map(PathBuf::from)
        .filter_map(|p| match p.parent() {
            Some(d) if d.as_os_str().is_empty() => Some(PathBuf::from(".")),
            Some(d) => Some(d.to_path_buf()),
            None => None,
        })
        .filter(|d| d.is_dir())
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        yusuan_write::remove_temporaries(&d, pid);
    }
}
