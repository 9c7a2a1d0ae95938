//! The figures of a sentence: each number with its unit and what it is (an amount, an
//! 增减 amount, a growth rate, a share, a completion rate, a threshold, a count or
//! measure that is not money), where it stands, and the words before it.

use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;
use yusuan_core::text::fold;

/// The unit a figure is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FigUnit {
    Yuan,
    Wan,
    Yi,
    Percent,
    /// A count or a measure (平方米, 辆, 人 …): not money.
    Measure,
    /// No unit at all.
    None,
}

/// What a figure says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An amount of money.
    Amount,
    /// An 增减 amount: +1 增加, −1 减少, 0 direction given by the rate after it.
    Change(i8),
    /// A growth rate: +1 增长, −1 下降.
    Rate(i8),
    /// 占…%: a share of a whole.
    Share,
    /// 完成(年初)预算的…%.
    Completion,
    /// Another percentage.
    Percent,
    /// `单价100万元（含）以上`: a threshold, not a budget figure.
    Threshold,
    /// A count or a measure.
    Measure,
    /// A number with no unit right after 增长/下降 …: a unit left out.
    Bare,
}

/// One figure of a sentence.
#[derive(Debug, Clone)]
pub(crate) struct Fig {
    pub kind: Kind,
    /// The number as written (in its own unit).
    pub value: Decimal,
    /// Decimals as written.
    pub scale: u32,
    pub unit: FigUnit,
    /// The figure as written (`684.78万元`).
    pub shown: String,
    /// Byte offsets in the sentence: where the number starts, where the unit ends.
    pub start: usize,
    pub end: usize,
    /// Where the figure's clause starts (after the last `，；：。`).
    pub clause_start: usize,
    /// Inside parentheses.
    pub in_parens: bool,
    /// The amount a comparison is made against (`比上年433万元减少…`, `较…2190万元`).
    pub base: bool,
}

impl Fig {
    /// A money figure in 万元.
    pub fn wan(&self) -> Decimal {
        match self.unit {
            FigUnit::Yuan => self.value / Decimal::from(10_000),
            FigUnit::Yi => self.value * Decimal::from(10_000),
            _ => self.value,
        }
    }

    pub fn is_money(&self) -> bool {
        matches!(self.unit, FigUnit::Yuan | FigUnit::Wan | FigUnit::Yi)
    }
}

static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"([0-9０-９]{1,3}(?:,[0-9]{3})+(?:[.．][0-9０-９]+)?|[0-9０-９]+(?:[.．][0-9０-９]+)?)\s*(亿元|万元|元|%|％|平方米|平米|米|公里|千米|辆|人次|人|批次|个|台（套）|台\(套\)|台|套|家|天|项|次|名|层|户|所|座|件|份|篇|条|期|部|本|场|年|月|日|号|季度|倍|小时|吨|亩|公顷|只|头|张|根|株|处|间|栋|幢|岁|分|元/|:)?",
    )
    .expect("figure pattern")
});

const UP: &[&str] = &[
    "增加了",
    "增加",
    "增长了",
    "增长",
    "上升",
    "提高",
    "增收",
    "增幅",
    "增长率",
    "增",
];
const DOWN: &[&str] = &[
    "减少了",
    "减少",
    "下降了",
    "下降",
    "降低",
    "减收",
    "节约",
    "节省",
    "降幅",
    "减少率",
    "下降率",
    "减",
];

/// The direction of a change word the text before a figure ends with.
fn verb_before(before: &str) -> Option<i8> {
    let b = before.trim_end_matches([' ', '\u{3000}', '为', '了']);
    for w in UP {
        if b.ends_with(w) && !(w == &"增" && b.ends_with("增减")) {
            return Some(1);
        }
    }
    for w in DOWN {
        if b.ends_with(w) && !(w == &"减" && b.ends_with("增减")) {
            return Some(-1);
        }
    }
    None
}

/// Whether a clause ends with a word that names an amount of money.
fn names_money(clause: &str) -> bool {
    let c = clause.trim_end_matches([' ', '\u{3000}', '为', '是', '共', '计']);
    [
        "支出",
        "收入",
        "经费",
        "拨款",
        "预算",
        "预算数",
        "决算数",
        "资金",
        "合计",
        "总计",
        "费",
    ]
    .iter()
    .any(|w| c.ends_with(w))
}

const BREAKS: &[char] = &['，', ',', '；', ';', '。', '：', ':'];

