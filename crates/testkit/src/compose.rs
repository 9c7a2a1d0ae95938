//! A complete, internally consistent budget from its detail lines.
//!
//! A department's budget is determined by its 功能分类 项 lines (each split by source of
//! money and into 基本/项目支出), its 一般公共预算基本支出 by 经济分类 款, its projects and
//! its “三公” per unit. Everything else (类/款 subtotals, 表1, 表1-1, 表1-2, 表2, 表2-1,
//! 表3, 表4, 表5, 合计 rows, empty-table notes) follows from those. [`compose`] derives
//! it, and refuses a spec whose parts do not agree (e.g. 人员经费 + 公用经费 ≠ the
//! 一般公共预算 基本支出 of the 项 lines).
//!
//! The bundled samples, the benchmark corpus and the round-trip property tests are
//! built this way, so every workbook they produce is consistent by construction.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;

use yusuan_core::text::{chinese_ordinal, fold};
use yusuan_core::{
    Amount, Budget, CellRef, Info, InfoEntry, Line, LineKind, Located, Reading, Table, Unit,
};
use yusuan_core::{Catalog, CodeLists, Scheme, Side, TableId};
use yusuan_grid::Format;

/// Money of one source for one line, split into 基本支出 and 项目支出.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Portion {
    #[serde(default)]
    pub basic: Decimal,
    #[serde(default)]
    pub project: Decimal,
}

impl Portion {
    pub fn total(&self) -> Decimal {
        self.basic + self.project
    }
    fn add(&mut self, o: &Portion) {
        self.basic += o.basic;
        self.project += o.project;
    }
}

/// One 功能分类 项 line and where its money comes from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    pub code: String,
    pub name: String,
    /// 一般公共预算拨款 (this year).
    #[serde(default)]
    pub gpb: Portion,
    /// 政府性基金预算拨款.
    #[serde(default)]
    pub fund: Portion,
    /// 国有资本经营预算拨款.
    #[serde(default)]
    pub soe: Portion,
    /// 事业收入.
    #[serde(default)]
    pub business: Portion,
    /// 事业单位经营收入.
    #[serde(default)]
    pub operating: Portion,
    /// 其他收入.
    #[serde(default)]
    pub other: Portion,
    /// 上年结转 of 一般公共预算拨款 spent this year.
    #[serde(default)]
    pub carried: Portion,
}

impl ItemSpec {
    fn all(&self) -> Portion {
        let mut p = Portion::default();
        for x in [
            &self.gpb,
            &self.fund,
            &self.soe,
            &self.business,
            &self.operating,
            &self.other,
            &self.carried,
        ] {
            p.add(x);
        }
        p
    }
    /// 一般公共预算 money spent on the line (this year's and carried forward).
    fn gpb_all(&self) -> Portion {
        let mut p = self.gpb;
        p.add(&self.carried);
        p
    }
    fn fiscal(&self) -> Portion {
        let mut p = self.gpb_all();
        p.add(&self.fund);
        p.add(&self.soe);
        p
    }
}

/// One 经济分类 款 of 一般公共预算基本支出 (表3-1).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EconomicSpec {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub personnel: Decimal,
    #[serde(default)]
    pub public: Decimal,
}

/// One 经济分类 款 of fiscal 项目支出 (表2-1's 项目支出 column).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectEconomicSpec {
    pub code: String,
    pub name: String,
    pub amount: Decimal,
}

/// One project of 表3-2 (一般公共预算项目支出).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSpec {
    pub unit: String,
    pub name: String,
    pub code: String,
    pub amount: Decimal,
}

/// “三公”经费 of one unit.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ThreePublicSpec {
    #[serde(default)]
    pub abroad: Decimal,
    #[serde(default)]
    pub vehicle_purchase: Decimal,
    #[serde(default)]
    pub vehicle_operation: Decimal,
    #[serde(default)]
    pub reception: Decimal,
}

impl ThreePublicSpec {
    pub fn total(&self) -> Decimal {
        self.abroad + self.vehicle_purchase + self.vehicle_operation + self.reception
    }
}

