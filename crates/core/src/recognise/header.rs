//! Header bands: which rows hold a table's column headers, and which column is which.
//!
//! A header cell's text is the path of its merged parents (`公务用车购置及运行费/小计`).
//! Where the format gives no merge information (ods, xlsb), an empty upper header cell
//! takes the text of its left neighbour when a lower header row has text in that
//! column, which is what a merged group header looks like once the merge is lost.

use crate::catalog::{Catalog, ColumnSpec, Role, Side, TableKind, TableSpec};
use crate::model::ColumnRef;
use crate::text::fold;
use yusuan_grid::{Cell, Sheet};

/// One column's header path, folded for matching and as printed for display.
#[derive(Debug, Clone)]
pub struct HeaderPath {
    pub col: u32,
    pub folded: Vec<String>,
    pub shown: Vec<String>,
    /// Its `预算数` level was taken out (a 决算 table with `measures`): it is the 预算数
    /// twin of the part it names.
    pub budget: bool,
}

impl HeaderPath {
    pub fn leaf(&self) -> &str {
        self.folded.last().map(String::as_str).unwrap_or("")
    }

    fn parents_contain(&self, words: &[String]) -> bool {
        let n = self.folded.len().saturating_sub(1);
        self.folded[..n]
            .iter()
            .any(|p| words.iter().any(|w| p.contains(w.as_str())))
    }

    pub fn display(&self) -> String {
        self.shown.join("/")
    }
}

/// The columns found for one table, with how well the header matched.
#[derive(Debug, Clone)]
pub struct HeaderMatch {
    pub first_row: u32,
    pub last_row: u32,
    pub columns: Vec<ColumnRef>,
    /// Further side-by-side blocks of the same columns (the 决算 基本支出 table prints
    /// 编码 · 名称 · 决算数 twice), left to right.
    pub blocks: Vec<Vec<ColumnRef>>,
    pub score: usize,
}

impl HeaderMatch {
    pub fn col(&self, key: &str) -> Option<u32> {
        self.columns.iter().find(|c| c.key == key).map(|c| c.col)
    }
}

/// Keys used for the code/name columns of classified tables (not in the catalogue's
/// per-table columns, which name them `code`/`name`).
pub const CODE: &str = "code";
pub const CODE_CLASS: &str = "code_class";
pub const CODE_KUAN: &str = "code_kuan";
pub const CODE_ITEM: &str = "code_item";
pub const NAME: &str = "name";

/// Widest header considered (budget tables have a dozen columns; a row reaching column
/// XFD is not a header worth 16,384 paths).
const MAX_HEADER_COLS: u32 = 256;

/// A folded header without a leading year (`2024年…`, `2024年度…`).
fn strip_year(folded: &str) -> String {
    let digits = folded.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 4 {
        let rest = &folded[4..];
        if let Some(r) = rest
            .strip_prefix("年度")
            .or_else(|| rest.strip_prefix('年'))
            && !r.is_empty()
        {
            return r.to_string();
        }
    }
    folded.to_string()
}

/// The header paths of rows `first..=last`.
pub fn header_paths(sheet: &Sheet, first: u32, last: u32) -> Vec<HeaderPath> {
    let mut max_col = 0;
    for r in first..=last {
        if let Some((c, _)) = sheet.row(r).last() {
            max_col = max_col.max(*c);
        }
    }
    for m in sheet.merges() {
        if m.first_row <= last && m.last_row >= first && m.first_col <= max_col {
            max_col = max_col.max(m.last_col.min(max_col + 64));
        }
    }
    let max_col = max_col.min(MAX_HEADER_COLS);
    let text = |r: u32, c: u32| -> String {
        match sheet.shown(r, c) {
            Some(Cell::Text(s)) => s.clone(),
            _ => String::new(),
        }
    };
    let mut grid: Vec<Vec<String>> = (first..=last)
        .map(|r| (0..=max_col).map(|c| text(r, c)).collect())
        .collect();
    if !sheet.merges_known {
        let rows = grid.len();
        for ri in 0..rows.saturating_sub(1) {
            for c in 1..=max_col as usize {
                let has_leaf_below = (ri + 1..rows).any(|rj| !grid[rj][c].trim().is_empty());
                if grid[ri][c].trim().is_empty() && has_leaf_below {
                    grid[ri][c] = grid[ri][c - 1].clone();
                }
            }
        }
    }
    let mut out = Vec::new();
    for c in 0..=max_col as usize {
        let mut folded: Vec<String> = Vec::new();
        let mut shown: Vec<String> = Vec::new();
        for row in &grid {
            let t = &row[c];
            // `2024年机关运行经费预算数`: a header may carry the year; it is matched
            // without it.
            let f = strip_year(&fold(t));
            if f.is_empty() || folded.last() == Some(&f) {
                continue;
            }
            folded.push(f);
            shown.push(crate::text::tidy(t));
        }
        if !folded.is_empty() {
            out.push(HeaderPath {
                col: c as u32,
                folded,
                shown,
                budget: false,
            });
        }
    }
    out
}

