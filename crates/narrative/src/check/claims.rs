//! Claims: what each figure of the text asserts, with its subject and the figures it is
//! related to — the current amount, the base and the change of a growth rate, the part
//! and the whole of a share, the parts of a whole.

use rust_decimal::Decimal;
use yusuan_core::text::fold;

use super::scan::{self, Fig, FigUnit, Kind, clean_subject, subject_key};
use super::structure::{Para, Sec};

/// One figure of the text and what it is about.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    /// Position among the claims.
    pub id: usize,
    /// The paragraph and the sentence it is in.
    pub para: usize,
    pub sentence: usize,
    pub fig: Fig,
    /// The subject words (cleaned), own or inherited from its sentence.
    pub subject: String,
    /// The subject reduced for matching.
    pub key: String,
    /// Its own words before the figure (folded), even when its subject is inherited
    /// (`决算支出数为` of `…预算数为521.67万元,决算支出数为571.04万元`).
    pub own: String,
    /// It states last year's figure (an earlier year, 上年, 执行数), or it is the base
    /// of a comparison.
    pub prior: bool,
    /// The text after the figure up to the next figure (for 其中, 持平 …).
    pub tail: String,
}

impl Claim {
    /// The figure in 万元 (money) or as written (rates, shares).
    pub fn value(&self) -> Decimal {
        if self.fig.is_money() {
            self.fig.wan()
        } else {
            self.fig.value
        }
    }

    pub fn is_amount(&self) -> bool {
        self.fig.kind == Kind::Amount
    }
}

/// A sentence of a paragraph.
#[derive(Debug, Clone)]
pub(crate) struct Sentence {
    pub para: usize,
    pub text: String,
}

/// A figure's value with the rounding it may carry: ± half a unit of the last decimal
/// a figure of its kind is written with in its paragraph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Val {
    pub v: Decimal,
    pub half: Decimal,
}

impl Val {
    pub fn lo(self) -> Decimal {
        self.v - self.half
    }

    pub fn hi(self) -> Decimal {
        self.v + self.half
    }
}

/// The text's claims, sentence by sentence.
#[derive(Debug, Default)]
pub(crate) struct Claims {
    pub sentences: Vec<Sentence>,
    pub claims: Vec<Claim>,
}

/// Words that name no quantity by themselves: a subject of only these is inherited.
fn is_generic(key: &str) -> bool {
    let k = key
        .trim_matches(|c: char| !c.is_alphanumeric())
        .replace(['较', '比', '与', '相', '同'], "");
    k.is_empty()
        || matches!(
            k.as_str(),
            "安排"
                | "执行"
                | "执行为"
                | "对"
                | "对比"
                | "累计"
                | "上"
                | "金额"
                | "资金"
                | "拨款"
                | "经费"
        )
}

/// The subject words before a figure: its clause before it, without a comparison
/// (`镇本级“三公”经费较上年决算数减少` → `镇本级三公经费`).
fn own_subject(sentence: &str, f: &Fig, prev_end: usize) -> String {
    let clause = &sentence[f.clause_start.max(prev_end)..f.start];
    let clause = clause.trim_start_matches(['、', '，', ',', '和', '及']);
    let cut = scan::comparison_at(clause).unwrap_or(clause.len());
    let head = &clause[..cut];
    let head = head.strip_suffix('同').unwrap_or(head);
    let head = head
        .trim_end_matches(|c: char| {
            c.is_whitespace() || "增减加少长降低下提高上升了为率幅".contains(c)
        })
        .trim_end_matches("其中");
    clean_subject(head)
}

/// Whether a clause speaks of last year: `上年`, `执行数`, or a year before `year`.
fn speaks_of_prior(clause: &str, year: Option<i32>) -> bool {
    // 上年结转 / 上年结余 are this year's income and balance lines.
    let f = fold(clause).replace("上年结转", "").replace("上年结余", "");
    if f.contains("上年") || f.contains("上一年") || f.contains("执行数") || f.contains("去年")
    {
        return true;
    }
    match year {
        Some(y) => scan::years(clause).iter().any(|&c| c < y),
        None => false,
    }
}

