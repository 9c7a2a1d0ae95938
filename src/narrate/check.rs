//! The N rules: an explanation text against the tables and against itself.

use crate::validate::{Ctx, NotRun, Out, Rule, Severity, make_rule};

/// An explanation text, split into paragraphs with their line numbers.
#[derive(Debug, Clone, Default)]
pub struct Text {
    pub paragraphs: Vec<(usize, String)>,
}

fn needs_text<'a>(ctx: &Ctx<'a>) -> Result<&'a Text, NotRun> {
    ctx.narrative
        .ok_or_else(|| NotRun("未提供情况说明文本（用 --narrative 指定）".into()))
}

fn pending(ctx: &Ctx<'_>, _out: &mut Out) -> Result<(), NotRun> {
    needs_text(ctx)?;
    Err(NotRun("该规则尚未实现".into()))
}

/// The N rules, in catalogue order.
pub static RULES: &[Rule] = &[
    make_rule("N401", Severity::Error, "说明中的金额与表格一致", pending),
    make_rule(
        "N402",
        Severity::Warning,
        "说明中的占比与重新计算的一致",
        pending,
    ),
    make_rule(
        "N403",
        Severity::Warning,
        "说明中的科目名称为现行名称且与表格一致",
        pending,
    ),
    make_rule("N404", Severity::Warning, "列表序号连续", pending),
    make_rule("N405", Severity::Warning, "增减变化写明原因", pending),
    make_rule(
        "N406",
        Severity::Warning,
        "只出现预算年度和上一年度",
        pending,
    ),
    make_rule("N407", Severity::Warning, "增长率与增减金额一致", pending),
    make_rule("N408", Severity::Error, "同一段中的分项与总数相符", pending),
    make_rule("N409", Severity::Warning, "金额单位正确", pending),
];

/// Why an explanation text could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("无法读取情况说明 {path}：{detail}")]
    Read { path: String, detail: String },
}

impl Text {
    /// Split a text into paragraphs (one per non-empty line), numbered from 1.
    pub fn parse(s: &str) -> Text {
        Text {
            paragraphs: s
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| (i + 1, l.to_string()))
                .collect(),
        }
    }

    /// Read a .txt or .md file (UTF-8, or GB18030 as saved by older Windows tools).
    pub fn read(path: &std::path::Path) -> Result<Text, TextError> {
        let bytes = std::fs::read(path).map_err(|e| TextError::Read {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        let s = String::from_utf8(bytes).map_err(|_| TextError::Read {
            path: path.display().to_string(),
            detail: "不是 UTF-8 编码的文本".into(),
        })?;
        Ok(Text::parse(&s))
    }
}