/// The figures of a sentence.
pub(crate) fn figures(s: &str) -> Vec<Fig> {
    let mut out: Vec<Fig> = Vec::new();
    for c in FIGURE.captures_iter(s) {
        let num_m = c.get(1).expect("number");
        let whole = c.get(0).expect("match");
        // Part of a longer token (`W060701`, `2010201`-like codes, `3.11部门…`): skip.
        let prev = s[..num_m.start()].chars().next_back();
        if prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == '.' || p == '-' || p == '_') {
            continue;
        }
        let unit_text = c.get(2).map_or("", |m| m.as_str());
        if matches!(unit_text, "年" | "月" | "日" | "号" | "季度" | "元/" | ":") {
            continue;
        }
        let digits: String = fold(num_m.as_str()).replace(',', "");
        let Ok(value) = digits.parse::<Decimal>() else {
            continue;
        };
        let unit = match unit_text {
            "万元" => FigUnit::Wan,
            "元" => FigUnit::Yuan,
            "亿元" => FigUnit::Yi,
            "%" | "％" => FigUnit::Percent,
            "" => FigUnit::None,
            _ => FigUnit::Measure,
        };
        let before = &s[..num_m.start()];
        let after = &s[whole.end()..];
        let clause_start = before
            .rfind(BREAKS)
            .map(|i| i + before[i..].chars().next().map_or(1, char::len_utf8))
            .unwrap_or(0);
        let clause = fold(&before[clause_start..]);
        let verb = verb_before(&fold(before));
        let Some(kind) = kind_of(unit, &digits, verb, &clause, after) else {
            continue;
        };
        let opens = before.matches(['（', '(']).count();
        let closes = before.matches(['）', ')']).count();
        // The amount a comparison is made against: after 较/比/与 in its clause, with
        // the change word still to come.
        let after_f = fold(after);
        let base = kind == Kind::Amount
            && (comparison_at(&clause).is_some()
                || (clause.contains('与')
                    && ["相比", "比较", "对比", "持平"]
                        .iter()
                        .any(|w| after_f.starts_with(w))))
            && !clause.contains("完成");
        out.push(Fig {
            kind,
            value,
            scale: digits.split('.').nth(1).map_or(0, |f| f.len() as u32),
            unit,
            shown: format!("{}{}", num_m.as_str(), unit_text),
            start: num_m.start(),
            end: whole.end(),
            clause_start,
            in_parens: opens > closes,
            base,
        });
    }
    // `较2022年决算数688.84万元131.49万元，增长19.09%`: an amount right after a base
    // amount, with no word between, is the change (its direction is the rate's).
    for i in 1..out.len() {
        let (a, b) = (&out[i - 1], &out[i]);
        if a.base && b.kind == Kind::Amount && s[a.end..b.start].trim().is_empty() {
            out[i].kind = Kind::Change(0);
        }
    }
    out
}

/// Where a clause's comparison begins (`较上年`, `比2023年`, `与上年预算数相比`), if it
/// has one. `与` is also inside names (医疗卫生与计划生育支出) and `比` inside 占比, 比例
/// and 比重: those are not comparisons.
pub(crate) fn comparison_at(clause: &str) -> Option<usize> {
    static WITH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"与(上|去|前|同期|年初|预算|决算|\d{4})").expect("valid pattern")
    });
    let mut at = None;
    for (i, c) in clause.char_indices() {
        let rest = &clause[i..];
        let hit = match c {
            '较' => true,
            '比' => {
                let before = &clause[..i];
                !(before.ends_with('占') || rest.starts_with("比例") || rest.starts_with("比重"))
            }
            '与' => WITH.find_at(clause, i).is_some_and(|m| m.start() == i),
            _ => false,
        };
        if hit {
            at = Some(i);
            break;
        }
    }
    at
}

/// What a figure is, by its unit and the words around it (`None`: a number that is
/// not a figure of the text, such as a bare count without a verb).
fn kind_of(
    unit: FigUnit,
    digits: &str,
    verb: Option<i8>,
    clause: &str,
    after: &str,
) -> Option<Kind> {
    Some(match unit {
        FigUnit::Measure => Kind::Measure,
        FigUnit::None => match verb {
            Some(_) if !digits.is_empty() => Kind::Bare,
            // `基本支出574.78，占…`: an amount whose unit was left out.
            None if digits.contains('.') && names_money(clause) => Kind::Bare,
            _ => return None,
        },
        FigUnit::Percent => match verb_before(clause) {
            Some(dir) => Kind::Rate(dir),
            None if clause.contains('占') => Kind::Share,
            None if clause.contains("完成") => Kind::Completion,
            None => Kind::Percent,
        },
        _ => {
            let after_f = fold(after);
            let threshold = ["以上", "(含)以上", "及以上", "以下"]
                .iter()
                .any(|w| after_f.starts_with(w))
                || ["单价", "单位价值", "超过"]
                    .iter()
                    .any(|w| clause.ends_with(w));
            if threshold {
                Kind::Threshold
            } else if let Some(dir) = verb {
                Kind::Change(dir)
            } else {
                Kind::Amount
            }
        }
    })
}

