//! The table catalogue and the classification code lists.
//!
//! Both are data files under `templates/`, compiled into the binary and parsed once per
//! process: `catalog.toml` (every table: titles, aliases, columns with header synonyms,
//! fixed rows), `function_codes.csv` and `economic_codes.csv` (code, name, level,
//! provenance) and `renamed_names.csv` (科目 names that changed). A bureau's own complete
//! code list can be layered on top with [`CodeLists::with_override`].

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::text::fold;

/// Every table of the canonical set, in publication order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TableId {
    /// 部门基本情况: the department's facts (name, year, staff, 上年 figures, reasons …).
    #[serde(rename = "部门基本情况")]
    Info,
    /// 表1 部门收支总表.
    #[serde(rename = "表1")]
    T1,
    /// 表1-1 部门收入总表.
    #[serde(rename = "表1-1")]
    T1_1,
    /// 表1-2 部门支出总表.
    #[serde(rename = "表1-2")]
    T1_2,
    /// 表2 财政拨款收支预算总表.
    #[serde(rename = "表2")]
    T2,
    /// 表2-1 财政拨款支出预算表（部门经济分类科目）.
    #[serde(rename = "表2-1")]
    T2_1,
    /// 表3 一般公共预算支出预算表.
    #[serde(rename = "表3")]
    T3,
    /// 表3-1 一般公共预算基本支出预算表.
    #[serde(rename = "表3-1")]
    T3_1,
    /// 表3-2 一般公共预算项目支出预算表.
    #[serde(rename = "表3-2")]
    T3_2,
    /// 表3-3 一般公共预算“三公”经费支出预算表.
    #[serde(rename = "表3-3")]
    T3_3,
    /// 表4 政府性基金预算支出表.
    #[serde(rename = "表4")]
    T4,
    /// 表4-1 政府性基金预算“三公”经费支出预算表.
    #[serde(rename = "表4-1")]
    T4_1,
    /// 表5 国有资本经营预算支出表.
    #[serde(rename = "表5")]
    T5,
}

impl TableId {
    /// Every table, in publication order.
    pub const ALL: [TableId; 13] = [
        TableId::Info,
        TableId::T1,
        TableId::T1_1,
        TableId::T1_2,
        TableId::T2,
        TableId::T2_1,
        TableId::T3,
        TableId::T3_1,
        TableId::T3_2,
        TableId::T3_3,
        TableId::T4,
        TableId::T4_1,
        TableId::T5,
    ];

    /// The label used in messages and as the canonical sheet name: `表3-1`.
    pub fn label(self) -> &'static str {
        match self {
            TableId::Info => "部门基本情况",
            TableId::T1 => "表1",
            TableId::T1_1 => "表1-1",
            TableId::T1_2 => "表1-2",
            TableId::T2 => "表2",
            TableId::T2_1 => "表2-1",
            TableId::T3 => "表3",
            TableId::T3_1 => "表3-1",
            TableId::T3_2 => "表3-2",
            TableId::T3_3 => "表3-3",
            TableId::T4 => "表4",
            TableId::T4_1 => "表4-1",
            TableId::T5 => "表5",
        }
    }
}

impl fmt::Display for TableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How a table is laid out, which decides how it is read and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    /// Label and value rows (部门基本情况).
    Info,
    /// Income on the left, expenditure on the right, fixed rows (表1, 表2).
    Balance,
    /// Lines by classification code (类/款/项) with amount columns.
    Classified,
    /// One row of figures, or entry rows (三公, projects).
    List,
}

/// Which classification a classified table's codes follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// 支出功能分类: 类 3 digits, 款 5, 项 7.
    Functional,
    /// 部门预算支出经济分类: 类 3 digits, 款 5.
    Economic,
}

impl Scheme {
    /// Whether a code of `len` digits is a valid level of this scheme.
    pub fn valid_len(self, len: usize) -> bool {
        match self {
            Scheme::Functional => matches!(len, 3 | 5 | 7),
            Scheme::Economic => matches!(len, 3 | 5),
        }
    }
}

/// Which half of a department's year a workbook discloses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// 部门预算: the budget, published in spring.
    #[default]
    Budget,
    /// 部门决算: the final accounts, published after the year.
    Final,
}

impl Stage {
    /// `预算` or `决算`.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Budget => "预算",
            Stage::Final => "决算",
        }
    }
}

/// The three fiscal funds (the fund an empty-table note must name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fund {
    /// 一般公共预算.
    Gpb,
    /// 政府性基金预算.
    Fund,
    /// 国有资本经营预算.
    Soe,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The classification code in one column.
    Code,
    /// The 类 part of a split code.
    CodeClass,
    /// The 款 part of a split code.
    CodeKuan,
    /// The 项 part of a split code.
    CodeItem,
    /// The 科目 or entry name.
    Name,
    /// A row label of a balance table.
    Label,
    /// A text field.
    Text,
    /// A money amount.
    Amount,
}

