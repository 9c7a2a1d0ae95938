//! Text folding and parsing shared by the recogniser and the narrative checker.
//!
//! Real workbooks type the same words many ways: full-width or half-width digits and
//! brackets, `“三公”` or `"三公"` or `三公`, spaces inside titles, line breaks inside
//! header cells. [`fold`] maps all of them to one key so they compare equal.

use std::borrow::Cow;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;
use unicode_normalization::UnicodeNormalization;

/// Quote characters dropped by [`fold`].
const QUOTES: &[char] = &[
    '“', '”', '‘', '’', '"', '\'', '「', '」', '『', '』', '〝', '〞', '＂',
];

/// The matching key of a text: NFKC (full-width → half-width), no whitespace, no
/// quotes, `【】〔〕` as `[]`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Nearly all text is ASCII, CJK ideographs, fullwidth forms and common punctuation,
    // whose NFKC is known without the normaliser (which costs ~10× more per char).
    let mut known = true;
    for c in s.chars() {
        if ('\u{4E00}'..='\u{9FFF}').contains(&c) || c.is_ascii_alphanumeric() {
            out.push(c);
        } else if nfkc_known(c) {
            push_folded(&mut out, fullwidth_to_ascii(c));
        } else {
            known = false;
            break;
        }
    }
    if known {
        return out;
    }
    out.clear();
    for c in s.nfkc() {
        push_folded(&mut out, c);
    }
    out
}

/// Characters whose NFKC form is themselves or (fullwidth forms) one ASCII character,
/// and which never combine with a neighbour.
fn nfkc_known(c: char) -> bool {
    matches!(c,
        '\u{20}'..='\u{7E}'         // ASCII printable
        | '\t' | '\n' | '\r'
        | '\u{4E00}'..='\u{9FFF}'   // CJK unified ideographs
        | '\u{3000}'..='\u{3003}'   // ideographic space, 、。〃
        | '\u{3008}'..='\u{3011}'   // 〈〉《》「」『』【】
        | '\u{3014}'..='\u{3017}'   // 〔〕〖〗
        | '\u{2018}'..='\u{201D}'   // ‘’“”
        | '\u{2014}' | '\u{2013}' | '\u{2010}' | '\u{00D7}'
        | '\u{FF01}'..='\u{FF5E}') // fullwidth ASCII
}

/// NFKC of a fullwidth ASCII form (U+FF01..U+FF5E); other characters unchanged.
fn fullwidth_to_ascii(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c => c,
    }
}

fn push_folded(out: &mut String, c: char) {
    match c {
        c if c.is_whitespace() => {}
        c if QUOTES.contains(&c) => {}
        '【' | '〔' => out.push('['),
        '】' | '〕' => out.push(']'),
        '—' | '–' | '－' | '‐' => out.push('-'),
        c => out.push(c),
    }
}

/// A text as printed, trimmed, with runs of spaces (also ideographic) and line breaks
/// collapsed to one space: for names shown back to people. Not folded.
pub fn tidy(s: &str) -> String {
    s.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

static ORDINAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[一二三四五六七八九十]+[、.,]|\([一二三四五六七八九十\d]+\)|\d{1,3}[、,.)]|[①-⑳]|其中[:、]?)")
        .expect("ordinal pattern")
});

/// A folded label without its list ordinal: `一、一般公共服务支出` → `一般公共服务支出`,
/// `（一）一般公共预算拨款` → `一般公共预算拨款`, `1.一般公共预算` → `一般公共预算`.
pub fn strip_ordinal(folded: &str) -> &str {
    let mut s = folded;
    while let Some(m) = ORDINAL.find(s) {
        let rest = &s[m.end()..];
        // `1.5` is a number, not an ordinal; and a bare ordinal keeps its text.
        if rest.is_empty()
            || (m.as_str().ends_with('.') && rest.starts_with(|c: char| c.is_ascii_digit()))
        {
            break;
        }
        s = rest;
    }
    s
}

/// Whether a folded label is nothing but a list ordinal (`三、`, `(二)`): an unfilled
/// numbered row of a template.
pub fn is_bare_ordinal(folded: &str) -> bool {
    ORDINAL
        .find(folded)
        .is_some_and(|m| m.end() == folded.len())
}

/// What a cell's text means as an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountText {
    /// Blank, `-`, `—`, `/`: nothing entered, counts as zero.
    Blank,
    /// A number, exactly as written.
    Value(Decimal),
    /// Not a number; the reason is for the message.
    Invalid,
}

/// Parse an amount typed as text: `1,234.56`, `１２３４.５６`, ` 684.78 `, `(12.00)`,
/// `-5`, `—` (blank). No units or other words are accepted.
pub fn parse_amount_text(s: &str) -> AmountText {
    let folded: String = s
        .nfkc()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '，' && *c != '_')
        .collect();
    let t = folded.as_str();
    if t.is_empty() || matches!(t, "-" | "--" | "—" | "——" | "–" | "/" | "－" | "~") {
        return AmountText::Blank;
    }
    let (neg, body) = match t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        Some(inner) => (true, inner),
        None => (false, t),
    };
    let body = body.strip_prefix('+').unwrap_or(body);
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        || body.matches('.').count() > 1
        || body[1..].contains('-')
    {
        return AmountText::Invalid;
    }
    match Decimal::from_str(body) {
        Ok(v) => AmountText::Value(if neg { -v } else { v }),
        Err(_) => AmountText::Invalid,
    }
}

