//! The 部门决算情况说明, generated from a 决算 model in the standard sections of the
//! national template (一、收入支出决算总体情况说明 … 十二、名词解释).
//!
//! Figures are in 万元 with two decimals (half-up from the exact 元 values); shares and
//! completion rates are computed from exact values and rounded each on its own, never
//! adjusted to make 100.00. A change on last year is written only when last year's
//! figure is known (`--previous`, last year's 决算); from a zero base the rate is not
//! computed. 年初预算数 come only from the year's 预算 workbook when it is given. What
//! the workbooks cannot say (the reasons of a change, 绩效, 政府采购, 国有资产) is left out
//! and listed in `warnings` for the officer to write.

use rust_decimal::Decimal;

use yusuan_core::text::{chinese_ordinal, strip_ordinal};
use yusuan_core::{Budget, CodeLists, Line, Scheme, Table, TableId, Unit, round2, show2};

use crate::generate::{Block, Narrative, Prior, numbered, share};

/// 万元 with two decimals from 元.
fn wan(yuan: Decimal) -> String {
    show2(Unit::WanYuan.from_yuan(yuan))
}

struct Final<'a> {
    b: &'a Budget,
    codes: &'a CodeLists,
    prior: Prior,
    /// The year's 预算, for 年初预算数.
    budget: Option<&'a Budget>,
    year: i32,
    who: String,
    warnings: Vec<String>,
}

