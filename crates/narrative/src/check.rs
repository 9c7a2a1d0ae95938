//! The N rules: an explanation text against the tables and against itself.
//!
//! The text is split into its numbered structure (一、 / （一） / 1.), sentences and
//! figures. Each figure is classified (an amount, an 增减 amount, a share 占x%, a growth
//! rate, a threshold such as “单位价值200万元以上”) and its subject is resolved against
//! the tables, section by section (四 speaks of 表2, 五 of 表3, 十(四) of 绩效资金…).
//! Amounts are compared with the tables allowing for the text's rounding to two
//! decimals of 万元. A figure whose subject cannot be resolved is not judged: precision
//! matters as much as recall.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::Prior;
use yusuan_core::text::fold;
use yusuan_core::{CellRef, TextLine, Unit, round2};
use yusuan_core::{Scheme, TableId};
use yusuan_rules::{Ctx, Meta, NotRun, Out, Rule, Severity, num};

/// An explanation text, as lines (paragraphs) with their one-based line numbers (and
/// their cells when the text is a workbook's own).
#[derive(Debug, Clone, Default)]
pub struct Text {
    /// The non-empty lines.
    pub lines: Vec<TextLine>,
}

/// Why an explanation text could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("无法读取情况说明 {path}：{detail}")]
    Read { path: String, detail: String },
}

impl Text {
    /// One paragraph per non-empty line, numbered from 1.
    pub fn parse(s: &str) -> Text {
        Text {
            lines: s
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| TextLine {
                    line: i + 1,
                    cell: None,
                    text: l.to_string(),
                })
                .collect(),
        }
    }

    /// A workbook's own text (its text sheets), each line with its cell.
    pub fn from_lines(lines: Vec<TextLine>) -> Text {
        Text { lines }
    }

    /// Read a .txt or .md file (UTF-8) or a .docx document.
    pub fn read(path: &Path) -> Result<Text, TextError> {
        let err = |detail: String| TextError::Read {
            path: path.display().to_string(),
            detail,
        };
        let bytes = std::fs::read(path).map_err(|e| err(yusuan_core::os_reason(&e)))?;
        if bytes.starts_with(b"PK\x03\x04") {
            return docx_text(&bytes).map(|s| Text::parse(&s)).map_err(err);
        }
        let s = String::from_utf8(bytes)
            .map_err(|_| err("不是 UTF-8 编码的文本；请另存为 UTF-8 或 .docx".into()))?;
        Ok(Text::parse(s.trim_start_matches('\u{feff}')))
    }
}

/// The paragraphs of a .docx (word/document.xml), one per line.
fn docx_text(bytes: &[u8]) -> Result<String, String> {
    use quick_xml::events::Event;
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("不是有效的 .docx 文件（{e}）"))?;
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .map_err(|_| "不是 Word 文档（缺少 word/document.xml）".to_string())?
        .take(64 * 1024 * 1024)
        .read_to_string(&mut xml)
        .map_err(|e| e.to_string())?;
    let mut r = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "w:t" => in_text = true,
            Ok(Event::End(e)) if e.name().as_ref() == "w:t" => in_text = false,
            Ok(Event::End(e)) if e.name().as_ref() == "w:p" => out.push('\n'),
            Ok(Event::Empty(e)) if e.name().as_ref() == "w:tab" => out.push('\t'),
            Ok(Event::Empty(e)) if e.name().as_ref() == "w:br" => out.push('\n'),
            Ok(Event::Text(t)) if in_text => {
                out.push_str(&t.xml10_content());
            }
            Ok(Event::GeneralRef(r)) if in_text => {
                let name: &str = r.as_ref();
                match name {
                    "lt" => out.push('<'),
                    "gt" => out.push('>'),
                    "amp" => out.push('&'),
                    "quot" => out.push('"'),
                    "apos" => out.push('\''),
                    n => {
                        let code = n
                            .strip_prefix("#x")
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()));
                        out.extend(code.and_then(char::from_u32));
                    }
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(format!("Word 文档内容无法解析（{e}）")),
            _ => {}
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- structure

/// The section a paragraph belongs to (the template's 一 … 十一).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sec {
    None,
    Functions,
    Units,
    Change,
    Fiscal,
    Gpb,
    Basic,
    ThreePublic,
    Fund,
    Soe,
    Other,
    Terms,
}

