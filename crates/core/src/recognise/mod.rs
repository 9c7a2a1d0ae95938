//! Grid → budget: find each table by its title and header cells (never by fixed cell
//! addresses; the sheet name is only a hint), read its unit, columns and rows, and build
//! the [`Budget`] model.
//!
//! Recognition does not judge: a cell that is not a number, a missing unit, a row it
//! cannot place are kept in the model as such, and `validate` reports them.

mod header;
mod rows;

use std::sync::LazyLock;

use regex::Regex;

use crate::catalog::{Catalog, CodeLists, TableId, TableKind, TableSpec};
use crate::model::{
    Budget, CellRef, Duplicate, Entity, Info, InfoEntry, Located, OtherSheet, Table, TextSheet,
    Unit,
};
use crate::text::{fold, strip_ordinal, tidy};
use yusuan_grid::{Cell, Grid, Sheet};

pub use rows::{is_empty_note, read_amount};

/// Why a workbook could not be used as a budget at all.
#[derive(Debug, thiserror::Error)]
pub enum RecogniseError {
    /// No sheet of the workbook is a table of any layout.
    #[error(
        "未识别出任何部门预算表：工作簿中的工作表（{}）都不是可识别的预算或决算公开表（按标题和表头识别，如“部门收支总表”“一般公共预算支出预算表”“收入支出决算总表”）",
        sheets.join("、")
    )]
    NoTables {
        /// The workbook's sheets, none of which is a table.
        sheets: Vec<String>,
    },
}

/// How many non-empty rows from the top of a sheet are searched for a title.
const TITLE_ROWS: usize = 8;
/// How many columns from the left are searched for a title (titles sit at the left or
/// are merged from the left; a 16,384-column row is not searched to its end).
const TITLE_COLS: u32 = 64;

/// Recognise every table of a workbook.
pub fn recognise(grid: &Grid, codes: &CodeLists) -> Result<Budget, RecogniseError> {
    let catalog = Catalog::get();
    let mut tables: Vec<Table> = Vec::new();
    let mut info: Option<Info> = None;
    let mut duplicates = Vec::new();
    let mut other_sheets = Vec::new();
    let mut incomplete_sheets = Vec::new();
    let mut texts = Vec::new();
    for sheet in &grid.sheets {
        if let Some(limit) = &sheet.limit
            && matches!(limit, yusuan_grid::Limit::TooManyCells { .. })
        {
            other_sheets.push(OtherSheet {
                name: sheet.name.clone(),
                reason: limit.to_string(),
            });
            continue;
        }
        if let Some(limit) = &sheet.limit {
            incomplete_sheets.push(OtherSheet {
                name: sheet.name.clone(),
                reason: limit.to_string(),
            });
        }
        if sheet.is_empty() {
            other_sheets.push(OtherSheet {
                name: sheet.name.clone(),
                reason: "空工作表".into(),
            });
            continue;
        }
        match recognise_sheet(catalog, codes, sheet) {
            Some(Found::Table(t)) => {
                if let Some(first) = tables.iter().find(|x| x.id == t.id) {
                    duplicates.push(Duplicate {
                        table: t.id,
                        sheet: t.sheet.clone(),
                        first_sheet: first.sheet.clone(),
                    });
                } else {
                    tables.push(*t);
                }
            }
            Some(Found::Info(i)) => {
                if info.is_none() {
                    info = Some(i);
                } else {
                    duplicates.push(Duplicate {
                        table: TableId::Info,
                        sheet: sheet.name.clone(),
                        first_sheet: info
                            .as_ref()
                            .and_then(|i| i.sheet.clone())
                            .unwrap_or_default(),
                    });
                }
            }
            None => match read_text_sheet(catalog, sheet) {
                Some(t) => texts.push(t),
                None => other_sheets.push(OtherSheet {
                    name: sheet.name.clone(),
                    reason: "不是可识别的预算表（未找到表标题和表头）".into(),
                }),
            },
        }
    }
    if tables.is_empty() {
        return Err(RecogniseError::NoTables {
            sheets: grid.sheets.iter().map(|s| s.name.clone()).collect(),
        });
    }
    tables.sort_by_key(|t| t.id);
    let info = info.unwrap_or_default();
    let department = info
        .text("department")
        .map(tidy)
        .or_else(|| first_of(&tables, |t| t.department.as_ref().map(|d| d.value.clone())));
    let year = info
        .text("year")
        .and_then(|y| year_in(&fold(y)))
        .or_else(|| first_of(&tables, |t| t.year.as_ref().map(|y| y.value)));
    let layout = catalog.layout_of(tables.iter().map(|t| t.title_key.as_str()));
    let (layout, stage) = (layout.key.clone(), layout.stage);
    let entity = entity_of(grid, &tables);
    Ok(Budget {
        department,
        year,
        layout,
        stage,
        entity,
        format: grid.format,
        info,
        tables,
        texts,
        duplicates,
        other_sheets,
        incomplete_sheets,
    })
}