/// The side of a balance table a row or column belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// 收入 (left).
    Income,
    /// 支出 (right).
    Expenditure,
}

/// A column of a catalogue table: what it means and the headers it is found by.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ColumnSpec {
    /// Its key (`total`, `basic` …), as in findings and JSON.
    pub key: String,
    /// What it holds.
    pub role: Role,
    /// The side, in a balance table.
    #[serde(default)]
    pub side: Option<Side>,
    /// The group header it stands under (`财政拨款`), if any.
    #[serde(default)]
    pub group: Option<String>,
    /// The header as the catalogue writes it.
    pub header: String,
    /// Other headers it is recognised by.
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// Other group headers it is recognised under.
    #[serde(default)]
    pub group_synonyms: Vec<String>,
    /// Whether it is written in the template and disclosure.
    #[serde(default = "yes")]
    pub write: bool,
    /// The 预算数 twin of a 决算 column (`budget_total` of `total`), made when a table
    /// has `measures`: found under the same headers with a `预算数` leaf.
    #[serde(skip)]
    pub budget: bool,
    /// Its width in the written workbook (characters), when fixed.
    #[serde(default)]
    pub width: Option<f64>,
    /// Folded synonyms (header plus synonyms), filled in after loading.
    #[serde(skip)]
    pub keys: Vec<String>,
    /// Folded group synonyms, filled in after loading.
    #[serde(skip)]
    pub group_keys: Vec<String>,
}

fn yes() -> bool {
    true
}

/// A fixed row of a balance table (`收入总计`, `一般公共预算拨款收入` …).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RowSpec {
    /// Its key (`income_total`, `gpb` …).
    pub key: String,
    /// The side it is on.
    pub side: Side,
    /// The label as the catalogue writes it.
    pub label: String,
    /// Other labels it is recognised by.
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// The section row it belongs to (`fiscal` for its three funds), if any.
    #[serde(default)]
    pub section: Option<String>,
    /// Its place among the foot rows (totals at the bottom), if it is one.
    #[serde(default)]
    pub foot: Option<u32>,
    /// Whether it is written in the template and disclosure.
    #[serde(default = "yes")]
    pub write: bool,
    /// A heading row, written bold.
    #[serde(default)]
    pub strong: bool,
    /// Regular expressions a label matches (folded, its ordinal stripped) when it is
    /// none of the synonyms: the real variants of one meaning
    /// (`一般公共预算资金`, `一般公共预算财政拨款收入` …).
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Folded synonyms, filled in after loading.
    #[serde(skip)]
    pub keys: Vec<String>,
    /// The compiled `patterns`, filled in after loading.
    #[serde(skip)]
    pub regexes: Vec<regex::Regex>,
}

impl RowSpec {
    /// Whether a folded label without its ordinal means this row.
    pub fn matches(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key) || self.regexes.iter().any(|r| r.is_match(key))
    }
}

/// A table of the catalogue: its meaning, titles, columns and fixed rows.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TableSpec {
    /// Which table.
    pub id: TableId,
    /// How it is laid out.
    pub kind: TableKind,
    /// The classification its codes follow (classified tables).
    #[serde(default)]
    pub scheme: Option<Scheme>,
    /// The fund it is of (表3 一般公共预算, 表4 政府性基金 …), if one.
    #[serde(default)]
    pub fund: Option<Fund>,
    /// The title as the catalogue writes it.
    pub title: String,
    /// Other titles it is recognised by.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Its sheet name when written.
    pub sheet: String,
    /// Whether every submission must have it (S001).
    #[serde(default)]
    pub required: bool,
    /// Whether it is printed landscape.
    #[serde(default)]
    pub landscape: bool,
    /// Its columns.
    #[serde(default)]
    pub columns: Vec<ColumnSpec>,
    /// Its fixed rows.
    #[serde(default)]
    pub rows: Vec<RowSpec>,
    /// What an empty table of this fund has none of, in its note (default `支出`).
    #[serde(default)]
    pub empty_what: Option<String>,
    /// Whether its columns come as 预算数/决算数 pairs (the 决算 三公 table): each amount
    /// column gets a `budget_<key>` twin for the 预算数.
    #[serde(default)]
    pub measures: bool,
    /// Rows of a classified table that total one column's worth of lines in a block of
    /// their own (the 决算 基本支出 table's 人员经费合计 and 公用经费合计): read into the
    /// 合计 line under `key`.
    #[serde(default)]
    pub part_totals: Vec<PartTotal>,
    /// Folded title and aliases, longest first.
    #[serde(skip)]
    pub title_keys: Vec<String>,
}

impl TableSpec {
    /// The column with key `key`.
    pub fn column(&self, key: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.key == key)
    }

    /// The fixed row with key `key`.
    pub fn row(&self, key: &str) -> Option<&RowSpec> {
        self.rows.iter().find(|r| r.key == key)
    }

    /// Columns the writer emits, in order.
    pub fn written_columns(&self) -> impl Iterator<Item = &ColumnSpec> {
        self.columns.iter().filter(|c| c.write)
    }

    /// The amount columns, in order.
    pub fn amount_columns(&self) -> impl Iterator<Item = &ColumnSpec> {
        self.columns.iter().filter(|c| c.role == Role::Amount)
    }
}

