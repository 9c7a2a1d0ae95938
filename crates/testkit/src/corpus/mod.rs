//! Realistic random budgets, deterministic from a seed: for the round-trip property
//! tests and the benchmark corpus (`cargo run --release --example corpus`); and, in
//! [`bad`], the hostile and broken inputs of the robustness tests.
//!
//! A generated department has 项 lines drawn from the built-in 支出功能分类 list (plus,
//! for very large departments, extra 项 codes under known 款, which are returned so a
//! `--codes` file can list them), money from 一般公共预算 and sometimes 政府性基金,
//! 事业收入, 其他收入 and 上年结转, 1–30 units with “三公”, projects and an 经济分类 split
//! that add up. [`compose`](crate::compose::compose) turns it into every table.

pub mod bad;
mod files;
pub mod hostile;

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::compose::{
    BudgetSpec, DepartmentSpec, EconomicSpec, ItemSpec, Portion, ProjectEconomicSpec, ProjectSpec,
    ThreePublicSpec, UnitSpec,
};
use yusuan_core::CodeLists;
use yusuan_core::Unit;

/// splitmix64: small, fast and stable across platforms and versions.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi` (hi exclusive; `lo` when empty).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.next_u64() % (hi - lo)
        }
    }

    /// True with probability `p` (0..=1).
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() % 1_000_000) as f64 / 1_000_000.0 < p
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.range(0, xs.len() as u64) as usize]
    }
}

/// Cents as a 万元 amount with two decimals.
fn wan(cents: u64) -> Decimal {
    Decimal::new(cents as i64, 2)
}

/// Split `total` cents into `n` parts by random weights; parts sum exactly.
fn split(rng: &mut Rng, total: u64, n: usize) -> Vec<u64> {
    if n == 0 {
        return vec![];
    }
    let weights: Vec<u64> = (0..n).map(|_| rng.range(1, 100)).collect();
    let sum: u64 = weights.iter().sum();
    let mut parts: Vec<u64> = weights.iter().map(|w| total * w / sum).collect();
    let used: u64 = parts.iter().sum();
    parts[n - 1] += total - used;
    parts
}

/// How big a department to make.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Number of 功能分类 项 lines.
    pub items: usize,
    /// Number of budget units (本级 and subordinate units).
    pub units: usize,
}

/// A generated department and any 项 codes it uses that the built-in list lacks.
#[derive(Debug, Clone)]
pub struct Generated {
    pub spec: BudgetSpec,
    /// Extra codes (code, name) the spec uses; list them in a `--codes` file.
    pub extra_codes: Vec<(String, String)>,
}

const DEPARTMENTS: &[&str] = &[
    "教育局",
    "卫生健康局",
    "民政局",
    "住房和城乡建设局",
    "农业农村局",
    "交通运输局",
    "自然资源局",
    "人力资源和社会保障局",
    "财政局",
    "发展和改革局",
    "司法局",
    "文化广播电视和旅游局",
    "市场监督管理局",
    "生态环境局",
    "水利局",
    "应急管理局",
    "统计局",
    "审计局",
    "退役军人事务局",
    "政协办公室",
];
const PLACES: &[&str] = &[
    "罗江区",
    "旌阳区",
    "中江县",
    "广汉市",
    "什邡市",
    "绵竹市",
    "安州区",
    "江油市",
];
const UNIT_KINDS: &[&str] = &[
    "服务中心",
    "事务中心",
    "监测站",
    "管理所",
    "学校",
    "研究所",
    "执法大队",
    "档案馆",
];
const PROJECTS: &[&str] = &[
    "专项工作经费",
    "信息化建设项目",
    "设施维护项目",
    "培训经费",
    "宣传经费",
    "专项补助资金",
    "运行保障经费",
    "监督检查经费",
    "改造提升项目",
    "购买服务经费",
];

