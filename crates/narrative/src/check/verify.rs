//! The checks over the claims, computed once per text: each gives observations (what
//! a rule reports) and a tally (how many claims each rule checked, and how many
//! figures it could not use).
//!
//! "Consistent" means reachable: a stated rate, share or difference is right when it
//! can be obtained from the stated figures, each anywhere within the rounding it may
//! carry (± half a unit of its last decimal). Outside that range it is a finding, with
//! the arithmetic in the message and, where one fits, the known real pattern behind
//! it (this year's figure as denominator, a truncated rate, the change written as the
//! rate, shares adjusted to make 100 %).

use std::collections::{BTreeMap, HashMap};

use rust_decimal::{Decimal, RoundingStrategy};
use yusuan_core::text::fold;
use yusuan_core::{CellRef, Unit};
use yusuan_rules::{Ctx, Severity, num};

use super::Text;
use super::claims::{Claim, Claims, Comp, Comparison, Val};
use super::resolve::{Expect, Resolved, Resolver};
use super::scan::{FigUnit, Kind, subject_key};
use super::structure::{Para, Sec, structure};
use crate::Prior;

/// One thing found in the text, before it becomes a finding of its rule.
#[derive(Debug, Clone)]
pub(crate) struct Obs {
    pub rule: &'static str,
    pub severity: Severity,
    pub line: usize,
    pub cell: Option<CellRef>,
    pub quote: String,
    pub message: String,
    pub actual: Option<String>,
    pub expected: Option<String>,
    pub related: Vec<String>,
}

/// What a rule did with the text's claims.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    /// Claims it checked.
    pub checked: usize,
    /// Figures it could not use (their subject or their counterpart unknown), each
    /// as where it stands and as written (`部门其他相关情况说明!A5 1662.44万元`).
    pub unmatched: Vec<String>,
    /// Why parts could not be checked.
    pub notes: Vec<String>,
}

/// Everything the N rules report about one text.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    pub obs: Vec<Obs>,
    pub tally: BTreeMap<&'static str, Tally>,
    /// The budget year the text was read against, if known.
    pub year: Option<i32>,
}

fn round_to(v: Decimal, dp: u32) -> Decimal {
    v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

fn pct(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (!whole.is_zero()).then(|| part * Decimal::from(100) / whole)
}

/// `6.01`: a rate shown to its stated decimals (at least two when it has more).
fn show_pct(v: Decimal) -> String {
    num(round_to(v, 2))
}

/// The range of `f` over the corners of two intervals (f is monotonic in each).
fn corners(
    a: Val,
    b: Val,
    f: impl Fn(Decimal, Decimal) -> Option<Decimal>,
) -> Option<(Decimal, Decimal)> {
    let vals: Vec<Decimal> = [
        (a.lo(), b.lo()),
        (a.lo(), b.hi()),
        (a.hi(), b.lo()),
        (a.hi(), b.hi()),
    ]
    .iter()
    .filter_map(|(x, y)| f(*x, *y))
    .collect();
    let lo = vals.iter().min().copied()?;
    let hi = vals.iter().max().copied()?;
    Some((lo, hi))
}

/// Whether a stated figure (± half a unit of its decimals) meets a range.
fn reachable(stated: Decimal, scale: u32, range: (Decimal, Decimal)) -> bool {
    let half = Decimal::new(5, scale + 1);
    stated + half >= range.0 && stated - half <= range.1
}

struct Checker<'a> {
    paras: &'a [Para],
    claims: &'a Claims,
    a: Analysis,
    /// Amounts the tables contradict: claim → the table's figure (万元).
    corrected: HashMap<usize, Decimal>,
}

impl Checker<'_> {
    fn para(&self, c: &Claim) -> &Para {
        &self.paras[c.para]
    }

    fn sentence(&self, c: &Claim) -> &str {
        &self.claims.sentences[c.sentence].text
    }

    fn tally(&mut self, rule: &'static str) -> &mut Tally {
        self.a.tally.entry(rule).or_default()
    }

    /// A figure `rule` could not place: counted and named in the ledger.
    fn unplaced(&mut self, rule: &'static str, id: usize) {
        let c = self.claim(id);
        let p = self.para(c);
        let at = match &p.cell {
            Some(cell) => cell.to_string(),
            None => format!("第 {} 行", p.line),
        };
        let label = format!("{at} {}", c.fig.shown);
        self.tally(rule).unmatched.push(label);
    }

    fn push_at(
        &mut self,
        rule: &'static str,
        severity: Severity,
        p: usize,
        quote: &str,
        message: String,
    ) -> &mut Obs {
        let para = &self.paras[p];
        self.a.obs.push(Obs {
            rule,
            severity,
            line: para.line,
            cell: para.cell.clone(),
            quote: quote.trim().to_string(),
            message,
            actual: None,
            expected: None,
            related: Vec::new(),
        });
        self.a.obs.last_mut().expect("just pushed")
    }

    fn push(
        &mut self,
        rule: &'static str,
        severity: Severity,
        c: &Claim,
        message: String,
    ) -> &mut Obs {
        let quote = self.sentence(c).to_string();
        self.push_at(rule, severity, c.para, &quote, message)
    }

    fn val(&self, id: usize) -> Val {
        self.claims.val(&self.claims.claims[id])
    }

    fn claim(&self, id: usize) -> &Claim {
        &self.claims.claims[id]
    }
}

// ---------------------------------------------------------------- numbering, years, units