/// 部门 or 单位: the titles (`预算单位财务收支预算总表`, `单位收支总表`), the
/// `编制部门：`/`编制单位：` lines and the sheet names vote; a tie is 部门.
fn entity_of(grid: &Grid, tables: &[Table]) -> Entity {
    let (mut unit, mut department) = (0, 0);
    let mut vote = |folded: &str| {
        if folded.contains("预算单位")
            || folded.starts_with("单位")
            || folded.starts_with("编制单位")
        {
            unit += 1;
        } else if folded.contains("部门") && !folded.contains("部门(单位)") {
            department += 1;
        }
    };
    for t in tables {
        vote(&YEAR.replace_all(&fold(&t.title.value), ""));
        vote(&fold(&t.sheet));
    }
    for sheet in &grid.sheets {
        for (_, cells) in sheet.rows().take(TITLE_ROWS) {
            for (_, cell) in cells.iter().take(8) {
                if let Some(t) = cell.as_text() {
                    let f = fold(t);
                    if f.starts_with("编制单位") || f.starts_with("编制部门") {
                        vote(&f);
                    }
                }
            }
        }
    }
    if unit > department {
        Entity::Unit
    } else {
        Entity::Department
    }
}

/// A text sheet (部门编制说明 …): its title, and every text cell below it as
/// paragraphs, one per line.
fn read_text_sheet(catalog: &Catalog, sheet: &Sheet) -> Option<TextSheet> {
    let mut cells = sheet
        .rows()
        .flat_map(|(r, cells)| cells.iter().map(move |(c, cell)| (r, *c, cell)))
        .filter_map(|(r, c, cell)| cell.as_text().map(|t| (r, c, t)))
        .filter(|(_, _, t)| !t.trim().is_empty());
    let (tr, tc, title) = cells.next()?;
    let spec = catalog
        .text_in(&fold(title))
        .or_else(|| catalog.text_in(&fold(&sheet.name)))?;
    let paragraphs = cells
        .flat_map(|(r, c, t)| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(move |l| Located {
                    value: l.to_string(),
                    at: CellRef::new(&sheet.name, r, c),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    Some(TextSheet {
        key: spec.key.clone(),
        sheet: sheet.name.clone(),
        title: Located {
            value: tidy(title),
            at: CellRef::new(&sheet.name, tr, tc),
        },
        paragraphs,
    })
}

/// The value from 表1 if it has one, else from the first table that has one.
fn first_of<T>(tables: &[Table], f: impl Fn(&Table) -> Option<T>) -> Option<T> {
    tables
        .iter()
        .find(|t| t.id == TableId::T1)
        .and_then(&f)
        .or_else(|| tables.iter().find_map(f))
}

enum Found {
    Table(Box<Table>),
    Info(Info),
}

/// A title found in a sheet.
struct TitleHit<'a> {
    spec: &'a TableSpec,
    /// Row and column of the title cell; `None` when only the sheet name matched.
    at: Option<(u32, u32)>,
    text: String,
    key: String,
}

fn title_hits<'a>(catalog: &'a Catalog, sheet: &Sheet) -> Vec<TitleHit<'a>> {
    let mut hits = Vec::new();
    for (row, cells) in sheet.rows().take(TITLE_ROWS) {
        for (col, cell) in cells.iter().take_while(|(c, _)| *c < TITLE_COLS) {
            let Cell::Text(text) = cell else { continue };
            // The longest title key of any table wins within one cell.
            if let Some((spec, key)) = catalog.title_in(&fold(text)) {
                hits.push(TitleHit {
                    spec,
                    at: Some((row, *col)),
                    text: tidy(text),
                    key: key.clone(),
                });
            }
        }
    }
    hits.sort_by_key(|h| std::cmp::Reverse(h.key.chars().count()));
    // The sheet name as a hint: `表3`, `表3 一般公共预算支出预算表`, `3.21部门一般公共预算…`.
    let name = fold(&sheet.name);
    for spec in &catalog.tables {
        let label = fold(&spec.sheet);
        let label_hit = name == label
            || name
                .strip_prefix(label.as_str())
                .is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_digit() || c == '-'));
        let key_hit = spec.title_keys.iter().find(|k| name.contains(k.as_str()));
        if label_hit || key_hit.is_some() {
            hits.push(TitleHit {
                spec,
                at: None,
                text: sheet.name.clone(),
                key: key_hit.cloned().unwrap_or(label),
            });
        }
    }
    hits
}