/// The sentences of a paragraph: split after `。`, `；`, `;`.
pub(crate) fn sentences(p: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in p.char_indices() {
        if matches!(c, '。' | '；' | ';') {
            let end = i + c.len_utf8();
            if !p[start..end].trim().is_empty() {
                out.push(&p[start..end]);
            }
            start = end;
        }
    }
    if !p[start..].trim().is_empty() {
        out.push(&p[start..]);
    }
    out
}

static YEAR_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)[0-9]{2})\s*年(?:度|底|末)?").expect("re"));

/// The years a text names (`2023年`, `2023 年度`).
pub(crate) fn years(s: &str) -> Vec<i32> {
    YEAR_WORD
        .captures_iter(s)
        .filter_map(|c| c[1].parse().ok())
        .collect()
}

/// The subject words of a figure: its clause before it, cleaned of years and filler
/// (`政协办2023年收支总预算` → `政协办收支总预算`).
pub(crate) fn clean_subject(s: &str) -> String {
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
            "总额",
            "累计完成",
            "完成",
        ] {
            // 总计 and 合计 are totals, not `计` (counted).
            if suffix == "计" && (f.ends_with("总计") || f.ends_with("合计")) {
                continue;
            }
            if let Some(x) = f.strip_suffix(suffix) {
                f = x.to_string();
            }
        }
        for prefix in [
            "其中",
            "包括",
            "主要包括",
            "安排",
            "共有",
            "经比较",
            "经汇总",
            "本年度",
            "本年",
        ] {
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

/// A subject reduced for matching two mentions of one quantity (`“三公”经费支出决算` and
/// `三公经费` match): no stage, measure or filler words.
pub(crate) fn subject_key(subject: &str) -> String {
    let mut k = clean_subject(subject);
    for w in [
        "一般公共预算财政拨款",
        "财政拨款安排的",
        "财政拨款",
        "支出决算数",
        "支出决算",
        "决算数",
        "决算",
        "支出预算数",
        "支出预算",
        "预算数",
        "预算",
        "年初",
        "全年",
        "当年",
        "本年",
        "上年",
        "的",
        "本部门",
        "本单位",
        "部门",
        "单位",
        "支出",
        "数",
        "总额",
    ] {
        k = k.replace(w, "");
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Kind> {
        figures(s).iter().map(|f| f.kind).collect()
    }

    #[test]
    fn figures_are_classified() {
        let f = figures(
            "收入684.78万元，比2022年预算数增加194.1万元，增长39.56%，占83.94%；单位价值200万元以上",
        );
        let k: Vec<Kind> = f.iter().map(|x| x.kind).collect();
        assert_eq!(
            k,
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
        assert_eq!(clean_subject("收入"), "收入");
        assert_eq!(
            kinds("用地面积约为4000.6平方米（以实测为准），建筑高度为29.8米，共有车辆7辆"),
            [Kind::Measure, Kind::Measure, Kind::Measure]
        );
        assert_eq!(kinds("截至2023年8月31日，沪府规【2016】168号"), []);
        assert_eq!(kinds("同比下降18.87;"), [Kind::Bare]);
        assert_eq!(kinds("减少率44.69%"), [Kind::Rate(-1)]);
        assert_eq!(
            kinds("完成年初预算数60999万元的40.4%"),
            [Kind::Amount, Kind::Completion]
        );
        assert_eq!(kinds("占基本支出预算 90.86%"), [Kind::Share]);
        assert_eq!(kinds("下降 6.00 %"), [Kind::Rate(-1)]);
        assert_eq!(kinds("三公经费1,938万元"), [Kind::Amount]);
        let f = figures("较2022年决算数688.84万元131.49万元,增长19.09%");
        assert!(f[0].base);
        assert_eq!(f[1].kind, Kind::Change(0));
        let f = figures("比上年累计支出433万元减少2万元,下降0.46%");
        assert!(f[0].base && f[1].kind == Kind::Change(-1));
    }

    #[test]
    fn subjects_match_across_stages() {
        assert_eq!(subject_key("“三公”经费支出决算"), subject_key("三公经费"));
        assert_eq!(subject_key("公务接待费支出决算"), "公务接待费");
    }
}