impl Checker<'_> {
    /// N404: numbering per level, reset by the level above and by a new scope.
    fn numbering(&mut self) {
        let mut last: [Option<u32>; 4] = [None; 4];
        let mut scope = usize::MAX;
        for i in 0..self.paras.len() {
            let p = &self.paras[i];
            if p.scope != scope {
                scope = p.scope;
                last = [None; 4];
            }
            let Some((level, n)) = p.number else { continue };
            let lvl = level as usize;
            self.tally("N404").checked += 1;
            let expected = last[lvl].map_or(1, |x| x + 1);
            if n != expected {
                let what = if last[lvl].is_some_and(|x| n <= x) {
                    "重复"
                } else {
                    "不连续"
                };
                let prev = last[lvl].map_or("（无）".to_string(), |x| x.to_string());
                let text = p.text.clone();
                self.push_at(
                    "N404",
                    Severity::Warning,
                    i,
                    &text,
                    format!("序号{what}：上一个序号为 {prev}，此处为 {n}，应为 {expected}"),
                );
            }
            last[lvl] = Some(n);
            for deeper in last.iter_mut().skip(lvl + 1) {
                *deeper = None;
            }
        }
    }

    /// N406: a year other than the budget year and the year before.
    fn years(&mut self, year: i32) {
        for i in 0..self.paras.len() {
            let text = self.paras[i].text.clone();
            for yy in super::scan::years(&text) {
                self.tally("N406").checked += 1;
                if yy != year && yy != year - 1 && (1990..2100).contains(&yy) {
                    self.push_at(
                        "N406",
                        Severity::Warning,
                        i,
                        &text,
                        format!(
                            "出现了 {yy} 年：预算年度为 {year} 年，说明中一般只应出现 {year} 年和 {} 年",
                            year - 1
                        ),
                    );
                }
            }
        }
    }

    /// N409: doubled units, and numbers whose unit was left out.
    fn units(&mut self) {
        for i in 0..self.paras.len() {
            let text = self.paras[i].text.clone();
            let f = fold(&text);
            for dup in ["万元万元", "亿元亿元", "元元"] {
                let hit = match dup {
                    "元元" => f
                        .match_indices("元元")
                        .any(|(k, _)| !f[..k].ends_with('万')),
                    d => f.contains(d),
                };
                if hit {
                    self.push_at(
                        "N409",
                        Severity::Warning,
                        i,
                        &text,
                        format!("单位重复“{dup}”"),
                    );
                }
            }
        }
        let bare: Vec<&Claim> = self
            .claims
            .claims
            .iter()
            .filter(|c| c.fig.kind == Kind::Bare)
            .collect();
        for c in bare {
            let shown = c.fig.shown.clone();
            let c = c.clone();
            self.push(
                "N409",
                Severity::Warning,
                &c,
                format!("数字 {shown} 没有单位（金额应写明万元或元，增减率应写明%）"),
            );
        }
        let money = self
            .claims
            .claims
            .iter()
            .filter(|c| c.fig.is_money())
            .count();
        self.tally("N409").checked += money;
    }

    /// A reason stated in a paragraph of its own after a paragraph's changes
    /// (`财政拨款收入支出减少的主要原因是项目调整。` after three paragraphs of changes):
    /// the first following paragraph of the same scope, before any list item or
    /// heading, that gives a reason and states no change of its own.
    fn reason_after(&self, para: usize) -> &str {
        let scope = self.paras[para].scope;
        for p in self.paras.iter().skip(para + 1).take(4) {
            if p.scope != scope || p.number.is_some() {
                break;
            }
            let changes = self
                .claims
                .in_para(p.idx)
                .any(|x| matches!(x.fig.kind, Kind::Change(_) | Kind::Rate(_)));
            if p.text.contains("原因") && !changes {
                return &p.text;
            }
        }
        ""
    }

    /// N405: an increase or decrease stated without its reason, or with a reason that
    /// goes the other way.
    fn reasons(&mut self) {
        const MARKS: &[&str] = &["原因", "主要是", "主要用于", "由于", "因为", "用于", "系"];
        let n = self.claims.sentences.len();
        let mut done = std::collections::HashSet::new();
        // (paragraph, direction) of the changes already given a reason: `收入…增加…，主要
        // 原因是…。支出…增加…。` explains both.
        let mut explained = std::collections::HashSet::new();
        for c in &self.claims.claims {
            let dir = match c.fig.kind {
                Kind::Change(d) | Kind::Rate(d) => d,
                _ => continue,
            };
            if c.fig.value.is_zero() || !done.insert(c.sentence) {
                continue;
            }
            let s = &self.claims.sentences[c.sentence];
            let next = (c.sentence + 1..n)
                .map(|k| &self.claims.sentences[k])
                .find(|x| x.para == s.para)
                .map_or("", |x| x.text.as_str());
            // The reason may follow in a later sentence of the paragraph (several
            // changes, then `…减少的主要原因是项目调整。`).
            let later: String = (c.sentence + 1..n)
                .map(|k| &self.claims.sentences[k])
                .take_while(|x| x.para == s.para)
                .map(|x| x.text.as_str())
                .collect();
            let here = format!("{}{later}{}", s.text, self.reason_after(s.para));
            // A total whose parts follow (`…增加25万元。其中：`): the parts give the reasons.
            let parts_follow = fold(next).starts_with("其中")
                || fold(&s.text).trim_end_matches('。').ends_with("其中:")
                || self.paras.get(s.para + 1).is_some_and(|p| {
                    p.text.starts_with('（')
                        && self
                            .claims
                            .in_para(p.idx)
                            .any(|x| matches!(x.fig.kind, Kind::Change(_)))
                });
            let own_reason = MARKS.iter().any(|m| s.text.contains(m));
            let has_reason = MARKS.iter().any(|m| here.contains(m));
            if own_reason {
                explained.insert((s.para, dir));
            }
            if !has_reason && !parts_follow && !explained.contains(&(s.para, dir)) {
                let c = c.clone();
                self.push(
                    "N405",
                    Severity::Warning,
                    &c,
                    "写明了增减变化，但没有说明原因".into(),
                );
                continue;
            }
            // `减少2.98%。主要原因是：…经费增加。`
            if let Some(i) = here.find("原因") {
                let reason = fold(&here[i..]);
                let reason = reason.trim_end_matches(['。', ';', '；']);
                let says = if reason.ends_with("增加") || reason.ends_with("增长") {
                    Some(1)
                } else if reason.ends_with("减少") || reason.ends_with("下降") {
                    Some(-1)
                } else {
                    None
                };
                if says.is_some_and(|d| d != dir) {
                    let c = c.clone();
                    let word = if dir > 0 { "增加" } else { "减少" };
                    self.push(
                        "N405",
                        Severity::Warning,
                        &c,
                        format!("所述原因与增减方向不符：此处为{word}，原因却说的是相反方向"),
                    );
                }
            }
            self.tally("N405").checked += 1;
        }
    }
}

// ---------------------------------------------------------------- rates and changes

/// What a growth rate is checked against (see [`Checker::rate_inputs`]).
#[derive(Debug, Clone, Copy)]
struct RateInputs {
    delta: Option<Val>,
    cur: Option<Val>,
    base: Option<Val>,
    /// The change (this year − last year).
    d: Decimal,
    /// Last year's figure.
    b: Decimal,
    /// The rate over the figures' rounding bounds.
    range: Option<(Decimal, Decimal)>,
}