/// A random department budget of about `size`. The random draws happen in a fixed
/// order, so a seed always gives the same budget.
pub fn generate(seed: u64, size: Size) -> Generated {
    let mut rng = Rng::new(seed);
    let codes = CodeLists::builtin();
    let (chosen, extra_codes) = choose_codes(&mut rng, codes, size.items);
    let place = *rng.pick(PLACES);
    let dept = *rng.pick(DEPARTMENTS);
    let name = format!("德阳市{place}{dept}");
    let items = items(&mut rng, &chosen);
    let n_units = size.units.max(1);
    let units = units(&mut rng, &name, n_units);
    let economic = economic(&mut rng, codes, &items);
    let (project_economic, projects) = projects(&mut rng, codes, &items, &units);
    let info = info(&mut rng, n_units);
    Generated {
        spec: BudgetSpec {
            department: DepartmentSpec {
                name,
                short_name: Some(dept.to_string()),
                year: 2023 + rng.range(0, 3) as i32,
                unit: Unit::WanYuan,
            },
            info,
            names: extra_codes.iter().cloned().collect(),
            items,
            economic,
            project_economic,
            projects,
            units,
            fund_balance: Decimal::ZERO,
        },
        extra_codes,
    }
}

/// A code with its name.
type CodeName = (String, String);

/// `wanted` 项 codes with their names: known ones (whose 款 and 类 are in the catalogue)
/// at random, and when more are asked than are known, made-up ones under known 款
/// (returned also as the extra names the catalogue lacks).
fn choose_codes(rng: &mut Rng, codes: &CodeLists, wanted: usize) -> (Vec<CodeName>, Vec<CodeName>) {
    // 项 codes whose 款 and 类 are known, in code order.
    let mut known: Vec<(&str, &str)> = codes
        .functional
        .values()
        .filter(|e| {
            e.code.len() == 7
                && codes.functional.contains_key(&e.code[..5])
                && codes.functional.contains_key(&e.code[..3])
        })
        .map(|e| (e.code.as_str(), e.name.as_str()))
        .collect();
    known.sort();
    let mut extra_codes = Vec::new();
    let mut chosen: Vec<(String, String)> = Vec::new();
    if wanted <= known.len() {
        let mut idx: Vec<usize> = (0..known.len()).collect();
        for i in 0..wanted {
            let j = rng.range(i as u64, idx.len() as u64) as usize;
            idx.swap(i, j);
        }
        let mut take: Vec<usize> = idx[..wanted].to_vec();
        take.sort();
        chosen = take
            .iter()
            .map(|&i| (known[i].0.to_string(), known[i].1.to_string()))
            .collect();
    } else {
        chosen.extend(known.iter().map(|(c, n)| (c.to_string(), n.to_string())));
        let kuans: Vec<&str> = {
            let mut k: Vec<&str> = known.iter().map(|(c, _)| &c[..5]).collect();
            k.dedup();
            k
        };
        let mut n = 0;
        while chosen.len() < wanted {
            let k = kuans[n % kuans.len()];
            let suffix = 60 + (n / kuans.len()) % 39;
            let code = format!("{k}{suffix:02}");
            n += 1;
            if chosen.iter().any(|(c, _)| *c == code) {
                continue;
            }
            let name = format!("专项支出{}", n);
            extra_codes.push((code.clone(), name.clone()));
            chosen.push((code, name));
        }
        chosen.sort();
    }

    (chosen, extra_codes)
}