/// A row that totals one block of a classified table (`人员经费合计`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PartTotal {
    /// The 合计 line's column it fills (`personnel`).
    pub key: String,
    /// The label as printed.
    pub label: String,
    /// Labels it is recognised by.
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// Folded label and synonyms, filled in after loading.
    #[serde(skip)]
    pub keys: Vec<String>,
}

/// Header words of the code and name columns, shared by every classified table.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct HeaderWords {
    /// Headers of a code column.
    pub code: Vec<String>,
    /// Headers of a name column.
    pub name: Vec<String>,
    /// Headers of a 类 column.
    pub code_class: Vec<String>,
    /// Headers of a 款 column.
    pub code_kuan: Vec<String>,
    /// Headers of a 项 column.
    pub code_item: Vec<String>,
    /// Labels of a 合计 row.
    pub total_row: Vec<String>,
}

/// What a 部门基本情况 entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InfoKind {
    /// Free text.
    Text,
    /// A count (staff, vehicles).
    Count,
    /// An amount, in the sheet's unit.
    Money,
    /// A year.
    Year,
}

/// An entry of 部门基本情况: its key, label and the labels it is recognised by.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct InfoSpec {
    /// Its key (`department`, `prior_gpb` …).
    pub key: String,
    /// The label as written in the template.
    pub label: String,
    /// Other labels it is recognised by.
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// What it holds.
    pub kind: InfoKind,
    /// Folded label and synonyms, filled in after loading.
    #[serde(skip)]
    pub keys: Vec<String>,
}

/// The names of the three funds, as empty-table notes write them.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FundNames {
    /// 一般公共预算.
    pub gpb: String,
    /// 政府性基金预算.
    pub fund: String,
    /// 国有资本经营预算.
    pub soe: String,
}

/// A regional layout: the tables its workbooks must have.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Layout {
    /// Its key (`sichuan`, `shanghai`), as in `--layout` and JSON.
    pub key: String,
    /// Its name, as in messages.
    pub name: String,
    /// Titles (aliases) by which a table of this layout is recognised.
    pub markers: Vec<String>,
    /// Whether its workbooks are 预算 or 决算.
    #[serde(default)]
    pub stage: Stage,
    /// The tables its workbooks must have (S001).
    pub required: Vec<TableId>,
    /// Where an empty fund table says it is empty: `false` in the table itself (a
    /// note row); `true` in the table or in the 情况说明 (a statement that the fund has
    /// no budget, or its 0.00).
    #[serde(default)]
    pub empty_note_in_text: bool,
    /// What this layout calls a table in messages, where it differs from the
    /// catalogue's `表3` (the Shanghai tables are named, not numbered alike).
    #[serde(default)]
    pub labels: std::collections::BTreeMap<TableId, String>,
    /// Whether a blank amount is published as 0.00 (else it stays blank).
    #[serde(default)]
    pub blank_as_zero: bool,
    /// The layout's own published tables, in its order; empty for the layout that is
    /// the catalogue's own (the Sichuan set, written from `tables`).
    #[serde(default)]
    pub tables: Vec<LayoutTable>,
    /// The layout's text sheets in a published workbook, in order.
    #[serde(default)]
    pub texts: Vec<LayoutText>,
    /// The note an empty fund table carries when published (`{org}`, `{year}`,
    /// `{fund}` filled in), if the layout prints one.
    #[serde(default)]
    pub empty_note_text: Option<String>,
    /// Folded marker titles, filled in after loading.
    #[serde(skip)]
    pub marker_keys: Vec<String>,
}

/// One table as a layout publishes it: sheet, title, unit, and its columns as header
/// paths (merged parents first), its fixed rows in order.
///
/// In `sheet` and `title`, `{org}` is 部门 or 单位 and `{org_title}` 部门 or 预算单位
/// (as the layout writes it in titles); `{year}` the budget year.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LayoutTable {
    /// The table it publishes.
    pub id: TableId,
    /// For 部门 or 单位 workbooks only (`部门`/`单位`); none: both.
    #[serde(default)]
    pub org: Option<String>,
    /// The sheet name.
    pub sheet: String,
    /// The title.
    pub title: String,
    /// The unit the layout publishes the table in (`元`, `万元`).
    pub unit: String,
    /// The columns, left to right.
    pub columns: Vec<LayoutColumn>,
    /// Balance tables: the fixed income rows in order, as `[key, label]`.
    #[serde(default)]
    pub income: Vec<(String, String)>,
    /// Balance tables: the fixed expenditure rows before the 类 lines, as `[key, label]`.
    #[serde(default)]
    pub expenditure: Vec<(String, String)>,
    /// Balance tables: the last row, `[key, label]` for the income then the
    /// expenditure side.
    #[serde(default)]
    pub foot: Vec<(String, String)>,
    /// Whether the 合计 row comes first (else last).
    #[serde(default)]
    pub total_first: bool,
    /// Balance tables: the rows under the body, each `[income, expenditure]` as
    /// `[key, label]` (`["", ""]` for none), aligned across the two sides (the 决算
    /// 本年收入合计 · 使用非财政拨款结余 · 年初结转和结余 · 总计 block).
    #[serde(default)]
    pub foot_rows: Vec<[(String, String); 2]>,
    /// Balance tables: the 类 lines of the expenditure side of a blank form, as printed.
    #[serde(default)]
    pub blank_classes: Vec<String>,
    /// Classified tables in two side-by-side blocks: the 类 whose lines go left (the
    /// rest go right).
    #[serde(default)]
    pub left_classes: Vec<String>,
    /// The total closing each block, `[key of the 合计 line's amount, label]`.
    #[serde(default)]
    pub block_totals: Vec<(String, String)>,
}

