//! One file per subcommand, each with its usage on top. The commands call the library
//! and map outcomes to exit codes; they hold no budget logic.

mod batch;
mod check;
mod cli;
mod compare;
mod convert;
mod export;
mod grid;
mod narrative;
mod serve;
mod supervise;
mod template;
mod worker;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// 部门预算公开：读取、校验并生成公开报表与情况说明。
#[derive(Debug, Parser)]
#[command(name = "yusuan", version, about, long_about = None, arg_required_else_help = true)]
#[command(after_help = "退出码：0 无问题；1 发现“错误”级问题；2 输入文件或用法有误。")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Batch(batch::Args),
    Check(check::Args),
    Convert(convert::Args),
    Template(template::Args),
    Export(export::Args),
    Compare(compare::Args),
    Narrative(narrative::Args),
    Serve(serve::Args),
    #[command(name = "__grid", hide = true)]
    Grid(grid::Args),
    #[command(name = "__worker", hide = true)]
    Worker(worker::Args),
}

/// How a command ended.
pub enum Outcome {
    /// Nothing wrong.
    Clean,
    /// Findings of severity error.
    Findings,
    /// A file could not be used (its message was already printed).
    Unusable,
}

/// Set by the first Ctrl-C while a batch runs (the batch then stops starting files).
pub static CANCEL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Whether a batch is running (a first Ctrl-C then stops it gently).
pub static BATCH: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Ctrl-C: during a batch, the first one lets the files in flight finish and starts no
/// new ones; otherwise (or the second time) stop at once, removing any output being
/// written, so nothing half-written is left.
fn on_interrupt() {
    use std::sync::atomic::Ordering;
    let _ = ctrlc::set_handler(|| {
        if supervise::is_supervising() {
            // The child got Ctrl-C too and cleans up; a SIGTERM or SIGHUP sent to this
            // process alone is passed on to it.
            supervise::forward_termination();
            return;
        }
        if BATCH.load(Ordering::SeqCst) && !CANCEL.swap(true, Ordering::SeqCst) {
            eprintln!("\n正在中断：完成正在处理的文件后停止（再按一次 Ctrl-C 立即停止）……");
            return;
        }
        yusuan::worker::kill_all();
        yusuan_write::remove_pending();
        yusuan_serve::stop();
        eprintln!("\n已中断，未留下未写完的文件");
        std::process::exit(130);
    });
}

thread_local! {
    /// The last panic message of this thread (shown only if nothing caught it).
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Keep panic messages (e.g. of a third-party parser, caught and reported as a corrupt
/// file) off the user's terminal; an uncaught one is reported by `main` in Chinese.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let msg = match (
            info.payload().downcast_ref::<&str>(),
            info.payload().downcast_ref::<String>(),
        ) {
            (Some(s), _) => s.to_string(),
            (_, Some(s)) => s.clone(),
            _ => String::new(),
        };
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg}（{at}）")));
    }));
}

pub fn main() -> ExitCode {
    on_interrupt();
    quiet_panics();
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => {
            let what = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_default();
            eprintln!(
                "错误：yusuan 内部错误，未完成处理（{what}）。输入文件未被修改；请将此信息和文件反馈给维护者。"
            );
            yusuan_write::remove_pending();
            ExitCode::from(2)
        }
    }
}

/// The single-file commands run as a supervised child (see `supervise`); the child
/// limits its own memory first.
fn supervised(command: &Command) -> Option<ExitCode> {
    let inputs = match command {
        Command::Check(a) => a.inputs(),
        Command::Convert(a) => a.inputs(),
        Command::Export(a) => a.inputs(),
        Command::Compare(a) => a.inputs(),
        Command::Grid(a) => a.inputs(),
        Command::Narrative(a) => a.inputs(),
        _ => return None,
    };
    if supervise::is_child() {
        let limit = yusuan::worker::Limits::default().memory_mb;
        if let Err(e) = yusuan::worker::limit_memory(limit) {
            eprintln!("错误：无法设置内存上限（{}）", yusuan_write::os_reason(&e));
            return Some(ExitCode::from(2));
        }
        return None;
    }
    supervise::run(&inputs)
}

/// The code lists to check against: the built-in ones, or with a local list (`--codes`).
fn code_lists(path: Option<&std::path::Path>) -> anyhow::Result<yusuan::CodeLists> {
    Ok(match path {
        Some(p) => yusuan::CodeLists::with_override(p)?,
        None => yusuan::CodeLists::builtin().clone(),
    })
}

/// Write to standard output. A closed pipe (`yusuan export … | head -1`) comes back
/// as an error that [`run`] ends quietly with exit 0, as ripgrep does.
pub fn out(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// Whether the error is standard output closed by the reader.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn parse() -> Result<Cli, clap::Error> {
    let matches = cli::root(Cli::command()).try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

fn run() -> ExitCode {
    let cli = match parse() {
        Ok(c) => c,
        Err(e) => {
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    let _ = e.print();
                    ExitCode::SUCCESS
                }
                clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = e.print();
                    ExitCode::from(2)
                }
                _ => {
                    eprint!("{}", cli::error_message(&e));
                    ExitCode::from(2)
                }
            };
        }
    };
    if let Some(code) = supervised(&cli.command) {
        return code;
    }
    let result = match cli.command {
        Command::Batch(a) => batch::run(a),
        Command::Check(a) => check::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Template(a) => template::run(a),
        Command::Export(a) => export::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Grid(a) => grid::run(a),
        Command::Narrative(a) => narrative::run(a),
        Command::Worker(a) => worker::run(a),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Ok(Outcome::Unusable) => ExitCode::from(2),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Every error of the library says in Chinese what happened, to which
            // file; its sources (an OS or parser error) are not shown again.
            eprintln!("错误：{e}");
            ExitCode::from(2)
        }
    }
}
