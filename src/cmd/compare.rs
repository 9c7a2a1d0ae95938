//! `yusuan compare BUDGET FINAL [--format text|json] [-o 对比表.xlsx]`
//!
//! A department's 预算 against its 决算 of the same year: each 一般公共预算 类/款/项 and
//! each “三公” part with 预算数, 决算数 and the difference (text and JSON in 万元 and 元
//! respectively, as `export` gives amounts; the workbook in 万元).

use std::path::PathBuf;

use anyhow::Result;

use super::Outcome;
use yusuan::CodeLists;
use yusuan_core::compare::{Compared, compare};
use yusuan_core::{Unit, show2};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// 对比同一部门同一年度的预算与决算：逐项列出一般公共预算各类、款、项和“三公”经费的预算数、决算数及差额。
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 部门预算工作簿
    budget: PathBuf,
    /// 部门决算工作簿
    #[arg(value_name = "FINAL")]
    final_: PathBuf,
    /// 终端输出格式：text（万元）或 json（元）
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// 另存对比表（.xlsx）
    #[arg(short, long)]
    output: Option<PathBuf>,
}

impl Args {
    /// The files the command reads (for a message should its process abort).
    pub fn inputs(&self) -> Vec<PathBuf> {
        vec![self.budget.clone(), self.final_.clone()]
    }
}

fn wan(v: Option<rust_decimal::Decimal>) -> String {
    v.map_or_else(|| "—".to_string(), |v| show2(Unit::WanYuan.from_yuan(v)))
}

fn text_line(l: &Compared) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        l.level,
        l.code.as_deref().unwrap_or(""),
        l.name,
        wan(l.budget),
        wan(l.final_),
        wan(l.difference)
    )
}

pub fn run(a: Args) -> Result<Outcome> {
    if let Some(p) = &a.output {
        yusuan_write::check_output(p, &[&a.budget, &a.final_])?;
    }
    let (_, budget) = yusuan::load(&a.budget, CodeLists::builtin())?;
    let (_, final_) = yusuan::load(&a.final_, CodeLists::builtin())?;
    let c = compare(&budget, &final_)
        .map_err(|e| anyhow::anyhow!("{}、{}：{e}", a.budget.display(), a.final_.display()))?;
    if budget.department != final_.department || budget.year != final_.year {
        eprintln!(
            "注意：两个工作簿的部门或年度不同（预算：{} {}；决算：{} {}）",
            budget.department_name(),
            budget.year.map(|y| format!("{y}年")).unwrap_or_default(),
            final_.department_name(),
            final_.year.map(|y| format!("{y}年")).unwrap_or_default(),
        );
    }
    let out = match a.format {
        Format::Json => format!("{}\n", serde_json::to_string_pretty(&c)?),
        Format::Text => {
            let mut s = format!(
                "{}{}预算与决算对比（万元）\n级次\t科目编码\t科目名称\t预算数\t决算数\t决算数−预算数\n",
                c.department.as_deref().unwrap_or(""),
                c.year.map(|y| format!("{y}年")).unwrap_or_default()
            );
            for l in &c.lines {
                s.push_str(&text_line(l));
                s.push('\n');
            }
            s
        }
    };
    super::out(&out)?;
    if let Some(p) = &a.output {
        let mut wb = yusuan_write::comparison_workbook(&c)?;
        yusuan_write::save_workbook(&mut wb, p)?;
        eprintln!("已生成对比表：{}", p.display());
    }
    Ok(Outcome::Clean)
}
