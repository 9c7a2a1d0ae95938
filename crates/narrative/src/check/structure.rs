//! Text → sections → paragraphs: which section each paragraph is in (the Sichuan
//! template's 一 … 十一, the Shanghai sheets 编制说明 / 其他相关情况说明 / 项目经费情况说明,
//! a 决算's 第一部分 …), its sub-heading, its list number and its numbering scope.

use std::sync::LazyLock;

use regex::Regex;
use yusuan_core::text::fold;
use yusuan_core::{CellRef, TextLine};

use super::Text;

/// The section a paragraph belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sec {
    None,
    Functions,
    Units,
    /// 收支预算（增减变化）情况
    Change,
    Fiscal,
    Gpb,
    Basic,
    ThreePublic,
    Fund,
    Soe,
    /// 其他重要事项 / 其他相关情况说明: 机关运行经费, 政府采购, 资产, 绩效
    Other,
    Terms,
    /// The Shanghai 部门预算编制说明: the totals, then each 项 of 财政拨款支出.
    Explanation,
    /// 项目经费情况说明: one project's plan, not the tables' figures.
    Projects,
}

/// The section a heading (or a text sheet's title) announces.
pub(crate) fn section_of(heading: &str) -> Sec {
    let h = fold(heading);
    let has = |w: &str| h.contains(w);
    if has("名词解释") {
        Sec::Terms
    } else if has("项目经费") {
        Sec::Projects
    } else if has("编制说明") {
        Sec::Explanation
    } else if has("三公") {
        Sec::ThreePublic
    } else if has("政府性基金") {
        Sec::Fund
    } else if has("国有资本经营") {
        Sec::Soe
    } else if has("其他重要事项")
        || has("其他相关情况")
        || has("机关运行经费")
        || has("政府采购")
        || has("绩效")
        || has("国有资产")
    {
        Sec::Other
    } else if has("基本支出") {
        Sec::Basic
    } else if has("一般公共预算当年拨款") || has("一般公共预算拨款") || has("一般公共预算支出")
    {
        Sec::Gpb
    } else if has("财政拨款") {
        Sec::Fiscal
    } else if has("收支预算") || has("增减") || has("收支总") || has("收入支出决算")
    {
        Sec::Change
    } else if has("单位构成") || has("机构设置") {
        Sec::Units
    } else if has("职能") || has("主要工作") {
        Sec::Functions
    } else {
        Sec::None
    }
}

static HEAD1: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([一二三四五六七八九十]+)[、.．]").expect("re"));
static HEAD2: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(]([一二三四五六七八九十]+)[）)]").expect("re"));
static HEAD3: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9０-９]{1,3})[.．、]\s*([^0-9０-９]|$)").expect("re"));
/// `第一部分 …`: a part of a 决算 text.
static PART: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^第[一二三四五六七八九十]+部分").expect("re"));

/// `十一` → 11.
pub(crate) fn chinese_number(s: &str) -> u32 {
    let d = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|x| x == c)
            .map(|p| p as u32)
    };
    let cs: Vec<char> = s.chars().collect();
    match cs.as_slice() {
        ['十'] => 10,
        ['十', b] => 10 + d(*b).unwrap_or(0),
        [a, '十'] => d(*a).unwrap_or(0) * 10,
        [a, '十', b] => d(*a).unwrap_or(0) * 10 + d(*b).unwrap_or(0),
        [a] => d(*a).unwrap_or(0),
        _ => 0,
    }
}

/// One paragraph with where it sits in the text.
#[derive(Debug, Clone)]
pub(crate) struct Para {
    /// Position among the paragraphs.
    pub idx: usize,
    /// One-based line of the text.
    pub line: usize,
    /// Its cell, for a workbook's own text.
    pub cell: Option<CellRef>,
    /// The text without Markdown heading marks, trimmed.
    pub text: String,
    pub sec: Sec,
    /// The current （一） heading's text within the section.
    pub sub: String,
    /// (level, number) when the paragraph starts with a list number.
    pub number: Option<(u8, u32)>,
    /// Numbering scope: a new text sheet, a 第…部分, or a section title line starts one.
    pub scope: usize,
}

/// A line that is the title of a section of its own (`其他相关情况说明`,
/// `2024年部门预算编制说明`), not a sentence.
fn is_section_title(t: &str) -> bool {
    let f = fold(t);
    f.chars().count() <= 30
        && !f.contains([',', '。', ';'])
        && (f.ends_with("情况说明")
            || f.ends_with("编制说明")
            || f.ends_with("名词解释")
            || f.ends_with("主要职能")
            || f.ends_with("机构设置")
            || f.ends_with("单位职能"))
        && !HEAD1.is_match(t)
        && !HEAD2.is_match(t)
        && !HEAD3.is_match(t)
}