/// One item per chosen code, with random 基本/项目 amounts from random sources.
fn items(rng: &mut Rng, chosen: &[(String, String)]) -> Vec<ItemSpec> {
    let has_fund = rng.chance(0.25);
    let has_business = rng.chance(0.3);
    let has_carried = rng.chance(0.3);
    let scale = rng.range(5, 60); // 万元 per line, order of magnitude
    let mut items = Vec::new();
    for (code, item_name) in chosen {
        let mut it = ItemSpec {
            code: code.clone(),
            name: item_name.clone(),
            ..ItemSpec::default()
        };
        let basic = if rng.chance(0.65) {
            rng.range(100, scale * 10_000)
        } else {
            0
        };
        let project = if basic == 0 || rng.chance(0.3) {
            rng.range(100, scale * 8_000)
        } else {
            0
        };
        let fund_code =
            code.starts_with("21208") || code.starts_with("22960") || code.starts_with("2290");
        if has_fund && fund_code {
            it.fund = Portion {
                basic: Decimal::ZERO,
                project: wan(basic + project),
            };
        } else {
            it.gpb = Portion {
                basic: wan(basic),
                project: wan(project),
            };
            if has_business && rng.chance(0.2) {
                it.business = Portion {
                    basic: wan(rng.range(100, 200_000)),
                    project: Decimal::ZERO,
                };
            }
            if has_business && rng.chance(0.1) {
                it.other = Portion {
                    basic: Decimal::ZERO,
                    project: wan(rng.range(100, 50_000)),
                };
            }
            if has_carried && project > 0 && rng.chance(0.3) {
                it.carried = Portion {
                    basic: Decimal::ZERO,
                    project: wan(rng.range(100, 100_000)),
                };
            }
        }
        items.push(it);
    }

    items
}

/// The department's own level and `n_units - 1` subordinate units, with their 三公.
fn units(rng: &mut Rng, name: &str, n_units: usize) -> Vec<UnitSpec> {
    let mut units = vec![UnitSpec {
        name: format!("{name}（本级）"),
        ..UnitSpec::default()
    }];
    for i in 1..n_units {
        units.push(UnitSpec {
            name: format!("{name}{}{}", rng.pick(UNIT_KINDS), i),
            ..UnitSpec::default()
        });
    }
    for u in &mut units {
        if rng.chance(0.6) {
            u.three_public = ThreePublicSpec {
                abroad: if rng.chance(0.1) {
                    wan(rng.range(100, 50_000))
                } else {
                    Decimal::ZERO
                },
                vehicle_purchase: if rng.chance(0.1) {
                    wan(rng.range(100_000, 3_000_000))
                } else {
                    Decimal::ZERO
                },
                vehicle_operation: if rng.chance(0.5) {
                    wan(rng.range(1_000, 150_000))
                } else {
                    Decimal::ZERO
                },
                reception: wan(rng.range(0, 60_000)),
            };
        }
    }

    units
}

/// 表3-1: 一般公共预算 基本支出 by 经济分类, personnel ~ 80–90 %.
fn economic(rng: &mut Rng, codes: &CodeLists, items: &[ItemSpec]) -> Vec<EconomicSpec> {
    let basic_cents: u64 = items
        .iter()
        .map(|i| to_cents(i.gpb.basic + i.carried.basic))
        .sum();
    let personnel = basic_cents * rng.range(78, 92) / 100;
    let public = basic_cents - personnel;
    let pers_codes = eco_codes(codes, &["301", "303"]);
    let pub_codes = eco_codes(codes, &["302"]);
    let mut economic = Vec::new();
    let np = rng.range(4, pers_codes.len().min(12) as u64 + 1) as usize;
    for ((code, name), c) in pers_codes.iter().take(np).zip(split(rng, personnel, np)) {
        economic.push(EconomicSpec {
            code: code.clone(),
            name: name.clone(),
            personnel: wan(c),
            public: Decimal::ZERO,
        });
    }
    let nq = rng.range(3, pub_codes.len().min(15) as u64 + 1) as usize;
    for ((code, name), c) in pub_codes.iter().take(nq).zip(split(rng, public, nq)) {
        economic.push(EconomicSpec {
            code: code.clone(),
            name: name.clone(),
            personnel: Decimal::ZERO,
            public: wan(c),
        });
    }
    economic.retain(|e| !(e.personnel + e.public).is_zero() || basic_cents == 0);
    economic.sort_by(|a, b| a.code.cmp(&b.code));

    economic
}

