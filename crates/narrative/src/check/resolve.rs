//! Subjects → the model: which table figure a claim's subject names (a 科目 by its
//! 类/款/项 names in every style, a table total, a 三公 part, 机关运行经费 …), and
//! which names are outdated or do not belong together (N403).

use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;
use yusuan_core::text::fold;
use yusuan_core::{CellRef, Scheme, TableId, Unit};
use yusuan_rules::Ctx;

use super::scan::clean_subject;
use super::structure::{Para, Sec};
use crate::Prior;

static CHAIN_MARK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\((?:类|款|项)\)").expect("re"));
/// `一般公共服务支出类统计信息事务款专项普查活动项`.
static CHAIN_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.+?)类(.+?)款(.+?)项$").expect("re"));

/// The table figure a subject names.
#[derive(Debug, Clone)]
pub(crate) struct Expect {
    /// For messages: `表3 一般公共服务支出(201) 合计`.
    pub(crate) what: String,
    pub(crate) yuan: Decimal,
    pub(crate) cell: Option<CellRef>,
    pub(crate) prior: Option<Decimal>,
}

/// Outcome of resolving a subject: the figure, and name remarks for N403.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub(crate) expect: Option<Expect>,
    /// Other lines with the very name given (a name can repeat within a 款).
    pub(crate) equivalents: Vec<Decimal>,
    /// Candidate lines when a 项 name may be the wrong one: (what, yuan, cell).
    pub(crate) siblings: Vec<(String, Decimal, Option<CellRef>)>,
    pub(crate) names: Vec<String>,
    /// The figure is another workbook's (a 决算 text's 年初预算数 in the 预算): the text
    /// restating this workbook's figure nearby is no sign of a slip.
    pub(crate) elsewhere: bool,
}

