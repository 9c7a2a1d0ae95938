//! The 部门预算情况说明, generated from the model in the structure of the Sichuan county
//! template (一、基本职能及主要工作 … 十一、名词解释).
//!
//! Figures are in 万元 with two decimals (half-up from the exact 元 values). Shares are
//! computed from exact values and rounded half-up to two decimals each on its own; they
//! are never adjusted to make a whole add up to 100.00. Names are the official ones of
//! the classification catalogue (an outdated name in a table is not repeated).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::Deserialize;

use yusuan_core::text::{chinese_ordinal, fold};
use yusuan_core::{Budget, Line, Table, round2, show2};
use yusuan_core::{CodeLists, Scheme, Side, TableId};

/// Last year's figures (万元), for the 增减 sentences.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prior {
    /// 收入总计 last year, in 万元.
    pub income_total: Option<Decimal>,
    /// 财政拨款收支总计 last year, in 万元.
    pub fiscal_total: Option<Decimal>,
    /// 一般公共预算当年拨款 last year, in 万元.
    pub gpb: Option<Decimal>,
    /// 一般公共预算财政拨款支出 (表3 合计) last year, in 万元.
    pub gpb_expenditure: Option<Decimal>,
    /// “三公”经费 last year, in 万元.
    pub three_public: Option<Decimal>,
    /// 因公出国（境）费 last year, in 万元.
    pub abroad: Option<Decimal>,
    /// 公务用车购置费 last year, in 万元.
    pub vehicle_purchase: Option<Decimal>,
    /// 公务用车运行费 last year, in 万元.
    pub vehicle_operation: Option<Decimal>,
    /// 公务接待费 last year, in 万元.
    pub reception: Option<Decimal>,
}

impl Prior {
    /// From the 上年预算 rows of 部门基本情况 (in its 金额单位, 万元 when not stated).
    pub fn from_info(b: &Budget) -> Prior {
        let unit = b.info.money_unit().unwrap_or(yusuan_core::Unit::WanYuan);
        let get = |k: &str| {
            b.info
                .number(k)
                .map(|v| yusuan_core::Unit::WanYuan.from_yuan(unit.to_yuan(v)))
        };
        Prior {
            income_total: get("prior_income_total"),
            fiscal_total: get("prior_fiscal_total"),
            gpb: get("prior_gpb"),
            gpb_expenditure: None,
            three_public: get("prior_three_public_total"),
            abroad: get("prior_abroad"),
            vehicle_purchase: get("prior_vehicle_purchase"),
            vehicle_operation: get("prior_vehicle_operation"),
            reception: get("prior_reception"),
        }
    }

    /// From last year's budget workbook.
    pub fn from_budget(prev: &Budget) -> Prior {
        let s = prev.summary();
        let w = |v: Option<Decimal>| v.map(|y| yusuan_core::Unit::WanYuan.from_yuan(y));
        let gpb = prev
            .table(TableId::T2)
            .and_then(|t| {
                t.fixed_value("current_gpb", "income")
                    .and_then(|v| t.to_yuan(v))
            })
            .or(s.general_public_budget);
        Prior {
            income_total: w(s.income_total),
            fiscal_total: w(s.fiscal_total),
            gpb: w(gpb),
            gpb_expenditure: w(prev.table(TableId::T3).and_then(|t| t.total_yuan("total"))),
            three_public: w(s.three_public.total),
            abroad: w(s.three_public.abroad),
            vehicle_purchase: w(s.three_public.vehicle_purchase),
            vehicle_operation: w(s.three_public.vehicle_operation),
            reception: w(s.three_public.reception),
        }
    }

    /// Prior figures where `self` lacks them, taken from `other`.
    pub fn or(self, other: Prior) -> Prior {
        Prior {
            income_total: self.income_total.or(other.income_total),
            fiscal_total: self.fiscal_total.or(other.fiscal_total),
            gpb: self.gpb.or(other.gpb),
            gpb_expenditure: self.gpb_expenditure.or(other.gpb_expenditure),
            three_public: self.three_public.or(other.three_public),
            abroad: self.abroad.or(other.abroad),
            vehicle_purchase: self.vehicle_purchase.or(other.vehicle_purchase),
            vehicle_operation: self.vehicle_operation.or(other.vehicle_operation),
            reception: self.reception.or(other.reception),
        }
    }
}

/// A part of the text: a sub-heading `（一）…` or a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A sub-heading (`（一）主要职能`).
    Sub(String),
    /// A paragraph.
    Para(String),
}