/// The economic codes of length 5 under the given 类.
fn eco_codes(codes: &CodeLists, prefixes: &[&str]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = codes
        .economic
        .values()
        .filter(|e| e.code.len() == 5 && prefixes.iter().any(|p| e.code.starts_with(p)))
        .map(|e| (e.code.clone(), e.name.clone()))
        .collect();
    v.sort();
    v
}

/// 项目支出 by 经济分类 (表2-1) and by project (表3-2).
fn projects(
    rng: &mut Rng,
    codes: &CodeLists,
    items: &[ItemSpec],
    units: &[UnitSpec],
) -> (Vec<ProjectEconomicSpec>, Vec<ProjectSpec>) {
    let fiscal_project: u64 = items
        .iter()
        .map(|i| to_cents(i.gpb.project + i.carried.project + i.fund.project + i.soe.project))
        .sum();
    let proj_eco = eco_codes(codes, &["302", "310"]);
    let ne = rng.range(2, proj_eco.len().min(8) as u64 + 1) as usize;
    let mut project_economic = Vec::new();
    let start = rng.range(0, (proj_eco.len() - ne) as u64 + 1) as usize;
    for ((code, name), c) in proj_eco[start..start + ne]
        .iter()
        .zip(split(rng, fiscal_project, ne))
    {
        if c > 0 {
            project_economic.push(ProjectEconomicSpec {
                code: code.clone(),
                name: name.clone(),
                amount: wan(c),
            });
        }
    }
    let mut projects = Vec::new();
    for it in items {
        let p = to_cents(it.gpb.project + it.carried.project);
        if p == 0 {
            continue;
        }
        let k = if p > 1_000_000 && rng.chance(0.4) {
            2
        } else {
            1
        };
        for c in split(rng, p, k) {
            projects.push(ProjectSpec {
                unit: rng.pick(units).name.clone(),
                name: format!("{}{}", it.name.trim_end_matches("支出"), rng.pick(PROJECTS)),
                code: it.code.clone(),
                amount: wan(c),
            });
        }
    }

    (project_economic, projects)
}

/// 部门基本情况 counts.
fn info(rng: &mut Rng, n_units: usize) -> BTreeMap<String, toml::Value> {
    let mut info = BTreeMap::new();
    let staff = rng.range(8, 60) * n_units as u64;
    for (k, v) in [
        ("admin_units", 1),
        ("institution_units", n_units as u64 - 1),
        ("authorized_total", staff + 5),
        ("serving_total", staff),
        ("retired_total", staff / 3),
        ("vehicles", rng.range(0, 2 * n_units as u64 + 1)),
    ] {
        info.insert(k.to_string(), toml::Value::Integer(v as i64));
    }
    info
}

fn to_cents(v: Decimal) -> u64 {
    (v * Decimal::from(100)).trunc().try_into().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_composes() {
        for seed in 0..40 {
            let size = Size {
                items: 5 + (seed as usize * 7) % 60,
                units: 1 + seed as usize % 6,
            };
            let a = generate(seed, size);
            let b = generate(seed, size);
            assert_eq!(format!("{:?}", a.spec), format!("{:?}", b.spec));
            let budget = crate::compose::compose(&a.spec, CodeLists::builtin())
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            let r = yusuan_rules::validate(&budget, CodeLists::builtin());
            assert!(!r.has_errors(), "seed {seed}: {:?}", r.findings);
        }
    }

    #[test]
    fn very_large_departments_get_extra_codes() {
        let g = generate(
            7,
            Size {
                items: 400,
                units: 30,
            },
        );
        assert_eq!(g.spec.items.len(), 400);
        assert!(!g.extra_codes.is_empty());
        assert_eq!(g.spec.units.len(), 30);
        crate::compose::compose(&g.spec, CodeLists::builtin()).unwrap();
    }

    #[test]
    fn splits_add_up() {
        let mut rng = Rng::new(1);
        for total in [0, 1, 99, 123_456_789] {
            for n in 1..10 {
                assert_eq!(split(&mut rng, total, n).iter().sum::<u64>(), total);
            }
        }
    }
}