impl LayoutTable {
    /// The fixed-row keys of the foot (`foot` and `foot_rows`).
    pub fn foot_keys(&self) -> impl Iterator<Item = &str> {
        self.foot
            .iter()
            .chain(self.foot_rows.iter().flatten())
            .map(|(k, _)| k.as_str())
            .filter(|k| !k.is_empty())
    }
}

/// A column of a layout table: its meaning and its header path.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LayoutColumn {
    /// The model's column key (`total`, `code_class`, `name` …).
    pub key: String,
    /// The header from the top row down; columns sharing a parent share its cell.
    pub path: Vec<String>,
    /// The column width, if it is not fitted to the text.
    #[serde(default)]
    pub width: Option<f64>,
}

/// A text sheet of a published workbook (Shanghai: 部门主要职能 …).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LayoutText {
    /// The section (`functions`, `explanation` …), as in `[[texts]]`.
    pub key: String,
    /// The sheet name (`{org}` filled in).
    pub sheet: String,
    /// Whether it comes after the tables (else before).
    #[serde(default)]
    pub after_tables: bool,
}

impl Layout {
    /// The layout's table for `id` in a 部门 (`unit = false`) or 单位 workbook.
    pub fn table(&self, id: TableId, unit: bool) -> Option<&LayoutTable> {
        let org = if unit { "单位" } else { "部门" };
        self.tables
            .iter()
            .find(|t| t.id == id && t.org.as_deref() == Some(org))
            .or_else(|| self.tables.iter().find(|t| t.id == id && t.org.is_none()))
    }
}

impl Layout {
    /// What this layout calls a table: its label, else the catalogue's `表3`.
    pub fn label(&self, id: TableId) -> &str {
        self.labels.get(&id).map_or(id.label(), String::as_str)
    }

    /// A message with the catalogue's table numbers (`表1-2`) written as this layout
    /// calls those tables.
    pub fn relabel(&self, message: &str) -> String {
        if self.labels.is_empty() {
            return message.to_string();
        }
        static ID: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"表[1-5](?:-[1-3])?").expect("table id pattern")
        });
        ID.replace_all(message, |c: &regex::Captures<'_>| {
            TableId::ALL
                .iter()
                .find(|id| id.label() == &c[0])
                .map_or_else(|| c[0].to_string(), |id| self.label(*id).to_string())
        })
        .into_owned()
    }
}

/// A text sheet of a layout (部门编制说明 …), recognised by its titles.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TextSpec {
    /// The section's key (`explanation`).
    pub key: String,
    /// Words in the sheet name or title that identify it.
    pub titles: Vec<String>,
    /// Folded titles, longest first, filled in after loading.
    #[serde(skip)]
    pub keys: Vec<String>,
}

/// The table catalogue (`templates/catalog.toml`): tables, layouts, text sections, header words, fund names and 部门基本情况 entries.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Catalog {
    /// The canonical tables.
    pub tables: Vec<TableSpec>,
    /// The regional layouts; the first is the catalogue's own (Sichuan).
    pub layouts: Vec<Layout>,
    /// The text sections of a 情况说明 (text sheets).
    #[serde(default)]
    pub texts: Vec<TextSpec>,
    /// Header words of code and name columns.
    pub headers: HeaderWords,
    /// The fund names.
    pub funds: FundNames,
    /// The 部门基本情况 entries.
    pub info: Vec<InfoSpec>,
    #[serde(skip)]
    folded_headers: FoldedHeaders,
    /// Every table's folded title keys in one automaton (built by `parse`).
    #[serde(skip)]
    title_matcher: Option<TitleMatcher>,
}

/// All title keys of all tables, searched for in one pass over a text: a sheet's first
/// rows are searched for every title of the catalogue, and one `contains` per key and
/// cell was a third of the recognition time.
#[derive(Debug, Clone)]
struct TitleMatcher {
    automaton: aho_corasick::AhoCorasick,
    /// (table index, key index) of each pattern, in catalogue order.
    owner: Vec<(usize, usize)>,
}