impl Checker<'_> {
    /// N407: each growth rate against the figures it is computed from.
    fn rates(&mut self) {
        let rates: Vec<usize> = self
            .claims
            .claims
            .iter()
            .filter(|c| matches!(c.fig.kind, Kind::Rate(_)))
            .map(|c| c.id)
            .collect();
        for id in rates {
            self.rate(id);
        }
    }

    fn rate(&mut self, id: usize) {
        let r = self.claim(id).clone();
        let Kind::Rate(dir) = r.fig.kind else { return };
        let cmp = self.claims.comparison(&r);
        let Some(inp) = self.rate_inputs(&cmp, dir) else {
            self.unplaced("N407", r.id);
            return;
        };
        self.tally("N407").checked += 1;
        let RateInputs {
            delta,
            cur,
            base,
            d,
            b,
            range,
        } = inp;
        let stated = r.fig.value;
        let scale = r.fig.scale;
        // The change itself disagrees with this year's and last year's stated figures
        // and the rate agrees with them: the change's N408 says it all.
        if let (Some(ch), Some(c), Some(bv)) = (delta, cur, base)
            && let Some(rg) = corners(c, bv, |x, y| {
                pct((x - y).abs(), y).filter(|_| y > Decimal::ZERO)
            })
            && reachable(stated, scale, rg)
            && corners(ch, bv, |x, y| pct(x.abs(), y).filter(|_| y > Decimal::ZERO))
                .is_some_and(|r2| !reachable(stated, scale, r2))
        {
            return;
        }
        if b <= Decimal::ZERO {
            if !d.is_zero() && b.is_zero() {
                self.push(
                    "N407",
                    Severity::Info,
                    &r,
                    format!(
                        "增减率{}的基数为 0：上年为 0 时增长率无法计算（写作 {} 只是惯例）",
                        r.fig.shown, r.fig.shown
                    ),
                );
            }
            return;
        }
        let strict = pct(d.abs(), b).unwrap_or_default();
        let expected = round_to(strict, scale);
        let wrong_way = !d.is_zero() && (d > Decimal::ZERO) != (dir > 0) && !stated.is_zero();
        if expected == stated && !wrong_way {
            return;
        }
        let truncated = strict.trunc_with_scale(scale) == stated && expected != stated;
        if !wrong_way && range.is_some_and(|rg| reachable(stated, scale, rg)) && !truncated {
            return;
        }
        // The rate is right with the tables' figure where the text's amount is wrong:
        // that amount's N401 says it all.
        if let Some(cur_id) = cmp.current
            && let Some(table) = self.corrected.get(&cur_id)
        {
            let b2 = if cmp.base.is_some() { b } else { *table - d };
            let d2 = if cmp.base.is_some() { *table - b } else { d };
            if pct(d2.abs(), b2).is_some_and(|v| round_to(v, scale) == stated) {
                return;
            }
        }
        let current = cur.map(|c| c.v).unwrap_or(b + d);
        let hint = if pct(d.abs(), current).is_some_and(|v| round_to(v, scale) == stated) {
            "（似按本年数而非上年数作分母）"
        } else if truncated {
            "（似为截尾而非四舍五入）"
        } else if stated == d.abs() || stated == round_to(d.abs(), scale) {
            "（似把增减额写成了增减率）"
        } else if wrong_way {
            "（增减方向与金额不符）"
        } else {
            ""
        };
        let word = if dir > 0 { "增长" } else { "下降" };
        let o = self.push(
            "N407",
            Severity::Warning,
            &r,
            format!(
                "{word}{}与所述金额不符：{} ÷ 上年 {} = {}%，应为{expected:.prec$}%{hint}",
                r.fig.shown.replace(' ', ""),
                num(d.abs()),
                num(b),
                show_pct(strict),
                prec = scale as usize
            ),
        );
        o.actual = Some(num(stated));
        o.expected = Some(num(expected));
    }

    /// The figures a rate is computed from: the change (signed by its word), this
    /// year's and last year's amounts as stated; Δ and the base they give; and the
    /// range of the rate over their rounding. `None` when too few are stated.
    fn rate_inputs(&self, cmp: &Comparison, dir: i8) -> Option<RateInputs> {
        let signed = |c: &Claim, v: Val| {
            let sign = match c.fig.kind {
                Kind::Change(d) if d != 0 => d,
                _ => dir,
            };
            Val {
                v: v.v * Decimal::from(sign),
                half: v.half,
            }
        };
        let delta = cmp.change.map(|c| signed(self.claim(c), self.val(c)));
        let cur = cmp.current.map(|c| self.val(c));
        let base = cmp.base.map(|c| self.val(c));
        let positive = |y: Decimal| y > Decimal::ZERO;
        let (d, b, range) = match (delta, cur, base) {
            (Some(d), _, Some(b)) => (
                d.v,
                b.v,
                corners(d, b, |x, y| pct(x.abs(), y).filter(|_| positive(y))),
            ),
            (None, Some(c), Some(b)) => (
                c.v - b.v,
                b.v,
                corners(c, b, |x, y| pct((x - y).abs(), y).filter(|_| positive(y))),
            ),
            (Some(d), Some(c), None) => (
                d.v,
                c.v - d.v,
                corners(c, d, |x, y| pct(y.abs(), x - y).filter(|_| positive(x - y))),
            ),
            _ => return None,
        };
        Some(RateInputs {
            delta,
            cur,
            base,
            d,
            b,
            range,
        })
    }

    /// N408: a change against the two amounts it is the difference of.
    fn changes(&mut self) {
        let changes: Vec<usize> = self
            .claims
            .claims
            .iter()
            .filter(|c| matches!(c.fig.kind, Kind::Change(_)))
            .map(|c| c.id)
            .collect();
        for id in changes {
            let c = self.claim(id).clone();
            let cmp = self.claims.comparison(&c);
            let (Some(cur), Some(base)) = (cmp.current, cmp.base) else {
                continue;
            };
            let (cv, bv, dv) = (self.val(cur), self.val(base), self.val(id));
            let diff = cv.v - bv.v;
            let Kind::Change(dir) = c.fig.kind else {
                continue;
            };
            self.tally("N408").checked += 1;
            let range = (
                (cv.lo() - bv.hi()).abs().min((cv.hi() - bv.lo()).abs()),
                (cv.lo() - bv.hi()).abs().max((cv.hi() - bv.lo()).abs()),
            );
            let within = dv.hi() >= range.0 && dv.lo() <= range.1;
            let wrong_way = dir != 0 && !diff.is_zero() && (diff > Decimal::ZERO) != (dir > 0);
            if within && !wrong_way {
                continue;
            }
            let unit = if c.fig.unit == FigUnit::Yuan {
                "元"
            } else {
                "万元"
            };
            let scale = |v: Decimal| {
                if unit == "元" {
                    v * Decimal::from(10_000)
                } else {
                    v
                }
            };
            let o = self.push(
                "N408",
                Severity::Error,
                &c,
                format!(
                    "增减额{}与所述金额不符：{} − {} = {}{unit}",
                    c.fig.shown,
                    num(scale(cv.v)),
                    num(scale(bv.v)),
                    num(scale(diff))
                ),
            );
            o.actual = Some(num(c.fig.value));
            o.expected = Some(num(scale(diff.abs())));
        }
    }
}

/// A 预算 table named by its title (`表2` → `“财政拨款收支预算总表”`), so that a 决算's
/// labels do not rename it in the message.
fn spelled_out(ctx: &Ctx<'_>, what: &str) -> String {
    let mut out = what.to_string();
    // Longest labels first: `表3-1` before `表3`.
    let mut ids = yusuan_core::TableId::ALL.to_vec();
    ids.sort_by_key(|id| std::cmp::Reverse(id.label().len()));
    for id in ids {
        if out.contains(id.label()) {
            let title = format!("“{}”", ctx.catalog.table(id).title);
            out = out.replace(id.label(), &title);
        }
    }
    out
}

/// Whether a figure's own words name it a 预算数 (`年初预算为`, `全年预算数`, `预算为`),
/// not a fund (`一般公共预算`).
fn names_a_budget(own: &str) -> bool {
    let w = own.trim_end_matches(['为', '是', ':', '数']);
    ["年初预算", "全年预算", "调整预算", "调整后预算", "预算"]
        .iter()
        .any(|k| w.ends_with(k))
        && !w.ends_with("一般公共预算")
        && !w.ends_with("基金预算")
        && !w.ends_with("经营预算")
}

/// `决算数大于/小于/等于…预算数`, `决算数与…预算数持平`: the direction a sentence states,
/// as the sign of 决算 − 预算.
fn stated_direction(folded: &str) -> Option<(i8, String)> {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"决算数?(?:(大于|高于|超过|多于)|(小于|低于|少于)|(等于)|与[^,。;]{0,8}?持平)[^,。;]{0,6}?预算",
        )
        .expect("direction pattern")
    });
    let c = RE.captures(folded)?;
    let sign = if c.get(1).is_some() {
        1
    } else if c.get(2).is_some() {
        -1
    } else {
        0
    };
    Some((sign, c[0].to_string()))
}

