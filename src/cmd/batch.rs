//! `yusuan batch DIR -o OUTDIR [-j N] [--unit 万元|元] [--codes FILE] [--quiet]
//! [--memory-limit MB] [--timeout SECONDS]`
//!
//! Every workbook under DIR (recursively; lock files `~$…` and hidden files skipped):
//! read, check and, when it has no errors, convert. Outputs mirror the input tree
//! under OUTDIR (`<name>.公开.xlsx`; `<name>.问题清单.xlsx` and `<name>.标注副本.xlsx`
//! when there are findings), plus `OUTDIR/汇总表.xlsx`, `OUTDIR/summary.json` and the
//! bureau's `OUTDIR/问题清单.xlsx` of every file with findings. Each file runs in a
//! worker process within the memory and time limits; OUTDIR is locked for the run, so
//! a second batch into it is refused. Exit 0 all passed, 1 some had errors, 2 some
//! were unreadable or the command could not run.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Outcome;
use super::convert::{LayoutArg, OrderArg, UnitArg};
use yusuan::Unit;
use yusuan::batch::{self, Options};

/// 批量处理一个文件夹中的部门预算工作簿，生成公开表、问题清单和汇总表。
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 存放部门预算工作簿的文件夹（含子文件夹）
    dir: PathBuf,
    /// 输出文件夹（不存在则创建）
    #[arg(short, long)]
    output: PathBuf,
    /// 最多同时处理的文件数（线程数）
    #[arg(short, long)]
    jobs: Option<usize>,
    /// 公开表和汇总表的金额单位（默认：公开表按其样式，汇总表为万元）
    #[arg(long, value_enum)]
    unit: Option<UnitArg>,
    /// 公开表样式（默认与各自报送的工作簿相同）
    #[arg(long, value_enum)]
    layout: Option<LayoutArg>,
    /// 情况说明的位置（默认按公开表样式；四川样式为情况说明在前）
    #[arg(long, value_enum)]
    order: Option<OrderArg>,
    /// 本地完整的科目代码表（CSV）
    #[arg(long)]
    codes: Option<PathBuf>,
    /// 不显示进度条
    #[arg(short, long)]
    quiet: bool,
    /// 处理每个文件可用的内存上限（MB）
    #[arg(long, default_value_t = yusuan::worker::Limits::default().memory_mb)]
    memory_limit: u64,
    /// 处理每个文件的时间上限（秒）
    #[arg(long, default_value_t = yusuan::worker::Limits::default().seconds)]
    timeout: u64,
    /// 在本进程内处理，不用工作进程（不受内存和时间上限保护，一个异常文件可能中断整个批处理；用于对比测量）
    #[arg(long)]
    in_process: bool,
}

/// The arguments of a worker (`__worker …`) for this batch.
fn worker_args(a: &Args) -> Vec<std::ffi::OsString> {
    use clap::ValueEnum;
    let mut args: Vec<std::ffi::OsString> = vec![
        "--dir".into(),
        a.dir.clone().into(),
        "--out".into(),
        a.output.clone().into(),
    ];
    if let Some(v) = a.unit.and_then(|u| u.to_possible_value()) {
        args.extend(["--unit".into(), v.get_name().into()]);
    }
    if let Some(v) = a.layout.and_then(|l| l.to_possible_value()) {
        args.extend(["--layout".into(), v.get_name().into()]);
    }
    if let Some(v) = a.order.and_then(|o| o.to_possible_value()) {
        args.extend(["--order".into(), v.get_name().into()]);
    }
    if let Some(c) = &a.codes {
        args.extend(["--codes".into(), c.clone().into()]);
    }
    args
}

