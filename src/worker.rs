//! Files in worker processes: the last line of defence of a batch.
//!
//! The reader bounds what a workbook may take, but a batch must survive even what no
//! bound foresaw: a parser that aborts, an allocation that fails, a file that takes
//! forever. So `batch` runs its files in worker processes (the `yusuan` binary itself,
//! started with the hidden `__worker` command), each with an address-space limit it
//! sets on itself ([`limit_memory`]), one file at a time; the parent sends a file over
//! the worker's standard input and waits for its row on standard output, at most
//! [`Limits::seconds`]. A worker that dies (out of memory, a signal, `kill -9`) or
//! overruns is killed, the temporary files it was writing are removed, its file gets a
//! 「无法读取」 row saying why, and a new worker takes the next file. Workers are
//! started once and reused, so a thousand files cost as many processes as there are
//! workers. They run in their own process group: Ctrl-C in the terminal reaches only the
//! parent, which lets the files in flight finish (or, the second time, kills the
//! workers and cleans up after them).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::batch::{Options, Row};

/// What one worker may take for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Address space of a worker, in MiB.
    pub memory_mb: u64,
    /// Wall time for one file, in seconds.
    pub seconds: u64,
}

impl Default for Limits {
    /// 2,048 MiB and 120 s: a real budget workbook needs well under 100 MiB and a
    /// second; the limits are for what should never happen.
    fn default() -> Self {
        Limits {
            memory_mb: 2048,
            seconds: 120,
        }
    }
}

impl Limits {
    /// The memory limit a worker gets: this one, or the limit this process already
    /// has, if lower (a limit is inherited and can only be lowered).
    pub fn effective_memory_mb(self) -> u64 {
        #[cfg(unix)]
        {
            let current = rustix::process::getrlimit(rustix::process::Resource::As).current;
            current.map_or(self.memory_mb, |c| self.memory_mb.min(c / (1024 * 1024)))
        }
        #[cfg(not(unix))]
        self.memory_mb
    }
}

/// Limit this process's address space to `mb` MiB (a worker calls it on itself before
/// any work). An allocation beyond it fails, and the process ends; its parent reports
/// it. Where the platform has no such limit, nothing is done.
pub fn limit_memory(mb: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let bytes = mb.saturating_mul(1024 * 1024);
        let old = rustix::process::getrlimit(rustix::process::Resource::As);
        let new = old.maximum.map_or(bytes, |max| max.min(bytes));
        rustix::process::setrlimit(
            rustix::process::Resource::As,
            rustix::process::Rlimit {
                current: Some(new),
                maximum: old.maximum,
            },
        )?;
    }
    #[cfg(not(unix))]
    let _ = mb;
    Ok(())
}

/// One file for a worker: its path and output stem (paths as bytes, hex, so any name
/// the file system allows gets through).
#[derive(Debug, Serialize, Deserialize)]
struct Job {
    input: String,
    stem: String,
}

fn path_to_wire(p: &Path) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(p.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = p.to_string_lossy().into_owned().into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn path_from_wire(s: &str) -> Option<PathBuf> {
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    let bytes = bytes?;
    #[cfg(unix)]
    return Some(PathBuf::from(
        <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&bytes),
    ));
    #[cfg(not(unix))]
    return String::from_utf8(bytes).ok().map(PathBuf::from);
}

/// The worker's side: read jobs from standard input until it closes, answer each with
/// its row as one line of JSON. `dir`, `out` and `opts` are the batch's.
pub fn serve(dir: &Path, out: &Path, opts: &Options<'_>) -> std::io::Result<()> {
    // The parent flushes the file system once the files are done.
    crate::batch::defer_sync();
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lines() {
        let job: Job = serde_json::from_str(&line?).map_err(std::io::Error::other)?;
        let input =
            path_from_wire(&job.input).ok_or_else(|| std::io::Error::other("bad path in job"))?;
        let row = crate::batch::process_one(&input, &job.stem, dir, out, opts);
        serde_json::to_writer(&mut stdout, &row).map_err(std::io::Error::other)?;
        stdout.write_all(b"\n")?;
        stdout.flush()?;
    }
    Ok(())
}