impl Checker<'_> {
    /// N408: `决算数大于/小于/等于预算数` against the 预算数 and 决算数 the passage states
    /// before it (`全年预算为52.00万元，支出决算为51.32万元。决算数小于全年预算数…`).
    fn directions(&mut self) {
        for (si, sentence) in self.claims.sentences.iter().enumerate() {
            let Some((sign, phrase)) = stated_direction(&fold(&sentence.text)) else {
                continue;
            };
            let before: Vec<&Claim> = self
                .claims
                .claims
                .iter()
                .filter(|c| {
                    c.para == sentence.para && c.sentence <= si && c.is_amount() && !c.prior
                })
                .collect();
            let plan = before.iter().rev().find(|c| names_a_budget(&c.own));
            let done = before
                .iter()
                .rev()
                .find(|c| c.own.contains("决算") && !names_a_budget(&c.own));
            let (Some(plan), Some(done)) = (plan, done) else {
                continue;
            };
            let (pv, dv) = (round_to(plan.fig.wan(), 2), round_to(done.fig.wan(), 2));
            self.tally("N408").checked += 1;
            let actual = match dv.cmp(&pv) {
                std::cmp::Ordering::Greater => 1,
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
            };
            if actual == sign {
                continue;
            }
            let word = ["小于", "等于", "大于"][(actual + 1) as usize];
            let (quote, para) = (sentence.text.clone(), sentence.para);
            let o = self.push_at(
                "N408",
                Severity::Error,
                para,
                &quote,
                format!(
                    "写的是“{phrase}”，但所述决算数 {} 万元{word}预算数 {} 万元",
                    num(dv),
                    num(pv)
                ),
            );
            o.actual = Some(num(dv));
            o.expected = Some(num(pv));
        }
    }

    /// N408: the 政府采购 awarded to 中小企业 — in the projects reserved for them and in
    /// the other projects — cannot exceed the total 政府采购 (面向小微企业 is a part of
    /// 面向中小企业, not added).
    fn procurement(&mut self) {
        let amounts = || {
            self.claims
                .claims
                .iter()
                .filter(|c| c.is_amount() && !c.prior)
        };
        let segment = |c: &Claim| -> String {
            let s = self.sentence(c);
            let head = &s[..c.fig.start];
            let from = head.rfind(['；', ';', '。']).map_or(0, |i| i + 1);
            fold(&head[from..])
        };
        let Some(total) = amounts()
            .find(|c| c.own.contains("政府采购金额") || c.own.contains("政府采购支出总额"))
            .cloned()
        else {
            return;
        };
        let wins: Vec<Claim> = amounts()
            .filter(|c| c.para == total.para || c.para == total.para + 1)
            .filter(|c| {
                let seg = segment(c);
                seg.contains("由中小企业")
                    && seg.contains("中标")
                    && (seg.contains("面向中小企业预留") || seg.contains("其他政府采购项目"))
            })
            .cloned()
            .collect();
        if wins.len() < 2 {
            return;
        }
        let sum: Decimal = wins.iter().map(|c| c.fig.wan()).sum();
        if sum <= total.fig.wan() {
            return;
        }
        self.tally("N408").checked += 1;
        let last = wins.last().expect("two or more").clone();
        let shown: Vec<&str> = wins.iter().map(|c| c.fig.shown.as_str()).collect();
        let o = self.push(
            "N408",
            Severity::Error,
            &last,
            format!(
                "由中小企业中标或成交的采购金额（面向中小企业预留项目中与其他项目中：{}）合计 {} 万元，超过政府采购金额 {}（似将同一笔采购重复计入）",
                shown.join(" + "),
                num(sum),
                total.fig.shown
            ),
        );
        o.actual = Some(num(sum));
        o.expected = Some(num(total.fig.wan()));
    }
}

// ---------------------------------------------------------------- shares, parts, totals

/// `决算` or `预算` in a subject, when it says which.
/// The stage a figure is of, by its own words first (`决算支出数为`), else by its
/// subject's.
fn stage(c: &Claim) -> Option<&'static str> {
    let of = |s: &str| {
        if s.contains("决算") || s.contains("执行") || s.contains("支出数") || s.contains("完成")
        {
            Some("决算")
        } else if s.contains("预算") {
            Some("预算")
        } else {
            None
        }
    };
    of(&c.own).or_else(|| of(&fold(&c.subject)))
}

