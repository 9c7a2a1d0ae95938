//! Data rows: 合计, classification lines, fixed rows, 单位/project rows, notes.

use super::header::{CODE, CODE_CLASS, CODE_ITEM, CODE_KUAN, HeaderMatch, NAME};
use crate::catalog::{Catalog, CodeLists, Role, RowSpec, Scheme, Side, TableKind, TableSpec};
use crate::model::{Amount, CellIssue, CellRef, Line, LineKind, Located, Reading};
use crate::text::{
    AmountText, decimal_from_f64, fold, is_placeholder, parse_amount_text, parse_code_text,
    strip_ordinal, tidy,
};
use yusuan_grid::{Cell, Sheet};

/// What the rows below a header hold.
#[derive(Debug, Default)]
pub struct Body {
    pub lines: Vec<Line>,
    pub note: Option<Located<String>>,
    pub residue: Vec<Located<String>>,
    /// Block totals (`人员经费合计`) by the 合计 column they fill, in the order read.
    part_totals: Vec<(String, Amount)>,
}

/// A line of `kind` at `row` with its amounts and nothing else.
fn new_line(kind: LineKind, row: u32, amounts: Vec<(String, Amount)>) -> Line {
    Line {
        kind,
        key: None,
        code: None,
        code_at: None,
        name: String::new(),
        name_at: None,
        side: None,
        row,
        amounts,
        texts: vec![],
    }
}

/// Read one amount cell.
pub fn read_amount(sheet: &Sheet, row: u32, col: u32) -> Amount {
    let reading = match sheet.get(row, col) {
        None => Reading::Blank,
        Some(Cell::Text(s)) => match parse_amount_text(s) {
            AmountText::Blank => Reading::Blank,
            AmountText::Value(v) => Reading::Value(v),
            AmountText::Invalid => Reading::Bad(CellIssue::NotANumber(tidy(s))),
        },
        Some(Cell::Number(f)) => match decimal_from_f64(*f) {
            Some(v) => Reading::Value(v),
            None => Reading::Bad(CellIssue::OutOfRange(yusuan_grid::format_number(*f))),
        },
        Some(Cell::Bool(b)) => Reading::Bad(CellIssue::Boolean(*b)),
        Some(Cell::Error(e)) => Reading::Bad(CellIssue::ErrorValue(e.clone())),
        Some(Cell::Date(d)) => Reading::Bad(CellIssue::Date(yusuan_grid::excel_date_string(*d))),
        Some(Cell::Formula(f)) => Reading::Bad(CellIssue::NoCachedValue(f.clone())),
    };
    Amount {
        reading,
        at: CellRef::new(&sheet.name, row, col),
    }
}

/// Whether a text is an empty-table note (`本部门…无…安排…，故本表为空表`).
pub fn is_empty_note(folded: &str) -> bool {
    folded.contains("空表")
        || folded.contains("无数据")
        || folded.contains("无此项")
        || (folded.contains('无') && folded.contains("安排") && folded.chars().count() > 8)
}

fn is_footnote(folded: &str) -> bool {
    folded.starts_with("注") || folded.starts_with("说明") || folded.starts_with("备注")
}

/// A row that is one sentence under a table (a note, or the template's instruction
/// `无…的，仍保留该表格式，并在本表下方作下述说明：` left in): one text cell, read as prose.
fn is_prose_row(sheet: &Sheet, row: u32) -> Option<String> {
    let [(_, Cell::Text(t))] = sheet.row(row) else {
        return None;
    };
    let f = fold(t);
    let sentence = f.chars().count() >= 12
        && (f.contains(',') || f.contains('。') || f.ends_with(':') || f.ends_with('.'));
    (sentence || is_footnote(&f) || is_empty_note(&f)).then_some(f)
}

/// The amounts of a row in the given columns.
fn amounts(sheet: &Sheet, row: u32, columns: &[(String, u32)]) -> Vec<(String, Amount)> {
    columns
        .iter()
        .map(|(k, c)| (k.clone(), read_amount(sheet, row, *c)))
        .collect()
}

fn all_blank(a: &[(String, Amount)]) -> bool {
    a.iter().all(|(_, a)| a.is_blank())
}