impl Final<'_> {
    fn total(&self, id: TableId, col: &str) -> Decimal {
        self.b
            .table(id)
            .and_then(|t| t.total_yuan(col))
            .unwrap_or_default()
    }

    fn fixed(&self, id: TableId, key: &str, col: &str) -> Decimal {
        self.b
            .table(id)
            .and_then(|t| t.to_yuan(t.fixed_value(key, col)?))
            .unwrap_or_default()
    }

    fn name(&self, scheme: Scheme, l: &Line) -> String {
        self.codes
            .lookup(scheme, l.code.as_deref().unwrap_or(""))
            .map(|e| e.name.clone())
            .unwrap_or_else(|| strip_ordinal(&l.name).to_string())
    }

    /// `。与2023年度相比，…增加X万元，增长Y%。` (empty without last year's figure).
    fn change(&mut self, what: &str, now_yuan: Decimal, prior_wan: Option<Decimal>) -> String {
        let Some(prior) = prior_wan else {
            return "。".into();
        };
        let last = self.year - 1;
        let diff = round2(Unit::WanYuan.from_yuan(now_yuan)) - round2(prior);
        if diff.is_zero() {
            return format!("，与{last}年度持平。");
        }
        let (word, rate_word) = if diff > Decimal::ZERO {
            ("增加", "增长")
        } else {
            ("减少", "下降")
        };
        let rate = if prior.is_zero() {
            // From a zero base there is no rate (100.00% is not one).
            String::new()
        } else {
            share(diff.abs(), prior)
                .map(|r| format!("，{rate_word}{r}%"))
                .unwrap_or_default()
        };
        self.warnings.push(format!(
            "{what}比上年{word}，决算工作簿中没有增减原因，情况说明中“主要原因”请补充"
        ));
        format!(
            "。与{last}年度相比，{what}{word}{}万元{rate}。",
            show2(diff.abs())
        )
    }

    /// `其中：A X万元，占Y%；B …` of the non-zero parts of a whole.
    fn parts(&self, whole: Decimal, parts: &[(&str, Decimal)]) -> String {
        let listed: Vec<String> = parts
            .iter()
            .filter(|(_, v)| !v.is_zero())
            .map(|(n, v)| {
                let s = share(*v, whole)
                    .map(|s| format!("，占{s}%"))
                    .unwrap_or_default();
                format!("{n}{}万元{s}", wan(*v))
            })
            .collect();
        if listed.is_empty() {
            String::new()
        } else {
            format!("，其中：{}", listed.join("；"))
        }
    }

    /// 一 to 四: the totals, 收入, 支出 and 财政拨款.
    fn totals(&mut self) -> Vec<(&'static str, Vec<Block>)> {
        let t1 = TableId::T1;
        let total = self.fixed(t1, "income_total", "income");
        let who = self.who.clone();
        let y = self.year;
        let change = self.change("收入支出总计", total, self.prior.income_total);
        let overall = format!("{who}{y}年度收入、支出决算总计{}万元{change}", wan(total));
        let income = self.fixed(t1, "income_subtotal", "income");
        let fiscal = ["gpb", "fund", "soe"]
            .iter()
            .map(|k| self.fixed(t1, k, "income"))
            .sum();
        let income_parts = [
            ("财政拨款收入", fiscal),
            ("上级补助收入", self.fixed(t1, "superior", "income")),
            ("事业收入", self.fixed(t1, "business", "income")),
            ("经营收入", self.fixed(t1, "operating", "income")),
            ("附属单位上缴收入", self.fixed(t1, "affiliated", "income")),
            ("其他收入", self.fixed(t1, "other", "income")),
        ];
        let income_text = format!(
            "本年收入合计{}万元{}。",
            wan(income),
            self.parts(income, &income_parts)
        );
        let t12 = TableId::T1_2;
        let spent = self.total(t12, "total");
        let spent_parts = [
            ("基本支出", self.total(t12, "basic")),
            ("项目支出", self.total(t12, "project")),
            ("上缴上级支出", self.total(t12, "remit")),
            ("经营支出", self.total(t12, "operating_expense")),
            ("对附属单位补助支出", self.total(t12, "affiliated_subsidy")),
        ];
        let spent_text = format!(
            "本年支出合计{}万元{}。",
            wan(spent),
            self.parts(spent, &spent_parts)
        );
        let fiscal_total = self.fixed(TableId::T2, "income_total", "income");
        let change = self.change(
            "财政拨款收入支出总计",
            fiscal_total,
            self.prior.fiscal_total,
        );
        let fiscal_text = format!(
            "{who}{y}年度财政拨款收入、支出总计{}万元{change}",
            wan(fiscal_total)
        );
        vec![
            ("收入支出决算总体情况说明", vec![Block::Para(overall)]),
            ("收入决算情况说明", vec![Block::Para(income_text)]),
            ("支出决算情况说明", vec![Block::Para(spent_text)]),
            (
                "财政拨款收入支出决算总体情况说明",
                vec![Block::Para(fiscal_text)],
            ),
        ]
    }

    /// 五: 一般公共预算财政拨款支出, 总体, 结构 by 类, 具体 per 项.
    fn general_budget(&mut self) -> (&'static str, Vec<Block>) {
        let Some(t3) = self.b.table(TableId::T3) else {
            return ("一般公共预算财政拨款支出决算情况说明", vec![]);
        };
        let total = t3.total_yuan("total").unwrap_or_default();
        let year_spent = self.total(TableId::T1_2, "total");
        let of_year = share(total, year_spent)
            .map(|s| format!("，占本年支出合计的{s}%"))
            .unwrap_or_default();
        let change = self.change(
            "一般公共预算财政拨款支出",
            total,
            self.prior.gpb_expenditure,
        );
        let overall = format!(
            "一般公共预算财政拨款支出{}万元{of_year}{change}",
            wan(total)
        );
        let classes: Vec<String> = t3
            .coded()
            .filter(|l| l.level() == Some(1))
            .filter_map(|l| {
                let v = t3.to_yuan(l.value("total")?)?;
                (!v.is_zero()).then(|| {
                    let s = share(v, total)
                        .map(|s| format!("，占{s}%"))
                        .unwrap_or_default();
                    format!(
                        "{}（类）{}万元{s}",
                        self.name(Scheme::Functional, l),
                        wan(v)
                    )
                })
            })
            .collect();
        let structure = format!(
            "一般公共预算财政拨款支出{}万元，主要用于以下方面：{}。",
            wan(total),
            classes.join("；")
        );
        let mut blocks = vec![
            Block::Sub("（一）一般公共预算财政拨款支出决算总体情况".into()),
            Block::Para(overall),
            Block::Sub("（二）一般公共预算财政拨款支出决算结构情况".into()),
            Block::Para(structure),
            Block::Sub("（三）一般公共预算财政拨款支出决算具体情况".into()),
        ];
        blocks.extend(self.items(t3, total));
        ("一般公共预算财政拨款支出决算情况说明", blocks)
    }

    /// 五（三）: the whole against its 年初预算, then each 项 in code order.
    fn items(&mut self, t3: &Table, total: Decimal) -> Vec<Block> {
        let planned = |code: Option<&str>| -> Option<Decimal> {
            let t = self.budget?.table(TableId::T3)?;
            match code {
                None => t.total_yuan("total"),
                Some(c) => t.to_yuan(t.by_code(c)?.value("total")?),
            }
        };
        let against = |plan: Option<Decimal>, done: Decimal| -> String {
            match plan {
                Some(p) => {
                    let rate = share(done, p)
                        .map(|r| format!("，完成年初预算的{r}%"))
                        .unwrap_or_default();
                    let word = match done.cmp(&p) {
                        std::cmp::Ordering::Greater => "决算数大于年初预算数",
                        std::cmp::Ordering::Less => "决算数小于年初预算数",
                        std::cmp::Ordering::Equal => "决算数等于年初预算数",
                    };
                    format!(
                        "年初预算为{}万元，支出决算为{}万元{rate}，{word}。",
                        wan(p),
                        wan(done)
                    )
                }
                None => format!("支出决算为{}万元。", wan(done)),
            }
        };
        if self.budget.is_none() {
            self.warnings.push(
                "未提供当年的部门预算工作簿（--budget），情况说明中没有写年初预算数和完成率".into(),
            );
        }
        let mut out = vec![Block::Para(format!(
            "一般公共预算财政拨款{}",
            against(planned(None), total)
        ))];
        let items: Vec<&Line> = t3.coded().filter(|l| l.level() == Some(3)).collect();
        for (i, l) in items.iter().enumerate() {
            let code = l.code.as_deref().unwrap_or("");
            let Some(done) = l.value("total").and_then(|v| t3.to_yuan(v)) else {
                continue;
            };
            let chain = [&code[..3], &code[..5], code]
                .iter()
                .zip(["类", "款", "项"])
                .map(|(c, level)| {
                    let n = self
                        .codes
                        .lookup(Scheme::Functional, c)
                        .map(|e| e.name.clone())
                        .or_else(|| t3.by_code(c).map(|x| strip_ordinal(&x.name).to_string()))
                        .unwrap_or_default();
                    format!("{n}（{level}）")
                })
                .collect::<String>();
            out.push(Block::Para(format!(
                "{}、{chain}{}",
                i + 1,
                against(planned(Some(code)), done)
            )));
        }
        out
    }

    /// 六: 基本支出 as 人员经费 and 公用经费, each with the 款 it mainly went to.
    fn basic(&mut self) -> (&'static str, Vec<Block>) {
        let t31 = self.b.table(TableId::T3_1);
        let basic = self.total(TableId::T3, "basic");
        let kuan = |classes: &[&str]| -> String {
            t31.into_iter()
                .flat_map(Table::coded)
                .filter(|l| l.level() == Some(2))
                .filter(|l| {
                    l.code
                        .as_deref()
                        .is_some_and(|c| classes.contains(&&c[..3]))
                })
                .filter(|l| l.value("total").is_some_and(|v| !v.is_zero()))
                .map(|l| self.name(Scheme::Economic, l))
                .collect::<Vec<_>>()
                .join("、")
        };
        let part = |key: &str, label: &str, classes: &[&str]| {
            let v = self.total(TableId::T3_1, key);
            let list = kuan(classes);
            let list = if list.is_empty() {
                String::new()
            } else {
                format!("，主要包括：{list}")
            };
            format!("{label}{}万元{list}", wan(v))
        };
        let text = format!(
            "一般公共预算财政拨款基本支出{}万元。其中：{}；{}。",
            wan(basic),
            part("personnel", "人员经费", &["301", "303"]),
            part("public", "公用经费", &["302", "310"])
        );
        (
            "一般公共预算财政拨款基本支出决算情况说明",
            vec![Block::Para(text)],
        )
    }

    /// 七: 三公, 预算数 against 决算数 per part.
    fn three_public(&mut self) -> (&'static str, Vec<Block>) {
        let s = self.b.summary();
        let (f, p) = (s.three_public, s.three_public_budget.unwrap_or_default());
        let total = f.total.unwrap_or_default();
        let who = self.who.clone();
        let y = self.year;
        let heading = "财政拨款“三公”经费支出决算情况说明";
        if total.is_zero() && p.total.unwrap_or_default().is_zero() {
            return (
                heading,
                vec![Block::Para(format!(
                    "{who}{y}年度无“三公”经费财政拨款支出。"
                ))],
            );
        }
        let one = |name: &str, plan: Option<Decimal>, done: Option<Decimal>| {
            let done = done.unwrap_or_default();
            let plan_text = plan
                .map(|v| format!("预算为{}万元，", wan(v)))
                .unwrap_or_default();
            let rate = plan
                .and_then(|v| share(done, v))
                .map(|r| format!("，完成预算的{r}%"))
                .unwrap_or_default();
            format!("{name}{plan_text}支出决算为{}万元{rate}", wan(done))
        };
        let change = self.change("“三公”经费财政拨款支出", total, self.prior.three_public);
        let vehicle = |a: Option<Decimal>, b: Option<Decimal>| Some(a? + b?);
        let text = format!(
            "{}{change}其中：{}；{}；{}。",
            one(&format!("{y}年度“三公”经费财政拨款支出"), p.total, f.total),
            one("因公出国（境）费", p.abroad, f.abroad),
            one(
                "公务用车购置及运行维护费",
                vehicle(p.vehicle_purchase, p.vehicle_operation),
                vehicle(f.vehicle_purchase, f.vehicle_operation)
            ),
            one("公务接待费", p.reception, f.reception),
        );
        (heading, vec![Block::Para(text)])
    }

    /// 八, 九: the fund tables.
    fn fund(&mut self, id: TableId, fund: &'static str) -> (&'static str, Vec<Block>) {
        let heading = match id {
            TableId::T4 => "政府性基金预算财政拨款收入支出决算情况说明",
            _ => "国有资本经营预算财政拨款收入支出决算情况说明",
        };
        let spent = self.total(id, "total");
        let (who, y) = (self.who.clone(), self.year);
        let text = if spent.is_zero() {
            format!("{who}{y}年度无{fund}财政拨款收入和支出。")
        } else {
            format!("{who}{y}年度{fund}财政拨款支出{}万元。", wan(spent))
        };
        (heading, vec![Block::Para(text)])
    }
}