/// A 预算数/决算数 level taken out of its path, whether it stands under the part
/// (`合计/预算数`, the Shanghai template) or above it (`预算数/合计`, the central one):
/// the part stays the leaf.
fn split_measure(p: &mut HeaderPath) {
    if p.folded.len() < 2 {
        return;
    }
    let Some(i) = p.folded.iter().position(|f| f == "预算数" || f == "决算数") else {
        return;
    };
    p.budget = p.folded[i] == "预算数";
    p.folded.remove(i);
}

/// Whether a row can be part of a header band: text only (no numbers), not empty.
pub fn is_header_like(sheet: &Sheet, row: u32) -> bool {
    let cells = sheet.row(row);
    (!cells.is_empty() || sheet.covered_from_above(row))
        && cells.iter().all(|(_, c)| matches!(c, Cell::Text(_)))
}

fn take(
    paths: &[HeaderPath],
    used: &mut [bool],
    pred: impl Fn(&HeaderPath) -> bool,
) -> Option<usize> {
    let i = paths
        .iter()
        .enumerate()
        .position(|(i, p)| !used[i] && pred(p))?;
    used[i] = true;
    Some(i)
}

fn column_ref(key: &str, p: &HeaderPath) -> ColumnRef {
    ColumnRef {
        key: key.to_string(),
        header: p.display(),
        col: p.col,
    }
}

fn match_spec_column(spec: &ColumnSpec, paths: &[HeaderPath], used: &mut [bool]) -> Option<usize> {
    let leaf_ok = |p: &HeaderPath| spec.keys.iter().any(|k| k == p.leaf());
    let side_ok = |p: &HeaderPath| match spec.side {
        None => true,
        Some(side) => {
            let words: &[&str] = match side {
                Side::Income => &["收入"],
                Side::Expenditure => &["支出"],
            };
            let n = p.folded.len().saturating_sub(1);
            p.folded[..n]
                .iter()
                .any(|g| words.iter().any(|w| g.contains(w)))
        }
    };
    let group_ok =
        |p: &HeaderPath| spec.group_keys.is_empty() || p.parents_contain(&spec.group_keys);
    let leaf_ok = |p: &HeaderPath| p.budget == spec.budget && leaf_ok(p);
    take(paths, used, |p| leaf_ok(p) && side_ok(p) && group_ok(p))
        .or_else(|| take(paths, used, |p| leaf_ok(p) && side_ok(p)))
        .or_else(|| {
            // No group row at all (e.g. 表1 with a single header row): left to right.
            let any_side_group = paths.iter().any(|p| p.folded.len() > 1);
            if spec.side.is_some() && any_side_group {
                None
            } else {
                take(paths, used, leaf_ok)
            }
        })
}