/// An f64 from a spreadsheet as the exact decimal the user sees: Excel keeps 15
/// significant digits, so `530.8800000000001` (a float artefact) becomes `530.88`.
/// `None` for values that are not finite or beyond ±10^20.
pub fn decimal_from_f64(x: f64) -> Option<Decimal> {
    if !x.is_finite() || x.abs() >= 1e20 {
        return None;
    }
    if x == 0.0 {
        return Some(Decimal::ZERO);
    }
    // Fast path for the usual money value with few decimals: the smallest scale k at
    // which m / 10^k (m below 10^15, so at most 15 significant digits) rounds back to x
    // is exactly what rounding x to 15 significant digits gives (x lies within half an
    // ulp of it, far inside the 15-digit rounding interval).
    const POW10: [f64; 7] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6];
    for (k, p) in POW10.iter().enumerate() {
        let m = (x * p).round();
        if m.abs() >= 1e15 {
            break;
        }
        if m / p == x {
            return Some(Decimal::new(m as i64, k as u32));
        }
    }
    decimal_from_f64_slow(x)
}

fn decimal_from_f64_slow(x: f64) -> Option<Decimal> {
    let s = format!("{:.14e}", x);
    match Decimal::from_scientific(&s) {
        Ok(d) => Some(d.normalize()),
        // Too small for 28 decimal places: it is zero for any money purpose.
        Err(_) if x.abs() < 1e-20 => Some(Decimal::ZERO),
        Err(_) => None,
    }
}

/// A classification code found in a cell, with any name that followed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeText {
    /// The code's digits (`2010201`).
    pub code: String,
    /// The text after the code (a name), trimmed.
    pub rest: String,
}

static CODE_CELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\[(]?\s*(\d{3}(?:[\s.\-]?\d{2}){0,2})\s*[\])]?(?:\s*[-:、.\s]\s*|\s*)(\D.*)?$")
        .expect("code pattern")
});

/// Split a code cell: `2010201`, `201 02 01`, `201-02-01`, `[2010201]行政运行`,
/// `2010201 行政运行`, `【2010201】行政运行`. Returns `None` when the text does not start
/// with a code of 3, 5 or 7 digits.
pub fn parse_code_text(s: &str) -> Option<CodeText> {
    // The usual case, a bare code: no regex needed.
    let t = s.trim();
    if matches!(t.len(), 3 | 5 | 7) && t.bytes().all(|b| b.is_ascii_digit()) {
        return Some(CodeText {
            code: t.to_string(),
            rest: String::new(),
        });
    }
    // Text without any digit cannot start with a code.
    if !s
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return None;
    }
    let nf: String = s.nfkc().collect();
    let nf = nf.replace(['【', '〔'], "[").replace(['】', '〕'], "]");
    let caps = CODE_CELL.captures(nf.trim())?;
    let code: String = caps[1].chars().filter(char::is_ascii_digit).collect();
    if !matches!(code.len(), 3 | 5 | 7) {
        return None;
    }
    let rest = caps.get(2).map_or("", |m| m.as_str()).trim().to_string();
    Some(CodeText { code, rest })
}

/// Whether a folded text is a placeholder a template left behind.
pub fn is_placeholder(folded: &str) -> bool {
    const MARKS: &[&str] = &[
        "XX",
        "xx",
        "Xx",
        "ＸＸ",
        "××",
        "xxx",
        "待填写",
        "请填写",
        "……",
        "...",
        "…",
    ];
    MARKS.iter().any(|m| folded.contains(m))
}

/// Chinese ordinal for 1..=99 (`1` → `一`, `12` → `十二`, `20` → `二十`).
pub fn chinese_ordinal(n: usize) -> Cow<'static, str> {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => Cow::Borrowed(D[n]),
        10 => Cow::Borrowed("十"),
        11..=19 => Cow::Owned(format!("十{}", D[n - 10])),
        20..=99 => {
            let tail = if n.is_multiple_of(10) { "" } else { D[n % 10] };
            Cow::Owned(format!("{}十{}", D[n / 10], tail))
        }
        _ => Cow::Owned(n.to_string()),
    }
}