/// The header words, folded for matching.
#[derive(Debug, Clone, Default)]
pub struct FoldedHeaders {
    /// Headers of a code column.
    pub code: Vec<String>,
    /// Headers of a name column.
    pub name: Vec<String>,
    /// Headers of a 类 column.
    pub code_class: Vec<String>,
    /// Headers of a 款 column.
    pub code_kuan: Vec<String>,
    /// Headers of a 项 column.
    pub code_item: Vec<String>,
    /// Labels of a 合计 row.
    pub total_row: Vec<String>,
}

const CATALOG_TOML: &str = include_str!("../../../templates/catalog.toml");

fn fold_all(words: &[String]) -> Vec<String> {
    let mut v: Vec<String> = words.iter().map(|w| fold(w)).collect();
    v.sort();
    v.dedup();
    v
}

impl Catalog {
    /// The built-in catalogue (parsed once).
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(CATALOG_TOML).expect("templates/catalog.toml is valid (tested)")
        })
    }

    /// Parse a catalogue from TOML, folding every word it is matched by.
    pub fn parse(toml_text: &str) -> Result<Catalog, toml::de::Error> {
        let mut c: Catalog = toml::from_str(toml_text)?;
        for t in &mut c.tables {
            let mut keys: Vec<String> = std::iter::once(&t.title)
                .chain(t.aliases.iter())
                .map(|s| fold(s))
                .collect();
            keys.sort_by_key(|k| std::cmp::Reverse(k.chars().count()));
            keys.dedup();
            t.title_keys = keys;
            for col in &mut t.columns {
                let mut words = col.synonyms.clone();
                words.push(col.header.clone());
                col.keys = fold_all(&words);
                col.group_keys = fold_all(&col.group_synonyms);
            }
            if t.measures {
                let twins: Vec<ColumnSpec> = t
                    .columns
                    .iter()
                    .filter(|c| c.role == Role::Amount)
                    .map(|c| ColumnSpec {
                        key: format!("budget_{}", c.key),
                        write: false,
                        budget: true,
                        ..c.clone()
                    })
                    .collect();
                t.columns.extend(twins);
            }
            for p in &mut t.part_totals {
                let mut words = p.synonyms.clone();
                words.push(p.label.clone());
                p.keys = fold_all(&words);
            }
            for row in &mut t.rows {
                let mut words = row.synonyms.clone();
                words.push(crate::text::strip_ordinal(&fold(&row.label)).to_string());
                row.keys = fold_all(&words);
                row.regexes = row
                    .patterns
                    .iter()
                    .filter_map(|p| regex::Regex::new(p).ok())
                    .collect();
            }
        }
        for l in &mut c.layouts {
            l.marker_keys = fold_all(&l.markers);
        }
        for t in &mut c.texts {
            let mut keys = fold_all(&t.titles);
            keys.sort_by_key(|k| std::cmp::Reverse(k.chars().count()));
            t.keys = keys;
        }
        for i in &mut c.info {
            let mut words = i.synonyms.clone();
            words.push(i.label.clone());
            i.keys = fold_all(&words);
        }
        let owner: Vec<(usize, usize)> = c
            .tables
            .iter()
            .enumerate()
            .flat_map(|(t, spec)| (0..spec.title_keys.len()).map(move |k| (t, k)))
            .collect();
        let patterns = owner
            .iter()
            .map(|&(t, k)| c.tables[t].title_keys[k].as_str());
        c.title_matcher = aho_corasick::AhoCorasick::new(patterns)
            .ok()
            .map(|automaton| TitleMatcher { automaton, owner });
        let h = &c.headers;
        c.folded_headers = FoldedHeaders {
            code: fold_all(&h.code),
            name: fold_all(&h.name),
            code_class: fold_all(&h.code_class),
            code_kuan: fold_all(&h.code_kuan),
            code_item: fold_all(&h.code_item),
            total_row: fold_all(&h.total_row),
        };
        Ok(c)
    }

    /// The table `id` (every id is in the catalogue).
    pub fn table(&self, id: TableId) -> &TableSpec {
        self.tables
            .iter()
            .find(|t| t.id == id)
            .expect("every TableId is in the catalogue (tested)")
    }

    /// The longest title key (of any table) contained in a folded text; between keys of
    /// the same length, the last in catalogue order.
    pub fn title_in(&self, folded: &str) -> Option<(&TableSpec, &String)> {
        let candidates: Vec<(usize, usize)> = match &self.title_matcher {
            Some(m) => {
                let mut ids: Vec<usize> = m
                    .automaton
                    .find_overlapping_iter(folded)
                    .map(|x| x.pattern().as_usize())
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids.into_iter().map(|i| m.owner[i]).collect()
            }
            // A catalogue built without `parse` (never in practice): search key by key.
            None => self
                .tables
                .iter()
                .enumerate()
                .flat_map(|(t, spec)| {
                    spec.title_keys
                        .iter()
                        .enumerate()
                        .filter(|(_, k)| folded.contains(k.as_str()))
                        .map(move |(k, _)| (t, k))
                })
                .collect(),
        };
        candidates
            .into_iter()
            .map(|(t, k)| (&self.tables[t], &self.tables[t].title_keys[k]))
            .max_by_key(|(_, k)| k.chars().count())
    }

    /// The header words, folded.
    pub fn headers(&self) -> &FoldedHeaders {
        &self.folded_headers
    }

    /// The name of `fund` as notes write it.
    pub fn fund_name(&self, fund: Fund) -> &str {
        match fund {
            Fund::Gpb => &self.funds.gpb,
            Fund::Fund => &self.funds.fund,
            Fund::Soe => &self.funds.soe,
        }
    }

    /// The note an empty table carries:
    /// `本部门2023年无政府性基金预算拨款安排的支出，故本表为空表。` (`None` for a table
    /// that is not about one fund).
    pub fn empty_note(&self, id: TableId, year: Option<i32>) -> Option<String> {
        let spec = self.table(id);
        let fund = spec.fund?;
        let what = spec.empty_what.as_deref().unwrap_or("支出");
        let year = year.map(|y| format!("{y}年")).unwrap_or_default();
        Some(format!(
            "本部门{year}无{}拨款安排的{what}，故本表为空表。",
            self.fund_name(fund)
        ))
    }

    /// The 部门基本情况 entry `key`.
    pub fn info_spec(&self, key: &str) -> Option<&InfoSpec> {
        self.info.iter().find(|i| i.key == key)
    }

    /// The layout whose marker titles matched at least two tables (the folded title
    /// keys by which the tables were recognised), else the first layout.
    pub fn layout_of<'a>(&self, title_keys: impl IntoIterator<Item = &'a str>) -> &Layout {
        let keys: Vec<&str> = title_keys.into_iter().collect();
        self.layouts
            .iter()
            .skip(1)
            .find(|l| {
                keys.iter()
                    .filter(|k| l.marker_keys.iter().any(|m| m == *k))
                    .count()
                    >= 2
            })
            .unwrap_or(&self.layouts[0])
    }

    /// The text section a sheet name or title (folded) announces.
    pub fn text_in(&self, folded: &str) -> Option<&TextSpec> {
        self.texts
            .iter()
            .find(|t| t.keys.iter().any(|k| folded.contains(k.as_str())))
    }

    /// The layout `key`.
    pub fn layout(&self, key: &str) -> Option<&Layout> {
        self.layouts.iter().find(|l| l.key == key)
    }
}

