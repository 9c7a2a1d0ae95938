//! `yusuan template -o FILE [--year Y] [--department NAME]`
//!
//! Writes the blank submission workbook departments fill in: 部门基本情况 and every
//! table of the canonical set with its title, unit line, merged headers and 合计 row.

use std::path::PathBuf;

use anyhow::Result;

use super::Outcome;

/// 生成空白的部门预算填报模板（.xlsx）。
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输出文件（.xlsx）
    #[arg(short, long)]
    output: PathBuf,
    /// 预算年度，如 2024
    #[arg(long)]
    year: Option<i32>,
    /// 部门名称，写入标题和部门基本情况
    #[arg(long)]
    department: Option<String>,
}

pub fn run(a: Args) -> Result<Outcome> {
    yusuan_write::check_output(&a.output, &[])?;
    let mut wb = yusuan_write::template(a.department.as_deref(), a.year).map_err(|source| {
        yusuan_write::OutputError::Workbook {
            path: a.output.clone(),
            source,
        }
    })?;
    yusuan_write::save_workbook(&mut wb, &a.output)?;
    eprintln!("已生成填报模板：{}", a.output.display());
    Ok(Outcome::Clean)
}