/// What the parent needs to start workers.
#[derive(Debug, Clone)]
pub struct Spawn {
    /// The `yusuan` binary.
    pub exe: PathBuf,
    /// The arguments after `__worker` that give the batch's options (unit, layout,
    /// code list, folders).
    pub args: Vec<std::ffi::OsString>,
    /// The limits of each worker.
    pub limits: Limits,
}

/// Workers alive, by process id, with the folder each is writing to: killed and
/// cleaned up after on a hard stop ([`kill_all`]).
static ALIVE: Mutex<Vec<(u32, Option<PathBuf>)>> = Mutex::new(Vec::new());

fn alive() -> std::sync::MutexGuard<'static, Vec<(u32, Option<PathBuf>)>> {
    ALIVE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Kill every worker and remove the temporary files they were writing (the second
/// Ctrl-C, SIGTERM or SIGHUP during a batch).
pub fn kill_all() {
    for (pid, dir) in alive().drain(..) {
        kill(pid);
        if let Some(dir) = dir {
            yusuan_write::remove_temporaries(&dir, pid);
        }
    }
}

fn kill(pid: u32) {
    #[cfg(unix)]
    if let Some(p) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// One worker process and the threads that read its output.
struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    rows: Receiver<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Worker {
    fn start(spawn: &Spawn) -> std::io::Result<Worker> {
        let mut cmd = Command::new(&spawn.exe);
        cmd.arg("__worker")
            .arg("--memory-mb")
            .arg(spawn.limits.memory_mb.to_string())
            .args(&spawn.args)
            // glibc reserves 64 MB of address space for each thread's malloc arena, and
            // rust_xlsxwriter writes each worksheet on a thread of its own: without a
            // cap, a worker's reservations alone approach 1 GB of its address-space
            // limit after a few files.
            .env("MALLOC_ARENA_MAX", "2")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd.spawn()?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            return Err(std::io::Error::other("worker without pipes"));
        };
        let (tx, rows) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let tail = Arc::new(Mutex::new(Vec::new()));
        let keep = Arc::clone(&tail);
        std::thread::spawn(move || {
            let mut stderr = stderr;
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut t = keep
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                t.extend_from_slice(&buf[..n]);
                let excess = t.len().saturating_sub(8192);
                t.drain(..excess);
            }
        });
        alive().push((child.id(), None));
        Ok(Worker {
            child,
            stdin: Some(stdin),
            rows,
            stderr: tail,
        })
    }

    fn set_folder(&self, dir: Option<PathBuf>) {
        let pid = self.child.id();
        if let Some(entry) = alive().iter_mut().find(|(p, _)| *p == pid) {
            entry.1 = dir;
        }
    }

    /// Run one file; `Err` with the reason when the worker died or overran (it is
    /// then gone, and its temporary files in `folder` removed).
    fn run(&mut self, job: &Job, folder: &Path, limits: Limits) -> Result<Row, String> {
        self.set_folder(Some(folder.to_path_buf()));
        let sent = match (serde_json::to_string(job), self.stdin.as_mut()) {
            (Ok(line), Some(stdin)) => writeln!(stdin, "{line}").and_then(|()| stdin.flush()),
            _ => Err(std::io::Error::other("worker input closed")),
        };
        let reply = match sent {
            Ok(()) => self.rows.recv_timeout(Duration::from_secs(limits.seconds)),
            Err(_) => Err(RecvTimeoutError::Disconnected),
        };
        let result = match reply {
            Ok(line) => serde_json::from_str::<Row>(&line)
                .map_err(|_| "处理进程返回了无法识别的结果，该文件未完成".to_string()),
            Err(RecvTimeoutError::Timeout) => {
                self.end();
                Err(format!(
                    "处理超时（超过 {} 秒），已停止处理该文件；文件可能是异常或恶意构造的",
                    limits.seconds
                ))
            }
            Err(RecvTimeoutError::Disconnected) => Err(self.end_reason(limits)),
        };
        self.set_folder(None);
        if result.is_err() {
            yusuan_write::remove_temporaries(folder, self.child.id());
        }
        result
    }

    /// Kill the worker and wait for it.
    fn end(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let pid = self.child.id();
        alive().retain(|(p, _)| *p != pid);
    }

    /// Why the worker ended (it closed its output): its exit status, and what it said.
    fn end_reason(&mut self, limits: Limits) -> String {
        let status = self.child.wait();
        let pid = self.child.id();
        alive().retain(|(p, _)| *p != pid);
        // The stderr thread may still be reading the last words.
        std::thread::sleep(Duration::from_millis(20));
        let said = String::from_utf8_lossy(
            &self
                .stderr
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
        .into_owned();
        if said.contains("memory allocation of") {
            return format!(
                "处理该文件所需内存超出限制（每个文件 {} MB），已停止处理；文件可能是异常或恶意构造的",
                limits.effective_memory_mb()
            );
        }
        let how = match status {
            #[cfg(unix)]
            Ok(s) if std::os::unix::process::ExitStatusExt::signal(&s) == Some(9) => {
                return "处理进程被终止（可能是内存不足或被人为结束），该文件未完成".to_string();
            }
            #[cfg(unix)]
            Ok(s) if std::os::unix::process::ExitStatusExt::signal(&s).is_some() => format!(
                "信号 {}",
                std::os::unix::process::ExitStatusExt::signal(&s).unwrap_or_default()
            ),
            Ok(s) => format!("退出码 {}", s.code().unwrap_or(-1)),
            Err(_) => "状态未知".to_string(),
        };
        format!("处理进程异常退出（{how}），该文件未完成")
    }
}

impl Drop for Worker {
    /// Closing its input ends the worker (after the file in hand, if any).
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
        let pid = self.child.id();
        alive().retain(|(p, _)| *p != pid);
    }
}