// ---------------------------------------------------------------- code lists

/// One classification code with its official name.
#[derive(Debug, Clone, Serialize)]
pub struct CodeEntry {
    /// The code (`2010201`).
    pub code: String,
    /// Its official name.
    pub name: String,
    /// Its level: 1 类, 2 款, 3 项.
    pub level: u8,
    /// Where the entry comes from (document, year).
    pub provenance: String,
}

/// A 科目 name that changed: the old name is an earlier year's official name.
#[derive(Debug, Clone, Serialize)]
pub struct Renamed {
    /// The earlier name.
    pub old_name: String,
    /// The name now.
    pub new_name: String,
    /// The code.
    pub code: String,
    /// The year the new name applies from.
    pub since_year: String,
}

/// 支出功能分类 and 部门预算支出经济分类 code lists, and renamed names.
#[derive(Debug, Clone, Default)]
pub struct CodeLists {
    /// 支出功能分类 codes.
    pub functional: HashMap<String, CodeEntry>,
    /// 部门预算支出经济分类 codes.
    pub economic: HashMap<String, CodeEntry>,
    /// Names that changed.
    pub renamed: Vec<Renamed>,
    /// Where a bureau-supplied list came from, if any.
    pub override_source: Option<String>,
}

/// Why a bureau's code list (`--codes`) could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CodeListError {
    /// The file could not be read.
    #[error("无法读取科目代码表 {path}（{}）", yusuan_grid::os_reason(source))]
    Io {
        /// The file.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    #[error(
        "科目代码表 {path} 第 {line} 行格式不对：{why}（需要列：code,name[,level,provenance]，或 科目编码,科目名称）"
    )]
    /// A line is not `code,name…`.
    Format {
        /// The file.
        path: String,
        /// The line (one-based).
        line: usize,
        /// What is wrong, in Chinese.
        why: String,
    },
}

const FUNCTION_CSV: &str = include_str!("../../../templates/function_codes.csv");
const ECONOMIC_CSV: &str = include_str!("../../../templates/economic_codes.csv");
const RENAMED_CSV: &str = include_str!("../../../templates/renamed_names.csv");