/// One numbered section (`一、基本职能及主要工作`).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The heading with its number.
    pub heading: String,
    /// Its sub-headings and paragraphs.
    pub blocks: Vec<Block>,
}

/// A generated explanation text.
#[derive(Debug, Clone, PartialEq)]
pub struct Narrative {
    /// The title (`…2023年部门预算情况说明`).
    pub title: String,
    /// The eleven sections, in order.
    pub sections: Vec<Section>,
    /// What the text had to leave out (missing facts in 部门基本情况), for the user.
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Purposes {
    by_name: BTreeMap<String, String>,
}

fn purposes() -> &'static BTreeMap<String, String> {
    static P: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    P.get_or_init(|| {
        toml::from_str::<Purposes>(include_str!("../../../templates/purposes.toml"))
            .expect("templates/purposes.toml is valid (tested)")
            .by_name
            .into_iter()
            .map(|(k, v)| (fold(&k), v))
            .collect()
    })
}

/// 万元 with two decimals from 元.
fn wan(yuan: Decimal) -> String {
    show2(yusuan_core::Unit::WanYuan.from_yuan(yuan))
}

/// A share in percent, half-up to two decimals: `83.94`.
pub fn share(part: Decimal, whole: Decimal) -> Option<String> {
    if whole.is_zero() {
        return None;
    }
    Some(show2(part * Decimal::from(100) / whole))
}

struct Writer<'a> {
    b: &'a Budget,
    codes: &'a CodeLists,
    /// 表3-2 project names by 功能科目编码 (built once).
    projects: BTreeMap<String, Vec<String>>,
    /// The department's own `用途：2010201` entries in 部门基本情况, first one wins.
    own_purposes: BTreeMap<String, String>,
    prior: Prior,
    year: i32,
    /// The department as the text names it (its short name).
    who: String,
    warnings: Vec<String>,
}