fn recognise_sheet(catalog: &Catalog, codes: &CodeLists, sheet: &Sheet) -> Option<Found> {
    for hit in title_hits(catalog, sheet) {
        if hit.spec.kind == TableKind::Info {
            if let Some(info) = read_info(catalog, sheet, hit.at.map(|a| a.0)) {
                return Some(Found::Info(info));
            }
            continue;
        }
        if let Some(t) = read_table(catalog, codes, sheet, &hit) {
            return Some(Found::Table(Box::new(t)));
        }
    }
    None
}

/// A row that carries the 部门 line or the unit, not a header.
fn is_meta_row(sheet: &Sheet, row: u32) -> bool {
    let cells = sheet.row(row);
    cells.len() <= 4
        && cells.iter().any(|(_, c)| {
            c.as_text()
                .is_some_and(|t| unit_in(&fold(t)).is_some() || department_in(&fold(t)).is_some())
        })
}

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})年").expect("year pattern"));

fn year_in(folded: &str) -> Option<i32> {
    if let Some(c) = YEAR.captures_iter(folded).last() {
        return c[1].parse().ok();
    }
    let digits: String = folded.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 4).then(|| digits.parse().ok()).flatten()
}

/// The unit named in a folded text containing `单位:万元`, `金额单位:元`, `单位万元`.
fn unit_in(folded: &str) -> Option<Unit> {
    folded.match_indices("单位").find_map(|(i, _)| {
        let rest = &folded[i + "单位".len()..];
        let rest = rest.strip_prefix(':').unwrap_or(rest);
        Unit::parse(rest.trim_end_matches(')'))
    })
}

const DEPARTMENT_MARKS: &[&str] = &[
    "部门(单位):",
    "编制部门:",
    "编制单位:",
    "部门名称:",
    "单位名称:",
    "预算部门:",
    "预算单位:",
    "部门:",
];

/// The department named in a folded `部门（单位）：XX` text; `Some("")` when the line is
/// there but empty.
fn department_in(folded: &str) -> Option<String> {
    DEPARTMENT_MARKS.iter().find_map(|m| {
        folded.find(m).map(|i| {
            let rest = &folded[i + m.len()..];
            // The unit may follow on the same cell: `部门：XX局 单位：万元`.
            let end = rest
                .find("单位:")
                .or_else(|| rest.find("金额单位"))
                .unwrap_or(rest.len());
            rest[..end].to_string()
        })
    })
}