/// A text fit for a message: a tab shown as a space, other control characters replaced
/// by `�`, and at most `max` characters (then `…`).
pub fn clip(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .take(max)
        .map(|c| {
            if c == '\t' {
                ' '
            } else if c.is_control() && c != '\n' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// Display width of a text: CJK and full-width characters count 2.
pub fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    proptest::proptest! {
        #[test]
        fn decimal_from_f64_fast_path_equals_15_digit_rounding(
            m in -999_999_999_999_999i64..=999_999_999_999_999,
            k in 0u32..=8,
            bits in proptest::prelude::any::<u64>(),
        ) {
            // A typed decimal, the next double up (a float artefact), and any double.
            let typed = Decimal::new(m, k).to_string().parse::<f64>().unwrap();
            for x in [typed, f64::from_bits(typed.to_bits() + 1), f64::from_bits(bits)] {
                if x.is_finite() && x.abs() < 1e20 && x != 0.0 {
                    let with_scale = |d: Option<Decimal>| d.map(|d| (d, d.scale()));
                    proptest::prop_assert_eq!(
                        with_scale(decimal_from_f64(x)),
                        with_scale(decimal_from_f64_slow(x)),
                        "{}", x
                    );
                }
            }
        }
    }

    #[test]
    fn fold_fast_path_equals_the_normaliser() {
        // Every character the fast path accepts, alone and after an ASCII letter, folds
        // exactly as it does through the NFKC normaliser.
        let slow = |s: &str| {
            let mut out = String::new();
            for c in s.nfkc() {
                push_folded(&mut out, c);
            }
            out
        };
        let known: Vec<char> = (0..=0xFFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| nfkc_known(c))
            .collect();
        assert!(known.len() > 20_000);
        for c in known {
            for s in [c.to_string(), format!("a{c}"), format!("{c}b")] {
                assert_eq!(fold(&s), slow(&s), "{:?}", s);
            }
        }
    }

    #[test]
    fn fold_unifies_widths_quotes_and_spaces() {
        assert_eq!(
            fold("一般公共预算“三公”经费支出预算表"),
            fold("一般公共预算\"三公\"经费 支出预算表")
        );
        assert_eq!(fold("因公出国（境）费"), "因公出国(境)费");
        assert_eq!(fold("单位：万元"), "单位:万元");
        assert_eq!(fold("事业单位\n经营收入"), "事业单位经营收入");
        assert_eq!(fold("２０２３年"), "2023年");
    }

    #[test]
    fn ordinals_are_stripped() {
        for (s, want) in [
            ("一、一般公共服务支出", "一般公共服务支出"),
            ("(一)一般公共预算拨款", "一般公共预算拨款"),
            ("1.一般公共预算", "一般公共预算"),
            ("二十一、其他支出", "其他支出"),
            ("收入总计", "收入总计"),
            ("其中:一般公共预算", "一般公共预算"),
        ] {
            assert_eq!(strip_ordinal(&fold(s)), want, "{s}");
        }
    }

    #[test]
    fn amounts_typed_as_text() {
        assert_eq!(
            parse_amount_text("1,234.56"),
            AmountText::Value(d("1234.56"))
        );
        assert_eq!(
            parse_amount_text("１２３４.５６"),
            AmountText::Value(d("1234.56"))
        );
        assert_eq!(
            parse_amount_text(" 684.78 "),
            AmountText::Value(d("684.78"))
        );
        assert_eq!(parse_amount_text("(12.00)"), AmountText::Value(d("-12.00")));
        assert_eq!(parse_amount_text("-5"), AmountText::Value(d("-5")));
        for blank in ["", " ", "-", "—", "——", "/"] {
            assert_eq!(parse_amount_text(blank), AmountText::Blank, "{blank:?}");
        }
        for bad in ["十万", "12万元", "1.2.3", "abc", "5-3", "#REF!"] {
            assert_eq!(parse_amount_text(bad), AmountText::Invalid, "{bad:?}");
        }
    }

    #[test]
    fn floats_become_the_decimal_the_user_sees() {
        assert_eq!(decimal_from_f64(684.78), Some(d("684.78")));
        assert_eq!(decimal_from_f64(530.88 + 1e-13), Some(d("530.88")));
        assert_eq!(decimal_from_f64(0.1 + 0.2), Some(d("0.3")));
        assert_eq!(decimal_from_f64(6847800.0), Some(d("6847800")));
        assert_eq!(decimal_from_f64(-2.5), Some(d("-2.5")));
        assert_eq!(decimal_from_f64(1e300), None);
        assert_eq!(decimal_from_f64(f64::NAN), None);
        assert_eq!(decimal_from_f64(1e-25), Some(Decimal::ZERO));
    }

    #[test]
    fn code_forms() {
        for (s, code, rest) in [
            ("2010201", "2010201", ""),
            ("201 02 01", "2010201", ""),
            ("201-02-01", "2010201", ""),
            ("[2010201]行政运行", "2010201", "行政运行"),
            ("【2010201】行政运行", "2010201", "行政运行"),
            ("2010201 行政运行", "2010201", "行政运行"),
            ("2010201行政运行", "2010201", "行政运行"),
            ("201", "201", ""),
            ("30101", "30101", ""),
            ("２０１", "201", ""),
        ] {
            let c = parse_code_text(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!((c.code.as_str(), c.rest.as_str()), (code, rest), "{s}");
        }
        for s in ["合计", "20102011", "2010", "行政运行", "…", "12"] {
            assert_eq!(parse_code_text(s), None, "{s}");
        }
    }

    #[test]
    fn chinese_ordinals() {
        assert_eq!(chinese_ordinal(1), "一");
        assert_eq!(chinese_ordinal(10), "十");
        assert_eq!(chinese_ordinal(14), "十四");
        assert_eq!(chinese_ordinal(21), "二十一");
    }
}