impl Checker<'_> {
    /// The amount a share or completion rate is of: the amount before it in its
    /// sentence (after the previous percentage).
    fn part_of(&self, c: &Claim) -> Option<usize> {
        self.claims
            .in_sentence(c.sentence)
            .filter(|x| x.id < c.id)
            .take_while(|_| true)
            .collect::<Vec<_>>()
            .iter()
            .rev()
            .take_while(|x| !matches!(x.fig.kind, Kind::Share | Kind::Completion))
            .find(|x| x.is_amount() && !x.prior)
            .map(|x| x.id)
    }

    /// The whole a share names (`占基本支出预算`, `占总收入的`), else the whole its list
    /// hangs from (`…万元，其中：`), else the parent of its part's component.
    fn whole_of(&self, s: &Claim, part: &Claim) -> Option<usize> {
        let sentence = self.sentence(s);
        let clause = &sentence[s.fig.clause_start..s.fig.start];
        let named = clause
            .rfind('占')
            .map(|i| fold(&clause[i + '占'.len_utf8()..]))
            .map(|w| w.trim_end_matches('的').to_string())
            .unwrap_or_default();
        let key = subject_key(&named);
        let before = || {
            self.claims
                .claims
                .iter()
                .filter(|c| c.id < s.id && c.id != part.id && c.is_amount() && !c.prior)
                .filter(|c| self.paras[c.para].scope == self.paras[s.para].scope)
                .rev()
        };
        if !key.is_empty() {
            // The whole named exactly, else the latest that contains the name.
            return before()
                .find(|c| c.key == key)
                .or_else(|| before().find(|c| c.key.contains(&key) && key.chars().count() >= 2))
                .map(|c| c.id);
        }
        // The list's whole: the last amount before the part followed by 其中/包括.
        let list_whole = before()
            .filter(|c| c.id < part.id && c.para == part.para)
            .find(|c| {
                let t = fold(&c.tail);
                t.contains("其中") || t.contains("包括")
            })
            .map(|c| c.id);
        list_whole.or_else(|| {
            let comp = Comp::of(&fold(&part.subject))?;
            before()
                .filter(|c| c.id < part.id)
                .find(|c| Comp::of(&fold(&c.subject)).is_some_and(|w| w.children().contains(&comp)))
                .map(|c| c.id)
        })
    }

    /// N402: each share against its part and its whole; N408: the shares of one whole.
    fn shares(&mut self) {
        let shares: Vec<usize> = self
            .claims
            .claims
            .iter()
            .filter(|c| c.fig.kind == Kind::Share)
            .map(|c| c.id)
            .collect();
        // (share, part, whole) with the whole resolved, grouped by whole.
        let mut by_whole: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        let mut unknown: Vec<(usize, usize)> = Vec::new();
        for id in shares {
            let s = self.claim(id).clone();
            let Some(part) = self.part_of(&s) else {
                self.unplaced("N402", id);
                continue;
            };
            let part_c = self.claim(part).clone();
            match self.whole_of(&s, &part_c) {
                Some(w) if w != part => by_whole.entry(w).or_default().push((id, part)),
                _ => unknown.push((id, part)),
            }
        }
        // Shares of a list with no stated whole that add up to 100 %: the whole is
        // the sum of the parts.
        let mut lists: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        for (id, part) in unknown {
            lists
                .entry(self.claim(id).para)
                .or_default()
                .push((id, part));
        }
        for (_, list) in lists {
            let total: Decimal = list.iter().map(|(s, _)| self.claim(*s).fig.value).sum();
            let tol = Decimal::new(5, 3) * Decimal::from(list.len() as i64 * 10);
            if list.len() >= 2 && (total - Decimal::from(100)).abs() <= tol {
                let parts: Vec<Val> = list.iter().map(|(_, p)| self.val(*p)).collect();
                let whole = Val {
                    v: parts.iter().map(|p| p.v).sum(),
                    half: parts.iter().map(|p| p.half).sum(),
                };
                for (s, p) in &list {
                    self.share(*s, *p, whole, None);
                }
            } else {
                for (s, _) in &list {
                    self.unplaced("N402", *s);
                }
            }
        }
        for (w, list) in by_whole {
            let whole = self.val(w);
            for (s, p) in &list {
                self.share(*s, *p, whole, Some(w));
            }
            // N408: the shares of one whole whose parts make the whole.
            if list.len() >= 2 {
                let parts: Decimal = list.iter().map(|(_, p)| self.val(*p).v).sum();
                let halves: Decimal = list.iter().map(|(_, p)| self.val(*p).half).sum();
                let shares: Decimal = list.iter().map(|(s, _)| self.claim(*s).fig.value).sum();
                let max_scale = list
                    .iter()
                    .map(|(s, _)| self.claim(*s).fig.scale)
                    .max()
                    .unwrap_or(0);
                let tol = Decimal::new(5, max_scale + 1) * Decimal::from(list.len() as i64);
                if (parts - whole.v).abs() <= halves + whole.half
                    && (shares - Decimal::from(100)).abs() > tol
                {
                    let s = self.claim(list[list.len() - 1].0).clone();
                    self.push(
                        "N408",
                        Severity::Error,
                        &s,
                        format!(
                            "各部分占比合计 {}%，超出四舍五入可能的范围（应约为 100%）",
                            num(shares)
                        ),
                    );
                }
            }
        }
    }

    /// One share: reachable from its part and whole within their rounding.
    fn share(&mut self, s: usize, part: usize, whole: Val, whole_id: Option<usize>) {
        let sc = self.claim(s).clone();
        let pv = self.val(part);
        self.tally("N402").checked += 1;
        let Some(exact) = pct(pv.v, whole.v) else {
            return;
        };
        let scale = sc.fig.scale;
        let stated = sc.fig.value;
        let expected = round_to(exact, scale);
        if expected == stated {
            return;
        }
        let range = corners(pv, whole, |x, y| pct(x, y).filter(|_| y > Decimal::ZERO));
        if range.is_some_and(|r| reachable(stated, scale, r)) {
            return;
        }
        let hint = if exact.trunc_with_scale(scale) == stated {
            "（似为截尾或为凑足100%而调整，占比应逐项四舍五入）"
        } else if round_to(Decimal::from(100) - exact, scale) == stated {
            "（似为其余部分所占的比例）"
        } else {
            ""
        };
        let whole_txt = match whole_id {
            Some(w) => num(round_to(self.claim(w).value(), 2)),
            None => format!("{}（各项之和）", num(round_to(whole.v, 2))),
        };
        let o = self.push(
            "N402",
            Severity::Warning,
            &sc,
            format!(
                "占比{}%与重新计算的不符：{} ÷ {} = {}%{hint}",
                stated,
                num(round_to(pv.v, 2)),
                whole_txt,
                show_pct(exact)
            ),
        );
        o.actual = Some(num(stated));
        o.expected = Some(num(round_to(exact, scale.max(2))));
    }

    /// What a completion rate divides: the amount completed, the budget it names (in
    /// its phrase, `完成年初预算数60999万元的`, else the 年初/全年 budget stated before),
    /// and every budget figure of the sentence.
    fn completion_figures(&self, c: &Claim) -> Option<(usize, usize, Vec<usize>)> {
        let sentence = self.sentence(c);
        let clause = fold(&sentence[c.fig.clause_start..c.fig.start]);
        let in_phrase: Option<usize> = self
            .claims
            .in_sentence(c.sentence)
            .filter(|x| x.id < c.id && x.fig.start >= c.fig.clause_start && x.is_amount())
            .last()
            .map(|x| x.id);
        let earlier: Vec<&Claim> = self
            .claims
            .in_sentence(c.sentence)
            .filter(|x| x.id < c.id && x.is_amount() && Some(x.id) != in_phrase)
            .collect();
        let act = *earlier.last()?;
        let which = if clause.contains("年初") {
            Some("年初")
        } else if clause.contains("全年") || clause.contains("调整") {
            Some("全年")
        } else {
            None
        };
        // Which budget a figure is: by its own words (`全年预算为321.02万元` after
        // `…年初预算为0万元`), else by its subject's.
        let words = |x: &Claim| {
            if x.own.contains("预算") {
                x.own.clone()
            } else {
                fold(&x.subject)
            }
        };
        let budgets: Vec<&Claim> = earlier
            .iter()
            .copied()
            .filter(|x| x.id != act.id && words(x).contains("预算"))
            .filter(|x| x.key == act.key || act.key.is_empty() || x.key.is_empty())
            .collect();
        let pick = |w: Option<&str>| {
            budgets
                .iter()
                .rev()
                .find(|x| w.is_none_or(|w| words(x).contains(w)))
                .map(|x| x.id)
        };
        let budget = in_phrase.or_else(|| pick(which)).or_else(|| pick(None))?;
        Some((act.id, budget, budgets.iter().map(|b| b.id).collect()))
    }

    /// N402: `完成(年初)预算的X%` against the amount and the budget it names.
    fn completion(&mut self) {
        let ids: Vec<usize> = self
            .claims
            .claims
            .iter()
            .filter(|c| c.fig.kind == Kind::Completion)
            .map(|c| c.id)
            .collect();
        for id in ids {
            let c = self.claim(id).clone();
            let Some((actual, budget, budgets)) = self.completion_figures(&c) else {
                self.unplaced("N402", id);
                continue;
            };
            let claims = self.claims;
            let budgets: Vec<&Claim> = budgets.iter().map(|b| &claims.claims[*b]).collect();
            self.tally("N402").checked += 1;
            let (av, bv) = (self.val(actual), self.val(budget));
            let stated = c.fig.value;
            let scale = c.fig.scale;
            let exact = pct(av.v, bv.v);
            let ok = exact.is_some_and(|e| round_to(e, scale) == stated)
                || corners(av, bv, |x, y| pct(x, y).filter(|_| y > Decimal::ZERO))
                    .is_some_and(|r| reachable(stated, scale, r));
            if ok {
                continue;
            }
            // Against another budget figure of the passage (全年 for 年初) it is right.
            let other = budgets.iter().find(|x| {
                x.id != budget
                    && pct(self.val(x.id).v, Decimal::ONE)
                        .and_then(|_| pct(av.v, self.val(x.id).v))
                        .is_some_and(|e| round_to(e, scale) == stated)
            });
            let budget_c = self.claim(budget).clone();
            let message = match (exact, other) {
                (None, Some(o)) => format!(
                    "完成率{}%不能按{}计算：{}为 0；{}% 是 {} ÷ {}（{}）",
                    stated,
                    budget_label(&budget_c),
                    budget_label(&budget_c),
                    stated,
                    num(av.v),
                    num(o.value()),
                    budget_label(o)
                ),
                (Some(e), Some(o)) => format!(
                    "完成率{}%与所述金额不符：{} ÷ {} = {}%（{}% 是按{}计算的）",
                    stated,
                    num(av.v),
                    num(bv.v),
                    show_pct(e),
                    stated,
                    budget_label(o)
                ),
                (Some(e), None) => {
                    let hint = if round_to(Decimal::from(100) - e, scale) == stated {
                        "（似为未完成部分的比例）"
                    } else {
                        ""
                    };
                    format!(
                        "完成率{}%与所述金额不符：{} ÷ {} = {}%{hint}",
                        stated,
                        num(av.v),
                        num(bv.v),
                        show_pct(e)
                    )
                }
                (None, None) => {
                    format!("完成率{}%无法计算：{}为 0", stated, budget_label(&budget_c))
                }
            };
            let o = self.push("N402", Severity::Warning, &c, message);
            o.actual = Some(num(stated));
            o.expected = exact.map(|e| num(round_to(e, scale.max(2))));
        }
    }

    /// N408: `比上年持平` where the sentence's own figures for this year and last year
    /// differ beyond their rounding (`执行数为10.00万元，2024年预算安排11.23万元，比2023年预算执行数持平`).
    fn level(&mut self) {
        for si in 0..self.claims.sentences.len() {
            let f = &self.claims.sentences[si].text;
            let Some(at) = f.find("持平") else { continue };
            if ["基本", "大体", "略有"]
                .iter()
                .any(|w| f[..at].ends_with(w))
            {
                continue;
            }
            // The figures it speaks of: before it, after any earlier change or rate.
            let before: Vec<&Claim> = self
                .claims
                .in_sentence(si)
                .filter(|c| c.fig.end <= at)
                .collect();
            let from = before
                .iter()
                .rposition(|c| matches!(c.fig.kind, Kind::Change(_) | Kind::Rate(_)))
                .map_or(0, |i| i + 1);
            let amounts: Vec<&Claim> = before[from..]
                .iter()
                .copied()
                .filter(|c| c.is_amount())
                .collect();
            let cur = amounts.iter().rev().find(|c| !c.prior).copied();
            let base = amounts.iter().rev().find(|c| c.prior).copied();
            let (Some(cur), Some(base)) = (cur, base) else {
                continue;
            };
            if !Claims::same_subject(cur, base) && !cur.key.is_empty() && !base.key.is_empty() {
                continue;
            }
            let (cv, bv) = (self.claims.val(cur), self.claims.val(base));
            self.tally("N408").checked += 1;
            if (cv.v - bv.v).abs() <= cv.half + bv.half {
                continue;
            }
            let (cur, base) = (cur.clone(), base.clone());
            let o = self.push(
                "N408",
                Severity::Error,
                &cur,
                format!(
                    "说明写“持平”，但所述金额不同：{} 与上年 {}（差 {} 万元）",
                    cur.fig.shown,
                    base.fig.shown,
                    num(round_to(cv.v - bv.v, 2))
                ),
            );
            o.actual = Some(num(round_to(cv.v - bv.v, 2)));
            o.expected = Some(num(Decimal::ZERO));
        }
    }

    /// N408: known wholes against their parts (三公 = 出国 + 用车 + 接待, 基本支出 =
    /// 人员经费 + 公用经费 …), and any `其中` list that exceeds its whole.
    fn parts(&mut self) {
        let n = self.claims.claims.len();
        for w in 0..n {
            let wc = self.claim(w).clone();
            if !wc.is_amount() || wc.prior {
                continue;
            }
            let scope = self.paras[wc.para].scope;
            let comp = comp_of(&wc);
            let reported = self.a.obs.len();
            if let Some(t) = comp.filter(|t| !t.children().is_empty()) {
                self.known_parts(&wc, t, scope);
            }
            // One finding per whole: its known parts said it already.
            let t = fold(&wc.tail);
            if t.contains("其中") && !t.contains("：其中") && self.a.obs.len() == reported {
                self.list_parts(&wc);
            }
        }
    }

    fn known_parts(&mut self, wc: &Claim, t: Comp, scope: usize) {
        let later: Vec<&Claim> = self
            .claims
            .claims
            .iter()
            .skip(wc.id + 1)
            .take_while(|c| {
                self.paras[c.para].scope == scope
                    && (c.para == wc.para || self.paras[c.para].sec == self.paras[wc.para].sec)
            })
            .filter(|c| c.is_amount() && !c.prior && !c.fig.base)
            .collect();
        // Up to the next statement of the same whole.
        let later: Vec<&Claim> = later
            .into_iter()
            .take_while(|c| comp_of(c) != Some(t) || stage(c) != stage(wc))
            .collect();
        let mut found: Vec<Option<Vec<&Claim>>> = Vec::new();
        for child in t.children() {
            let pick = |k: Comp| {
                later
                    .iter()
                    .find(|c| {
                        comp_of(c) == Some(k)
                            && (stage(wc).is_none() || stage(c) == stage(wc) || stage(c).is_none())
                    })
                    .copied()
            };
            let got = match pick(*child) {
                Some(c) => Some(vec![c]),
                // 用车 given as its parts (or only one of them).
                None if *child == Comp::Vehicle => {
                    let parts: Vec<&Claim> = [Comp::VehiclePurchase, Comp::VehicleOperation]
                        .into_iter()
                        .filter_map(pick)
                        .collect();
                    (!parts.is_empty()).then_some(parts)
                }
                None => None,
            };
            found.push(got);
        }
        if found.iter().any(Option::is_none) {
            return;
        }
        let parts: Vec<&Claim> = found.into_iter().flatten().flatten().collect();
        self.tally("N408").checked += 1;
        let vals: Vec<Val> = parts.iter().map(|c| self.claims.val(c)).collect();
        let sum: Decimal = vals.iter().map(|v| v.v).sum();
        let tol: Decimal = vals.iter().map(|v| v.half).sum::<Decimal>() + self.claims.val(wc).half;
        if (sum - wc.value()).abs() <= tol {
            return;
        }
        let last = (*parts.iter().max_by_key(|c| c.id).expect("parts")).clone();
        let names: Vec<String> = parts
            .iter()
            .map(|c| format!("{} {}", c.subject, num(round_to(c.value(), 2))))
            .collect();
        let w_shown = wc.fig.shown.clone();
        let wsub = wc.subject.clone();
        let o = self.push(
            "N408",
            Severity::Error,
            &last,
            format!(
                "分项之和 {} 万元与所述总数{w_shown}不符：{}（{wsub}{w_shown}）",
                num(round_to(sum, 2)),
                names.join(" + ")
            ),
        );
        o.actual = Some(num(round_to(sum, 2)));
        o.expected = Some(num(round_to(wc.value(), 2)));
    }

    /// A `…X万元，其中：A、B、C` list in one sentence: its parts may not exceed it
    /// (a nested `其中` list belongs to its own part).
    fn list_parts(&mut self, wc: &Claim) {
        let mut parts: Vec<&Claim> = Vec::new();
        for c in self
            .claims
            .in_sentence(wc.sentence)
            .filter(|c| c.id > wc.id)
        {
            if !c.is_amount() || c.prior || c.fig.in_parens {
                continue;
            }
            parts.push(c);
            if fold(&c.tail).contains("其中") {
                break; // a nested list: its parts are this one's
            }
        }
        if parts.is_empty() {
            return;
        }
        let vals: Vec<Val> = parts.iter().map(|c| self.claims.val(c)).collect();
        let sum: Decimal = vals.iter().map(|v| v.v).sum();
        let tol: Decimal = vals.iter().map(|v| v.half).sum::<Decimal>() + self.claims.val(wc).half;
        self.tally("N408").checked += 1;
        if sum - wc.value() > tol {
            let last = (*parts.last().expect("parts")).clone();
            let o = self.push(
                "N408",
                Severity::Error,
                &last,
                format!(
                    "分项之和 {} 万元超过所述总数{}",
                    num(round_to(sum, 2)),
                    wc.fig.shown
                ),
            );
            o.actual = Some(num(round_to(sum, 2)));
            o.expected = Some(num(round_to(wc.value(), 2)));
        }
    }

    /// N408: the 收入总计 and the 支出总计 of one scope stated differently.
    fn totals(&mut self) {
        let total = |c: &Claim| -> Option<(bool, String)> {
            let s = fold(&c.subject);
            // 收入预算总计 / 支出决算总计: the stage word inside a 总计.
            let bare = s.replace("预算", "").replace("决算", "");
            for (income, w) in [(true, "收入总计"), (false, "支出总计")] {
                if let Some(q) = bare.strip_suffix(w) {
                    return Some((income, q.to_string()));
                }
            }
            for (income, words) in [
                (true, ["收入总计", "收入总预算", "收入预算", "总收入"]),
                (false, ["支出总计", "支出总预算", "支出预算", "总支出"]),
            ] {
                for w in words {
                    if let Some(q) = s.strip_suffix(w) {
                        return Some((income, q.to_string()));
                    }
                }
            }
            None
        };
        let all: Vec<(usize, bool, String)> = self
            .claims
            .claims
            .iter()
            .filter(|c| c.is_amount() && !c.prior)
            .filter_map(|c| total(c).map(|(i, q)| (c.id, i, q)))
            .collect();
        let mut reported = std::collections::HashSet::new();
        for (e, income, q) in &all {
            if *income {
                continue;
            }
            let ec = self.claim(*e).clone();
            let scope = self.paras[ec.para].scope;
            let Some((i, _, _)) = all
                .iter()
                .filter(|(i, inc, q2)| {
                    *inc && q2 == q && self.paras[self.claim(*i).para].scope == scope
                })
                .min_by_key(|(i, _, _)| (*i as i64 - *e as i64).abs())
            else {
                continue;
            };
            let ic = self.claim(*i).clone();
            self.tally("N408").checked += 1;
            let (iv, ev) = (self.claims.val(&ic), self.claims.val(&ec));
            if (iv.v - ev.v).abs() <= iv.half + ev.half || !reported.insert(*e) {
                continue;
            }
            let o = self.push(
                "N408",
                Severity::Error,
                &ec,
                format!(
                    "说明中的支出总计 {} 万元与收入总计 {} 万元不一致（{} 与 {}）",
                    num(round_to(ev.v, 2)),
                    num(round_to(iv.v, 2)),
                    ec.fig.shown,
                    ic.fig.shown
                ),
            );
            o.actual = Some(num(round_to(ev.v, 2)));
            o.expected = Some(num(round_to(iv.v, 2)));
        }
    }
}