/// A budget unit (本级 or a subordinate unit) with its “三公”.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSpec {
    pub name: String,
    /// 一般公共预算“三公” (表3-3).
    #[serde(default)]
    pub three_public: ThreePublicSpec,
    /// 政府性基金“三公” (表4-1).
    #[serde(default)]
    pub fund_three_public: ThreePublicSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentSpec {
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    pub year: i32,
    #[serde(default = "wan")]
    pub unit: Unit,
}

fn wan() -> Unit {
    Unit::WanYuan
}

/// A department's budget as its detail lines.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetSpec {
    pub department: DepartmentSpec,
    /// 部门基本情况 entries by catalogue key (`serving_total = 21`).
    #[serde(default)]
    pub info: BTreeMap<String, toml::Value>,
    /// Names of 类/款 codes missing from the code lists.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    pub items: Vec<ItemSpec>,
    #[serde(default)]
    pub economic: Vec<EconomicSpec>,
    #[serde(default)]
    pub project_economic: Vec<ProjectEconomicSpec>,
    #[serde(default)]
    pub projects: Vec<ProjectSpec>,
    #[serde(default)]
    pub units: Vec<UnitSpec>,
    /// 用事业基金弥补收支差额.
    #[serde(default)]
    pub fund_balance: Decimal,
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("预算描述文件格式不对：{0}")]
    Parse(#[from] toml::de::Error),
    #[error("科目 {0} 不在科目代码表中，请在 [names] 中给出名称")]
    UnknownCode(String),
    #[error("科目编码 {0} 不是 {1} 位功能分类项级编码")]
    BadCode(String, usize),
    #[error("数据不一致：{0}")]
    Inconsistent(String),
}

impl BudgetSpec {
    pub fn from_toml(text: &str) -> Result<BudgetSpec, ComposeError> {
        Ok(toml::from_str(text)?)
    }
}

// ---------------------------------------------------------------- building lines

fn at(sheet: &str, row: usize) -> CellRef {
    CellRef::new(sheet, row as u32, 0)
}

fn amounts(sheet: &str, row: usize, values: &[(&str, Decimal)]) -> Vec<(String, Amount)> {
    values
        .iter()
        .enumerate()
        .map(|(i, (k, v))| {
            (
                k.to_string(),
                Amount {
                    reading: if v.is_zero() {
                        Reading::Blank
                    } else {
                        Reading::Value(*v)
                    },
                    at: CellRef::new(sheet, row as u32, i as u32 + 2),
                },
            )
        })
        .collect()
}

/// A line of a composed table (cell references are positions in the composed table,
/// not in any workbook).
pub fn line(
    kind: LineKind,
    sheet: &str,
    row: usize,
    name: &str,
    values: &[(&str, Decimal)],
) -> Line {
    Line {
        kind,
        key: None,
        code: None,
        code_at: None,
        name: name.to_string(),
        name_at: Some(at(sheet, row)),
        side: None,
        row: row as u32,
        amounts: amounts(sheet, row, values),
        texts: vec![],
    }
}

fn empty_table(id: TableId, unit: Unit) -> Table {
    let spec = Catalog::get().table(id);
    Table {
        id,
        sheet: spec.sheet.clone(),
        hidden: false,
        title: Located {
            value: spec.title.clone(),
            at: at(&spec.sheet, 0),
        },
        title_key: fold(&spec.title),
        unit: Some(unit),
        unit_at: Some(at(&spec.sheet, 1)),
        department: None,
        year: None,
        columns: vec![],
        header_rows: (2, 3),
        lines: vec![],
        note: None,
        residue: vec![],
    }
}

/// The note an empty table carries (the catalogue's text).
pub fn empty_note(id: TableId, year: Option<i32>) -> Option<String> {
    Catalog::get().empty_note(id, year)
}

struct Names<'a> {
    codes: &'a CodeLists,
    extra: &'a BTreeMap<String, String>,
}

impl Names<'_> {
    fn get(&self, scheme: Scheme, code: &str) -> Result<String, ComposeError> {
        self.extra
            .get(code)
            .cloned()
            .or_else(|| self.codes.lookup(scheme, code).map(|e| e.name.clone()))
            .ok_or_else(|| ComposeError::UnknownCode(code.to_string()))
    }
}

