//! `yusuan narrative FILE [--previous PREV] [-o OUT]`
//!
//! Writes the 部门预算情况说明 from the workbook: a Word document for `.docx`, Markdown
//! for `.md`, plain text otherwise (standard output without `-o`). Last year's figures come from the
//! 部门基本情况 sheet (上年预算…) or from `--previous` (last year's workbook).

use std::path::PathBuf;

use anyhow::Result;

use super::Outcome;
use yusuan::CodeLists;
use yusuan_narrative::Prior;

/// 生成部门预算情况说明（.docx、.md 或 .txt）。
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 部门预算工作簿
    file: PathBuf,
    /// 上年度的部门预算工作簿（用于增减变化；不给则用部门基本情况中的上年预算数）；决算则为上年度的部门决算工作簿
    #[arg(long)]
    previous: Option<PathBuf>,
    /// 决算：当年的部门预算工作簿（用于年初预算数和完成率）
    #[arg(long, value_name = "BUDGET")]
    budget: Option<PathBuf>,
    /// 输出文件（.docx 为 Word 文档，.md 为 Markdown，其他为纯文本）；不给则写到标准输出
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
    let codes = CodeLists::builtin();
    if let Some(p) = &a.output {
        let mut inputs = vec![a.file.as_path()];
        inputs.extend(a.previous.as_deref());
        inputs.extend(a.budget.as_deref());
        yusuan_write::check_output(p, &inputs)?;
    }
    let (_, budget) = yusuan::load(&a.file, codes)?;
    let mut prior = Prior::from_info(&budget);
    if let Some(prev) = &a.previous {
        let (_, last) = yusuan::load(prev, codes)?;
        yusuan::same_department_year_before(&budget, &last)?;
        prior = Prior::from_budget(&last).or(prior);
    }
    let n = match budget.stage {
        yusuan_core::Stage::Budget => {
            if a.budget.is_some() {
                anyhow::bail!("--budget 只用于部门决算：{} 是部门预算", a.file.display());
            }
            yusuan_narrative::generate(&budget, codes, prior)
        }
        yusuan_core::Stage::Final => {
            let planned = match &a.budget {
                Some(p) => Some(yusuan::load(p, codes)?.1),
                None => None,
            };
            if let Some(p) = &planned
                && p.stage != yusuan_core::Stage::Budget
            {
                anyhow::bail!(
                    "--budget 应为部门预算工作簿，{} 是部门决算",
                    p.department_name()
                );
            }
            yusuan_narrative::generate_final(&budget, codes, prior, planned.as_ref())
        }
    };
    for w in &n.warnings {
        eprintln!("提示：{w}");
    }
    let ext = a
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = match ext.as_deref() {
        Some("docx") => n.to_docx()?,
        Some("md") => n.to_markdown().into_bytes(),
        _ => n.to_text().into_bytes(),
    };
    match &a.output {
        Some(p) => {
            yusuan_write::write_atomic(p, &bytes)?;
            eprintln!("已生成情况说明：{}", p.display());
        }
        None => super::out(&String::from_utf8_lossy(&bytes))?,
    }
    Ok(Outcome::Clean)
}