/// The component a claim is about; the whole of a `支出预算 … 其中：基本支出 …` list
/// is 支出.
fn comp_of(c: &Claim) -> Option<Comp> {
    let s = fold(&c.subject);
    Comp::of(&s).or_else(|| {
        [
            "支出预算",
            "本年支出合计",
            "支出合计",
            "支出总计",
            "支出决算",
            "总支出",
            "本年支出",
        ]
        .iter()
        .any(|w| s.ends_with(w))
        .then_some(Comp::Expenditure)
    })
}

// ---------------------------------------------------------------- the tables

impl Checker<'_> {
    /// A change on last year (N401): the table's figure less last year's.
    fn change_amount(&mut self, c: &Claim, be: &Expect, prior: Decimal, sign: i8) {
        self.tally("N401").checked += 1;
        let cur = round_to(Unit::WanYuan.from_yuan(be.yuan), 2);
        let expected = cur - round_to(prior, 2);
        let sign = if sign == 0 { 1 } else { sign };
        let stated = c.value() * Decimal::from(sign);
        if stated == expected {
            return;
        }
        let word = if expected >= Decimal::ZERO {
            "增加"
        } else {
            "减少"
        };
        let o = self.push(
            "N401",
            Severity::Error,
            c,
            format!(
                "增减额“{}”与表格不符：{} {} 万元，上年 {} 万元，应为{word} {} 万元",
                c.fig.shown,
                be.what,
                num(cur),
                num(prior),
                num(expected.abs())
            ),
        );
        o.actual = Some(num(stated));
        o.expected = Some(num(expected));
    }

    /// A 决算 text's 年初预算数 against the year's 预算 workbook when given (N401); a
    /// 全年预算 is in neither workbook.
    fn planned_amount(
        &mut self,
        ctx: &Ctx<'_>,
        c: &Claim,
        p: &Para,
        planned: Option<&Resolver<'_>>,
    ) {
        let initial = !c.own.contains("全年") && !c.own.contains("调整");
        let e = planned
            .filter(|_| initial)
            .and_then(|r| r.resolve(&c.subject, p).expect);
        let Some(e) = e else {
            self.unplaced("N401", c.id);
            return;
        };
        self.tally("N401").checked += 1;
        let e = Expect {
            what: format!("当年部门预算{}", spelled_out(ctx, &e.what)),
            cell: None,
            prior: None,
            ..e
        };
        let r = Resolved {
            elsewhere: true,
            ..Resolved::default()
        };
        self.amount(c, &e, &r);
    }

    /// N401 (and N403, N409) for every amount of a section about the budget.
    fn tables(&mut self, ctx: &Ctx<'_>, prior: Prior, plan: Option<&yusuan_core::Budget>) {
        let plan_ctx = plan.map(|budget| Ctx { budget, ..*ctx });
        let planned = plan_ctx.as_ref().map(|ctx| Resolver {
            ctx,
            prior: Prior::default(),
        });
        let resolver = Resolver { ctx, prior };
        let final_stage = ctx.budget.stage == yusuan_core::Stage::Final;
        let mut no_prior = false;
        let mut item: Option<(usize, String)> = None; // the paragraph's main subject
        let ids: Vec<usize> = self.claims.claims.iter().map(|c| c.id).collect();
        let mut last_expect: Option<(usize, Option<Expect>)> = None;
        for id in ids {
            let c = self.claim(id).clone();
            let p = self.para(&c).clone();
            if matches!(
                p.sec,
                Sec::Projects | Sec::None | Sec::Functions | Sec::Units | Sec::Terms
            ) && !matches!(p.sec, Sec::None if self.paras.iter().all(|x| x.sec == Sec::None))
            {
                continue;
            }
            match c.fig.kind {
                // A 决算's tables hold no 预算数: `年初预算为0万元` is the year's 预算's,
                // checked against its workbook when given; `全年预算` is in neither.
                Kind::Amount if !c.prior && final_stage && names_a_budget(&c.own) => {
                    self.planned_amount(ctx, &c, &p, planned.as_ref());
                }
                Kind::Amount if !c.prior => {
                    let mut r = resolver.resolve(&c.subject, &p);
                    if r.expect.is_none()
                        && r.names.is_empty()
                        && let Some((para, subject)) = &item
                        && *para == c.para
                        && subject_key(&c.subject).chars().count() <= 2
                    {
                        r = resolver.resolve(subject, &p);
                    }
                    for n in &r.names {
                        self.push("N403", Severity::Warning, &c, n.clone());
                    }
                    match &r.expect {
                        Some(e) => {
                            self.tally("N401").checked += 1;
                            self.amount(&c, e, &r);
                            if item.as_ref().is_none_or(|(para, _)| *para != c.para) {
                                item = Some((c.para, c.subject.clone()));
                            }
                        }
                        None if r.names.is_empty() => self.unplaced("N401", id),
                        None => {}
                    }
                    last_expect = Some((c.para, r.expect));
                }
                Kind::Change(sign) => {
                    // The change on last year, when last year's figure is known.
                    let cmp = self.claims.comparison(&c);
                    if cmp.base.is_some() {
                        continue; // stated against a stated base: N408's
                    }
                    let Some((para, Some(be))) = &last_expect else {
                        continue;
                    };
                    if *para != c.para {
                        continue;
                    }
                    let Some(prior) = be.prior else {
                        no_prior = true;
                        continue;
                    };
                    let be = be.clone();
                    self.change_amount(&c, &be, prior, sign);
                }
                _ => {}
            }
        }
        if no_prior {
            self.tally("N401")
                .notes
                .push("没有上年数（部门基本情况或 --previous），未核对增减金额".into());
        }
    }

    /// One amount against its table figure: N401, or N403 when it is a sibling line's
    /// figure, or N409 when only its unit is wrong.
    fn amount(&mut self, c: &Claim, e: &Expect, r: &Resolved) {
        let expected_w = Unit::WanYuan.from_yuan(e.yuan);
        let stated_w = c.fig.wan();
        let f = &c.fig;
        let ok = |v: Decimal| {
            round_to(v, 2) == round_to(stated_w, 2)
                || (f.unit != FigUnit::Yuan && f.scale < 2 && round_to(v, f.scale) == f.value)
        };
        if f.unit == FigUnit::Yuan {
            if (f.value - e.yuan).abs() < Decimal::new(5, 3) {
                return;
            }
            if round_to(expected_w, 2) == f.value {
                self.push(
                    "N409",
                    Severity::Warning,
                    c,
                    format!(
                        "“{}”的单位应为万元（{} 为 {} 万元）",
                        f.shown,
                        e.what,
                        num(round_to(expected_w, 2))
                    ),
                );
                return;
            }
        } else if ok(expected_w)
            || r.equivalents
                .iter()
                .any(|v| ok(Unit::WanYuan.from_yuan(*v)))
        {
            return;
        }
        if let Some((name, _, cell)) = r
            .siblings
            .iter()
            .find(|(_, v, _)| ok(Unit::WanYuan.from_yuan(*v)))
        {
            let cell = cell.clone();
            let o = self.push(
                "N403",
                Severity::Warning,
                c,
                format!("“{}”对应的是表3 {name}，说明中的科目名称与之不符", f.shown),
            );
            o.related.extend(cell.iter().map(|c| c.to_string()));
            return;
        }
        self.corrected.insert(c.id, round_to(expected_w, 2));
        // The paragraph states the table's figure elsewhere (`…住房公积金（项）”350.35万元
        // …2024年预算安排352.67万元`): a slip in restating it, told as a warning.
        let restated = self
            .claims
            .in_para(c.para)
            .filter(|_| !r.elsewhere)
            .find(|o| o.id != c.id && o.is_amount() && !o.prior && ok_wan(o, expected_w))
            .map(|o| o.fig.shown.clone());
        let (severity, also) = match &restated {
            Some(shown) => (
                Severity::Warning,
                format!("；本段已写作“{shown}”，此处似为笔误"),
            ),
            None => (Severity::Error, String::new()),
        };
        let o = self.push(
            "N401",
            severity,
            c,
            format!(
                "“{}”与表格不符：{} 为 {} 万元（差 {} 万元）{also}",
                f.shown,
                e.what,
                num(round_to(expected_w, 2)),
                num(stated_w - round_to(expected_w, 2))
            ),
        );
        o.actual = Some(num(stated_w));
        o.expected = Some(num(round_to(expected_w, 2)));
        o.related.extend(e.cell.iter().map(|c| c.to_string()));
    }
}