/// Per-code sums of a classified table: 类 and 款 rows derived from 项 rows.
fn roll_up<const N: usize>(
    items: &[(String, String, [Decimal; N])],
    names: &Names<'_>,
    scheme: Scheme,
) -> Result<Vec<(String, String, [Decimal; N])>, ComposeError> {
    let mut sums: BTreeMap<String, (String, [Decimal; N])> = BTreeMap::new();
    for (code, name, v) in items {
        let mut prefixes: Vec<usize> = match scheme {
            Scheme::Functional => vec![3, 5],
            Scheme::Economic => vec![3],
        };
        prefixes.retain(|p| *p < code.len());
        for p in prefixes {
            let parent = &code[..p];
            if !sums.contains_key(parent) {
                sums.insert(
                    parent.to_string(),
                    (names.get(scheme, parent)?, [Decimal::ZERO; N]),
                );
            }
            let e = sums.get_mut(parent).expect("inserted above");
            for (a, b) in e.1.iter_mut().zip(v) {
                *a += *b;
            }
        }
        let e = sums
            .entry(code.clone())
            .or_insert((name.clone(), [Decimal::ZERO; N]));
        for (a, b) in e.1.iter_mut().zip(v) {
            *a += *b;
        }
    }
    Ok(sums.into_iter().map(|(c, (n, v))| (c, n, v)).collect())
}

fn classified<const N: usize>(
    id: TableId,
    unit: Unit,
    keys: [&str; N],
    rows: &[(String, String, [Decimal; N])],
) -> Table {
    let mut t = empty_table(id, unit);
    let sheet = t.sheet.clone();
    let mut total = [Decimal::ZERO; N];
    for (code, _, v) in rows {
        if code.len() == 3 {
            for (a, b) in total.iter_mut().zip(v) {
                *a += *b;
            }
        }
    }
    let vals =
        |v: &[Decimal; N]| -> Vec<(&str, Decimal)> { keys.iter().copied().zip(*v).collect() };
    t.lines
        .push(line(LineKind::Total, &sheet, 0, "合计", &vals(&total)));
    for (i, (code, name, v)) in rows.iter().enumerate() {
        let mut l = line(LineKind::Code, &sheet, i + 1, name, &vals(v));
        l.code = Some(code.clone());
        l.code_at = l.name_at.clone();
        t.lines.push(l);
    }
    t
}

fn fixed(sheet: &str, row: usize, key: &str, side: Side, col: &str, v: Decimal) -> Line {
    let spec = Catalog::get()
        .tables
        .iter()
        .find(|t| t.sheet == sheet)
        .and_then(|t| t.row(key));
    let label = spec
        .map(|r| r.label.clone())
        .unwrap_or_else(|| key.to_string());
    let mut l = line(LineKind::Fixed, sheet, row, &label, &[(col, v)]);
    l.key = Some(key.to_string());
    l.side = Some(side);
    l
}

fn sum<T>(xs: &[T], f: impl Fn(&T) -> Decimal) -> Decimal {
    xs.iter().map(f).sum()
}

/// The totals of the items by source of funds, used by several tables.
#[derive(Clone, Copy)]
struct Sources {
    gpb: Decimal,
    fund: Decimal,
    soe: Decimal,
    business: Decimal,
    operating: Decimal,
    other: Decimal,
    carried: Decimal,
}

impl Sources {
    fn of(items: &[ItemSpec]) -> Sources {
        let src = |f: fn(&ItemSpec) -> Decimal| sum(items, f);
        Sources {
            gpb: src(|i| i.gpb.total()),
            fund: src(|i| i.fund.total()),
            soe: src(|i| i.soe.total()),
            business: src(|i| i.business.total()),
            operating: src(|i| i.operating.total()),
            other: src(|i| i.other.total()),
            carried: src(|i| i.carried.total()),
        }
    }
}