fn section_of(heading: &str) -> Sec {
    let h = fold(heading);
    let has = |w: &str| h.contains(w);
    if has("名词解释") {
        Sec::Terms
    } else if has("三公") {
        Sec::ThreePublic
    } else if has("政府性基金") {
        Sec::Fund
    } else if has("国有资本经营") {
        Sec::Soe
    } else if has("其他重要事项") || has("其他相关情况") {
        Sec::Other
    } else if has("基本支出") {
        Sec::Basic
    } else if has("一般公共预算当年拨款") || has("一般公共预算拨款") || has("一般公共预算支出")
    {
        Sec::Gpb
    } else if has("财政拨款") {
        Sec::Fiscal
    } else if has("收支预算") || has("增减") || has("收支总") {
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

fn chinese_number(s: &str) -> u32 {
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
struct Para {
    line: usize,
    cell: Option<CellRef>,
    /// The text without Markdown heading marks, trimmed.
    text: String,
    sec: Sec,
    /// The current （一） heading's text within the section.
    sub: String,
    /// (level, number) when the paragraph starts with a list number.
    number: Option<(u8, u32)>,
}

fn structure(text: &Text) -> Vec<Para> {
    let mut out = Vec::new();
    let mut sec = Sec::None;
    let mut sub = String::new();
    for l in &text.lines {
        let (line, raw) = (&l.line, &l.text);
        let t = raw
            .trim()
            .trim_start_matches('#')
            .trim()
            .trim_start_matches('\u{3000}')
            .trim();
        let t = t.trim_start_matches(['\u{3000}', ' ']).to_string();
        let mut number = None;
        if let Some(c) = HEAD1.captures(&t) {
            number = Some((1, chinese_number(&c[1])));
            sec = section_of(&t);
            sub.clear();
        } else if let Some(c) = HEAD2.captures(&t) {
            number = Some((2, chinese_number(&c[1])));
            sub = t.clone();
        } else if let Some(c) = HEAD3.captures(&t) {
            number = fold(&c[1]).parse().ok().map(|n| (3, n));
        }
        out.push(Para {
            line: *line,
            cell: l.cell.clone(),
            text: t,
            sec,
            sub: sub.clone(),
            number,
        });
    }
    out
}

// ---------------------------------------------------------------- figures

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Amount,
    /// An 增减 amount (+1 增加, −1 减少).
    Change(i8),
    Share,
    /// A growth rate (+1 增长, −1 下降).
    Rate(i8),
    /// A threshold (`单位价值200万元以上`): not a budget figure.
    Threshold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FigUnit {
    Wan,
    Yuan,
    Percent,
}

#[derive(Debug, Clone)]
struct Fig {
    kind: Kind,
    value: Decimal,
    /// Decimals as written.
    scale: u32,
    unit: FigUnit,
    /// The figure as written (`684.78万元`).
    shown: String,
    start: usize,
    end: usize,
    /// The words before the figure, back to the last clause break.
    subject: String,
    in_parens: bool,
}

static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(增加|减少|增长|下降|上升|降低|提高|减少了|增加了)?\s*([0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?)\s*(万元|元|%|％)")
        .expect("re")
});
static CHAIN_MARK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\((?:类|款|项)\)").expect("re"));
static YEAR_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9]{4}年(?:度|底|末)?").expect("re"));

const CLAUSE_BREAKS: &[char] = &['，', ',', '；', ';', '。', '：', ':', '、'];

fn subject_before(s: &str, start: usize) -> String {
    let head = &s[..start];
    let mut cut = head
        .rfind(CLAUSE_BREAKS)
        .map(|i| i + head[i..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0);
    if let Some(i) = head.rfind("其中") {
        cut = cut.max(i + "其中".len());
    }
    head[cut..].to_string()
}

/// The figures of one sentence.
fn figures(s: &str) -> Vec<Fig> {
    let mut out = Vec::new();
    for c in FIGURE.captures_iter(s) {
        let whole = c.get(0).expect("match");
        let num_m = c.get(2).expect("number");
        let digits: String = fold(num_m.as_str()).replace(',', "");
        let Ok(value) = digits.parse::<Decimal>() else {
            continue;
        };
        let unit = match c.get(3).map(|m| m.as_str()) {
            Some("万元") => FigUnit::Wan,
            Some("元") => FigUnit::Yuan,
            _ => FigUnit::Percent,
        };
        let before = &s[..num_m.start()];
        let after = &s[whole.end()..];
        let word = c.get(1).map(|m| m.as_str());
        let sign = |w: &str| {
            if w.starts_with("减少") || w == "下降" || w == "降低" {
                -1
            } else {
                1
            }
        };
        let kind = match (word, unit) {
            (Some(w), FigUnit::Percent) => Kind::Rate(sign(w)),
            (Some(w), _) => Kind::Change(sign(w)),
            (None, FigUnit::Percent) if before.trim_end().ends_with('占') => Kind::Share,
            (None, FigUnit::Percent) => Kind::Share,
            (None, _)
                if after.starts_with("以上")
                    || after.starts_with("以下")
                    || after.starts_with("及以上")
                    || before.ends_with("单位价值")
                    || before.ends_with("超过") =>
            {
                Kind::Threshold
            }
            _ => Kind::Amount,
        };
        let open = before.matches(['（', '(']).count();
        let close = before.matches(['）', ')']).count();
        out.push(Fig {
            kind,
            value,
            scale: digits.split('.').nth(1).map_or(0, |f| f.len() as u32),
            unit,
            shown: format!("{}{}", num_m.as_str(), c.get(3).map_or("", |m| m.as_str())),
            start: num_m.start(),
            end: whole.end(),
            subject: subject_before(s, whole.start()),
            in_parens: open > close,
        });
    }
    out
}

/// The subject words, cleaned of years and filler: `政协办2023年收支总预算` → `政协办收支总预算`.
fn clean_subject(s: &str) -> String {
    let s = YEAR_WORD.replace_all(s, "");
    let mut f = fold(&s);
    loop {
        let before = f.len();
        for suffix in [
            "预算数为",
            "预算为",
            "预算数",
            "共计",
            "合计为",
            "为",
            "是",
            "共",
            "达到",
            "达",
            "安排",
            "约",
            "计",
        ] {
            if let Some(x) = f.strip_suffix(suffix) {
                f = x.to_string();
            }
        }
        for prefix in ["其中", "包括", "主要包括", "安排", "共有"] {
            if let Some(x) = f.strip_prefix(prefix) {
                f = x.to_string();
            }
        }
        if f.len() == before {
            break;
        }
    }
    yusuan_core::text::strip_ordinal(&f).to_string()
}

// ---------------------------------------------------------------- what a subject is

/// The table figure a subject names.
#[derive(Debug, Clone)]
struct Expect {
    /// For messages: `表3 一般公共服务支出(201) 合计`.
    what: String,
    yuan: Decimal,
    cell: Option<CellRef>,
    prior: Option<Decimal>,
    /// Tag to recognise 收入总计 and 支出总计 (N408).
    tag: &'static str,
}

/// Outcome of resolving a subject: the figure, and name remarks for N403.
#[derive(Debug, Default)]
struct Resolved {
    expect: Option<Expect>,
    /// Other lines with the very name given (a name can repeat within a 款).
    equivalents: Vec<Decimal>,
    /// Candidate lines when a 项 name may be the wrong one: (what, yuan, cell).
    siblings: Vec<(String, Decimal, Option<CellRef>)>,
    names: Vec<String>,
}

struct Resolver<'a> {
    ctx: &'a Ctx<'a>,
    prior: Prior,
}

impl Resolver<'_> {
    fn fixed(&self, id: TableId, key: &str, col: &str, what: &str) -> Option<Expect> {
        let t = self.ctx.budget.table(id)?;
        let l = t.fixed(key)?;
        let a = l.amount(col)?;
        Some(Expect {
            what: format!("{id}“{what}”"),
            yuan: t.to_yuan(a.value()?)?,
            cell: Some(a.at.clone()),
            prior: None,
            tag: "",
        })
    }

    fn total(&self, id: TableId, col: &str, what: &str) -> Option<Expect> {
        let t = self.ctx.budget.table(id)?;
        let a = t.total()?.amount(col)?;
        Some(Expect {
            what: format!("{id} {what}"),
            yuan: t.to_yuan(a.value()?)?,
            cell: Some(a.at.clone()),
            prior: None,
            tag: "",
        })
    }

    fn three_public(&self, col: &str, what: &str, prior: Option<Decimal>) -> Option<Expect> {
        let s = self.ctx.budget.summary().three_public;
        let yuan = match col {
            "total" => s.total,
            "abroad" => s.abroad,
            "vehicle_purchase" => s.vehicle_purchase,
            "vehicle_operation" => s.vehicle_operation,
            "reception" => s.reception,
            _ => match (s.vehicle_purchase, s.vehicle_operation) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            },
        }?;
        let cell = self
            .ctx
            .budget
            .table(TableId::T3_3)
            .and_then(|t| t.total()?.amount(col).map(|a| a.at.clone()));
        Some(Expect {
            what: format!("表3-3 {what}"),
            yuan,
            cell,
            prior,
            tag: "",
        })
    }

    fn info(&self, key: &str, what: &str) -> Option<Expect> {
        let b = self.ctx.budget;
        let v = b.info.number(key)?;
        let unit = b.info.money_unit().unwrap_or(Unit::WanYuan);
        Some(Expect {
            what: format!("部门基本情况“{what}”"),
            yuan: unit.to_yuan(v),
            cell: b.info.get(key).map(|l| l.at.clone()),
            prior: None,
            tag: "",
        })
    }

    fn procurement(&self, part: Option<&str>) -> Option<Expect> {
        let keys: Vec<&str> = match part {
            Some(k) => vec![k],
            None => vec![
                "procurement_goods",
                "procurement_works",
                "procurement_services",
            ],
        };
        let mut sum = Decimal::ZERO;
        for k in &keys {
            sum += self.info(k, "")?.yuan;
        }
        Some(Expect {
            what: "部门基本情况“政府采购预算”".into(),
            yuan: sum,
            cell: None,
            prior: None,
            tag: "",
        })
    }

    /// A 类 by (current or earlier) name, with a remark when the name is outdated.
    fn class(&self, name: &str, names: &mut Vec<String>) -> Option<String> {
        let codes = self.ctx.codes;
        let bare = name.trim_end_matches("类");
        let e = codes
            .class_by_name(bare)
            .or_else(|| codes.class_by_name(&format!("{bare}支出")))?;
        let code = e.code.clone();
        for candidate in [bare.to_string(), format!("{bare}支出")] {
            if let Some(r) = codes.renamed_from(&code, &candidate) {
                names.push(format!(
                    "“{}”是旧科目名称，现为“{}”",
                    r.old_name, r.new_name
                ));
                break;
            }
        }
        Some(code)
    }

    fn class_figure(&self, id: TableId, code: &str, col: &str) -> Option<Expect> {
        let t = self.ctx.budget.table(id)?;
        let l = t.coded().find(|l| {
            l.code.as_deref() == Some(code) && l.side != Some(yusuan_core::Side::Income)
        })?;
        let a = l.amount(col)?;
        Some(Expect {
            what: format!("{id} {}({code})", yusuan_core::text::strip_ordinal(&l.name)),
            yuan: t.to_yuan(a.value()?)?,
            cell: Some(a.at.clone()),
            prior: None,
            tag: "",
        })
    }

    /// `一般公共服务-政协事务-行政运行` or `…（类）…（款）…（项）`: a 项 line of 表3.
    fn chain(&self, parts: &[&str], r: &mut Resolved) {
        let Some(t3) = self.ctx.budget.table(TableId::T3) else {
            return;
        };
        let codes = self.ctx.codes;
        let Some(class) = parts.first().and_then(|c| self.class(c, &mut r.names)) else {
            return;
        };
        let official = |code: &str| {
            codes
                .lookup(Scheme::Functional, code)
                .map(|e| fold(&e.name))
        };
        let line_name = |l: &yusuan_core::Line| fold(&l.name);
        // 款
        let kuan_name = parts.get(1).map(|k| fold(k)).filter(|_| parts.len() == 3);
        let kuans: Vec<&yusuan_core::Line> = t3
            .coded()
            .filter(|l| {
                l.code
                    .as_ref()
                    .is_some_and(|c| c.len() == 5 && c.starts_with(&class))
            })
            .collect();
        let mut kuan: Option<String> = None;
        if let Some(k) = &kuan_name {
            for l in &kuans {
                let code = l.code.clone().unwrap_or_default();
                if official(&code).as_deref() == Some(k.as_str()) || &line_name(l) == k {
                    kuan = Some(code);
                } else if let Some(rn) = codes.renamed_from(&code, k) {
                    r.names.push(format!(
                        "款级科目“{}”是旧名称，现为“{}”",
                        rn.old_name, rn.new_name
                    ));
                    kuan = Some(code);
                }
            }
            if kuan.is_none() {
                r.names.push(format!("款级科目“{k}”在表3的该类下没有"));
            }
        }
        // 项
        let Some(item_name) = parts.last().map(|i| fold(i)) else {
            return;
        };
        let items: Vec<&yusuan_core::Line> = t3
            .coded()
            .filter(|l| {
                l.code.as_ref().is_some_and(|c| {
                    c.len() == 7 && c.starts_with(kuan.as_deref().unwrap_or(&class))
                })
            })
            .collect();
        let named: Vec<&&yusuan_core::Line> = items
            .iter()
            .filter(|l| {
                let code = l.code.as_deref().unwrap_or("");
                official(code).as_deref() == Some(item_name.as_str()) || line_name(l) == item_name
            })
            .collect();
        let exact = named.first().copied();
        r.equivalents = named
            .iter()
            .skip(1)
            .filter_map(|l| l.value("total").and_then(|v| t3.to_yuan(v)))
            .collect();
        let fuzzy = || {
            items.iter().find(|l| {
                let code = l.code.as_deref().unwrap_or("");
                let n = official(code).unwrap_or_else(|| line_name(l));
                item_name.trim_end_matches("支出") == n.trim_end_matches("支出")
                    || item_name.contains(&n)
                    || n.contains(&item_name)
            })
        };
        let line = match exact {
            Some(l) => Some(*l),
            None => {
                let f = fuzzy().copied();
                if let Some(l) = f {
                    let code = l.code.as_deref().unwrap_or("");
                    let want = codes
                        .lookup(Scheme::Functional, code)
                        .map_or(l.name.clone(), |e| e.name.clone());
                    r.names.push(format!(
                        "项级科目名称“{}”应为“{want}”({code})",
                        parts.last().unwrap_or(&"")
                    ));
                }
                f
            }
        };
        for l in &items {
            if let (Some(v), Some(a)) = (
                l.value("total").and_then(|v| t3.to_yuan(v)),
                l.amount("total"),
            ) {
                r.siblings.push((
                    format!("{}({})", l.name, l.code.as_deref().unwrap_or("")),
                    v,
                    Some(a.at.clone()),
                ));
            }
        }
        if let Some(l) = line
            && let Some(a) = l.amount("total")
            && let Some(v) = a.value().and_then(|v| t3.to_yuan(v))
        {
            r.expect = Some(Expect {
                what: format!("表3 {}({})", l.name, l.code.as_deref().unwrap_or("")),
                yuan: v,
                cell: Some(a.at.clone()),
                prior: None,
                tag: "",
            });
        } else if line.is_none() {
            r.names.push(format!(
                "项级科目“{}”在表3中没有",
                parts.last().unwrap_or(&"")
            ));
        }
    }

    fn resolve(&self, subject: &str, p: &Para) -> Resolved {
        let mut r = Resolved::default();
        let s = clean_subject(subject);
        if s.is_empty() {
            return r;
        }
        let has = |w: &str| s.contains(w);
        let sub = fold(&p.sub);
        let prior = &self.prior;
        let t1 = TableId::T1;
        // Chains 类-款-项
        let chain_parts: Vec<&str> = if s.contains("(类)") {
            CHAIN_MARK.split(&s).filter(|x| !x.is_empty()).collect()
        } else if s.matches('-').count() >= 1 && !has("三公") {
            s.split('-').filter(|x| !x.is_empty()).collect()
        } else {
            vec![]
        };
        if chain_parts.len() >= 2 {
            self.chain(&chain_parts, &mut r);
            return r;
        }
        let e = if has("三公") {
            self.three_public("total", "“三公”经费合计", prior.three_public)
        } else if has("因公出国") {
            self.three_public("abroad", "因公出国（境）费", prior.abroad)
        } else if has("公务接待") {
            self.three_public("reception", "公务接待费", prior.reception)
        } else if has("公务用车购置及运行") || has("公务用车购置和运行") {
            let pv = match (prior.vehicle_purchase, prior.vehicle_operation) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
            self.three_public("vehicle", "公务用车购置及运行费", pv)
        } else if has("公务用车购置") || (p.sec == Sec::ThreePublic && has("购置")) {
            self.three_public("vehicle_purchase", "公务用车购置费", prior.vehicle_purchase)
        } else if has("公务用车运行") || (p.sec == Sec::ThreePublic && has("运行")) {
            self.three_public(
                "vehicle_operation",
                "公务用车运行费",
                prior.vehicle_operation,
            )
        } else if has("机关运行经费") || (p.sec == Sec::Other && sub.contains("机关运行"))
        {
            self.info("office_operation", "机关运行经费")
        } else if has("固定资产") {
            self.info("fixed_assets", "上年末固定资产总额")
        } else if p.sec == Sec::Other && sub.contains("采购") || has("政府采购") {
            let part = if has("货物") {
                Some("procurement_goods")
            } else if has("工程") {
                Some("procurement_works")
            } else if has("服务") {
                Some("procurement_services")
            } else {
                None
            };
            self.procurement(part)
        } else if has("绩效") || (p.sec == Sec::Other && sub.contains("绩效")) {
            self.info("performance_funds", "绩效目标管理涉及资金")
        } else if has("人员经费") {
            self.total(TableId::T3_1, "personnel", "合计行的人员经费")
        } else if has("公用经费") {
            self.total(TableId::T3_1, "public", "合计行的公用经费")
        } else if has("基本支出") {
            if has("一般公共预算") || p.sec == Sec::Basic {
                self.total(TableId::T3, "basic", "合计行的基本支出")
            } else {
                self.total(TableId::T1_2, "basic", "合计行的基本支出")
            }
        } else if has("项目支出") {
            if has("一般公共预算") {
                self.total(TableId::T3, "project", "合计行的项目支出")
            } else {
                self.total(TableId::T1_2, "project", "合计行的项目支出")
            }
        } else {
            None
        };
        if e.is_some() {
            r.expect = e;
            return r;
        }
        // 类 names
        let bare = s
            .trim_start_matches("支出包括")
            .trim_start_matches("收入包括");
        if let Some(code) = self.class(bare, &mut r.names) {
            let (id, col) = match p.sec {
                Sec::Fiscal => (TableId::T2, "total"),
                Sec::Fund => (TableId::T4, "total"),
                Sec::Soe => (TableId::T5, "total"),
                _ => (TableId::T3, "total"),
            };
            r.expect = self.class_figure(id, &code, col);
            if r.expect.is_none() {
                r.names.push(format!("“{bare}”在{id}中没有对应的类级科目"));
            }
            return r;
        }
        let fiscal_sec = p.sec == Sec::Fiscal;
        let e = if p.sec == Sec::Fund && (has("政府性基金") || has("支出")) {
            self.total(TableId::T4, "total", "合计")
        } else if p.sec == Sec::Soe && (has("国有资本经营") || has("支出")) {
            self.total(TableId::T5, "total", "合计")
        } else if has("财政拨款") && has("支出") && !has("收支") {
            self.fixed(TableId::T2, "expenditure_total", "total", "支出总计")
                .map(|e| Expect {
                    prior: prior.fiscal_total,
                    ..e
                })
        } else if has("财政拨款") {
            self.fixed(TableId::T2, "income_total", "income", "收入总计")
                .map(|e| Expect {
                    prior: prior.fiscal_total,
                    ..e
                })
        } else if has("上年结转") {
            if fiscal_sec {
                self.fixed(TableId::T2, "carried", "income", "上年结转")
            } else {
                self.fixed(t1, "carried_forward", "income", "上年结转")
            }
        } else if has("一般公共预算") && (has("当年拨款") || has("支出")) {
            self.total(TableId::T3, "total", "合计").map(|e| Expect {
                prior: prior.gpb,
                ..e
            })
        } else if has("一般公共预算") {
            if fiscal_sec {
                self.fixed(TableId::T2, "current_gpb", "income", "一般公共预算拨款")
            } else {
                self.fixed(t1, "gpb", "income", "一般公共预算拨款收入")
                    .map(|e| Expect {
                        prior: prior.gpb,
                        ..e
                    })
            }
        } else if has("政府性基金") {
            if fiscal_sec {
                self.fixed(TableId::T2, "current_fund", "income", "政府性基金预算拨款")
            } else {
                self.fixed(t1, "fund", "income", "政府性基金预算拨款收入")
            }
        } else if has("国有资本经营") {
            if fiscal_sec {
                self.fixed(TableId::T2, "current_soe", "income", "国有资本经营预算拨款")
            } else {
                self.fixed(t1, "soe", "income", "国有资本经营预算拨款收入")
            }
        } else if has("事业单位经营收入") || has("经营收入") {
            self.fixed(t1, "operating", "income", "事业单位经营收入")
        } else if has("事业收入") {
            self.fixed(t1, "business", "income", "事业收入")
        } else if has("其他收入") {
            self.fixed(t1, "other", "income", "其他收入")
        } else if has("事业基金") {
            self.fixed(t1, "fund_balance", "income", "用事业基金弥补收支差额")
        } else if has("收支总预算")
            || has("收支预算总")
            || has("收入预算")
            || has("收入总计")
            || s.ends_with("收入")
            || has("收入总预算")
        {
            self.fixed(t1, "income_total", "income", "收入总计")
                .map(|e| Expect {
                    prior: prior.income_total,
                    tag: "income_total",
                    ..e
                })
        } else if has("支出预算") || has("支出总计") || s.ends_with("支出") || has("支出总预算")
        {
            self.fixed(t1, "expenditure_total", "expenditure", "支出总计")
                .map(|e| Expect {
                    prior: prior.income_total,
                    tag: "expenditure_total",
                    ..e
                })
        } else {
            None
        };
        r.expect = e;
        r
    }
}