/// Run `files` in `jobs` workers: one row per file (`None` for those not started
/// because the batch was cancelled). `folder` gives a file's output folder.
pub(crate) fn run_all(
    files: &[(PathBuf, String, String, PathBuf)],
    jobs: usize,
    spawn: &Spawn,
    opts: &Options<'_>,
    findings: &crate::batch::Findings,
) -> Vec<Option<Row>> {
    let next = AtomicUsize::new(0);
    let rows: Mutex<Vec<Option<Row>>> = Mutex::new(vec![None; files.len()]);
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1).min(files.len().max(1)) {
            s.spawn(|| {
                let mut worker: Option<Worker> = None;
                loop {
                    if opts.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((input, rel, stem, folder)) = files.get(i) else {
                        break;
                    };
                    let mut row = run_one(&mut worker, spawn, input, rel, stem, folder);
                    if let Some(cb) = opts.on_done {
                        cb(&row);
                    }
                    findings.keep(&mut row);
                    rows.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(row);
                }
                drop(worker);
            });
        }
    });
    rows.into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn run_one(
    worker: &mut Option<Worker>,
    spawn: &Spawn,
    input: &Path,
    rel: &str,
    stem: &str,
    folder: &Path,
) -> Row {
    let unreadable = |reason: String| Row::unreadable(rel.to_string(), reason);
    if worker.is_none() {
        match Worker::start(spawn) {
            Ok(w) => *worker = Some(w),
            Err(e) => {
                return unreadable(format!(
                    "无法启动处理进程（{}），该文件未处理",
                    yusuan_write::os_reason(&e)
                ));
            }
        }
    }
    let Some(w) = worker.as_mut() else {
        return unreadable("无法启动处理进程，该文件未处理".into());
    };
    let job = Job {
        input: path_to_wire(input),
        stem: stem.to_string(),
    };
    match w.run(&job, folder, spawn.limits) {
        Ok(row) => row,
        Err(reason) => {
            *worker = None;
            unreadable(reason)
        }
    }
}