/// Build the whole budget from its detail lines.
pub fn compose(spec: &BudgetSpec, codes: &CodeLists) -> Result<Budget, ComposeError> {
    let unit = spec.department.unit;
    let year = spec.department.year;
    let names = Names {
        codes,
        extra: &spec.names,
    };
    for it in &spec.items {
        if it.code.len() != 7 || !it.code.chars().all(|c| c.is_ascii_digit()) {
            return Err(ComposeError::BadCode(it.code.clone(), 7));
        }
    }
    let mut items = spec.items.clone();
    items.sort_by(|a, b| a.code.cmp(&b.code));
    check_consistent(spec, &items)?;
    let src = Sources::of(&items);
    let mut tables = vec![t1(spec, &items, &names, &src)?];
    tables.extend(t1_1_and_1_2(spec, &items, &names)?);
    tables.push(t2(spec, &items, &names, &src)?);
    tables.push(t2_1(spec, &names)?);
    // 表3 一般公共预算支出
    let rows = basic_project(&items, &names, ItemSpec::gpb_all)?;
    tables.push(classified(
        TableId::T3,
        unit,
        ["total", "basic", "project"],
        &rows,
    ));
    tables.push(t3_1(spec, &names)?);
    tables.push(t3_2(spec));
    tables.extend(three_public_tables(spec));
    // 表4 政府性基金, 表5 国有资本经营
    let rows = basic_project(&items, &names, |i| i.fund)?;
    tables.push(classified(
        TableId::T4,
        unit,
        ["total", "basic", "project"],
        &rows,
    ));
    let rows = basic_project(&items, &names, |i| i.soe)?;
    tables.push(classified(
        TableId::T5,
        unit,
        ["total", "basic", "project"],
        &rows,
    ));

    for t in &mut tables {
        if t.is_empty() {
            t.note = empty_note(t.id, Some(year)).map(|n| Located {
                value: n,
                at: at(&t.sheet, 99),
            });
        }
    }
    tables.sort_by_key(|t| t.id);

    Ok(Budget {
        department: Some(spec.department.name.clone()),
        year: Some(year),
        layout: Catalog::get().layouts[0].key.clone(),
        stage: yusuan_core::Stage::Budget,
        entity: yusuan_core::Entity::Department,
        format: Format::Xlsx,
        info: info(spec),
        tables,
        texts: vec![],
        duplicates: vec![],
        other_sheets: vec![],
        incomplete_sheets: vec![],
    })
}

/// What the detail lines must satisfy for the tables to agree.
fn check_consistent(spec: &BudgetSpec, items: &[ItemSpec]) -> Result<(), ComposeError> {
    let src = |f: fn(&ItemSpec) -> Decimal| sum(items, f);
    // 表3-1 must cover the 一般公共预算 基本支出 exactly.
    let gpb_basic = src(|i| i.gpb_all().basic);
    let eco_total = sum(&spec.economic, |e| e.personnel + e.public);
    if eco_total != gpb_basic {
        return Err(ComposeError::Inconsistent(format!(
            "经济分类基本支出合计 {eco_total} ≠ 项级一般公共预算基本支出 {gpb_basic}"
        )));
    }
    let fiscal_project = src(|i| i.fiscal().project);
    let fiscal_basic = src(|i| i.fiscal().basic);
    let fund_soe_basic = fiscal_basic - gpb_basic;
    if !fund_soe_basic.is_zero() {
        return Err(ComposeError::Inconsistent(
            "政府性基金和国有资本经营预算的基本支出须为 0（表2-1 无法按经济分类拆分）".into(),
        ));
    }
    let pe_total = sum(&spec.project_economic, |p| p.amount);
    if pe_total != fiscal_project {
        return Err(ComposeError::Inconsistent(format!(
            "项目支出经济分类合计 {pe_total} ≠ 财政拨款项目支出 {fiscal_project}"
        )));
    }
    // 表3-2 projects per code = 一般公共预算 项目支出 per code.
    for it in items {
        let p: Decimal = spec
            .projects
            .iter()
            .filter(|p| p.code == it.code)
            .map(|p| p.amount)
            .sum();
        if p != it.gpb_all().project {
            return Err(ComposeError::Inconsistent(format!(
                "科目 {} 的项目合计 {p} ≠ 一般公共预算项目支出 {}",
                it.code,
                it.gpb_all().project
            )));
        }
    }
    Ok(())
}