/// Department and year from the text before the matched title key.
fn title_prefix(text: &str, key: &str) -> (Option<String>, Option<i32>) {
    let f = fold(text);
    let Some(pos) = f.find(key) else {
        return (None, None);
    };
    let prefix = &f[..pos];
    let year = YEAR
        .captures_iter(prefix)
        .last()
        .and_then(|c| c[1].parse().ok());
    let dept = YEAR.replace_all(prefix, "").to_string();
    let mut dept = dept.trim_matches(|c: char| c == '-' || c == '_' || c == ':');
    // Words that qualify the title, not a department: `2026年预算单位收入预算总表`.
    const GENERIC: &[&str] = &[
        "预算单位",
        "本部门",
        "本单位",
        "部门",
        "单位",
        "区级",
        "市级",
        "县级",
        "预算",
    ];
    while let Some(rest) = GENERIC.iter().find_map(|g| dept.strip_suffix(g)) {
        dept = rest;
    }
    let dept = (!dept.is_empty() && !dept.is_ascii()).then(|| dept.to_string());
    (dept, year)
}

/// What the lines from the title down to the header state.
struct Meta {
    unit: Option<(Unit, CellRef)>,
    department: Option<Located<String>>,
    stated_year: Option<Located<i32>>,
}

/// The unit and 部门 line, anywhere from the title down to the end of the header, and a
/// year stated above the header outside the title.
fn meta_lines(sheet: &Sheet, hit: &TitleHit<'_>, header: &header::HeaderMatch) -> Meta {
    let top = hit.at.map_or(0, |a| a.0);
    let mut unit = None;
    let mut department = None;
    let mut stated_year = None;
    for (row, cells) in sheet.rows() {
        if row < top || row > header.last_row {
            continue;
        }
        for (col, cell) in cells {
            let Some(t) = cell.as_text() else { continue };
            let f = fold(t);
            let at = CellRef::new(&sheet.name, row, *col);
            if unit.is_none()
                && let Some(u) = unit_in(&f)
            {
                unit = Some((u, at.clone()));
            }
            // `2024年度` on the line under the title (the 决算 software's export).
            if stated_year.is_none()
                && row < header.first_row
                && hit.at != Some((row, *col))
                && let Some(y) = YEAR.captures(&f).and_then(|c| c[1].parse::<i32>().ok())
            {
                stated_year = Some(Located {
                    value: y,
                    at: at.clone(),
                });
            }
            if department.is_none()
                && let Some(d) = department_in(&f).filter(|d| !d.is_empty())
            {
                department = Some(Located {
                    value: tidy(&d),
                    at,
                });
            }
        }
    }
    Meta {
        unit,
        department,
        stated_year,
    }
}

fn read_table(
    catalog: &Catalog,
    codes: &CodeLists,
    sheet: &Sheet,
    hit: &TitleHit<'_>,
) -> Option<Table> {
    let spec = hit.spec;
    let title_row = hit.at.map(|a| a.0);
    // Candidate first header rows: the first few rows after the title that are not the
    // 部门/单位 line.
    let starts: Vec<u32> = sheet
        .rows()
        .map(|(r, _)| r)
        .filter(|r| title_row.is_none_or(|t| *r > t))
        .filter(|r| !is_meta_row(sheet, *r))
        .take(4)
        .collect();
    let header = header::find_header(catalog, spec, sheet, &starts)?;
    let Meta {
        unit,
        department,
        stated_year,
    } = meta_lines(sheet, hit, &header);
    let (title_text, title_at) = match hit.at {
        Some((r, c)) => (hit.text.clone(), CellRef::new(&sheet.name, r, c)),
        None => (
            sheet.name.clone(),
            CellRef::new(&sheet.name, header.first_row, 0),
        ),
    };
    let (title_dept, title_year) = match hit.at {
        Some(_) => title_prefix(&title_text, &hit.key),
        None => (None, None),
    };
    let department = title_dept
        .map(|d| Located {
            value: d,
            at: title_at.clone(),
        })
        .or(department);
    let year = title_year
        .map(|y| Located {
            value: y,
            at: title_at.clone(),
        })
        .or(stated_year);
    let body = rows::read_body(catalog, codes, spec, sheet, &header);
    Some(Table {
        id: spec.id,
        sheet: sheet.name.clone(),
        hidden: !sheet.visible,
        title: Located {
            value: title_text,
            at: title_at,
        },
        title_key: hit.key.clone(),
        unit: unit.as_ref().map(|u| u.0),
        unit_at: unit.map(|u| u.1),
        department,
        year,
        columns: header.columns,
        header_rows: (header.first_row, header.last_row),
        lines: body.lines,
        note: body.note,
        residue: body.residue,
    })
}

