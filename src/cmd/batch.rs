//! `yusuan batch DIR -o OUTDIR [-j N] [--unit 万元|元] [--codes FILE] [--quiet]`
//!
//! Every workbook under DIR (recursively; lock files `~$…` and hidden files skipped):
//! read, check and, when it has no errors, convert. Outputs mirror the input tree
//! under OUTDIR (`<name>.公开.xlsx`, and `<name>.问题清单.xlsx` when there are
//! findings), plus `OUTDIR/汇总表.xlsx` and `OUTDIR/summary.json`. Exit 0 all passed,
//! 1 some had errors, 2 some were unreadable or the command could not run.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Outcome;
use super::convert::{LayoutArg, UnitArg};
use yusuan::CodeLists;
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
    /// 本地完整的科目代码表（CSV）
    #[arg(long)]
    codes: Option<PathBuf>,
    /// 不显示进度条
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(a: Args) -> Result<Outcome> {
    if !a.dir.is_dir() {
        bail!("{} 不是文件夹（或不存在）", a.dir.display());
    }
    if a.jobs == Some(0) {
        bail!("-j 须为正整数");
    }
    let codes = match &a.codes {
        Some(p) => CodeLists::with_override(p)?,
        None => CodeLists::builtin().clone(),
    };
    // Before any work: the output folder can be written.
    yusuan_write::check_folder(&a.output, true)?;
    let files = batch::discover(&a.dir, Some(&a.output)).map_err(|e| {
        anyhow::anyhow!(
            "无法读取文件夹 {}（{}）",
            a.dir.display(),
            yusuan_write::os_reason(&e)
        )
    })?;
    if files.is_empty() {
        bail!(
            "{} 中没有找到工作簿（.xlsx、.xlsm、.xls、.xlsb、.ods）",
            a.dir.display()
        );
    }
    super::BATCH.store(true, Ordering::SeqCst);
    let bar = ProgressBar::new(files.len() as u64);
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
    let opts = Options {
        disclosure_unit: a.unit.map(Unit::from),
        layout: a.layout.map(|l| l.key().to_string()),
        codes: &codes,
        jobs: a.jobs,
        on_done: Some(&on_done),
        cancel: Some(&super::CANCEL),
    };
    let result = batch::run(&a.dir, &files, &a.output, &opts)?;
    bar.finish_and_clear();
    if result.cancelled {
        eprintln!("{}", result.one_line());
        eprintln!("已中断：已完成文件的输出完整保留，未生成汇总表");
        return Ok(Outcome::Unusable);
    }
    {
        let path = a.output.join("汇总表.xlsx");
        let mut wb = batch::summary_workbook(&result, a.unit.map_or(Unit::WanYuan, Unit::from))
            .map_err(|source| yusuan_write::OutputError::Workbook {
                path: path.clone(),
                source,
            })?;
        yusuan_write::save_workbook(&mut wb, &path)?;
    }
    yusuan_write::write_atomic(
        &a.output.join("summary.json"),
        batch::summary_json(&result).as_bytes(),
    )?;
    for r in result
        .rows
        .iter()
        .filter(|r| r.status == batch::Status::Unreadable)
    {
        eprintln!("无法读取：{}", r.reason.as_deref().unwrap_or(&r.file));
    }
    eprintln!("{}", result.one_line());
    eprintln!("汇总表：{}", a.output.join("汇总表.xlsx").display());
    Ok(match result.exit_code() {
        0 => Outcome::Clean,
        1 => Outcome::Findings,
        _ => Outcome::Unusable,
    })
}