/// 表1 部门收支总表.
fn t1(
    spec: &BudgetSpec,
    items: &[ItemSpec],
    names: &Names<'_>,
    src: &Sources,
) -> Result<Table, ComposeError> {
    let unit = spec.department.unit;
    let total_all: Decimal = sum(items, |i| i.all().total());
    let Sources {
        gpb,
        fund: fundv,
        soe,
        business,
        operating,
        other,
        carried,
    } = *src;
    let mut t = empty_table(TableId::T1, unit);
    let s = t.sheet.clone();
    let income_rows = [
        ("gpb", gpb),
        ("fund", fundv),
        ("soe", soe),
        ("business", business),
        ("operating", operating),
        ("other", other),
    ];
    let subtotal = gpb + fundv + soe + business + operating + other;
    let mut row = 0;
    for (k, v) in income_rows {
        t.lines.push(fixed(&s, row, k, Side::Income, "income", v));
        row += 1;
    }
    t.lines.push(fixed(
        &s,
        row,
        "income_subtotal",
        Side::Income,
        "income",
        subtotal,
    ));
    t.lines.push(fixed(
        &s,
        row + 1,
        "fund_balance",
        Side::Income,
        "income",
        spec.fund_balance,
    ));
    t.lines.push(fixed(
        &s,
        row + 2,
        "carried_forward",
        Side::Income,
        "income",
        carried,
    ));
    t.lines.push(fixed(
        &s,
        row + 3,
        "income_total",
        Side::Income,
        "income",
        subtotal + spec.fund_balance + carried,
    ));
    let classes = class_totals(items, |i| i.all().total(), names)?;
    for (i, (code, name, v)) in classes.iter().enumerate() {
        let label = format!("{}、{}", chinese_ordinal(i + 1), name);
        let mut l = line(LineKind::Code, &s, i, &label, &[("expenditure", *v)]);
        l.code = Some(code.clone());
        l.side = Some(Side::Expenditure);
        t.lines.push(l);
    }
    let exp_total = total_all;
    if subtotal + spec.fund_balance + carried != exp_total {
        return Err(ComposeError::Inconsistent(format!(
            "收入总计 {} ≠ 支出总计 {exp_total}（用事业基金弥补收支差额须由项级支出体现）",
            subtotal + spec.fund_balance + carried
        )));
    }
    t.lines.push(fixed(
        &s,
        row,
        "expenditure_subtotal",
        Side::Expenditure,
        "expenditure",
        exp_total,
    ));
    t.lines.push(fixed(
        &s,
        row + 1,
        "carry_over",
        Side::Expenditure,
        "expenditure",
        Decimal::ZERO,
    ));
    t.lines.push(fixed(
        &s,
        row + 3,
        "expenditure_total",
        Side::Expenditure,
        "expenditure",
        exp_total,
    ));
    Ok(t)
}

/// 表1-1 部门收入总表 and 表1-2 部门支出总表.
fn t1_1_and_1_2(
    spec: &BudgetSpec,
    items: &[ItemSpec],
    names: &Names<'_>,
) -> Result<[Table; 2], ComposeError> {
    let unit = spec.department.unit;
    let rows: Vec<(String, String, [Decimal; 8])> = items
        .iter()
        .map(|i| {
            let c = i.carried.total();
            let v = [
                i.all().total(),
                c,
                i.gpb.total(),
                i.fund.total(),
                i.soe.total(),
                i.business.total(),
                i.operating.total(),
                i.other.total(),
            ];
            (i.code.clone(), i.name.clone(), v)
        })
        .collect();
    let rows = roll_up(&rows, names, Scheme::Functional)?;
    let t1_1 = classified(
        TableId::T1_1,
        unit,
        [
            "total",
            "carried_forward",
            "gpb",
            "fund",
            "soe",
            "business",
            "operating",
            "other",
        ],
        &rows,
    );
    let rows = basic_project(items, names, ItemSpec::all)?;
    Ok([
        t1_1,
        classified(TableId::T1_2, unit, ["total", "basic", "project"], &rows),
    ])
}

