//! `yusuan check FILE... [--format text|json] [--codes FILE] [--report OUT.xlsx]
//!                       [--annotate OUT.xlsx] [--narrative TEXT] [--previous PREV]`
//!
//! Runs every rule on each file. A workbook is checked with its own text sheets or
//! `--narrative`; an explanation text on its own (`.txt`, `.md`, `.docx`) gets the
//! text-only audit. Text: grouped by table, most severe first, coloured on a terminal,
//! with counts and the ledger. JSON: contract `yusuan-check/1` (one object, or an array
//! for several files). Exit 0 no errors, 1 errors, 2 a file could not be used.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Result, bail};

use super::Outcome;
use yusuan_rules::Report;
use yusuan_write::{Listed, OutputError};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// 检查部门预算工作簿：表内勾稽、表间一致、科目编码与名称、空表说明等；也可只检查情况说明文本。
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 一个或多个部门预算工作簿；也可以是情况说明文本（.txt、.md、.docx），只检查文字本身
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// 输出格式
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// 本地完整的科目代码表（CSV：科目编码,科目名称），优先于内置科目表
    #[arg(long)]
    codes: Option<PathBuf>,
    /// 把问题清单写成工作簿（.xlsx）
    #[arg(long, value_name = "OUT.xlsx")]
    report: Option<PathBuf>,
    /// 生成标注问题单元格的工作簿副本（只能检查一个文件时使用）
    #[arg(long, value_name = "OUT.xlsx")]
    annotate: Option<PathBuf>,
    /// 同时检查情况说明文本（.txt、.md 或 .docx）
    #[arg(long, value_name = "TEXT")]
    narrative: Option<PathBuf>,
    /// 上年度的部门预算工作簿，用于核对情况说明中的增减变化（须为同一部门的上一年度）；检查决算时为上年度的部门决算
    #[arg(long, value_name = "PREV")]
    previous: Option<PathBuf>,
    /// 检查决算时：当年的部门预算工作簿，用于核对情况说明中的年初预算数
    #[arg(long, value_name = "BUDGET")]
    budget: Option<PathBuf>,
}

/// One file's report: printed as text at once, or kept for the JSON answer.
fn emit(
    format: Format,
    name: &str,
    budget: Option<&yusuan::Budget>,
    report: &Report,
    color: bool,
    json_items: &mut Vec<serde_json::Value>,
) -> Result<()> {
    match format {
        Format::Text => Ok(super::out(&yusuan::report::text(
            name, budget, report, color,
        ))?),
        Format::Json => {
            json_items.push(serde_json::to_value(yusuan::report::file_json(
                name, budget, report,
            ))?);
            Ok(())
        }
    }
}

/// An explanation text rather than a workbook, by its extension.
fn is_text(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["txt", "md", "markdown", "docx", "text"].contains(&e.to_ascii_lowercase().as_str())
    })
}

/// The 问题清单 of every file checked, at `out`; its cells link into `annotated`.
fn write_report<'r>(
    out: &std::path::Path,
    mut listed: Vec<Listed<'r>>,
    reports: &'r [(String, Report)],
    annotated: Option<&std::path::Path>,
) -> Result<()> {
    for (l, (_, r)) in listed.iter_mut().zip(reports) {
        l.lines = yusuan_write::finding_lines(r);
        l.ledger = Some(&r.ledger);
        l.annotated = annotated.map(|copy| link(out, copy));
    }
    let mut wb =
        yusuan_write::findings_workbook(&listed, &yusuan_write::today()).map_err(|source| {
            OutputError::Workbook {
                path: out.to_path_buf(),
                source,
            }
        })?;
    yusuan_write::save_workbook(&mut wb, out)?;
    eprintln!("已生成问题清单：{}", out.display());
    Ok(())
}

/// How the 问题清单 at `report` links to the annotated copy at `copy`: by name when
/// they are in one folder, else by full path.
fn link(report: &std::path::Path, copy: &std::path::Path) -> String {
    let folder = |p: &std::path::Path| {
        p.parent()
            .map(|d| {
                if d.as_os_str().is_empty() {
                    std::path::Path::new(".")
                } else {
                    d
                }
            })
            .and_then(|d| d.canonicalize().ok())
    };
    match (folder(report), folder(copy), copy.file_name()) {
        (Some(a), Some(b), Some(name)) if a == b => name.to_string_lossy().into_owned(),
        (_, Some(b), Some(name)) => b.join(name).to_string_lossy().into_owned(),
        _ => copy.display().to_string(),
    }
}

impl Args {
    /// The files the command reads (for a message should its process abort).
    pub fn inputs(&self) -> Vec<PathBuf> {
        self.files.clone()
    }
}