/// The standard 名词解释 of a 部门决算 (as the Shanghai 决算 publishes them).
const TERMS: [(&str, &str); 9] = [
    (
        "财政拨款收入",
        "指单位本年度从本级财政部门取得的财政拨款，包括一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款。",
    ),
    (
        "事业收入",
        "指事业单位开展专业业务活动及其辅助活动取得的收入。",
    ),
    (
        "经营收入",
        "指事业单位在专业业务活动及其辅助活动之外开展非独立核算经营活动取得的收入。",
    ),
    (
        "年初结转和结余",
        "指以前年度尚未完成、结转到本年按有关规定继续使用的资金。",
    ),
    (
        "年末结转和结余",
        "指本年度或以前年度预算安排、因客观条件发生变化无法按原计划实施，需延迟到以后年度按有关规定继续使用的资金。",
    ),
    (
        "基本支出",
        "指单位为保障机构正常运转、完成日常工作任务而发生的各项支出。",
    ),
    (
        "项目支出",
        "指单位为完成特定的行政工作任务或事业发展目标，在基本支出之外发生的各项支出。",
    ),
    (
        "“三公”经费",
        "指单位使用本级财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和公务接待费。",
    ),
    (
        "机关运行经费",
        "指行政单位和参照公务员法管理的事业单位使用一般公共预算财政拨款安排的基本支出中的日常公用经费支出。",
    ),
];