// ---------------------------------------------------------------- observations

/// One thing found in the text, before it becomes a finding of its rule.
#[derive(Debug, Clone)]
struct Obs {
    rule: &'static str,
    severity: Severity,
    line: usize,
    cell: Option<CellRef>,
    quote: String,
    message: String,
    actual: Option<String>,
    expected: Option<String>,
    related: Vec<String>,
}

fn obs(rule: &'static str, severity: Severity, p: &Para, quote: &str, message: String) -> Obs {
    Obs {
        rule,
        severity,
        line: p.line,
        cell: p.cell.clone(),
        quote: quote.trim().to_string(),
        message,
        actual: None,
        expected: None,
        related: Vec::new(),
    }
}

fn wan(yuan: Decimal) -> Decimal {
    Unit::WanYuan.from_yuan(yuan)
}

/// Round half-up to `dp` decimals.
fn round_to(v: Decimal, dp: u32) -> Decimal {
    v.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (!whole.is_zero()).then(|| part * Decimal::from(100) / whole)
}

fn sentences(p: &str) -> Vec<&str> {
    p.split_inclusive('。')
        .filter(|s| !s.trim().is_empty())
        .collect()
}

const REASON_MARKS: &[&str] = &["原因", "主要是", "主要用于", "由于", "因为", "用于"];

