//! `yusuan template -o FILE [--year Y] [--department NAME] [--layout sichuan|shanghai]
//! [--stage budget|final]`
//!
//! Writes the blank submission workbook departments fill in: for the Sichuan set,
//! 部门基本情况 and every table with its title, unit line, merged headers and 合计 row;
//! for another layout, its own tables and text sheets in its order; with `--stage
//! final`, the nine 部门决算 tables.

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
    /// 预算（budget，默认）或决算（final：部门决算公开表九张表）
    #[arg(long, value_enum, default_value = "budget", value_name = "阶段")]
    stage: StageArg,
}

/// 预算或决算
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum StageArg {
    /// 部门预算
    #[value(name = "budget", alias = "预算")]
    Budget,
    /// 部门决算
    #[value(name = "final", alias = "决算")]
    Final,
}

pub fn run(a: Args) -> Result<Outcome> {
    yusuan_write::check_output(&a.output, &[])?;
    let key = match (a.stage, a.layout) {
        (StageArg::Budget, layout) => layout.map_or("sichuan", |l| l.key()),
        (StageArg::Final, None) => "final",
        (StageArg::Final, Some(_)) => anyhow::bail!(
            "部门决算模板只有一种样式（全国统一的部门决算公开表），不能与 --layout 同用"
        ),
    };
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
