//! `yusuan convert FILE [-o OUT.xlsx] [--unit 万元|元] [--force]`
//!
//! Validates the submission, then writes the formatted public-disclosure workbook
//! (封面, 目录, every table of the canonical set, print-ready). With errors nothing is
//! written and the exit code is 1, unless `--force`. The default output is
//! `<name>.公开.xlsx` beside the input; the input is never overwritten.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::Outcome;
use yusuan::Unit;

/// 输出单位
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum UnitArg {
    #[value(name = "万元")]
    WanYuan,
    #[value(name = "元")]
    Yuan,
}

/// 公开表样式
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LayoutArg {
    /// 四川县级部门预算公开表（表1至表5）
    #[value(name = "sichuan", alias = "四川")]
    Sichuan,
    /// 上海市区级部门（单位）预算公开表（九张表）
    #[value(name = "shanghai", alias = "上海")]
    Shanghai,
}

/// 情况说明放在公开表之前还是之后
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OrderArg {
    /// 情况说明在前，各表作为附表在后（多数公开文件如此）
    #[value(name = "text-first")]
    TextFirst,
    /// 各表在前，情况说明在后
    #[value(name = "tables-first")]
    TablesFirst,
}

impl From<OrderArg> for yusuan_write::Order {
    fn from(o: OrderArg) -> yusuan_write::Order {
        match o {
            OrderArg::TextFirst => yusuan_write::Order::TextFirst,
            OrderArg::TablesFirst => yusuan_write::Order::TablesFirst,
        }
    }
}

impl LayoutArg {
    /// The catalogue key of the layout.
    pub fn key(self) -> &'static str {
        match self {
            LayoutArg::Sichuan => "sichuan",
            LayoutArg::Shanghai => "shanghai",
        }
    }
}

impl From<UnitArg> for Unit {
    fn from(u: UnitArg) -> Unit {
        match u {
            UnitArg::WanYuan => Unit::WanYuan,
            UnitArg::Yuan => Unit::Yuan,
        }
    }
}

/// 校验后生成可直接公开、打印的部门预算公开表（.xlsx）。
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 部门预算工作簿
    file: PathBuf,
    /// 输出文件，默认为输入文件旁的“<文件名>.公开.xlsx”
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// 公开表的金额单位（默认按公开表样式：四川为万元，上海各表为元、“三公”表为万元）
    #[arg(long, value_enum)]
    unit: Option<UnitArg>,
    /// 公开表样式（默认与报送的工作簿相同）
    #[arg(long, value_enum)]
    layout: Option<LayoutArg>,
    /// 情况说明的位置（默认按公开表样式；四川样式为情况说明在前）
    #[arg(long, value_enum)]
    order: Option<OrderArg>,
    /// 封面上的日期（默认为今天，如“2026年3月1日”）
    #[arg(long)]
    date: Option<String>,
    /// 有错误时仍然生成（错误照常列出，退出码仍为 1）
    #[arg(long)]
    force: bool,
    /// 本地完整的科目代码表（CSV）
    #[arg(long)]
    codes: Option<PathBuf>,
}

/// `dir/name.xlsx` → `dir/name.公开.xlsx`.
pub fn default_output(input: &Path) -> PathBuf {
    let stem = input.file_stem().and_then(|s| s.to_str()).unwrap_or("预算");
    input.with_file_name(format!("{stem}.公开.xlsx"))
}

impl Args {
    /// The files the command reads (for a message should its process abort).
    pub fn inputs(&self) -> Vec<PathBuf> {
        vec![self.file.clone()]
    }
}

pub fn run(a: Args) -> Result<Outcome> {
    let out = a.output.clone().unwrap_or_else(|| default_output(&a.file));
    yusuan_write::check_output(&out, &[&a.file])?;
    let codes = super::code_lists(a.codes.as_deref())?;
    let (_, budget) = yusuan::load(&a.file, &codes)?;
    let report = yusuan::check(&budget, &codes, None);
    if !report.findings.is_empty() {
        let color = std::io::stdout().is_terminal();
        let name = a.file.display().to_string();
        super::out(&yusuan::report::text(&name, Some(&budget), &report, color))?;
    }
    if let Err(why) = yusuan::pipeline::convertible(&budget, &report, a.force) {
        if budget.tables.iter().any(|t| t.unit.is_none()) {
            bail!("{}：{why}，未生成公开表", a.file.display());
        }
        eprintln!("{why}（改正后重试，或用 --force 强制生成）");
        return Ok(Outcome::Findings);
    }
    let publish = yusuan::pipeline::Publish {
        unit: a.unit.map(Unit::from),
        layout: a.layout.map(|l| l.key().to_string()),
        order: a.order.map(Into::into),
        date: Some(a.date.clone().unwrap_or_else(yusuan_write::today)),
        unverified: report
            .has_errors()
            .then(|| report.count(yusuan_rules::Severity::Error)),
    };
    yusuan::pipeline::write_disclosure(&budget, &publish, &out, &codes)?;
    if report.has_errors() {
        eprintln!(
            "已生成公开表（未通过校验，已在封面、页脚和文档属性中注明，不得公开）：{}",
            out.display()
        );
    } else {
        eprintln!("已生成公开表：{}", out.display());
    }
    Ok(if report.has_errors() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