/// Everything the N rules report, computed once per rule run.
fn observe(ctx: &Ctx<'_>, text: &Text) -> (Vec<Obs>, Vec<String>) {
    let paras = structure(text);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let prior = Prior::from_info(ctx.budget);
    let resolver = Resolver { ctx, prior };
    let year = ctx.budget.year;
    let mut stated_totals: Vec<(&'static str, Decimal, usize, String)> = Vec::new();
    let mut unresolved = 0;
    let mut no_prior = false;

    // N404: numbering per level, reset by the level above.
    let mut last: [Option<u32>; 4] = [None; 4];
    for p in &paras {
        if let Some((level, n)) = p.number {
            let lvl = level as usize;
            let expected = last[lvl].map_or(1, |x| x + 1);
            if n != expected {
                let what = if last[lvl].is_some_and(|x| n <= x) {
                    "重复"
                } else {
                    "不连续"
                };
                let prev = last[lvl].map_or("（无）".to_string(), |x| x.to_string());
                out.push(obs(
                    "N404",
                    Severity::Warning,
                    p,
                    &p.text,
                    format!("序号{what}：上一个序号为 {prev}，此处为 {n}，应为 {expected}"),
                ));
            }
            last[lvl] = Some(n);
            for deeper in last.iter_mut().skip(lvl + 1) {
                *deeper = None;
            }
        }
    }

    for p in &paras {
        // S005-style template residue is reported by S005; years and units here.
        if let Some(y) = year {
            for c in YEAR_WORD.find_iter(&p.text) {
                let yy: i32 = c.as_str()[..4].parse().unwrap_or(y);
                if yy != y && yy != y - 1 && (1990..2100).contains(&yy) {
                    out.push(obs(
                        "N406",
                        Severity::Warning,
                        p,
                        &p.text,
                        format!(
                            "出现了 {yy} 年：预算年度为 {y} 年，说明中一般只应出现 {y} 年和 {} 年",
                            y - 1
                        ),
                    ));
                }
            }
        }
        for dup in ["万元万元", "元元"] {
            if p.text.contains(dup) && !(dup == "元元" && p.text.contains("万元万元")) {
                out.push(obs(
                    "N409",
                    Severity::Warning,
                    p,
                    &p.text,
                    format!("单位重复“{dup}”"),
                ));
            }
        }
        static BARE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"([0-9]+\.[0-9]+)([^0-9万元%％亿]|$)").expect("re"));
        for c in BARE.captures_iter(&fold(&p.text)) {
            out.push(obs(
                "N409",
                Severity::Warning,
                p,
                &p.text,
                format!("数字 {} 没有单位", &c[1]),
            ));
        }
        if matches!(p.sec, Sec::Functions | Sec::Units | Sec::Terms | Sec::None) {
            continue;
        }
        let mut whole: Option<(Expect, Decimal)> = None; // expected, stated (万元)
        let mut base: Option<(Fig, Option<Expect>)> = None; // last amount of the paragraph
        let ss = sentences(&p.text);
        for (si, s) in ss.iter().enumerate() {
            let figs = figures(s);
            let has_change = figs
                .iter()
                .any(|f| matches!(f.kind, Kind::Change(_) | Kind::Rate(_)));
            if has_change {
                let next = ss.get(si + 1).copied().unwrap_or("");
                if !REASON_MARKS
                    .iter()
                    .any(|m| s.contains(m) || next.contains(m))
                {
                    out.push(obs(
                        "N405",
                        Severity::Warning,
                        p,
                        s,
                        "写明了增减变化，但没有说明原因".into(),
                    ));
                }
            }
            // 其中 wholes: a sentence that starts with 其中 refers to the last amount before it.
            let starts_qizhong = fold(s)
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .starts_with("其中");
            let mut parts: Vec<&Fig> = Vec::new();
            let mut part_whole: Option<Decimal> = if starts_qizhong {
                base.as_ref().map(|(f, _)| stated_wan(f))
            } else {
                None
            };
            let mut shares: Vec<(Decimal, Decimal, Decimal)> = Vec::new(); // stated, part, whole (yuan)
            for (i, f) in figs.iter().enumerate() {
                let next_start = figs.get(i + 1).map_or(s.len(), |n| n.start);
                let followed_by_qizhong = s[f.end..next_start].contains("其中");
                match f.kind {
                    Kind::Threshold => {}
                    Kind::Amount => {
                        let r = resolver.resolve(&f.subject, p);
                        for n in &r.names {
                            out.push(obs("N403", Severity::Warning, p, s, n.clone()));
                        }
                        match &r.expect {
                            Some(e) => check_amount(&mut out, p, s, f, e, &r),
                            None if r.names.is_empty() => unresolved += 1,
                            None => {}
                        }
                        if let Some(e) = &r.expect {
                            if !e.tag.is_empty() {
                                stated_totals.push((e.tag, stated_wan(f), p.line, s.to_string()));
                            }
                            if followed_by_qizhong || is_whole(e) {
                                whole = Some((e.clone(), stated_wan(f)));
                            }
                        }
                        if followed_by_qizhong {
                            part_whole = Some(stated_wan(f));
                            parts.clear();
                        } else if part_whole.is_some() && !f.in_parens {
                            parts.push(f);
                        }
                        base = Some((f.clone(), r.expect));
                    }
                    Kind::Change(sign) => match &base {
                        Some((_, Some(be))) => match be.prior {
                            Some(prior) => {
                                let expected = round2(wan(be.yuan)) - round2(prior);
                                let stated = f.value * Decimal::from(sign);
                                let stated_w = if f.unit == FigUnit::Yuan {
                                    wan(stated)
                                } else {
                                    stated
                                };
                                if stated_w != expected {
                                    let word = if expected >= Decimal::ZERO {
                                        "增加"
                                    } else {
                                        "减少"
                                    };
                                    let mut o = obs(
                                        "N401",
                                        Severity::Error,
                                        p,
                                        s,
                                        format!(
                                            "增减额“{}”与表格不符：{} {} 万元，上年 {} 万元，应为{word} {} 万元",
                                            f.shown,
                                            be.what,
                                            num(round2(wan(be.yuan))),
                                            num(prior),
                                            num(expected.abs())
                                        ),
                                    );
                                    o.actual = Some(num(stated_w));
                                    o.expected = Some(num(expected));
                                    out.push(o);
                                }
                            }
                            None => no_prior = true,
                        },
                        _ => unresolved += 1,
                    },
                    Kind::Rate(sign) => {
                        // N407: the rate against the stated amounts.
                        let change = figs[..i]
                            .iter()
                            .rev()
                            .find(|g| matches!(g.kind, Kind::Change(_)));
                        if let (Some(c), Some((bf, _))) = (change, &base) {
                            let cur = stated_wan(bf);
                            let ch = stated_wan(c)
                                * Decimal::from(if let Kind::Change(s) = c.kind { s } else { 1 });
                            let prev = cur - ch;
                            if let Some(rate) = percent(ch.abs(), prev) {
                                let want = round_to(rate, f.scale);
                                if want != f.value
                                    || (ch.is_sign_negative() != (sign < 0) && !ch.is_zero())
                                {
                                    let hint = match percent(ch.abs(), cur) {
                                        Some(wrong) if round_to(wrong, f.scale) == f.value => {
                                            "（似按本年数而非上年数计算）"
                                        }
                                        _ if rate.trunc_with_scale(f.scale) == f.value => {
                                            "（似为截尾而非四舍五入）"
                                        }
                                        _ => "",
                                    };
                                    out.push(obs(
                                        "N407",
                                        Severity::Warning,
                                        p,
                                        s,
                                        format!(
                                            "增减率{}%与所述金额不符：{} ÷ 上年 {} = {}%{hint}",
                                            f.value,
                                            num(ch.abs()),
                                            num(prev),
                                            num(round2(rate))
                                        ),
                                    ));
                                }
                            }
                        }
                    }
                    Kind::Share => {
                        let Some((_, Some(be))) = &base else {
                            continue;
                        };
                        let w = whole
                            .clone()
                            .map(|(e, _)| e)
                            .or_else(|| default_whole(&resolver, p));
                        let Some(we) = w else { continue };
                        if be.what == we.what {
                            continue; // a share of itself
                        }
                        let Some(true_share) = percent(be.yuan, we.yuan) else {
                            continue;
                        };
                        let want = round_to(true_share, f.scale.clamp(2, 4));
                        let stated = f.value;
                        shares.push((stated, be.yuan, we.yuan));
                        if round_to(stated, 2) != round_to(want, 2)
                            && round_to(true_share, f.scale) != stated
                        {
                            let hint = if true_share.trunc_with_scale(f.scale) == stated {
                                "（似为截尾或为凑足100%而调整，占比应逐项四舍五入）"
                            } else {
                                ""
                            };
                            let mut o = obs(
                                "N402",
                                Severity::Warning,
                                p,
                                s,
                                format!(
                                    "占比{}%与重新计算的不符：{} ÷ {} = {}%{hint}",
                                    stated,
                                    num(round2(wan(be.yuan))),
                                    num(round2(wan(we.yuan))),
                                    num(round2(true_share))
                                ),
                            );
                            o.actual = Some(num(stated));
                            o.expected = Some(num(round2(true_share)));
                            out.push(o);
                        }
                    }
                }
            }
            // N408: stated parts vs their stated whole.
            if let Some(wv) = part_whole {
                let n = parts.len();
                if n >= 1 {
                    let sum: Decimal = parts.iter().map(|f| stated_wan(f)).sum();
                    let tol = Decimal::new(5, 3) * Decimal::from(n as i64);
                    if (n >= 2 && (sum - wv).abs() > tol) || sum - wv > tol {
                        out.push(obs(
                            "N408",
                            Severity::Error,
                            p,
                            s,
                            format!("分项之和 {} 万元与所述总数 {} 万元不符", num(sum), num(wv)),
                        ));
                    }
                }
            }
            // N408: shares of one whole.
            if shares.len() >= 2 {
                let parts_sum: Decimal = shares.iter().map(|x| x.1).sum();
                let whole_y = shares[0].2;
                if parts_sum == whole_y && shares.iter().all(|x| x.2 == whole_y) {
                    let total: Decimal = shares.iter().map(|x| x.0).sum();
                    let tol = Decimal::new(5, 3) * Decimal::from(shares.len() as i64);
                    if (total - Decimal::from(100)).abs() > tol {
                        out.push(obs(
                            "N408",
                            Severity::Error,
                            p,
                            s,
                            format!(
                                "各部分占比合计 {}%，超出四舍五入可能的范围（应约为 100%）",
                                num(total)
                            ),
                        ));
                    }
                }
            }
        }
    }
    // N408: 收入总计 and 支出总计 stated differently.
    if let (Some(i), Some(e)) = (
        stated_totals.iter().find(|t| t.0 == "income_total"),
        stated_totals.iter().find(|t| t.0 == "expenditure_total"),
    ) && i.1 != e.1
    {
        let p = paras
            .iter()
            .find(|p| p.line == e.2)
            .expect("line of a stated total");
        out.push(obs(
            "N408",
            Severity::Error,
            p,
            &e.3,
            format!(
                "说明中的支出总计 {} 万元与收入总计 {} 万元不一致",
                num(e.1),
                num(i.1)
            ),
        ));
    }
    if unresolved > 0 {
        notes.push(format!("{unresolved} 个数字未能确定所指，未核对"));
    }
    if no_prior {
        notes.push("部门基本情况缺少上年预算数，未核对增减金额".into());
    }
    (out, notes)
}