impl Claims {
    /// Every figure of every paragraph outside the sections that hold no budget figures.
    pub fn build(paras: &[Para], year: Option<i32>) -> Claims {
        let mut out = Claims::default();
        for p in paras {
            if matches!(p.sec, Sec::Functions | Sec::Units | Sec::Terms) {
                continue;
            }
            // A paragraph's own latest year is "this year" for its comparisons when the
            // budget year is not known.
            let para_year = year.or_else(|| scan::years(&p.text).into_iter().max());
            // A sentence with no subject of its own (`对比减少4.35万元`) speaks of the
            // previous sentence's.
            let mut carried = String::new();
            for s in scan::sentences(&p.text) {
                let si = out.sentences.len();
                out.sentences.push(Sentence {
                    para: p.idx,
                    text: s.to_string(),
                });
                let figs = scan::figures(s);
                let mut sentence_subject = String::new();
                for (i, f) in figs.iter().enumerate() {
                    let prev_end = if i > 0 { figs[i - 1].end } else { 0 };
                    let mut subject = own_subject(s, f, prev_end);
                    let generic = is_generic(&subject_key(&subject));
                    if generic && !sentence_subject.is_empty() {
                        subject = sentence_subject.clone();
                    } else if generic && i == 0 && !carried.is_empty() {
                        subject = carried.clone();
                        sentence_subject = subject.clone();
                    } else if sentence_subject.is_empty() || f.kind == Kind::Amount {
                        sentence_subject = subject.clone();
                    }
                    let clause = &s[f.clause_start..f.end];
                    let next = figs.get(i + 1).map_or(s.len(), |n| n.start);
                    let tail = s[f.end..next].to_string();
                    let prior =
                        f.base || (f.kind == Kind::Amount && speaks_of_prior(clause, para_year));
                    out.claims.push(Claim {
                        id: out.claims.len(),
                        para: p.idx,
                        sentence: si,
                        key: subject_key(&subject),
                        subject,
                        own: fold(&s[f.clause_start.max(prev_end)..f.start]),
                        prior,
                        fig: f.clone(),
                        tail,
                    });
                }
                if !sentence_subject.is_empty() {
                    carried = sentence_subject;
                }
            }
        }
        out
    }

    pub fn in_sentence(&self, s: usize) -> impl Iterator<Item = &Claim> {
        self.claims.iter().filter(move |c| c.sentence == s)
    }

    pub fn in_para(&self, p: usize) -> impl Iterator<Item = &Claim> {
        self.claims.iter().filter(move |c| c.para == p)
    }

    /// The precision of a figure: its own decimals, or the most decimals a money
    /// figure of its paragraph is written with (`4.5万元` beside `0.03万元` is `4.50`).
    pub fn val(&self, c: &Claim) -> Val {
        let scale = if c.fig.is_money() {
            self.in_para(c.para)
                .filter(|o| o.fig.is_money() && o.fig.unit == c.fig.unit)
                .map(|o| o.fig.scale)
                .max()
                .unwrap_or(c.fig.scale)
                .max(c.fig.scale)
                .min(2)
        } else {
            c.fig.scale
        };
        let mut half = Decimal::new(5, scale + 1);
        if c.fig.unit == FigUnit::Yuan {
            half /= Decimal::from(10_000);
        } else if c.fig.unit == FigUnit::Yi {
            half *= Decimal::from(10_000);
        }
        Val { v: c.value(), half }
    }

    /// Whether two subjects name one quantity.
    pub fn same_subject(a: &Claim, b: &Claim) -> bool {
        !a.key.is_empty()
            && !b.key.is_empty()
            && (a.key == b.key || a.key.contains(&b.key) || b.key.contains(&a.key))
    }
}

/// The figures a growth rate or a change is computed from.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Comparison {
    /// The 增减 amount (signed by its word), if stated.
    pub change: Option<usize>,
    /// This year's amount.
    pub current: Option<usize>,
    /// Last year's amount (the base).
    pub base: Option<usize>,
}