/// The records of a CSV text (a UTF-8 BOM, `#` comment lines and blank lines
/// ignored; fields trimmed), each with its one-based line number.
fn csv_records(
    text: &str,
) -> impl Iterator<Item = (usize, Result<csv::StringRecord, csv::Error>)> + '_ {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .into_records()
        .map(|r| {
            let line = match &r {
                Ok(rec) => rec.position().map_or(0, |p| p.line() as usize),
                Err(e) => e.position().map_or(0, |p| p.line() as usize),
            };
            (line, r)
        })
}

fn parse_code_csv(text: &str, source: &str) -> Result<Vec<CodeEntry>, CodeListError> {
    let mut out = Vec::new();
    for (i, (line, rec)) in csv_records(text).enumerate() {
        let err = |why: &str| CodeListError::Format {
            path: source.to_string(),
            line,
            why: why.to_string(),
        };
        let rec = rec.map_err(|_| err("不是有效的 CSV（引号不成对或编码不对）"))?;
        let field = |k: usize| rec.get(k).unwrap_or("");
        if i == 0 && !field(0).chars().all(|c| c.is_ascii_digit()) {
            continue; // header row
        }
        if rec.len() < 2 {
            return Err(err("少于两列"));
        }
        let code: String = field(0).chars().filter(|c| !c.is_whitespace()).collect();
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(err("科目编码不是数字"));
        }
        let level = match field(2) {
            "" => match code.len() {
                3 => 1,
                5 => 2,
                _ => 3,
            },
            l => l.parse().map_err(|_| err("level 不是数字"))?,
        };
        out.push(CodeEntry {
            name: field(1).to_string(),
            level,
            provenance: rec
                .get(3)
                .map_or_else(|| source.to_string(), str::to_string),
            code,
        });
    }
    Ok(out)
}

impl CodeLists {
    /// The lists shipped under `templates/` (parsed once).
    pub fn builtin() -> &'static CodeLists {
        static LISTS: OnceLock<CodeLists> = OnceLock::new();
        LISTS.get_or_init(|| {
            let map = |csv: &str, name: &str| {
                parse_code_csv(csv, name)
                    .expect("built-in code list is valid (tested)")
                    .into_iter()
                    .map(|e| (e.code.clone(), e))
                    .collect()
            };
            CodeLists {
                functional: map(FUNCTION_CSV, "templates/function_codes.csv"),
                economic: map(ECONOMIC_CSV, "templates/economic_codes.csv"),
                renamed: parse_renamed(RENAMED_CSV),
                override_source: None,
            }
        })
    }

    /// The built-in lists with a bureau's own list on top: its codes (functional codes
    /// of 3/5/7 digits starting with 2, economic codes starting with 3) take precedence.
    pub fn with_override(path: &Path) -> Result<CodeLists, CodeListError> {
        let text = std::fs::read_to_string(path).map_err(|source| CodeListError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let mut lists = CodeLists::builtin().clone();
        let source = path.display().to_string();
        for e in parse_code_csv(&text, &source)? {
            let target = if e.code.starts_with('3') {
                &mut lists.economic
            } else {
                &mut lists.functional
            };
            target.insert(e.code.clone(), e);
        }
        lists.override_source = Some(source);
        Ok(lists)
    }

    /// The entry of `code` in `scheme`'s list.
    pub fn lookup(&self, scheme: Scheme, code: &str) -> Option<&CodeEntry> {
        match scheme {
            Scheme::Functional => self.functional.get(code),
            Scheme::Economic => self.economic.get(code),
        }
    }

    /// The 功能分类 类 whose name (current or earlier) folds to `folded_name`.
    pub fn class_by_name(&self, folded_name: &str) -> Option<&CodeEntry> {
        let current = self
            .functional
            .values()
            .find(|e| e.code.len() == 3 && fold(&e.name) == folded_name);
        current.or_else(|| {
            self.renamed
                .iter()
                .filter(|r| r.code.len() == 3 && fold(&r.old_name) == folded_name)
                .find_map(|r| self.functional.get(&r.code))
        })
    }

    /// An earlier official name of `code`, if `name` is one.
    pub fn renamed_from(&self, code: &str, name: &str) -> Option<&Renamed> {
        let f = fold(name);
        self.renamed
            .iter()
            .find(|r| r.code == code && fold(&r.old_name) == f)
    }

    /// Renames whose old name appears anywhere (for text checks without codes).
    pub fn renames(&self) -> &[Renamed] {
        &self.renamed
    }
}