impl Writer<'_> {
    fn missing(&mut self, what: &str) {
        self.warnings.push(format!(
            "部门基本情况缺少“{what}”，情况说明中相应内容已省略"
        ));
    }

    fn info(&mut self, key: &str) -> Option<String> {
        match self.b.info.text(key) {
            Some(v) => Some(v.to_string()),
            None => {
                let label = yusuan_core::Catalog::get()
                    .info_spec(key)
                    .map_or(key.to_string(), |s| s.label.clone());
                self.missing(&label);
                None
            }
        }
    }

    fn money_info(&mut self, key: &str) -> Option<Decimal> {
        let unit = self
            .b
            .info
            .money_unit()
            .unwrap_or(yusuan_core::Unit::WanYuan);
        self.info(key)?;
        self.b.info.number(key).map(|v| unit.to_yuan(v))
    }

    /// `，比2022年预算数增加194.10万元，增长39.56%，主要原因是…` (empty without a prior).
    fn change(
        &mut self,
        current_yuan: Decimal,
        prior_wan: Option<Decimal>,
        reason_key: &str,
    ) -> String {
        let Some(prior) = prior_wan else {
            return String::new();
        };
        let current = yusuan_core::Unit::WanYuan.from_yuan(current_yuan);
        let diff = round2(current) - round2(prior);
        let last = self.year - 1;
        let direction = rust_decimal::prelude::Signed::signum(&diff);
        let reason = self.reason(reason_key, direction);
        if diff.is_zero() {
            // An entered reason is kept (`持平，主要原因是人员编制未变`); none is asked for.
            return format!("，与{last}年预算数持平{}", reason.unwrap_or_default());
        }
        let (word, rate_word) = if diff > Decimal::ZERO {
            ("增加", "增长")
        } else {
            ("减少", "下降")
        };
        let rate = share(diff.abs(), prior)
            .map(|r| format!("，{rate_word}{r}%"))
            .unwrap_or_default();
        let reason = reason.unwrap_or_else(|| {
            let label = yusuan_core::Catalog::get()
                .info_spec(reason_key)
                .map_or(reason_key.to_string(), |s| s.label.clone());
            self.missing(&label);
            String::new()
        });
        format!(
            "，比{last}年预算数{word}{}万元{rate}{reason}",
            show2(diff.abs())
        )
    }

    /// `，主要原因是…` from the 部门基本情况 row `key`, unless it says the change went
    /// the other way (`…经费增加` for a decrease): a reason that contradicts the figures
    /// is not published, and the officer is told.
    fn reason(&mut self, key: &str, direction: Decimal) -> Option<String> {
        let r = self
            .b
            .info
            .text(key)?
            .trim()
            .trim_end_matches('。')
            .to_string();
        let f = yusuan_core::text::fold(&r);
        let says_up = ["增加", "增长", "上升", "提高", "新增"]
            .iter()
            .any(|w| f.ends_with(w));
        let says_down = ["减少", "下降", "降低", "压减", "缩减"]
            .iter()
            .any(|w| f.ends_with(w));
        let contradicts = (direction > Decimal::ZERO && says_down)
            || (direction < Decimal::ZERO && says_up)
            || (direction.is_zero() && (says_up || says_down));
        if contradicts {
            let label = yusuan_core::Catalog::get()
                .info_spec(key)
                .map_or(key.to_string(), |s| s.label.clone());
            self.warnings.push(format!(
                "“{label}”写的是“{r}”，与增减方向不符，未写入情况说明"
            ));
            return None;
        }
        Some(format!("，主要原因是{r}"))
    }

    fn table(&self, id: TableId) -> Option<&Table> {
        self.b.table(id)
    }

    fn total_yuan(&self, id: TableId, col: &str) -> Decimal {
        self.table(id)
            .and_then(|t| t.total_yuan(col))
            .unwrap_or_default()
    }

    fn fixed_yuan(&self, id: TableId, key: &str, col: &str) -> Decimal {
        self.table(id)
            .and_then(|t| t.to_yuan(t.fixed_value(key, col)?))
            .unwrap_or_default()
    }

    /// The official name of a code (catalogue), else the table's name.
    fn name(&self, scheme: Scheme, l: &Line) -> String {
        let code = l.code.as_deref().unwrap_or("");
        self.codes
            .lookup(scheme, code)
            .map(|e| e.name.clone())
            .unwrap_or_else(|| yusuan_core::text::strip_ordinal(&l.name).to_string())
    }

    fn code_name(&self, code: &str) -> String {
        self.codes
            .lookup(Scheme::Functional, code)
            .map(|e| e.name.clone())
            .or_else(|| {
                self.table(TableId::T3)?
                    .by_code(code)
                    .map(|l| l.name.clone())
            })
            .unwrap_or_else(|| code.to_string())
    }

    fn purpose(&self, l: &Line) -> String {
        let code = l.code.as_deref().unwrap_or("");
        if let Some(own) = self.own_purposes.get(code) {
            return own.clone();
        }
        let projects = self.projects.get(code).cloned().unwrap_or_default();
        let name = self.name(Scheme::Functional, l);
        let dict = purposes().get(&fold(&name)).cloned();
        match (dict, projects.is_empty()) {
            (Some(d), true) => d,
            (Some(d), false) if !l.value("basic").unwrap_or_default().is_zero() => {
                format!("{d}，以及{}", projects.join("、"))
            }
            (_, false) => projects.join("、"),
            (None, true) => format!("保障{name}相关工作"),
        }
    }
}

/// `一般公共服务支出530.88万元，占77.53%；…`
fn class_list(w: &Writer<'_>, t: &Table, col: &str, whole: Option<Decimal>) -> Vec<String> {
    t.coded()
        .filter(|l| l.code.as_ref().is_some_and(|c| c.len() == 3))
        .filter(|l| l.side != Some(Side::Income))
        .filter_map(|l| {
            let v = t.to_yuan(l.value(col)?)?;
            if v.is_zero() {
                return None;
            }
            let name = w.name(Scheme::Functional, l);
            let share = whole
                .and_then(|wh| share(v, wh))
                .map(|s| format!("，占{s}%"))
                .unwrap_or_default();
            Some(format!("{name}{}万元{share}", wan(v)))
        })
        .collect()
}