fn stated_wan(f: &Fig) -> Decimal {
    match f.unit {
        FigUnit::Yuan => wan(f.value),
        _ => f.value,
    }
}

/// Totals that shares in the following clauses are shares of.
fn is_whole(e: &Expect) -> bool {
    matches!(e.tag, "income_total" | "expenditure_total")
        || e.what.contains("合计") && e.what.starts_with("表3 ")
}

/// The whole a share refers to when the paragraph names none.
fn default_whole(r: &Resolver<'_>, p: &Para) -> Option<Expect> {
    let sub = fold(&p.sub);
    match p.sec {
        Sec::Change if sub.contains("支出") => {
            r.fixed(TableId::T1, "expenditure_total", "expenditure", "支出总计")
        }
        Sec::Change => r.fixed(TableId::T1, "income_total", "income", "收入总计"),
        Sec::Fiscal => r.fixed(TableId::T2, "income_total", "income", "收入总计"),
        Sec::Gpb => r.total(TableId::T3, "total", "合计"),
        Sec::Basic => r.total(TableId::T3_1, "total", "合计"),
        Sec::ThreePublic => r.three_public("total", "“三公”经费合计", None),
        _ => None,
    }
}

/// N401 (or N403 when the amount belongs to a sibling line, N409 for a unit slip).
fn check_amount(out: &mut Vec<Obs>, p: &Para, s: &str, f: &Fig, e: &Expect, r: &Resolved) {
    let expected_w = wan(e.yuan);
    let stated_w = stated_wan(f);
    let ok = |v: Decimal| {
        round2(v) == round_to(stated_w, 2)
            || (f.unit != FigUnit::Yuan && f.scale < 2 && round_to(v, f.scale) == f.value)
    };
    if f.unit == FigUnit::Yuan {
        if (f.value - e.yuan).abs() < Decimal::new(5, 3) {
            return;
        }
        if round2(expected_w) == f.value {
            out.push(obs(
                "N409",
                Severity::Warning,
                p,
                s,
                format!(
                    "“{}”的单位应为万元（{} 为 {} 万元）",
                    f.shown,
                    e.what,
                    num(round2(expected_w))
                ),
            ));
            return;
        }
    } else if ok(expected_w) || r.equivalents.iter().any(|v| ok(wan(*v))) {
        return;
    }
    if let Some((name, _, cell)) = r.siblings.iter().find(|(_, v, _)| ok(wan(*v))) {
        let mut o = obs(
            "N403",
            Severity::Warning,
            p,
            s,
            format!("“{}”对应的是表3 {name}，说明中的科目名称与之不符", f.shown),
        );
        o.related.extend(cell.iter().map(|c| c.to_string()));
        out.push(o);
        return;
    }
    let mut o = obs(
        "N401",
        Severity::Error,
        p,
        s,
        format!(
            "“{}”与表格不符：{} 为 {} 万元（差 {} 万元）",
            f.shown,
            e.what,
            num(round2(expected_w)),
            num(stated_w - round2(expected_w))
        ),
    );
    o.actual = Some(num(stated_w));
    o.expected = Some(num(round2(expected_w)));
    o.related.extend(e.cell.iter().map(|c| c.to_string()));
    out.push(o);
}