/// The 部门基本情况 sheet: key in the first text cell of a row, value in the next
/// non-empty cell. Confirmed when at least two keys are known ones.
fn read_info(catalog: &Catalog, sheet: &Sheet, title_row: Option<u32>) -> Option<Info> {
    let mut entries = Vec::new();
    for (row, cells) in sheet.rows() {
        if title_row.is_some_and(|t| row <= t) {
            continue;
        }
        let mut it = cells.iter().filter(|(_, c)| !c.display().trim().is_empty());
        let Some((kcol, kcell)) = it.next() else {
            continue;
        };
        let label = tidy(&kcell.display());
        let key_folded = fold(&label);
        let key_folded = strip_ordinal(key_folded.trim_end_matches(':'));
        let (vcol, value) = match it.next() {
            Some((c, v)) => (*c, v.display()),
            None => (kcol + 1, String::new()),
        };
        if key_folded == "项目" && fold(&value) == "内容" {
            continue;
        }
        let key = catalog
            .info
            .iter()
            .find(|i| i.keys.iter().any(|k| k == key_folded))
            .map(|i| i.key.clone());
        entries.push(InfoEntry {
            key,
            label,
            value: Located {
                value: value.trim().to_string(),
                at: CellRef::new(&sheet.name, row, vcol),
            },
        });
    }
    let known = entries.iter().filter(|e| e.key.is_some()).count();
    (known >= 2).then(|| Info {
        sheet: Some(sheet.name.clone()),
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_in_text() {
        assert_eq!(unit_in(&fold("单位：万元")), Some(Unit::WanYuan));
        assert_eq!(unit_in(&fold("单位:元")), Some(Unit::Yuan));
        assert_eq!(unit_in(&fold("金额单位：万元")), Some(Unit::WanYuan));
        assert_eq!(unit_in(&fold("（单位：万元）")), Some(Unit::WanYuan));
        assert_eq!(unit_in(&fold("部门（单位）：罗江区政协办")), None);
        assert_eq!(unit_in(&fold("编制单位：XX局")), None);
    }

    #[test]
    fn department_lines() {
        assert_eq!(
            department_in(&fold("部门（单位）：罗江区政协办")).as_deref(),
            Some("罗江区政协办")
        );
        assert_eq!(department_in(&fold("编制部门：")).as_deref(), Some(""));
        assert_eq!(department_in(&fold("单位：万元")), None);
    }

    #[test]
    fn title_prefixes() {
        let (d, y) = title_prefix("德阳市罗江区政协办公室2023年部门收支总表", "部门收支总表");
        assert_eq!(
            (d.as_deref(), y),
            (Some("德阳市罗江区政协办公室"), Some(2023))
        );
        let (d, y) = title_prefix("2026年部门财务收支预算总表", "部门财务收支预算总表");
        assert_eq!((d, y), (None, Some(2026)));
        let (d, y) = title_prefix("部门收支总表", "部门收支总表");
        assert_eq!((d, y), (None, None));
        let (d, y) = title_prefix("2026年预算单位收入预算总表", "收入预算总表");
        assert_eq!((d, y), (None, Some(2026)));
        let (d, _) = title_prefix("上海市普陀区财政局2026年部门收入预算总表", "收入预算总表");
        assert_eq!(d.as_deref(), Some("上海市普陀区财政局"));
    }
}