/// OUTDIR locked for this run: `OUTDIR/.yusuan.lock`, held with an OS lock that ends
/// with the process however it ends, and removed after a run that ends normally.
struct OutputLock {
    path: PathBuf,
    _file: std::fs::File,
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still held, so no other run can have locked this file.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Lock OUTDIR for this run: two batches writing into one folder would mix their
/// outputs, so the second is refused.
fn lock_output(dir: &std::path::Path) -> Result<OutputLock> {
    let path = dir.join(".yusuan.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| {
            anyhow::anyhow!(
                "无法在输出文件夹 {} 中创建锁文件（{}）",
                dir.display(),
                yusuan_write::os_reason(&e)
            )
        })?;
    match file.try_lock() {
        Ok(()) => Ok(OutputLock { path, _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "输出文件夹 {} 正在被另一个 yusuan 批量任务使用；请等它结束，或换一个输出文件夹",
            dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => bail!(
            "无法锁定输出文件夹 {}（{}）",
            dir.display(),
            yusuan_write::os_reason(&e)
        ),
    }
}

/// `OUTDIR/汇总表.xlsx`, `OUTDIR/summary.json`, and the bureau's `OUTDIR/问题清单.xlsx`
/// of every file with findings (removed when none has any).
fn write_summary(a: &Args, result: &batch::Batch) -> Result<()> {
    let with: Vec<&batch::Row> = result
        .rows
        .iter()
        .filter(|r| batch::Batch::has_lines(r))
        .collect();
    let listed: Vec<yusuan_write::Listed<'_>> = with
        .iter()
        .map(|r| yusuan_write::Listed {
            file: r.file.clone(),
            department: r.department.clone(),
            year: r.year,
            lines: Vec::new(),
            ledger: None,
            annotated: r.annotated.clone(),
        })
        .collect();
    let load = |i: usize| result.lines(with[i]);
    let bureau = a.output.join("问题清单.xlsx");
    if listed.is_empty() {
        let _ = std::fs::remove_file(&bureau);
    } else {
        let mut wb = yusuan_write::bureau_workbook(&listed, Some(&load), &yusuan_write::today())
            .map_err(|source| yusuan_write::OutputError::Workbook {
                path: bureau.clone(),
                source,
            })?;
        yusuan_write::save_workbook(&mut wb, &bureau)?;
    }
    let path = a.output.join("汇总表.xlsx");
    let mut wb = batch::summary_workbook(result, a.unit.map_or(Unit::WanYuan, Unit::from))
        .map_err(|source| yusuan_write::OutputError::Workbook {
            path: path.clone(),
            source,
        })?;
    yusuan_write::save_workbook(&mut wb, &path)?;
    yusuan_write::write_atomic_with(&a.output.join("summary.json"), |w| {
        batch::write_summary_json(result, w)
    })?;
    Ok(())
}

/// The most lines of one kind the terminal lists before its last line; the rest are in
/// the 汇总表 (a bureau's folder may have hundreds of files with errors).
const LISTED: usize = 20;

/// Print `lines`, at most [`LISTED`] of them, saying how many more there are.
fn print_some(lines: impl Iterator<Item = String>, what: &str) {
    let mut n = 0;
    for line in lines {
        n += 1;
        if n <= LISTED {
            eprintln!("{line}");
        }
    }
    if n > LISTED {
        eprintln!("……另有 {} 个{what}，见汇总表", n - LISTED);
    }
}

/// The unreadable files, the files with errors and the skipped files.
fn print_lists(result: &batch::Batch) {
    let rows = |s| result.rows.iter().filter(move |r| r.status == s);
    print_some(
        rows(batch::Status::Unreadable).map(|r| match r.reason.as_deref() {
            // A reader's message names the file already.
            Some(why) if why.contains(r.file.as_str()) => format!("无法读取：{why}"),
            Some(why) => format!("无法读取：{}：{why}", r.file),
            None => format!("无法读取：{}", r.file),
        }),
        "无法读取的文件",
    );
    print_some(
        rows(batch::Status::Errors).map(|r| {
            format!(
                "有错误：{}（{} 个错误，见 {}）",
                r.file,
                r.errors,
                r.report.as_deref().unwrap_or("问题清单")
            )
        }),
        "有错误的文件",
    );
    print_some(
        result
            .skipped
            .iter()
            .map(|(file, why)| format!("已跳过：{file}（{why}）")),
        "已跳过的文件",
    );
}

pub fn run(a: Args) -> Result<Outcome> {
    if !a.dir.is_dir() {
        bail!("{} 不是文件夹（或不存在）", a.dir.display());
    }
    if a.jobs == Some(0) {
        bail!("-j 须为正整数");
    }
    if a.memory_limit < 256 {
        bail!("--memory-limit 至少为 256（MB）");
    }
    if a.timeout == 0 {
        bail!("--timeout 须为正整数（秒）");
    }
    let codes = super::code_lists(a.codes.as_deref())?;
    // Before any work: the output folder can be written.
    yusuan_write::check_folder(&a.output, true)?;
    let _lock = lock_output(&a.output)?;
    let found = batch::discover(&a.dir, Some(&a.output)).map_err(|e| {
        anyhow::anyhow!(
            "无法读取文件夹 {}（{}）",
            a.dir.display(),
            yusuan_write::os_reason(&e)
        )
    })?;
    if found.files.is_empty() && found.unreadable.is_empty() {
        bail!(
            "{} 中没有找到工作簿（.xlsx、.xlsm、.xls、.xlsb、.ods）",
            a.dir.display()
        );
    }
    super::BATCH.store(true, Ordering::SeqCst);
    let bar = ProgressBar::new(found.files.len() as u64);
    if a.quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    } else if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise} 剩余 {eta} {wide_msg}")
    {
        bar.set_style(style);
    }
    let on_done = |row: &batch::Row| {
        bar.set_message(row.file.clone());
        bar.inc(1);
    };
    let spawn = yusuan::worker::Spawn {
        exe: std::env::current_exe().map_err(|e| {
            anyhow::anyhow!(
                "无法找到 yusuan 程序本身（{}）",
                yusuan_write::os_reason(&e)
            )
        })?,
        args: worker_args(&a),
        limits: yusuan::worker::Limits {
            memory_mb: a.memory_limit,
            seconds: a.timeout,
        },
    };
    let opts = Options {
        disclosure_unit: a.unit.map(Unit::from),
        layout: a.layout.map(|l| l.key().to_string()),
        order: a.order.map(Into::into),
        codes: &codes,
        jobs: a.jobs,
        on_done: Some(&on_done),
        cancel: Some(&super::CANCEL),
        isolation: (!a.in_process).then_some(&spawn),
    };
    let result = batch::run(&a.dir, &found, &a.output, &opts)?;
    bar.finish_and_clear();
    if result.cancelled {
        eprintln!("{}", result.one_line());
        eprintln!("已中断：已完成文件的输出完整保留，未生成汇总表");
        return Ok(Outcome::Unusable);
    }
    write_summary(&a, &result)?;
    print_lists(&result);
    eprintln!("{}", result.one_line());
    eprintln!("汇总表：{}", a.output.join("汇总表.xlsx").display());
    if result.rows.iter().any(batch::Batch::has_lines) {
        eprintln!(
            "问题清单（全部文件）：{}",
            a.output.join("问题清单.xlsx").display()
        );
    }
    Ok(match result.exit_code() {
        0 => Outcome::Clean,
        1 => Outcome::Findings,
        _ => Outcome::Unusable,
    })
}