// ---------------------------------------------------------------- the rules

/// What one text gives, computed once per file for all N rules.
type Observed = (Vec<Obs>, Vec<String>);

/// The N rules over one explanation text (or over none: then each is `not_run`).
/// The observations are computed once, by the first rule that runs, and shared.
#[derive(Debug)]
pub struct TextRules<'a> {
    text: Option<&'a Text>,
    /// Why the rules do not run when there is no text.
    absent: String,
    observed: std::sync::OnceLock<Observed>,
}

impl<'a> TextRules<'a> {
    /// The N rules for `text`.
    pub fn new(text: Option<&'a Text>) -> TextRules<'a> {
        TextRules {
            text,
            absent: "未提供情况说明文本（用 --narrative 指定）".into(),
            observed: std::sync::OnceLock::new(),
        }
    }

    /// The N rules with no text to check, for the reason given (all `not_run`).
    pub fn not_run(reason: &str) -> TextRules<'a> {
        TextRules {
            text: None,
            absent: reason.to_string(),
            observed: std::sync::OnceLock::new(),
        }
    }

    /// N401 … N409, in catalogue order, to be run after the built-in rules.
    pub fn rules(&self) -> Vec<NRule<'_>> {
        N_RULES
            .iter()
            .map(|&(id, severity, title)| NRule {
                meta: Meta {
                    id,
                    severity,
                    title,
                },
                set: self,
            })
            .collect()
    }

    fn text(&self) -> Result<&'a Text, NotRun> {
        self.text.ok_or_else(|| NotRun(self.absent.clone()))
    }

    fn observed(&self, ctx: &Ctx<'_>, text: &Text) -> &Observed {
        self.observed.get_or_init(|| observe(ctx, text))
    }
}