/// 表2 财政拨款收支总表.
fn t2(
    spec: &BudgetSpec,
    items: &[ItemSpec],
    names: &Names<'_>,
    src: &Sources,
) -> Result<Table, ComposeError> {
    let unit = spec.department.unit;
    let Sources {
        gpb,
        fund: fundv,
        soe,
        carried,
        ..
    } = *src;
    let mut t = empty_table(TableId::T2, unit);
    let s = t.sheet.clone();
    let income = [
        ("current", gpb + fundv + soe),
        ("current_gpb", gpb),
        ("current_fund", fundv),
        ("current_soe", soe),
        ("carried", carried),
        ("carried_gpb", carried),
        ("carried_fund", Decimal::ZERO),
        ("carried_soe", Decimal::ZERO),
    ];
    for (row, (k, v)) in income.iter().enumerate() {
        t.lines.push(fixed(&s, row, k, Side::Income, "income", *v));
    }
    let fiscal_total = gpb + fundv + soe + carried;
    t.lines.push(fixed(
        &s,
        income.len(),
        "income_total",
        Side::Income,
        "income",
        fiscal_total,
    ));
    let classes_gpb = class_totals(items, |i| i.gpb_all().total(), names)?;
    let classes_fund = class_totals(items, |i| i.fund.total(), names)?;
    let classes_soe = class_totals(items, |i| i.soe.total(), names)?;
    let classes = class_totals(items, |i| i.fiscal().total(), names)?;
    let exp_row = |key: &str, row: usize, total: Decimal, g: Decimal, f: Decimal, o: Decimal| {
        let mut l = line(
            LineKind::Fixed,
            &s,
            row,
            key,
            &[("total", total), ("gpb", g), ("fund", f), ("soe", o)],
        );
        l.key = Some(key.to_string());
        l.side = Some(Side::Expenditure);
        l.name = Catalog::get()
            .table(TableId::T2)
            .row(key)
            .map(|r| r.label.clone())
            .unwrap_or_default();
        l
    };
    t.lines.push(exp_row(
        "current_expenditure",
        0,
        fiscal_total,
        gpb + carried,
        fundv,
        soe,
    ));
    for (i, (code, name, v)) in classes.iter().enumerate() {
        let get = |cs: &[(String, String, Decimal)]| {
            cs.iter()
                .find(|(c, _, _)| c == code)
                .map(|x| x.2)
                .unwrap_or_default()
        };
        let label = format!("{}、{}", chinese_ordinal(i + 1), name);
        let mut l = line(
            LineKind::Code,
            &s,
            i + 1,
            &label,
            &[
                ("total", *v),
                ("gpb", get(&classes_gpb)),
                ("fund", get(&classes_fund)),
                ("soe", get(&classes_soe)),
            ],
        );
        l.code = Some(code.clone());
        l.side = Some(Side::Expenditure);
        t.lines.push(l);
    }
    let z = Decimal::ZERO;
    t.lines.push(exp_row("carry_over", 90, z, z, z, z));
    t.lines.push(exp_row(
        "expenditure_total",
        91,
        fiscal_total,
        gpb + carried,
        fundv,
        soe,
    ));
    Ok(t)
}

/// 表2-1 财政拨款支出 by 经济分类: basic from 表3-1, project from project_economic.
fn t2_1(spec: &BudgetSpec, names: &Names<'_>) -> Result<Table, ComposeError> {
    let unit = spec.department.unit;
    let mut rows: Vec<(String, String, [Decimal; 3])> = Vec::new();
    for e in &spec.economic {
        let b = e.personnel + e.public;
        rows.push((e.code.clone(), e.name.clone(), [b, b, Decimal::ZERO]));
    }
    for p in &spec.project_economic {
        rows.push((
            p.code.clone(),
            p.name.clone(),
            [p.amount, Decimal::ZERO, p.amount],
        ));
    }
    let rows = roll_up(&rows, names, Scheme::Economic)?;
    Ok(classified(
        TableId::T2_1,
        unit,
        ["total", "basic", "project"],
        &rows,
    ))
}