/// The texts of a row, left to right, folded, with their columns.
fn row_texts(sheet: &Sheet, row: u32) -> Vec<(u32, String, String)> {
    sheet
        .row(row)
        .iter()
        .filter_map(|(c, cell)| {
            let shown = cell.display();
            let f = fold(&shown);
            (!f.is_empty()).then(|| (*c, f, tidy(&shown)))
        })
        .collect()
}

/// A note or placeholder among a row's texts, recorded on the body. Returns true when
/// the row was one of those (and holds nothing else).
fn note_or_residue(sheet: &Sheet, row: u32, body: &mut Body, has_amounts: bool) -> bool {
    let texts = row_texts(sheet, row);
    for (c, f, shown) in &texts {
        if is_empty_note(f) && body.note.is_none() {
            body.note = Some(Located {
                value: shown.clone(),
                at: CellRef::new(&sheet.name, row, *c),
            });
            return true;
        }
    }
    if !has_amounts && !texts.is_empty() && texts.iter().all(|(_, f, _)| is_placeholder(f)) {
        let (c, _, shown) = &texts[0];
        body.residue.push(Located {
            value: shown.clone(),
            at: CellRef::new(&sheet.name, row, *c),
        });
        return true;
    }
    false
}

fn amount_columns(
    spec: &TableSpec,
    header: &HeaderMatch,
    side: Option<Side>,
) -> Vec<(String, u32)> {
    spec.columns
        .iter()
        .filter(|c| c.role == Role::Amount && (side.is_none() || c.side == side))
        .filter_map(|c| header.col(&c.key).map(|col| (c.key.clone(), col)))
        .collect()
}

/// Read the body of a table below its header.
pub fn read_body(
    catalog: &Catalog,
    codes: &CodeLists,
    spec: &TableSpec,
    sheet: &Sheet,
    header: &HeaderMatch,
) -> Body {
    let mut body = Body::default();
    let first = header.last_row + 1;
    // The 栏次 row under the header (`栏次 | 1 | 2 …`, the central 决算 tables) numbers
    // the columns: it is not a line.
    let numbering = |r: u32| {
        sheet.row(r).iter().take(4).any(|(_, c)| {
            c.as_text()
                .is_some_and(|t| t.contains('栏') && fold(t) == "栏次")
        })
    };
    let rows: Vec<u32> = sheet
        .rows()
        .map(|(r, _)| r)
        .filter(|r| *r >= first && !numbering(*r))
        .collect();
    match spec.kind {
        TableKind::Classified => {
            read_classified(catalog, spec, sheet, header, &rows, &mut body);
            for block in &header.blocks {
                let header = HeaderMatch {
                    columns: block.clone(),
                    blocks: Vec::new(),
                    ..header.clone()
                };
                read_classified(catalog, spec, sheet, &header, &rows, &mut body);
            }
            close_part_totals(&mut body);
        }
        TableKind::Balance => read_balance(codes, spec, sheet, header, &rows, &mut body),
        TableKind::List => read_list(catalog, spec, sheet, header, &rows, &mut body),
        TableKind::Info => {}
    }
    body
}

/// The block totals (`人员经费合计` · `公用经费合计`) as the 合计 line's amounts: added
/// to the 合计 line if there is one, else one 合计 line of their own.
fn close_part_totals(body: &mut Body) {
    if body.part_totals.is_empty() {
        return;
    }
    let parts = std::mem::take(&mut body.part_totals);
    if let Some(total) = body.lines.iter_mut().find(|l| l.kind == LineKind::Total) {
        total.amounts.extend(parts);
        return;
    }
    let first = parts
        .iter()
        .map(|(_, a)| (a.at.row, a.at.col))
        .min()
        .unwrap_or_default();
    body.lines.push(Line {
        name: "合计".into(),
        ..new_line(LineKind::Total, first.0, parts)
    });
}

fn cell_text(sheet: &Sheet, row: u32, col: Option<u32>) -> Option<(String, CellRef)> {
    let col = col?;
    let cell = sheet.get(row, col)?;
    let t = tidy(&cell.display());
    (!t.is_empty()).then(|| (t, CellRef::new(&sheet.name, row, col)))
}

/// Digits of a split code part (`205`, `02`, number 2 → `02`). `None` when not digits.
fn code_part(text: &str, width: usize) -> Option<String> {
    let d: String = fold(text);
    if d.is_empty() || d.len() > width || !d.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("{d:0>width$}"))
}