/// Match the catalogue's columns for `spec` against the header band `first..=last`.
/// `None` when the table's essential columns are not all there.
pub fn match_header(
    catalog: &Catalog,
    spec: &TableSpec,
    sheet: &Sheet,
    first: u32,
    last: u32,
) -> Option<HeaderMatch> {
    let mut paths = header_paths(sheet, first, last);
    if paths.is_empty() {
        return None;
    }
    // Only a 决算 table pairs 预算数 with 决算数; a 预算 table's 预算数 is its figure.
    if spec.measures && paths.iter().any(|p| p.folded.iter().any(|f| f == "决算数")) {
        paths.iter_mut().for_each(split_measure);
    }
    let mut used = vec![false; paths.len()];
    let mut columns = Vec::new();
    let h = catalog.headers();
    if spec.kind == TableKind::Classified {
        let is = |words: &[String]| {
            let words = words.to_vec();
            move |p: &HeaderPath| words.iter().any(|w| w == p.leaf())
        };
        // Split 类|款|项 code columns first: their parents are code words.
        for (key, words) in [
            (CODE_CLASS, &h.code_class),
            (CODE_KUAN, &h.code_kuan),
            (CODE_ITEM, &h.code_item),
        ] {
            if let Some(i) = take(&paths, &mut used, is(words)) {
                columns.push(column_ref(key, &paths[i]));
            }
        }
        let split = columns.iter().any(|c| c.key == CODE_CLASS);
        if !split && let Some(i) = take(&paths, &mut used, is(&h.code)) {
            columns.push(column_ref(CODE, &paths[i]));
        }
        if let Some(i) = take(&paths, &mut used, is(&h.name)) {
            columns.push(column_ref(NAME, &paths[i]));
        }
    }
    for spec_col in &spec.columns {
        if matches!(spec_col.role, Role::Code | Role::Name) && spec.kind == TableKind::Classified {
            continue;
        }
        if let Some(i) = match_spec_column(spec_col, &paths, &mut used) {
            columns.push(column_ref(&spec_col.key, &paths[i]));
        }
    }
    let has = |k: &str| columns.iter().any(|c| c.key == k);
    let essential = match spec.kind {
        TableKind::Info => false,
        TableKind::Classified => (has(CODE) || has(CODE_CLASS)) && has("total"),
        TableKind::Balance => [Side::Income, Side::Expenditure].iter().all(|side| {
            let on_side = |role: Role| {
                spec.columns
                    .iter()
                    .filter(|c| c.side == Some(*side) && c.role == role)
                    .any(|c| has(&c.key))
            };
            on_side(Role::Label) && on_side(Role::Amount)
        }),
        TableKind::List => spec
            .columns
            .iter()
            .filter(|c| c.role == Role::Amount && c.write && c.key != "vehicle" && !c.budget)
            .all(|c| has(&c.key)),
    };
    if !essential {
        return None;
    }
    columns.sort_by_key(|c| c.col);
    let blocks = if spec.kind == TableKind::Classified {
        further_blocks(spec, &paths, &mut used, h)
    } else {
        Vec::new()
    };
    Some(HeaderMatch {
        first_row: first,
        last_row: last,
        score: columns.len() + blocks.iter().map(Vec::len).sum::<usize>(),
        columns,
        blocks,
    })
}

/// Side-by-side repeats of a classified table's code · name · amounts, each starting at
/// a further code column.
fn further_blocks(
    spec: &TableSpec,
    paths: &[HeaderPath],
    used: &mut [bool],
    h: &crate::catalog::FoldedHeaders,
) -> Vec<Vec<ColumnRef>> {
    let mut blocks = Vec::new();
    loop {
        let is_code = |p: &HeaderPath| h.code.iter().any(|w| w == p.leaf());
        let Some(code) = take(paths, used, is_code) else {
            break;
        };
        let mut block = vec![column_ref(CODE, &paths[code])];
        let right = |p: &HeaderPath| p.col > paths[code].col;
        if let Some(i) = take(paths, used, |p| {
            right(p) && h.name.iter().any(|w| w == p.leaf())
        }) {
            block.push(column_ref(NAME, &paths[i]));
        }
        for spec_col in spec.columns.iter().filter(|c| c.role == Role::Amount) {
            if let Some(i) = match_spec_column(spec_col, paths, used) {
                block.push(column_ref(&spec_col.key, &paths[i]));
            }
        }
        if !block.iter().any(|c| c.key == "total") {
            break;
        }
        block.sort_by_key(|c| c.col);
        blocks.push(block);
    }
    blocks
}

/// The best header band for `spec` among the rows `starts` (each a possible first
/// header row), trying bands of one to four rows.
pub fn find_header(
    catalog: &Catalog,
    spec: &TableSpec,
    sheet: &Sheet,
    starts: &[u32],
) -> Option<HeaderMatch> {
    let mut best: Option<HeaderMatch> = None;
    for &start in starts {
        for last in start..start + 4 {
            if !is_header_like(sheet, last) {
                break;
            }
            if let Some(m) = match_header(catalog, spec, sheet, start, last)
                && best.as_ref().is_none_or(|b| m.score > b.score)
            {
                best = Some(m);
            }
        }
    }
    best
}