/// Generate the text. `prior` gives last year's figures (see [`Prior`]).
pub fn generate(b: &Budget, codes: &CodeLists, prior: Prior) -> Narrative {
    let year = b.year.unwrap_or_default();
    let who = b.short_name().to_string();
    let mut projects: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in b.table(TableId::T3_2).into_iter().flat_map(|t| t.entries()) {
        if let (Some(c), Some(n)) = (
            p.text("function_code")
                .and_then(|c| yusuan_core::text::parse_code_text(&c.value)),
            p.text("project_name"),
        ) {
            projects.entry(c.code).or_default().push(n.value.clone());
        }
    }
    let mut own_purposes = BTreeMap::new();
    for e in &b.info.entries {
        let f = fold(&e.label);
        if let Some(code) = f.strip_prefix("用途:").or_else(|| f.strip_prefix("用途")) {
            own_purposes
                .entry(code.to_string())
                .or_insert_with(|| e.value.value.trim_end_matches('。').to_string());
        }
    }
    let mut w = Writer {
        b,
        codes,
        projects,
        own_purposes,
        prior,
        year,
        who,
        warnings: Vec::new(),
    };
    let mut sections = vec![
        w.functions(),
        w.units(),
        w.totals(),
        w.fiscal(),
        w.general_budget(),
        w.basic(),
        w.three_public(),
    ];
    w.fund_tables(&mut sections);
    sections.push(w.other_matters());
    sections.push(w.terms());
    let y = year;

    let department = b.department_name();
    let entity = b.entity.label();
    Narrative {
        title: full_width(&format!("{department}{y}年{entity}预算情况说明")),
        sections: numbered(sections),
        warnings: w.warnings,
    }
}

