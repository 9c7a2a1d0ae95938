//! `yusuan __worker --dir DIR --out OUTDIR --memory-mb N [--unit U] [--layout L] [--codes FILE]`
//!
//! Internal, hidden: a worker process of `batch` (see `yusuan::worker`). It limits its
//! own memory, then runs the files its parent sends on standard input, one row of JSON
//! each on standard output, until its input closes.

use std::path::PathBuf;

use anyhow::Result;

use super::Outcome;
use super::convert::{LayoutArg, OrderArg, UnitArg};
use yusuan::Unit;
use yusuan::batch::Options;

/// 批量处理的工作进程（内部使用）。
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    dir: PathBuf,
    #[arg(long)]
    out: PathBuf,
    #[arg(long)]
    memory_mb: u64,
    #[arg(long, value_enum)]
    unit: Option<UnitArg>,
    #[arg(long, value_enum)]
    layout: Option<LayoutArg>,
    #[arg(long, value_enum)]
    order: Option<OrderArg>,
    #[arg(long)]
    codes: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<Outcome> {
    yusuan::worker::limit_memory(a.memory_mb)?;
    let codes = super::code_lists(a.codes.as_deref())?;
    let opts = Options {
        disclosure_unit: a.unit.map(Unit::from),
        layout: a.layout.map(|l| l.key().to_string()),
        order: a.order.map(Into::into),
        codes: &codes,
        jobs: Some(1),
        on_done: None,
        cancel: None,
        isolation: None,
    };
    yusuan::worker::serve(&a.dir, &a.out, &opts)?;
    Ok(Outcome::Clean)
}