impl Claims {
    /// What a rate (or a change) at claim `r` compares: the change before it in its
    /// sentence, the base stated with 较/比 or as last year's figure, and this year's
    /// amount (in its sentence, else the last one of the same subject in its paragraph).
    pub fn comparison(&self, r: &Claim) -> Comparison {
        let mut out = Comparison::default();
        let earlier: Vec<&Claim> = self
            .in_sentence(r.sentence)
            .filter(|c| c.id < r.id)
            .collect();
        // Only figures after the previous rate belong to this one.
        let from = earlier
            .iter()
            .rposition(|c| matches!(c.fig.kind, Kind::Rate(_)) && r.fig.kind != Kind::Amount)
            .map_or(0, |i| i + 1);
        let window = &earlier[from..];
        if matches!(r.fig.kind, Kind::Change(_)) {
            out.change = Some(r.id);
        } else {
            out.change = window
                .iter()
                .rev()
                .find(|c| matches!(c.fig.kind, Kind::Change(_)))
                .map(|c| c.id);
        }
        // The budget a completion rate is of (`完成年初预算数60999万元的40.4%`) is
        // neither this year's amount nor the base.
        let of_completion = |c: &Claim| {
            c.own.contains("完成")
                && self
                    .claims
                    .get(c.id + 1)
                    .is_some_and(|n| n.sentence == c.sentence && n.fig.kind == Kind::Completion)
        };
        let before_change =
            |c: &&&Claim| out.change.is_none_or(|ch| c.id < ch) && !of_completion(c);
        out.base = window
            .iter()
            .rev()
            .filter(before_change)
            .find(|c| c.is_amount() && c.prior)
            .map(|c| c.id);
        out.current = window
            .iter()
            .rev()
            .filter(before_change)
            .find(|c| c.is_amount() && !c.prior)
            .map(|c| c.id);
        if window.iter().all(|c| !c.is_amount()) {
            // No amount in its sentence (`…2015年预算12.5万元；对比减少4.35万元`): the
            // figures of the same subject before it in its paragraph.
            let para: Vec<&Claim> = self
                .in_para(r.para)
                .filter(|c| c.id < r.id && c.is_amount())
                .collect();
            let pick = |prior: bool| {
                para.iter()
                    .rev()
                    .find(|c| c.prior == prior && Claims::same_subject(c, r))
                    .map(|c| c.id)
            };
            out.current = pick(false);
            out.base = out.base.or_else(|| pick(true));
        }
        if out.current.is_none() {
            // This year's amount said before, in the paragraph: of the same subject,
            // else (no subject of its own) the last amount.
            let para: Vec<&Claim> = self
                .in_para(r.para)
                .filter(|c| c.id < r.id && c.is_amount() && !c.prior)
                .collect();
            out.current = para
                .iter()
                .rev()
                .find(|c| Claims::same_subject(c, r))
                .or_else(|| {
                    (r.key.is_empty() || window.iter().all(|c| c.key.is_empty()))
                        .then(|| para.last())
                        .flatten()
                })
                .map(|c| c.id);
        }
        out
    }
}

/// The known parts of a quantity: `三公` is 出国 + 用车 + 接待 …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comp {
    ThreePublic,
    Abroad,
    Vehicle,
    VehiclePurchase,
    VehicleOperation,
    Reception,
    Expenditure,
    Basic,
    Project,
    Personnel,
    Public,
    Procurement,
    Goods,
    Works,
    Services,
    Revenue,
    Tax,
    NonTax,
}

impl Comp {
    /// The component a subject names.
    pub fn of(key: &str) -> Option<Comp> {
        let has = |w: &str| key.contains(w);
        Some(if has("三公") {
            Comp::ThreePublic
        } else if has("出国") {
            Comp::Abroad
        } else if has("接待") {
            Comp::Reception
        } else if (has("车") || has("公车")) && (has("购置及运行") || has("购置和运行"))
        {
            Comp::Vehicle
        } else if (has("车") || key.is_empty()) && has("购置") {
            Comp::VehiclePurchase
        } else if has("车") && has("运行") {
            Comp::VehicleOperation
        } else if has("人员经费") {
            Comp::Personnel
        } else if has("公用经费") {
            Comp::Public
        } else if has("基本支出") || key == "基本" {
            Comp::Basic
        } else if has("项目支出") || key == "项目" {
            Comp::Project
        } else if has("政府采购") && !has("货物") && !has("工程") && !has("服务") {
            Comp::Procurement
        } else if has("货物") {
            Comp::Goods
        } else if has("工程") {
            Comp::Works
        } else if has("服务") && (has("采购") || has("政府")) {
            Comp::Services
        } else if has("非税收入") {
            Comp::NonTax
        } else if has("税收收入") {
            Comp::Tax
        } else if has("一般公共预算收入") || has("一般预算收入") {
            Comp::Revenue
        } else {
            return None;
        })
    }

    /// Its parts, when it is a known sum.
    pub fn children(self) -> &'static [Comp] {
        match self {
            Comp::ThreePublic => &[Comp::Abroad, Comp::Vehicle, Comp::Reception],
            Comp::Vehicle => &[Comp::VehiclePurchase, Comp::VehicleOperation],
            Comp::Expenditure => &[Comp::Basic, Comp::Project],
            Comp::Basic => &[Comp::Personnel, Comp::Public],
            Comp::Procurement => &[Comp::Goods, Comp::Works, Comp::Services],
            Comp::Revenue => &[Comp::Tax, Comp::NonTax],
            _ => &[],
        }
    }
}