/// 表3-1 一般公共预算基本支出 by 经济分类.
fn t3_1(spec: &BudgetSpec, names: &Names<'_>) -> Result<Table, ComposeError> {
    let unit = spec.department.unit;
    let rows: Vec<(String, String, [Decimal; 3])> = spec
        .economic
        .iter()
        .map(|e| {
            (
                e.code.clone(),
                e.name.clone(),
                [e.personnel + e.public, e.personnel, e.public],
            )
        })
        .collect();
    let rows = roll_up(&rows, names, Scheme::Economic)?;
    Ok(classified(
        TableId::T3_1,
        unit,
        ["total", "personnel", "public"],
        &rows,
    ))
}

/// 表3-2 一般公共预算项目支出: one row per project.
fn t3_2(spec: &BudgetSpec) -> Table {
    let unit = spec.department.unit;
    let mut t = empty_table(TableId::T3_2, unit);
    let s = t.sheet.clone();
    let total = sum(&spec.projects, |p| p.amount);
    t.lines
        .push(line(LineKind::Total, &s, 0, "合计", &[("amount", total)]));
    for (i, p) in spec.projects.iter().enumerate() {
        let mut l = line(LineKind::Entry, &s, i + 1, &p.unit, &[("amount", p.amount)]);
        l.texts = vec![
            (
                "project_name".into(),
                Located {
                    value: p.name.clone(),
                    at: at(&s, i + 1),
                },
            ),
            (
                "function_code".into(),
                Located {
                    value: p.code.clone(),
                    at: at(&s, i + 1),
                },
            ),
        ];
        t.lines.push(l);
    }
    t
}

/// 表3-3 and 表4-1 “三公”经费: the 合计 row, and one row per 单位 when not all zero.
fn three_public_tables(spec: &BudgetSpec) -> Vec<Table> {
    let unit = spec.department.unit;
    let mut tables = Vec::new();
    for (id, pick) in [
        (
            TableId::T3_3,
            (|u: &UnitSpec| u.three_public) as fn(&UnitSpec) -> ThreePublicSpec,
        ),
        (TableId::T4_1, |u: &UnitSpec| u.fund_three_public),
    ] {
        let mut t = empty_table(id, unit);
        let s = t.sheet.clone();
        let vals = |tp: &ThreePublicSpec| {
            vec![
                ("total", tp.total()),
                ("abroad", tp.abroad),
                ("vehicle", tp.vehicle_purchase + tp.vehicle_operation),
                ("vehicle_purchase", tp.vehicle_purchase),
                ("vehicle_operation", tp.vehicle_operation),
                ("reception", tp.reception),
            ]
        };
        let mut total = ThreePublicSpec::default();
        for u in &spec.units {
            let tp = pick(u);
            total.abroad += tp.abroad;
            total.vehicle_purchase += tp.vehicle_purchase;
            total.vehicle_operation += tp.vehicle_operation;
            total.reception += tp.reception;
        }
        t.lines
            .push(line(LineKind::Total, &s, 0, "合计", &vals(&total)));
        if !total.total().is_zero() {
            for (i, u) in spec.units.iter().enumerate() {
                t.lines
                    .push(line(LineKind::Entry, &s, i + 1, &u.name, &vals(&pick(u))));
            }
        }
        tables.push(t);
    }
    tables
}

/// Per-code 合计/基本/项目 rows (with 类/款 subtotals) of the items' portion picked by `f`,
/// leaving out codes with no money.
fn basic_project(
    items: &[ItemSpec],
    names: &Names<'_>,
    f: impl Fn(&ItemSpec) -> Portion,
) -> Result<Vec<(String, String, [Decimal; 3])>, ComposeError> {
    let rows: Vec<(String, String, [Decimal; 3])> = items
        .iter()
        .map(|i| {
            let p = f(i);
            (
                i.code.clone(),
                i.name.clone(),
                [p.total(), p.basic, p.project],
            )
        })
        .filter(|(_, _, v)| v.iter().any(|x| !x.is_zero()))
        .collect();
    roll_up(&rows, names, Scheme::Functional)
}

