//! `yusuan export FILE [--format json] [-o OUT]`
//!
//! The normalised model as JSON (contract `yusuan-budget/1`, see the README): amounts
//! are exact decimal strings in 元. Every table must state its unit.

use std::path::PathBuf;

use anyhow::{Result, bail};

use super::Outcome;
use yusuan::CodeLists;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Json,
}

/// 把预算工作簿读成规范化的数据（JSON，金额统一为元）。
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 部门预算工作簿（.xlsx / .xls / .ods）
    file: PathBuf,
    /// 输出格式
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// 输出文件；不给则写到标准输出
    #[arg(short, long)]
    output: Option<PathBuf>,
}

impl Args {
    /// The files the command reads (for a message should its process abort).
    pub fn inputs(&self) -> Vec<PathBuf> {
        vec![self.file.clone()]
    }
}

pub fn run(a: Args) -> Result<Outcome> {
    if let Some(p) = &a.output {
        yusuan_write::check_output(p, &[&a.file])?;
    }
    let (_, budget) = yusuan::load(&a.file, CodeLists::builtin())?;
    let missing: Vec<String> = budget
        .tables
        .iter()
        .filter(|t| t.unit.is_none())
        .map(|t| format!("{}（工作表「{}」，标题在 {}）", t.id, t.sheet, t.title.at))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{}：以下表格缺少金额单位（应有“单位：万元”或“单位：元”），无法换算金额：{}",
            a.file.display(),
            missing.join("；")
        );
    }
    let Format::Json = a.format;
    let json = yusuan_core::export::to_json(&budget);
    match &a.output {
        Some(p) => {
            yusuan_write::write_atomic(p, format!("{json}\n").as_bytes())?;
        }
        None => super::out(&format!("{json}\n"))?,
    }
    Ok(Outcome::Clean)
}