pub(crate) struct Resolver<'a> {
    pub(crate) ctx: &'a Ctx<'a>,
    pub(crate) prior: Prior,
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
        })
    }

    /// The 款 of `kuans` named `k` (by its official or printed name, or an earlier
    /// official name, which is remarked on).
    fn kuan_named(
        &self,
        k: &str,
        kuans: &[&yusuan_core::Line],
        names: &mut Vec<String>,
    ) -> Option<String> {
        let codes = self.ctx.codes;
        let mut kuan = None;
        for l in kuans {
            let code = l.code.clone().unwrap_or_default();
            let official = codes
                .lookup(Scheme::Functional, &code)
                .map(|e| fold(&e.name));
            if official.as_deref() == Some(k) || fold(&l.name) == k {
                kuan = Some(code);
            } else if let Some(rn) = codes.renamed_from(&code, k) {
                names.push(format!(
                    "款级科目“{}”是旧名称，现为“{}”",
                    rn.old_name, rn.new_name
                ));
                kuan = Some(code);
            }
        }
        kuan
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
        let kuan = kuan_name
            .as_deref()
            .and_then(|k| self.kuan_named(k, &kuans, &mut r.names));
        let kuan_missing = kuan_name.clone().filter(|_| kuan.is_none());
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
        r.siblings.extend(items.iter().filter_map(|l| {
            let v = l.value("total").and_then(|v| t3.to_yuan(v))?;
            let a = l.amount("total")?;
            let name = format!("{}({})", l.name, l.code.as_deref().unwrap_or(""));
            Some((name, v, Some(a.at.clone())))
        }));
        if let Some(k) = kuan_missing {
            // The 款 the 项 stands under, by its code.
            let right = line
                .and_then(|l| l.code.as_deref())
                .and_then(|c| kuans.iter().find(|k| k.code.as_deref() == Some(&c[..5])))
                .map(|k| format!("{}({})", k.name, k.code.as_deref().unwrap_or("")));
            let class_name = official(&class);
            let what = if class_name.as_deref() == Some(k.as_str()) {
                format!("款级科目写成了类级科目名称“{k}”")
            } else {
                format!("款级科目“{k}”在表3的该类下没有")
            };
            r.names.push(match right {
                Some(right) => format!("{what}，应为{right}"),
                None => what,
            });
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
            });
        } else if line.is_none() {
            r.names.push(format!(
                "项级科目“{}”在表3中没有",
                parts.last().unwrap_or(&"")
            ));
        }
    }

    /// What a subject names in the tables: a 类/款/项 chain, a quantity named by its
    /// own words, a 类 by name, or a table total; with remarks on its names.
    pub(crate) fn resolve(&self, subject: &str, p: &Para) -> Resolved {
        let mut r = Resolved::default();
        let s = clean_subject(subject);
        if s.is_empty() {
            return r;
        }
        let chain_parts = chain_parts(&s);
        if chain_parts.len() >= 2 {
            self.chain(&chain_parts, &mut r);
            return r;
        }
        if let Some(e) = self.named_quantity(&s, p) {
            r.expect = Some(e);
            return r;
        }
        // 机关运行经费 with no table or entry of its own is not any other figure (not
        // 支出总计 because it ends in 支出).
        if s.contains("机关运行经费") {
            return r;
        }
        // 类 names (`住房保障支出（类）`)
        let bare = s
            .trim_start_matches("支出包括")
            .trim_start_matches("收入包括")
            .trim_end_matches("(类)");
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
        r.expect = self.fund_or_total(&s, p);
        r
    }

    /// A quantity named by its own words: the 三公 parts, 机关运行经费, 固定资产,
    /// 政府采购, 绩效, 人员/公用经费, 基本/项目支出.
    fn named_quantity(&self, s: &str, p: &Para) -> Option<Expect> {
        let has = |w: &str| s.contains(w);
        let sub = fold(&p.sub);
        let prior = &self.prior;
        if has("三公") {
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
            // The 三公 table's 机关运行经费 column (Shanghai), else 部门基本情况.
            self.total(TableId::T3_3, "office_operation", "机关运行经费")
                .filter(|_| {
                    self.ctx
                        .budget
                        .table(TableId::T3_3)
                        .is_some_and(|t| t.has_column("office_operation"))
                })
                .or_else(|| self.info("office_operation", "机关运行经费"))
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
        }
    }

    /// A table total or a fixed row of 表1/表2 by its words (财政拨款, 一般公共预算,
    /// 上年结转, 事业收入 …, 收入总计, 支出总计), in the section's table.
    fn fund_or_total(&self, s: &str, p: &Para) -> Option<Expect> {
        let has = |w: &str| s.contains(w);
        let prior = &self.prior;
        let t1 = TableId::T1;
        let fiscal_sec = p.sec == Sec::Fiscal;
        if (p.sec == Sec::Fund && (has("政府性基金") || has("支出")))
            || (has("政府性基金") && has("支出"))
        {
            self.total(TableId::T4, "total", "合计")
        } else if (p.sec == Sec::Soe && (has("国有资本经营") || has("支出")))
            || (has("国有资本经营") && has("支出"))
        {
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
                    ..e
                })
        } else if has("支出预算") || has("支出总计") || s.ends_with("支出") || has("支出总预算")
        {
            self.fixed(t1, "expenditure_total", "expenditure", "支出总计")
                .map(|e| Expect {
                    prior: prior.income_total,
                    ..e
                })
        } else {
            None
        }
    }
}

/// The 类, 款 and 项 names of a chained subject: `X（类）Y（款）Z（项）`, `X类Y款Z项` or
/// `X-Y-Z` (empty when the subject is not a chain).
fn chain_parts(s: &str) -> Vec<&str> {
    let has = |w: &str| s.contains(w);
    // `…（项）支出决算为`: what follows the 项 is not a part of the chain.
    let s = match s.find("(项)") {
        Some(i) => &s[..i + "(项)".len()],
        None => s,
    };
    let words = CHAIN_WORDS.captures(s);
    if s.contains("(类)") {
        CHAIN_MARK.split(s).filter(|x| !x.is_empty()).collect()
    } else if let Some(c) = &words {
        vec![
            c.get(1).map_or("", |m| m.as_str()),
            c.get(2).map_or("", |m| m.as_str()),
            c.get(3).map_or("", |m| m.as_str()),
        ]
    } else if s.matches('-').count() >= 1 && !has("三公") {
        s.split('-').filter(|x| !x.is_empty()).collect()
    } else {
        vec![]
    }
}