/// 类 totals (code, name, amount) of the items' amounts picked by `f`, non-zero only.
fn class_totals(
    items: &[ItemSpec],
    f: impl Fn(&ItemSpec) -> Decimal,
    names: &Names<'_>,
) -> Result<Vec<(String, String, Decimal)>, ComposeError> {
    let mut m: BTreeMap<String, Decimal> = BTreeMap::new();
    for i in items {
        *m.entry(i.code[..3].to_string()).or_default() += f(i);
    }
    m.into_iter()
        .filter(|(_, v)| !v.is_zero())
        .map(|(c, v)| Ok((c.clone(), names.get(Scheme::Functional, &c)?, v)))
        .collect()
}

fn info(spec: &BudgetSpec) -> Info {
    let cat = Catalog::get();
    let sheet = "部门基本情况";
    let mut entries = Vec::new();
    let mut push = |key: &str, value: String| {
        let label = cat
            .info_spec(key)
            .map(|s| s.label.clone())
            .unwrap_or_else(|| key.to_string());
        let row = entries.len() + 2;
        entries.push(InfoEntry {
            key: cat.info_spec(key).map(|s| s.key.clone()),
            label,
            value: Located {
                value,
                at: CellRef::new(sheet, row as u32, 1),
            },
        });
    };
    push("department", spec.department.name.clone());
    if let Some(s) = &spec.department.short_name {
        push("short_name", s.clone());
    }
    push("year", spec.department.year.to_string());
    push("unit", spec.department.unit.label().to_string());
    for i in &cat.info {
        if let Some(v) = spec.info.get(&i.key) {
            let text = match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            push(&i.key, text);
        }
    }
    Info {
        sheet: Some(sheet.to_string()),
        entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    const SMALL: &str = r#"
[department]
name = "测试局"
year = 2024

[[items]]
code = "2010101"
name = "行政运行"
gpb = { basic = "10.00" }

[[items]]
code = "2120803"
name = "城市建设支出"
fund = { project = "5.50" }

[[economic]]
code = "30101"
name = "基本工资"
personnel = "10.00"

[[project_economic]]
code = "30227"
name = "委托业务费"
amount = "5.50"
"#;

    #[test]
    fn composes_consistent_tables() {
        let spec = BudgetSpec::from_toml(SMALL).unwrap();
        let b = compose(&spec, CodeLists::builtin()).unwrap();
        let t1 = b.table(TableId::T1).unwrap();
        assert_eq!(t1.fixed_value("income_total", "income"), Some(d("15.50")));
        assert_eq!(
            t1.fixed_value("expenditure_total", "expenditure"),
            Some(d("15.50"))
        );
        let t3 = b.table(TableId::T3).unwrap();
        assert_eq!(t3.by_code("201").unwrap().value("total"), Some(d("10.00")));
        assert_eq!(t3.by_code("20101").unwrap().name, "人大事务");
        let t4 = b.table(TableId::T4).unwrap();
        assert_eq!(t4.total().unwrap().value("project"), Some(d("5.50")));
        assert!(t4.note.is_none());
        let t5 = b.table(TableId::T5).unwrap();
        assert!(t5.is_empty());
        assert_eq!(
            t5.note.as_ref().unwrap().value,
            "本部门2024年无国有资本经营预算拨款安排的支出，故本表为空表。"
        );
        let t21 = b.table(TableId::T2_1).unwrap();
        assert_eq!(t21.total().unwrap().value("total"), Some(d("15.50")));
        assert_eq!(b.summary().income_total, Some(d("155000")));
    }

    #[test]
    fn refuses_inconsistent_specs() {
        let bad = SMALL.replace("personnel = \"10.00\"", "personnel = \"9.00\"");
        let e = compose(&BudgetSpec::from_toml(&bad).unwrap(), CodeLists::builtin()).unwrap_err();
        assert!(e.to_string().contains("经济分类基本支出合计"), "{e}");
        let bad = SMALL.replace("2010101", "2990101");
        let e = compose(&BudgetSpec::from_toml(&bad).unwrap(), CodeLists::builtin()).unwrap_err();
        assert!(
            matches!(e, ComposeError::UnknownCode(ref c) if c == "20199")
                || matches!(e, ComposeError::UnknownCode(_)),
            "{e}"
        );
    }
}