/// One N rule: its id, severity and title, over the shared observations of a text.
#[derive(Debug, Clone, Copy)]
pub struct NRule<'a> {
    meta: Meta,
    set: &'a TextRules<'a>,
}

impl Rule for NRule<'_> {
    fn meta(&self) -> Meta {
        self.meta
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Out) -> Result<(), NotRun> {
        let rule = self.meta.id;
        let text = self.set.text()?;
        if rule == "N406" && ctx.budget.year.is_none() {
            return Err(NotRun("不知道预算年度".into()));
        }
        let (found, notes) = self.set.observed(ctx, text);
        for o in found.iter().filter(|o| o.rule == rule) {
            let f = out.text(
                o.severity,
                o.line,
                o.cell.as_ref(),
                &o.quote,
                o.message.clone(),
            );
            f.actual.clone_from(&o.actual);
            f.expected.clone_from(&o.expected);
            f.related.clone_from(&o.related);
            if f.actual.is_some() {
                f.unit = Some("万元");
            }
        }
        if matches!(rule, "N401" | "N402") {
            for n in notes {
                out.skip(n.clone());
            }
        }
        Ok(())
    }
}

/// The N rules: id, severity and title, in catalogue order.
const N_RULES: [(&str, Severity, &str); 9] = [
    ("N401", Severity::Error, "说明中的金额与表格一致"),
    ("N402", Severity::Warning, "说明中的占比与重新计算的一致"),
    (
        "N403",
        Severity::Warning,
        "说明中的科目名称为现行名称且与表格一致",
    ),
    ("N404", Severity::Warning, "列表序号连续"),
    ("N405", Severity::Warning, "增减变化写明原因"),
    ("N406", Severity::Warning, "只出现预算年度和上一年度"),
    ("N407", Severity::Warning, "增长率与增减金额一致"),
    ("N408", Severity::Error, "同一段中的分项与总数相符"),
    ("N409", Severity::Warning, "金额单位正确"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_classified() {
        let f = figures(
            "收入684.78万元，比2022年预算数增加194.1万元，增长39.56%，占83.94%；单位价值200万元以上",
        );
        let kinds: Vec<Kind> = f.iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Amount,
                Kind::Change(1),
                Kind::Rate(1),
                Kind::Share,
                Kind::Threshold
            ]
        );
        assert_eq!(f[0].value, Decimal::new(68478, 2));
        assert_eq!(f[1].scale, 1);
        assert_eq!(clean_subject(&f[0].subject), "收入");
        let f = figures("一般公共服务-政协事务- 参政议政2023年预算数为60万元");
        assert_eq!(
            clean_subject(&f[0].subject),
            "一般公共服务-政协事务-参政议政"
        );
        let f = figures("减少１２.５万元");
        assert_eq!(
            (f[0].kind, f[0].value),
            (Kind::Change(-1), Decimal::new(125, 1))
        );
    }

    #[test]
    fn headings_and_numbers() {
        assert_eq!(chinese_number("十一"), 11);
        assert_eq!(chinese_number("二十"), 20);
        let t = Text::parse(
            "一、基本职能\n（一）职责\n1.甲\n 2.乙\n4. 丁\n（二）重点\n（二）重复\n二、部门预算单位构成\n",
        );
        let p = structure(&t);
        let nums: Vec<Option<(u8, u32)>> = p.iter().map(|x| x.number).collect();
        assert_eq!(nums[2..5], [Some((3, 1)), Some((3, 2)), Some((3, 4))]);
        assert_eq!(p[7].sec, Sec::Units);
    }
}