/// Whether a line is a heading or title rather than a piece of a sentence: it starts
/// with a list number or names a section, and has no sentence punctuation.
fn is_heading_like(t: &str) -> bool {
    let f = fold(t.trim());
    let bare = !f.contains([',', '。', ';', ':']);
    bare && (f.chars().count() <= 30
        || HEAD1.is_match(&f)
        || HEAD2.is_match(&f)
        || PART.is_match(&f))
}

/// Lines of a text wrapped at a fixed width (copied from a PDF or a web page:
/// `…较2020年度决算数减少91.91` / `万元,下降16.4%…`) joined back into their paragraphs.
/// A line continues the one before when that one ends mid-sentence, is not a heading,
/// and this one does not start a list item or heading. Each paragraph keeps its first
/// line's number. A workbook's cells are paragraphs already and are kept as they are.
fn unwrapped(lines: &[TextLine]) -> Vec<TextLine> {
    let mut out: Vec<TextLine> = Vec::new();
    for l in lines {
        let t = l.text.trim().trim_start_matches(['\u{3000}', ' ']);
        let starts_item =
            HEAD1.is_match(t) || HEAD2.is_match(t) || HEAD3.is_match(t) || PART.is_match(t);
        if let Some(prev) = out.last_mut()
            && prev.cell.is_none()
            && l.cell.is_none()
            && !starts_item
        {
            let p = prev.text.trim_end();
            let ends = p.ends_with(['。', '；', ';', '！', '？', '!', '?', '：', ':']);
            if !ends && !is_heading_like(p) && !p.starts_with('#') {
                prev.text = format!("{p}{t}");
                continue;
            }
        }
        out.push(l.clone());
    }
    out
}

/// The paragraphs of a text with their sections and numbering scopes.
pub(crate) fn structure(text: &Text) -> Vec<Para> {
    let lines = unwrapped(&text.lines);
    let mut out = Vec::new();
    let mut sec = Sec::None;
    let mut sub = String::new();
    let mut scope = 0;
    let mut sheet: Option<String> = None;
    for l in &lines {
        let t = l
            .text
            .trim()
            .trim_start_matches('#')
            .trim()
            .trim_start_matches(['\u{3000}', ' '])
            .trim()
            .to_string();
        // A workbook's text sheet is a section of its own, titled by its first line.
        let new_sheet = l.cell.as_ref().map(|c| c.sheet.clone());
        if new_sheet.is_some() && new_sheet != sheet {
            sheet = new_sheet;
            scope += 1;
            sec = section_of(&t);
            sub.clear();
        } else if PART.is_match(&t) || is_section_title(&t) {
            scope += 1;
            sec = section_of(&t);
            sub.clear();
        }
        let mut number = None;
        if let Some(c) = HEAD1.captures(&t) {
            number = Some((1, chinese_number(&c[1])));
            let s = section_of(&t);
            // Within a Shanghai sheet the numbered items (`一、…三公…`) refine the
            // sheet's section; elsewhere a 一级 heading starts its section.
            if s != Sec::None || !matches!(sec, Sec::Explanation | Sec::Projects) {
                sec = s;
            }
            sub.clear();
        } else if let Some(c) = HEAD2.captures(&t) {
            number = Some((2, chinese_number(&c[1])));
            sub = t.clone();
        } else if let Some(c) = HEAD3.captures(&t) {
            number = fold(&c[1]).parse().ok().map(|n| (3, n));
        }
        out.push(Para {
            idx: out.len(),
            line: l.line,
            cell: l.cell.clone(),
            text: t,
            sec,
            sub: sub.clone(),
            number,
            scope,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_numbers_and_scopes() {
        assert_eq!(chinese_number("十一"), 11);
        assert_eq!(chinese_number("二十"), 20);
        let t = Text::parse(
            "一、基本职能\n（一）职责\n1.甲\n 2.乙\n4. 丁\n（二）重点\n（二）重复\n二、部门预算单位构成\n其他相关情况说明\n一、三公经费\n",
        );
        let p = structure(&t);
        let nums: Vec<Option<(u8, u32)>> = p.iter().map(|x| x.number).collect();
        assert_eq!(nums[2..5], [Some((3, 1)), Some((3, 2)), Some((3, 4))]);
        assert_eq!(p[7].sec, Sec::Units);
        assert_eq!(p[8].sec, Sec::Other);
        assert!(p[9].scope > p[7].scope);
        assert_eq!(p[9].sec, Sec::ThreePublic);
    }
}