fn read_classified(
    catalog: &Catalog,
    spec: &TableSpec,
    sheet: &Sheet,
    header: &HeaderMatch,
    rows: &[u32],
    body: &mut Body,
) {
    let scheme = spec.scheme.unwrap_or(Scheme::Functional);
    let totals = &catalog.headers().total_row;
    let amount_cols = amount_columns(spec, header, None);
    let code_col = header.col(CODE);
    let split = [CODE_CLASS, CODE_KUAN, CODE_ITEM].map(|k| header.col(k));
    let name_col = header.col(NAME);
    let first_code_col = code_col.or(split[0]);
    for &row in rows {
        if is_prose_row(sheet, row).is_some() {
            note_or_residue(sheet, row, body, false);
            continue;
        }
        let amounts = amounts(sheet, row, &amount_cols);
        let name = cell_text(sheet, row, name_col);
        let RowCode {
            code,
            code_at,
            raw_code,
            rest,
        } = row_code(sheet, row, code_col, split, name.as_ref());
        let label_folded = raw_code
            .as_deref()
            .map(fold)
            .into_iter()
            .chain(name.as_ref().map(|(t, _)| fold(t)))
            .collect::<Vec<_>>();
        // A merged 合计 cell (Shanghai merges A:D) shows in the first code column.
        let merged_total = first_code_col
            .and_then(|c| sheet.shown(row, c))
            .and_then(Cell::as_text)
            .is_some_and(|t| totals.contains(&fold(t)));
        let part = spec
            .part_totals
            .iter()
            .find(|p| label_folded.iter().any(|f| p.keys.contains(f)));
        if let Some(part) = part {
            // Its figure is the block's own amount column (`决算数`).
            if let Some((_, a)) = amounts.into_iter().find(|(k, _)| k == "total") {
                body.part_totals.push((part.key.clone(), a));
            }
            continue;
        }
        let is_total = merged_total || label_folded.iter().any(|f| totals.contains(f));
        let (name_text, name_at) = match &name {
            Some((t, at)) if code_at.as_ref() != Some(at) => (t.clone(), Some(at.clone())),
            _ => (rest.clone(), code_at.clone()),
        };
        if is_total {
            body.lines.push(Line {
                name: "合计".into(),
                name_at: code_at.or(name_at),
                ..new_line(LineKind::Total, row, amounts)
            });
            continue;
        }
        if let Some(code) = code.filter(|c| scheme.valid_len(c.len())) {
            body.lines.push(Line {
                code: Some(code),
                code_at,
                name: name_text,
                name_at,
                ..new_line(LineKind::Code, row, amounts)
            });
            continue;
        }
        let has_amounts = !all_blank(&amounts);
        if note_or_residue(sheet, row, body, has_amounts) {
            continue;
        }
        let footnote = label_folded.first().is_some_and(|f| is_footnote(f));
        if !has_amounts && (footnote || raw_code.is_none() && name.is_none()) {
            continue;
        }
        body.lines.push(Line {
            code_at,
            name: raw_code
                .into_iter()
                .chain(name.map(|(t, _)| t))
                .collect::<Vec<_>>()
                .join(" "),
            name_at,
            ..new_line(LineKind::Unparsed, row, amounts)
        });
    }
}

/// Pick the fixed row for a label among candidates, preferring the current section.
fn pick_row<'a>(candidates: &[&'a RowSpec], section: Option<&str>) -> Option<&'a RowSpec> {
    candidates
        .iter()
        .find(|r| r.section.as_deref() == section && section.is_some())
        .or_else(|| candidates.iter().find(|r| r.section.is_none()))
        .or_else(|| candidates.first())
        .copied()
}

fn match_fixed<'a>(spec: &'a TableSpec, side: Side, folded: &str) -> Vec<&'a RowSpec> {
    let key = strip_ordinal(folded);
    let on_side = |k: &str| -> Vec<&'a RowSpec> {
        spec.rows
            .iter()
            .filter(|r| r.side == side && r.matches(k))
            .collect()
    };
    let exact = on_side(key);
    if !exact.is_empty() {
        return exact;
    }
    // `一般公共预算拨款收入（含…）`: drop a trailing parenthesis.
    match key.find('(') {
        Some(i) if i > 0 => on_side(&key[..i]),
        _ => vec![],
    }
}