/// What a budget figure is called in a message: its own words when they name a
/// budget (`全年预算` after `年初预算为0万元，`), else its subject.
fn budget_label(c: &Claim) -> String {
    if c.own.contains("预算") {
        c.own.trim_end_matches(['为', '是', ':']).to_string()
    } else {
        c.subject.clone()
    }
}

/// Whether an amount claim states `wan` 万元 (to its own precision).
fn ok_wan(c: &Claim, wan: Decimal) -> bool {
    let w = c.fig.wan();
    round_to(w, 2) == round_to(wan, 2)
        || (c.fig.unit != FigUnit::Yuan
            && c.fig.scale < 2
            && round_to(wan, c.fig.scale) == c.fig.value)
}

/// Analyse a text: against the budget of `ctx` when given, else on its own.
pub(crate) fn analyse(
    text: &Text,
    ctx: Option<&Ctx<'_>>,
    prior: Prior,
    plan: Option<&yusuan_core::Budget>,
) -> Analysis {
    let paras = structure(text);
    let year = ctx.and_then(|c| c.budget.year);
    let claims = Claims::build(&paras, year);
    let mut ch = Checker {
        paras: &paras,
        claims: &claims,
        a: Analysis {
            year,
            ..Analysis::default()
        },
        corrected: HashMap::new(),
    };
    ch.numbering();
    let guessed = year.is_none() && title_year(&paras).is_none();
    let latest = || {
        paras
            .iter()
            .flat_map(|p| super::scan::years(&p.text))
            .filter(|y| (1990..2100).contains(y))
            .max()
    };
    if let Some(y) = year.or_else(|| title_year(&paras)).or_else(latest) {
        ch.a.year = Some(y);
        ch.years(y);
        if guessed {
            ch.tally("N406")
                .notes
                .push(format!("文中未注明预算年度，按文中最晚的年份推断为 {y} 年"));
        }
    }
    ch.units();
    ch.reasons();
    if let Some(ctx) = ctx {
        ch.tables(ctx, prior, plan);
    }
    ch.rates();
    ch.changes();
    ch.shares();
    ch.completion();
    ch.parts();
    ch.level();
    ch.totals();
    ch.procurement();
    ch.directions();
    ch.a
}

/// The year a text's title states (`2024年部门预算编制说明`) in its first lines.
fn title_year(paras: &[Para]) -> Option<i32> {
    paras.iter().take(3).find_map(|p| {
        let f = fold(&p.text);
        (f.chars().count() <= 40 && (f.contains("预算") || f.contains("决算")))
            .then(|| super::scan::years(&p.text).into_iter().next())
            .flatten()
    })
}
