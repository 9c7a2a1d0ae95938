//! `yusuan template -o FILE [--year Y] [--department NAME] [--layout sichuan|shanghai]`
//!
//! Writes the blank submission workbook departments fill in: for the Sichuan set,
//! 部门基本情况 and every table with its title, unit line, merged headers and 合计 row;
//! for another layout, its own tables and text sheets in its order.

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
    /// 模板样式（默认四川县级部门预算公开表）
    #[arg(long, value_enum, value_name = "样式")]
    layout: Option<super::convert::LayoutArg>,
}

pub fn run(a: Args) -> Result<Outcome> {
    yusuan_write::check_output(&a.output, &[])?;
    let key = a.layout.map_or("sichuan", |l| l.key());
    let layout = yusuan_core::Catalog::get()
        .layout(key)
        .ok_or_else(|| anyhow::anyhow!("目录中没有样式 {key}"))?;
    let made = yusuan_write::layout_template(layout, a.department.as_deref(), a.year);
    let mut wb = made.map_err(|source| yusuan_write::OutputError::Workbook {
        path: a.output.clone(),
        source,
    })?;
    yusuan_write::save_workbook(&mut wb, &a.output)?;
    eprintln!("已生成填报模板：{}", a.output.display());
    Ok(Outcome::Clean)
}