fn read_balance(
    codes: &CodeLists,
    spec: &TableSpec,
    sheet: &Sheet,
    header: &HeaderMatch,
    rows: &[u32],
    body: &mut Body,
) {
    for side in [Side::Income, Side::Expenditure] {
        let label_col = spec
            .columns
            .iter()
            .find(|c| c.side == Some(side) && c.role == Role::Label)
            .and_then(|c| header.col(&c.key));
        let amount_cols = amount_columns(spec, header, Some(side));
        let mut section: Option<String> = None;
        for &row in rows {
            let amounts = amounts(sheet, row, &amount_cols);
            let label = cell_text(sheet, row, label_col);
            let Some((text, at)) = label else {
                if !all_blank(&amounts) {
                    let l = side_line(LineKind::Unparsed, side, row, amounts, String::new(), None);
                    body.lines.push(l);
                }
                continue;
            };
            let folded = fold(&text);
            let candidates = match_fixed(spec, side, &folded);
            if let Some(rs) = pick_row(&candidates, section.as_deref()) {
                let starts_section = spec
                    .rows
                    .iter()
                    .any(|r| r.section.as_deref() == Some(&rs.key));
                if starts_section {
                    section = Some(rs.key.clone());
                } else if rs.section.is_none() {
                    section = None;
                }
                let mut l = side_line(LineKind::Fixed, side, row, amounts, text, Some(at));
                l.key = Some(rs.key.clone());
                body.lines.push(l);
                continue;
            }
            if side == Side::Expenditure
                && let Some(code) = class_named(codes, &folded, &text)
            {
                let mut l = side_line(LineKind::Code, side, row, amounts, text, Some(at));
                l.code = Some(code);
                body.lines.push(l);
                continue;
            }
            let has_amounts = !all_blank(&amounts);
            if is_empty_note(&folded)
                || (!has_amounts && is_placeholder(strip_ordinal(&folded)))
                || (!has_amounts && crate::text::is_bare_ordinal(&folded))
            {
                // A template's placeholder (`…`, `XX`) or a bare numbered row (`三、`)
                // is kept to be reported, never dropped silently.
                if is_placeholder(&folded)
                    || is_placeholder(strip_ordinal(&folded))
                    || crate::text::is_bare_ordinal(&folded)
                {
                    body.residue.push(Located { value: text, at });
                }
                continue;
            }
            if !has_amounts && is_footnote(&folded) {
                continue;
            }
            let l = side_line(LineKind::Unparsed, side, row, amounts, text, Some(at));
            body.lines.push(l);
        }
    }
    body.lines
        .sort_by_key(|l| (l.row, l.side == Some(Side::Expenditure)));
}

fn read_list(
    catalog: &Catalog,
    spec: &TableSpec,
    sheet: &Sheet,
    header: &HeaderMatch,
    rows: &[u32],
    body: &mut Body,
) {
    let totals = &catalog.headers().total_row;
    let amount_cols = amount_columns(spec, header, None);
    let label_col = spec
        .columns
        .iter()
        .find(|c| c.role == Role::Label)
        .and_then(|c| header.col(&c.key));
    let text_cols: Vec<(String, u32)> = spec
        .columns
        .iter()
        .filter(|c| c.role == Role::Text)
        .filter_map(|c| header.col(&c.key).map(|col| (c.key.clone(), col)))
        .collect();
    let first_col = header.columns.iter().map(|c| c.col).min().unwrap_or(0);
    for &row in rows {
        if is_prose_row(sheet, row).is_some() {
            note_or_residue(sheet, row, body, false);
            continue;
        }
        let amounts = amounts(sheet, row, &amount_cols);
        let has_amounts = !all_blank(&amounts);
        let label = cell_text(sheet, row, label_col);
        let texts: Vec<(String, Located<String>)> = text_cols
            .iter()
            .filter_map(|(k, c)| {
                cell_text(sheet, row, Some(*c)).map(|(t, at)| (k.clone(), Located { value: t, at }))
            })
            .collect();
        let first_text = sheet
            .shown(row, first_col)
            .and_then(Cell::as_text)
            .map(fold)
            .unwrap_or_default();
        let is_total = label.as_ref().is_some_and(|(t, _)| totals.contains(&fold(t)))
            || totals.contains(&first_text)
            || texts.iter().any(|(_, t)| totals.contains(&fold(&t.value)))
            // National layout: no 单位 column, one row of figures = the department total.
            || (label_col.is_none() && has_amounts && !body.lines.iter().any(|l| l.kind == LineKind::Total));
        if is_total {
            body.lines.push(Line {
                name: "合计".into(),
                name_at: label.map(|(_, at)| at),
                texts,
                ..new_line(LineKind::Total, row, amounts)
            });
            continue;
        }
        if note_or_residue(sheet, row, body, has_amounts) {
            continue;
        }
        match label {
            Some((t, at)) => body.lines.push(Line {
                name: t,
                name_at: Some(at),
                texts,
                ..new_line(LineKind::Entry, row, amounts)
            }),
            None if has_amounts || !texts.is_empty() => {
                if !has_amounts && texts.iter().all(|(_, t)| is_footnote(&fold(&t.value))) {
                    continue;
                }
                let kind = if texts.is_empty() {
                    LineKind::Unparsed
                } else {
                    LineKind::Entry
                };
                body.lines.push(Line {
                    texts,
                    ..new_line(kind, row, amounts)
                })
            }
            None => {}
        }
    }
}