/// Sections numbered `一、二、…` in order, their text with full-width brackets.
pub(crate) fn numbered(sections: Vec<(&'static str, Vec<Block>)>) -> Vec<Section> {
    sections
        .into_iter()
        .enumerate()
        .map(|(i, (h, blocks))| Section {
            heading: full_width(&format!("{}、{h}", chinese_ordinal(i + 1))),
            blocks: blocks
                .into_iter()
                .map(|b| match b {
                    Block::Sub(s) => Block::Sub(full_width(&s)),
                    Block::Para(s) => Block::Para(full_width(&s)),
                })
                .collect(),
        })
        .collect()
}

/// Brackets full-width, as the published text writes them (科目 names such as
/// `维修(护)费` come half-width from the code tables).
fn full_width(s: &str) -> String {
    s.replace('(', "（").replace(')', "）")
}

/// The sections of the text, one method each, in order.
impl Writer<'_> {
    /// 一、基本职能及主要工作: the functions and the year's key work, from 部门基本情况.
    fn functions(&mut self) -> (&'static str, Vec<Block>) {
        let y = self.year;
        let w = self;
        let mut blocks = Vec::new();
        blocks.push(Block::Sub("（一）主要职能".into()));
        if let Some(f) = w.info("functions") {
            blocks.extend(
                f.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| Block::Para(l.trim().into())),
            );
        }
        blocks.push(Block::Sub(format!("（二）{y}年重点工作")));
        if let Some(k) = w.info("key_work") {
            blocks.extend(
                k.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| Block::Para(l.trim().into())),
            );
        }
        ("基本职能及主要工作", blocks)
    }

    /// 二、部门预算单位构成: the units and the staff.
    fn units(&mut self) -> (&'static str, Vec<Block>) {
        let b = self.b;
        let who = self.who.clone();
        let y = self.year;
        let w = self;
        let mut blocks = Vec::new();
        let n = |w: &mut Writer<'_>, k: &str| w.info(k).unwrap_or_else(|| "—".into());
        let admin = n(w, "admin_units");
        let inst = n(w, "institution_units");
        let mut p = format!("{who}属一级预算单位，其中行政单位{admin}个，事业单位{inst}个。");
        if let Some(units) = b.info.text("units") {
            p.push_str(&format!(
                "纳入{y}年部门预算编制范围的单位包括：{}。",
                units.trim_end_matches('。')
            ));
        }
        blocks.push(Block::Para(p));
        let staff: Vec<(&str, String)> = [
            "authorized_total",
            "authorized_admin",
            "authorized_institution",
            "authorized_worker",
            "serving_total",
            "serving_admin",
            "serving_institution",
            "serving_worker",
            "retired_total",
            "retired_lixiu",
            "retired",
        ]
        .into_iter()
        .filter_map(|k| b.info.text(k).map(|v| (k, v.to_string())))
        .collect();
        let get = |k: &str| staff.iter().find(|(x, _)| *x == k).map(|(_, v)| v.clone());
        if let Some(total) = get("authorized_total") {
            let mut p = format!("{who}总编制{total}名");
            let parts: Vec<String> = [
                ("authorized_admin", "行政"),
                ("authorized_institution", "事业"),
                ("authorized_worker", "工勤"),
            ]
            .iter()
            .filter_map(|(k, l)| get(k).map(|v| format!("{l}{v}名")))
            .collect();
            if !parts.is_empty() {
                p.push_str(&format!("，其中{}", parts.join("，")));
            }
            p.push('。');
            if let Some(serving) = get("serving_total") {
                p.push_str(&format!("在职人员总数{serving}人"));
                let parts: Vec<String> = [
                    ("serving_admin", "行政人员"),
                    ("serving_institution", "事业人员"),
                    ("serving_worker", "工勤人员"),
                ]
                .iter()
                .filter_map(|(k, l)| get(k).map(|v| format!("{l}{v}人")))
                .collect();
                if !parts.is_empty() {
                    p.push_str(&format!("，其中：{}", parts.join("，")));
                }
                p.push('；');
            }
            if let Some(r) = get("retired_total") {
                p.push_str(&format!("离退休人员{r}人"));
                let parts: Vec<String> = [("retired_lixiu", "离休人员"), ("retired", "退休人员")]
                    .iter()
                    .filter_map(|(k, l)| {
                        get(k)
                            .filter(|v| v != "0" || *k == "retired")
                            .map(|v| format!("{l}{v}人"))
                    })
                    .collect();
                if !parts.is_empty() {
                    p.push_str(&format!("，其中：{}", parts.join("，")));
                }
                p.push('。');
            }
            blocks.push(Block::Para(p.replace("；。", "。")));
        } else {
            w.missing("编制总数");
        }
        ("部门预算单位构成", blocks)
    }

    /// 三、收支预算增减变化情况说明: totals, income by source and expenditure by kind.
    fn totals(&mut self) -> (&'static str, Vec<Block>) {
        let b = self.b;
        let who = self.who.clone();
        let y = self.year;
        let s = b.summary();
        let w = self;
        let income = s.income_total.unwrap_or_default();
        let expenditure = s.expenditure_total.unwrap_or_default();
        let mut blocks = Vec::new();
        let prior_income = w.prior.income_total;
        let change = w.change(income, prior_income, "reason_income");
        blocks.push(Block::Para(format!(
        "按照综合预算的原则，{who}所有收入和支出均纳入部门预算管理。{who}{y}年收支总预算{}万元{change}。",
        wan(income)
    )));
        blocks.push(Block::Sub("（一）收入预算情况".into()));
        let sources = [
            ("gpb", "一般公共预算拨款收入"),
            ("fund", "政府性基金预算拨款收入"),
            ("soe", "国有资本经营预算拨款收入"),
            ("business", "事业收入"),
            ("operating", "事业单位经营收入"),
            ("other", "其他收入"),
            ("fund_balance", "用事业基金弥补收支差额"),
            ("carried_forward", "上年结转"),
        ];
        let parts: Vec<String> = sources
            .iter()
            .filter_map(|(k, name)| {
                let v = w.fixed_yuan(TableId::T1, k, "income");
                (!v.is_zero()).then(|| {
                    let sh = share(v, income)
                        .map(|x| format!("，占{x}%"))
                        .unwrap_or_default();
                    format!("{name}{}万元{sh}", wan(v))
                })
            })
            .collect();
        blocks.push(Block::Para(format!(
            "{y}年收入预算{}万元{}。",
            wan(income),
            if parts.is_empty() {
                String::new()
            } else {
                format!("，其中：{}", parts.join("；"))
            }
        )));
        blocks.push(Block::Sub("（二）支出预算情况".into()));
        let basic = s.basic.unwrap_or_default();
        let project = s.project.unwrap_or_default();
        let sh = |v| {
            share(v, expenditure)
                .map(|x| format!("，占{x}%"))
                .unwrap_or_default()
        };
        blocks.push(Block::Para(format!(
            "{y}年支出预算{}万元，其中：基本支出{}万元{}；项目支出{}万元{}。",
            wan(expenditure),
            wan(basic),
            sh(basic),
            wan(project),
            sh(project)
        )));
        ("收支预算增减变化情况说明", blocks)
    }

    /// 四、财政拨款收支预算情况说明: 表2.
    fn fiscal(&mut self) -> (&'static str, Vec<Block>) {
        let b = self.b;
        let who = self.who.clone();
        let y = self.year;
        let s = b.summary();
        let w = self;
        let fiscal = s.fiscal_total.unwrap_or_default();
        let mut blocks = Vec::new();
        let prior_fiscal = w.prior.fiscal_total;
        let change = w.change(fiscal, prior_fiscal, "reason_expenditure");
        let income_parts: Vec<String> = [
            ("current_gpb", "本年一般公共预算拨款收入"),
            ("current_fund", "本年政府性基金预算拨款收入"),
            ("current_soe", "本年国有资本经营预算拨款收入"),
            ("carried_gpb", "上年结转一般公共预算拨款"),
            ("carried_fund", "上年结转政府性基金预算拨款"),
            ("carried_soe", "上年结转国有资本经营预算拨款"),
        ]
        .iter()
        .filter_map(|(k, name)| {
            let v = w.fixed_yuan(TableId::T2, k, "income");
            (!v.is_zero()).then(|| format!("{name}{}万元", wan(v)))
        })
        .collect();
        let exp_parts = w
            .table(TableId::T2)
            .map(|t| class_list(w, t, "total", None))
            .unwrap_or_default();
        blocks.push(Block::Para(format!(
            "{who}{y}年财政拨款收支总预算{}万元{change}。收入包括：{}；支出包括：{}。",
            wan(fiscal),
            if income_parts.is_empty() {
                "无".to_string()
            } else {
                income_parts.join("；")
            },
            if exp_parts.is_empty() {
                "无".to_string()
            } else {
                exp_parts.join("；")
            }
        )));
        ("财政拨款收支预算情况说明", blocks)
    }

    /// 五、一般公共预算当年拨款情况说明: scale, structure by 类, and each 项 with its purpose.
    fn general_budget(&mut self) -> (&'static str, Vec<Block>) {
        let who = self.who.clone();
        let y = self.year;
        let w = self;
        let t3_total = w.total_yuan(TableId::T3, "total");
        let mut blocks = Vec::new();
        blocks.push(Block::Sub("（一）一般公共预算当年拨款规模变化情况".into()));
        let prior_gpb = w.prior.gpb;
        let change = w.change(t3_total, prior_gpb, "reason_expenditure");
        blocks.push(Block::Para(format!(
            "{who}{y}年一般公共预算当年拨款{}万元{change}。",
            wan(t3_total)
        )));
        blocks.push(Block::Sub("（二）一般公共预算当年拨款结构情况".into()));
        let classes = w
            .table(TableId::T3)
            .map(|t| class_list(w, t, "total", Some(t3_total)))
            .unwrap_or_default();
        blocks.push(Block::Para(if classes.is_empty() {
            format!("{who}{y}年无一般公共预算当年拨款。")
        } else {
            format!("{}。", classes.join("；"))
        }));
        blocks.push(Block::Sub("（三）一般公共预算当年拨款具体使用情况".into()));
        if let Some(t3) = w.table(TableId::T3) {
            let mut n = 0;
            for l in t3
                .coded()
                .filter(|l| l.code.as_ref().is_some_and(|c| c.len() == 7))
            {
                let Some(v) = l.value("total").and_then(|v| t3.to_yuan(v)) else {
                    continue;
                };
                if v.is_zero() {
                    continue;
                }
                n += 1;
                let code = l.code.as_deref().unwrap_or_default();
                let chain = format!(
                    "{}（类）{}（款）{}（项）",
                    w.code_name(&code[..3]),
                    w.code_name(&code[..5]),
                    w.name(Scheme::Functional, l)
                );
                blocks.push(Block::Para(format!(
                    "{n}.{chain}{y}年预算数为{}万元，主要用于{}。",
                    wan(v),
                    w.purpose(l)
                )));
            }
        }
        ("一般公共预算当年拨款情况说明", blocks)
    }

    /// 六、一般公共预算基本支出情况说明: 人员经费 and 公用经费 with the 款 they consist of.
    fn basic(&mut self) -> (&'static str, Vec<Block>) {
        let b = self.b;
        let who = self.who.clone();
        let y = self.year;
        let s = b.summary();
        let w = self;
        let mut blocks = Vec::new();
        let basic3 = w.total_yuan(TableId::T3_1, "total");
        let personnel = s.personnel.unwrap_or_default();
        let public = s.public_operation.unwrap_or_default();
        blocks.push(Block::Para(format!(
            "{who}{y}年一般公共预算基本支出{}万元，其中：",
            wan(basic3)
        )));
        let names_of = |col: &str| -> String {
            w.table(TableId::T3_1)
                .map(|t| {
                    t.coded()
                        .filter(|l| l.code.as_ref().is_some_and(|c| c.len() == 5))
                        .filter(|l| l.value(col).is_some_and(|v| !v.is_zero()))
                        .map(|l| w.name(Scheme::Economic, l))
                        .collect::<Vec<_>>()
                        .join("、")
                })
                .unwrap_or_default()
        };
        let (pn, qn) = (names_of("personnel"), names_of("public"));
        let incl = |n: String| {
            if n.is_empty() {
                String::new()
            } else {
                format!("，主要包括：{n}")
            }
        };
        blocks.push(Block::Para(format!(
            "人员经费{}万元{}。",
            wan(personnel),
            incl(pn)
        )));
        blocks.push(Block::Para(format!(
            "公用经费{}万元{}。",
            wan(public),
            incl(qn)
        )));
        ("一般公共预算基本支出情况说明", blocks)
    }

    /// 七、“三公”经费财政拨款预算安排情况说明: the total and each part, with changes.
    fn three_public(&mut self) -> (&'static str, Vec<Block>) {
        let b = self.b;
        let who = self.who.clone();
        let y = self.year;
        let s = b.summary();
        let w = self;
        let tp = &s.three_public;
        let v = |x: Option<Decimal>| x.unwrap_or_default();
        let vehicle = v(tp.vehicle_purchase) + v(tp.vehicle_operation);
        let mut blocks = Vec::new();
        let prior_tp = w.prior.three_public;
        let change = w.change(v(tp.total), prior_tp, "reason_three_public");
        blocks.push(Block::Para(format!(
        "{who}{y}年“三公”经费财政拨款预算数{}万元{change}。其中：因公出国（境）费{}万元，公务用车购置及运行费{}万元，公务接待费{}万元。",
        wan(v(tp.total)),
        wan(v(tp.abroad)),
        wan(vehicle),
        wan(v(tp.reception))
    )));
        let prior_abroad = w.prior.abroad;
        let ch = w.change(v(tp.abroad), prior_abroad, "reason_abroad");
        blocks.push(Block::Para(format!(
            "（一）因公出国（境）费{}万元{ch}。",
            wan(v(tp.abroad))
        )));
        let prior_vehicle = match (w.prior.vehicle_purchase, w.prior.vehicle_operation) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        let ch = w.change(vehicle, prior_vehicle, "reason_vehicle");
        let mut p = format!(
            "（二）公务用车购置及运行费{}万元{ch}。其中：公务用车购置费{}万元，公务用车运行费{}万元。",
            wan(vehicle),
            wan(v(tp.vehicle_purchase)),
            wan(v(tp.vehicle_operation))
        );
        if let Some(n) = b.info.text("vehicles") {
            p.push_str(&format!("{who}现有公务用车{n}辆。"));
        }
        blocks.push(Block::Para(p));
        let prior_reception = w.prior.reception;
        let ch = w.change(v(tp.reception), prior_reception, "reason_reception");
        blocks.push(Block::Para(format!(
            "（三）公务接待费{}万元{ch}。",
            wan(v(tp.reception))
        )));
        ("“三公”经费财政拨款预算安排情况说明", blocks)
    }

    /// 八、九: 政府性基金 and 国有资本经营 expenditure (or the statement that there is none).
    fn fund_tables(&mut self, sections: &mut Vec<(&'static str, Vec<Block>)>) {
        let who = self.who.clone();
        let y = self.year;
        let w = self;
        for (id, fund, title) in [
            (TableId::T4, "政府性基金预算", "政府性基金预算支出情况说明"),
            (
                TableId::T5,
                "国有资本经营预算",
                "国有资本经营预算支出情况说明",
            ),
        ] {
            let total = w.total_yuan(id, "total");
            let text = if total.is_zero() {
                format!("{who}{y}年无使用{fund}拨款安排的支出，{}为空表。", id)
            } else {
                let parts = w
                    .table(id)
                    .map(|t| class_list(w, t, "total", None))
                    .unwrap_or_default();
                format!(
                    "{who}{y}年{fund}拨款支出{}万元，其中：{}。",
                    wan(total),
                    parts.join("；")
                )
            };
            sections.push((title, vec![Block::Para(text)]));
        }
    }

    /// 十、其他重要事项的情况说明: 机关运行经费, 政府采购, 国有资产, 绩效目标.
    fn other_matters(&mut self) -> (&'static str, Vec<Block>) {
        let who = self.who.clone();
        let y = self.year;
        let last = y - 1;
        let w = self;
        let mut blocks = Vec::new();
        blocks.push(Block::Sub("（一）机关运行经费".into()));
        if let Some(v) = w.money_info("office_operation") {
            blocks.push(Block::Para(if v.is_zero() {
                format!("{y}年，{who}无机关运行经费。")
            } else {
                format!("{y}年，{who}机关运行经费财政拨款预算为{}万元。", wan(v))
            }));
        }
        blocks.push(Block::Sub("（二）政府采购情况".into()));
        let goods = w.money_info("procurement_goods");
        let works = w.money_info("procurement_works");
        let services = w.money_info("procurement_services");
        if let (Some(g), Some(k), Some(sv)) = (goods, works, services) {
            let t = g + k + sv;
            blocks.push(Block::Para(if t.is_zero() {
            format!("{y}年，{who}未安排政府采购预算。")
        } else {
            format!(
                "{y}年，{who}政府采购预算总额{}万元，其中：政府采购货物预算{}万元、政府采购工程预算{}万元、政府采购服务预算{}万元。",
                wan(t),
                wan(g),
                wan(k),
                wan(sv)
            )
        }));
        }
        blocks.push(Block::Sub("（三）国有资产占有使用情况".into()));
        if let Some(v) = w.money_info("fixed_assets") {
            blocks.push(Block::Para(format!(
                "截至{last}年底，{who}共有固定资产总额{}万元。",
                wan(v)
            )));
        }
        blocks.push(Block::Sub("（四）绩效目标设置情况".into()));
        if let Some(v) = w.money_info("performance_funds") {
            blocks.push(Block::Para(format!(
                "{y}年{who}实行绩效目标管理的项目，涉及一般公共预算当年拨款{}万元。",
                wan(v)
            )));
        }
        ("其他重要事项的情况说明", blocks)
    }

    /// 十一、名词解释: the standard terms.
    fn terms(&self) -> (&'static str, Vec<Block>) {
        let terms = [
            (
                "一般公共预算拨款收入",
                "指本级财政当年拨付的、纳入一般公共预算管理的资金。",
            ),
            (
                "政府性基金预算拨款收入",
                "指本级财政当年拨付的、纳入政府性基金预算管理的资金。",
            ),
            (
                "上年结转",
                "指以前年度尚未完成、结转到本年按原规定用途继续使用的资金。",
            ),
            (
                "基本支出",
                "指为保障机构正常运转、完成日常工作任务而发生的人员经费和公用经费。",
            ),
            (
                "项目支出",
                "指在基本支出之外，为完成特定行政工作任务或事业发展目标而发生的支出。",
            ),
            (
                "“三公”经费",
                "指用财政拨款安排的因公出国（境）费、公务用车购置及运行费和公务接待费。因公出国（境）费指单位工作人员公务出国（境）的国际旅费、国外城市间交通费、住宿费、伙食费、培训费、公杂费等；公务用车购置及运行费指公务用车购置支出（含车辆购置税）及燃料费、维修费、过路过桥费、保险费等运行支出；公务接待费指单位按规定开支的各类公务接待支出。",
            ),
            (
                "机关运行经费",
                "指为保障行政单位（含参照公务员法管理的事业单位）运行用于购买货物和服务的各项资金，包括办公及印刷费、邮电费、差旅费、会议费、福利费、日常维修费、专用材料及一般设备购置费、办公用房水电费、办公用房取暖费、办公用房物业管理费、公务用车运行维护费以及其他费用。",
            ),
        ];
        let blocks = terms
            .iter()
            .enumerate()
            .map(|(i, (t, d))| Block::Para(format!("（{}）{t}：{d}", chinese_ordinal(i + 1))))
            .collect();
        ("名词解释", blocks)
    }
}

impl Narrative {
    /// Markdown: `#` title, `##` sections, `###` sub-headings.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n\n", self.title);
        for s in &self.sections {
            out.push_str(&format!("## {}\n\n", s.heading));
            for b in &s.blocks {
                match b {
                    Block::Sub(h) => out.push_str(&format!("### {h}\n\n")),
                    Block::Para(p) => out.push_str(&format!("{p}\n\n")),
                }
            }
        }
        out
    }

    /// Plain text: one line per heading and paragraph, paragraphs indented by two
    /// full-width spaces.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", self.title);
        for s in &self.sections {
            out.push_str(&format!("{}\n", s.heading));
            for b in &s.blocks {
                match b {
                    Block::Sub(h) => out.push_str(&format!("{h}\n")),
                    Block::Para(p) => out.push_str(&format!("\u{3000}\u{3000}{p}\n")),
                }
            }
        }
        out
    }
}