fn parse_renamed(text: &str) -> Vec<Renamed> {
    csv_records(text)
        .skip(1)
        .filter_map(|(_, r)| r.ok())
        .filter(|f| f.len() >= 4)
        .map(|f| Renamed {
            old_name: f[0].to_string(),
            new_name: f[1].to_string(),
            code: f[2].to_string(),
            since_year: f[3].to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_search_finds_the_longest_key_like_a_key_by_key_search() {
        let c = Catalog::get();
        let mut plain = c.clone();
        plain.title_matcher = None;
        let mut texts: Vec<String> = Vec::new();
        for t in &c.tables {
            for k in &t.title_keys {
                texts.push(format!("2023年罗江区政协办公室{k}"));
                texts.push(format!("{k}（续表）"));
            }
        }
        texts.push("部门收支总表和部门收入总表".into());
        texts.push("与表格无关的文字".into());
        let mut found = 0;
        for t in &texts {
            let f = fold(t);
            let a = c.title_in(&f).map(|(s, k)| (s.id, k.clone()));
            assert_eq!(a, plain.title_in(&f).map(|(s, k)| (s.id, k.clone())), "{t}");
            found += usize::from(a.is_some());
        }
        assert_eq!(found, texts.len() - 1);
    }

    #[test]
    fn builtin_catalogue_parses_and_covers_every_table() {
        let c = Catalog::get();
        for id in TableId::ALL {
            let t = c.table(id);
            assert_eq!(t.id, id);
            assert_eq!(t.sheet, id.label());
        }
        assert_eq!(c.tables.len(), TableId::ALL.len());
        // every balance table has label and amount columns on both sides
        for t in c.tables.iter().filter(|t| t.kind == TableKind::Balance) {
            for side in [Side::Income, Side::Expenditure] {
                assert!(
                    t.columns
                        .iter()
                        .any(|col| col.side == Some(side) && col.role == Role::Label)
                );
                assert!(
                    t.columns
                        .iter()
                        .any(|col| col.side == Some(side) && col.role == Role::Amount)
                );
            }
        }
    }

    #[test]
    fn layouts_are_data() {
        let c = Catalog::get();
        let sichuan = c.layout("sichuan").unwrap();
        assert!(sichuan.tables.is_empty() && sichuan.blank_as_zero);
        let sh = c.layout("shanghai").unwrap();
        assert!(!sh.blank_as_zero && sh.empty_note_in_text);
        assert_eq!(sh.texts.len(), 6);
        // every required table is published, 表1 in a 部门 and a 单位 form
        for id in &sh.required {
            assert!(sh.table(*id, false).is_some(), "{id}");
            assert!(sh.table(*id, true).is_some(), "{id}");
        }
        assert_eq!(sh.table(TableId::T1, true).unwrap().columns.len(), 7);
        assert_eq!(sh.table(TableId::T3_3, false).unwrap().unit, "万元");
        assert_eq!(sh.label(TableId::T3), "一般公共预算支出功能分类预算表");
        assert_eq!(
            sh.relabel("表3 与表1-2 不符"),
            "一般公共预算支出功能分类预算表 与支出预算总表 不符"
        );
        assert_eq!(sichuan.relabel("表3 与表1-2 不符"), "表3 与表1-2 不符");
    }

    #[test]
    fn title_keys_are_folded_longest_first() {
        let t = Catalog::get().table(TableId::T3_3);
        assert!(
            t.title_keys
                .contains(&"一般公共预算三公经费支出预算表".to_string())
        );
        let lens: Vec<usize> = t.title_keys.iter().map(|k| k.chars().count()).collect();
        assert!(lens.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn builtin_code_lists_parse() {
        let l = CodeLists::builtin();
        assert_eq!(l.functional["2010201"].name, "行政运行");
        assert_eq!(l.functional["210"].name, "卫生健康支出");
        assert_eq!(l.economic["30101"].name, "基本工资");
        assert!(l.functional.values().all(|e| !e.provenance.is_empty()));
        let r = l.renamed_from("210", "医疗卫生与计划生育支出").unwrap();
        assert_eq!(r.new_name, "卫生健康支出");
        assert_eq!(
            l.class_by_name(&fold("医疗卫生与计划生育支出"))
                .unwrap()
                .code,
            "210"
        );
        assert_eq!(
            l.class_by_name(&fold("一般公共服务支出")).unwrap().code,
            "201"
        );
    }

    #[test]
    fn bureau_lists_may_quote_fields() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("codes.csv");
        std::fs::write(
            &p,
            "\u{feff}科目编码,科目名称\n\"2010201\",\"行政运行, 机关\"\n2010202,\"一般\"\"行政\"\"管理事务\"\n",
        )
        .unwrap();
        let l = CodeLists::with_override(&p).unwrap();
        assert_eq!(l.functional["2010201"].name, "行政运行, 机关");
        assert_eq!(l.functional["2010202"].name, "一般\"行政\"管理事务");
    }

    #[test]
    fn bureau_list_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("codes.csv");
        std::fs::write(
            &p,
            "科目编码,科目名称\n2010201,行政运行（新）\n9990101,测试科目\n30101,基本工资X\n",
        )
        .unwrap();
        let l = CodeLists::with_override(&p).unwrap();
        assert_eq!(l.functional["2010201"].name, "行政运行（新）");
        assert_eq!(l.functional["9990101"].level, 3);
        assert_eq!(l.economic["30101"].name, "基本工资X");
        std::fs::write(&p, "code,name\nabc,x\n").unwrap();
        let e = CodeLists::with_override(&p).unwrap_err().to_string();
        assert!(e.contains("第 2 行"), "{e}");
    }
}