/// A line of one side of a balance table.
fn side_line(
    kind: LineKind,
    side: Side,
    row: u32,
    amounts: Vec<(String, Amount)>,
    name: String,
    name_at: Option<CellRef>,
) -> Line {
    Line {
        name,
        name_at,
        side: Some(side),
        ..new_line(kind, row, amounts)
    }
}

/// The 类 an expenditure label names (`一、一般公共服务支出`, `一般公共服务`, `201 …`).
fn class_named(codes: &CodeLists, folded: &str, text: &str) -> Option<String> {
    let bare = strip_ordinal(folded);
    codes
        .class_by_name(bare)
        .or_else(|| codes.class_by_name(&format!("{bare}支出")))
        .map(|e| e.code.clone())
        .or_else(|| {
            parse_code_text(text)
                .map(|c| c.code)
                .filter(|c| c.len() == 3)
        })
}

/// The code of a row as read: the parsed code, its cell, the text as written, and the
/// name that followed the code in the same cell.
#[derive(Debug, Default)]
struct RowCode {
    code: Option<String>,
    code_at: Option<CellRef>,
    raw_code: Option<String>,
    rest: String,
}

/// A row's code: from the code column, from 类|款|项 columns, or with the name in the
/// name column (`[2010201]行政运行`).
fn row_code(
    sheet: &Sheet,
    row: u32,
    code_col: Option<u32>,
    split: [Option<u32>; 3],
    name: Option<&(String, CellRef)>,
) -> RowCode {
    let mut code_at = None;
    let mut raw_code = None;
    let mut code = None;
    let mut rest = String::new();
    if let Some((t, at)) = cell_text(sheet, row, code_col) {
        if let Some(ct) = parse_code_text(&t) {
            code = Some(ct.code);
            rest = ct.rest;
        }
        raw_code = Some(t);
        code_at = Some(at);
    } else if split[0].is_some() {
        let parts: Vec<Option<(String, CellRef)>> =
            split.iter().map(|c| cell_text(sheet, row, *c)).collect();
        if let Some((t, at)) = &parts[0] {
            code_at = Some(at.clone());
            raw_code = Some(
                parts
                    .iter()
                    .flatten()
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            let class = code_part(t, 3).filter(|c| c.len() == 3);
            let kuan = parts[1].as_ref().map(|(t, _)| code_part(t, 2));
            let item = parts[2].as_ref().map(|(t, _)| code_part(t, 2));
            code = match (class, kuan, item) {
                (Some(c), None, None) => Some(c),
                (Some(c), Some(Some(k)), None) => Some(c + &k),
                (Some(c), Some(Some(k)), Some(Some(i))) => Some(c + &k + &i),
                _ => None,
            };
        }
    }
    if code.is_none()
        && raw_code.is_none()
        && let Some((t, at)) = name
        && let Some(ct) = parse_code_text(t)
    {
        code = Some(ct.code);
        rest = ct.rest;
        code_at = Some(at.clone());
        raw_code = Some(t.clone());
    }
    RowCode {
        code,
        code_at,
        raw_code,
        rest,
    }
}