/// The command line checked, and what every file is checked with: the code lists, the
/// text, last year's workbook, the year's 预算 (for a 决算).
type Prepared = (
    yusuan::CodeLists,
    Option<yusuan_narrative::check::Text>,
    Option<yusuan::Budget>,
    Option<yusuan::Budget>,
);

fn prepare(a: &Args) -> Result<Prepared> {
    for (flag, given) in [
        ("--annotate", a.annotate.is_some()),
        ("--previous", a.previous.is_some()),
        ("--budget", a.budget.is_some()),
    ] {
        if given && a.files.len() != 1 {
            bail!(
                "{flag} 只能用于检查一个文件（现在给了 {} 个）",
                a.files.len()
            );
        }
    }
    if a.annotate.is_some() && is_text(&a.files[0]) {
        bail!(
            "--annotate 只能用于工作簿，{} 是情况说明文本",
            a.files[0].display()
        );
    }
    let inputs: Vec<&std::path::Path> = a.files.iter().map(PathBuf::as_path).collect();
    for out in a.report.iter().chain(a.annotate.iter()) {
        yusuan_write::check_output(out, &inputs)?;
    }
    let codes = super::code_lists(a.codes.as_deref())?;
    let narrative = match &a.narrative {
        Some(p) => Some(yusuan_narrative::check::Text::read(p)?),
        None => None,
    };
    let previous = match &a.previous {
        Some(p) => Some(yusuan::load(p, &codes)?.1),
        None => None,
    };
    let plan = match &a.budget {
        Some(p) => Some(yusuan::load(p, &codes)?.1),
        None => None,
    };
    Ok((codes, narrative, previous, plan))
}

pub fn run(a: Args) -> Result<Outcome> {
    let (codes, narrative, previous, plan) = prepare(&a)?;
    let color = std::io::stdout().is_terminal();
    let mut unusable = false;
    let mut errors = false;
    let mut json_items: Vec<serde_json::Value> = Vec::new();
    let mut reports: Vec<(String, Report)> = Vec::new();
    let mut listed: Vec<Listed<'_>> = Vec::new();
    for path in &a.files {
        let name = path.display().to_string();
        let cannot_use =
            |e: &dyn std::fmt::Display, items: &mut Vec<serde_json::Value>| match a.format {
                Format::Text => eprintln!("错误：{e}"),
                Format::Json => items.push(yusuan::report::unreadable_json(&name, &e.to_string())),
            };
        if is_text(path) {
            let text = match yusuan_narrative::check::Text::read(path) {
                Ok(t) => t,
                Err(e) => {
                    unusable = true;
                    cannot_use(&e, &mut json_items);
                    continue;
                }
            };
            let report = yusuan::check_text_only(&text);
            errors |= report.has_errors();
            emit(a.format, &name, None, &report, color, &mut json_items)?;
            listed.push(Listed {
                file: name.clone(),
                department: None,
                year: None,
                lines: Vec::new(),
                ledger: None,
                annotated: None,
            });
            reports.push((name, report));
            continue;
        }
        let (grid, budget) = match yusuan::load(path, &codes) {
            Ok(x) => x,
            Err(e) => {
                unusable = true;
                cannot_use(&e, &mut json_items);
                continue;
            }
        };
        if let Some(prev) = &previous {
            yusuan::same_department_year_before(&budget, prev)?;
        }
        if let Some(plan) = &plan {
            yusuan::same_department_year_budget(&budget, plan).map_err(anyhow::Error::msg)?;
        }
        let report = yusuan::check_with(
            &budget,
            &codes,
            narrative.as_ref(),
            previous.as_ref(),
            plan.as_ref(),
        );
        errors |= report.has_errors();
        emit(
            a.format,
            &name,
            Some(&budget),
            &report,
            color,
            &mut json_items,
        )?;
        if let Some(out) = &a.annotate {
            let notes = yusuan_write::save_annotated(path, &grid, &report, out)?;
            eprintln!("已生成标注副本：{}", out.display());
            for n in notes {
                eprintln!("注意：{}：{n}", path.display());
            }
        }
        listed.push(Listed {
            file: name.clone(),
            department: budget.department.clone(),
            year: budget.year,
            lines: Vec::new(),
            ledger: None,
            annotated: None,
        });
        reports.push((name, report));
    }
    if let Format::Json = a.format {
        let v = if json_items.len() == 1 && a.files.len() == 1 {
            json_items.remove(0)
        } else {
            serde_json::Value::Array(json_items)
        };
        super::out(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
    }
    if let Some(out) = &a.report {
        write_report(out, listed, &reports, a.annotate.as_deref())?;
    }
    Ok(if unusable {
        Outcome::Unusable
    } else if errors {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