/// Generate the 部门决算情况说明 of a 决算 model. `prior` gives last year's 决算 figures
/// (see [`Prior::from_budget`]); `budget` the year's 预算, for the 年初预算数.
pub fn generate_final(
    b: &Budget,
    codes: &CodeLists,
    prior: Prior,
    budget: Option<&Budget>,
) -> Narrative {
    let year = b.year.unwrap_or_default();
    let mut w = Final {
        b,
        codes,
        prior,
        budget,
        year,
        who: b.department_name().to_string(),
        warnings: Vec::new(),
    };
    let mut sections = w.totals();
    sections.push(w.general_budget());
    sections.push(w.basic());
    sections.push(w.three_public());
    sections.push(w.fund(TableId::T4, "政府性基金预算"));
    sections.push(w.fund(TableId::T5, "国有资本经营预算"));
    w.warnings.push(
        "预算绩效管理情况、机关运行经费、政府采购和国有资产占有使用情况不在决算表中，情况说明中未写，请补充"
            .into(),
    );
    let terms = TERMS
        .iter()
        .enumerate()
        .map(|(i, (t, d))| Block::Para(format!("（{}）{t}：{d}", chinese_ordinal(i + 1))))
        .collect();
    sections.push(("名词解释", terms));
    Narrative {
        title: format!(
            "{}{year}年度{}决算情况说明",
            b.department_name(),
            b.entity.label()
        ),
        sections: numbered(sections),
        warnings: w.warnings,
    }
}
