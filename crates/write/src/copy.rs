//! A plain copy of a grid (values, merged ranges, hidden sheets) in a new workbook:
//! the base of an annotated copy when the source's own package cannot be edited (.xls,
//! .xlsb, .ods), and how tests write mutated workbooks.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Format, Formula, Workbook, XlsxError};

use yusuan_core::text::display_width;
use yusuan_grid::{Cell, Grid, Rect};

/// A cell to highlight, with the text of its note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// The sheet.
    pub sheet: String,
    /// Zero-based row.
    pub row: u32,
    /// Zero-based column.
    pub col: u32,
    /// The most severe finding's severity (its fill).
    pub severity: yusuan_rules::Severity,
    /// The note's text (the findings on the cell).
    pub note: String,
}

/// The most characters an xlsx cell may hold.
const MAX_CELL_CHARS: usize = 32_767;

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.first_row <= b.last_row
        && b.first_row <= a.last_row
        && a.first_col <= b.last_col
        && b.first_col <= a.last_col
}

/// A grid rebuilt as a workbook, with what had to change to fit xlsx.
pub(crate) struct Rebuilt {
    pub workbook: Workbook,
    /// Each sheet's name in the copy, by its name in the grid (in sheet order).
    pub names: Vec<(String, String)>,
    /// What could not be carried over as it was, in Chinese.
    pub changes: Vec<String>,
}

/// A sheet name xlsx accepts (no `/\?*:[]`, not empty, ≤ 31 characters, not starting
/// or ending with `'`, unique ignoring case), as close to `name` as possible.
fn sheet_name(name: &str, taken: &[String]) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if "/\\?*:[]".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches('\'');
    let base: String = if cleaned.trim().is_empty() {
        "Sheet".into()
    } else {
        cleaned.chars().take(31).collect()
    };
    let free = |n: &str| !taken.iter().any(|t| t.to_lowercase() == n.to_lowercase());
    if free(&base) && !base.eq_ignore_ascii_case("history") {
        return base;
    }
    (2..)
        .map(|i| {
            let tail = format!("({i})");
            let head: String = base.chars().take(31 - tail.chars().count()).collect();
            format!("{head}{tail}")
        })
        .find(|n| free(n))
        .unwrap_or_default()
}

/// Copy a grid into a new workbook, values only.
pub fn copy_grid(grid: &Grid) -> Result<Workbook, XlsxError> {
    rebuild(grid).map(|r| r.workbook)
}

/// Copy a grid into a new workbook, saying what had to change.
pub(crate) fn rebuild(grid: &Grid) -> Result<Rebuilt, XlsxError> {
    let plain = Format::new()
        .set_font_name(super::style::FONT)
        .set_font_charset(super::style::CHARSET);
    let date = plain.clone().set_num_format("yyyy-mm-dd");
    let mut wb = Workbook::new();
    // Fixed creation time: the same grid gives the same bytes.
    let when = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&when));
    let mut names: Vec<(String, String)> = Vec::new();
    let mut changes = Vec::new();
    for sheet in &grid.sheets {
        let taken: Vec<String> = names.iter().map(|n| n.1.clone()).collect();
        let name = sheet_name(&sheet.name, &taken);
        if name != sheet.name {
            changes.push(format!(
                "工作表名“{}”在 xlsx 中不能使用，副本中改为“{name}”",
                sheet.name
            ));
        }
        names.push((sheet.name.clone(), name.clone()));
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        if !sheet.visible {
            ws.set_hidden(true);
        }
        let mut placed: Vec<Rect> = Vec::new();
        // Merged ranges are kept when they are ordinary: not overlapping another, and
        // not larger than 10,000 cells (rust_xlsxwriter writes every covered cell).
        for m in sheet.merges() {
            let area =
                u64::from(m.last_row - m.first_row + 1) * u64::from(m.last_col - m.first_col + 1);
            if m.is_single_cell() || area > 10_000 || placed.iter().any(|p| overlaps(p, m)) {
                continue;
            }
            ws.merge_range(
                m.first_row,
                m.first_col as u16,
                m.last_row,
                m.last_col as u16,
                "",
                &plain,
            )?;
            placed.push(*m);
        }
        let mut widths: BTreeMap<u16, usize> = BTreeMap::new();
        for (row, cells) in sheet.rows() {
            for (col, cell) in cells {
                let col = *col as u16;
                let mut text = |s: &str| -> String {
                    if s.chars().count() <= MAX_CELL_CHARS {
                        return s.to_string();
                    }
                    changes.push(format!(
                        "“{name}”{} 的文字超过 xlsx 单元格上限 32,767 字，副本中只保留前 32,767 字",
                        yusuan_grid::a1(row, col.into())
                    ));
                    s.chars().take(MAX_CELL_CHARS).collect()
                };
                match cell {
                    Cell::Text(s) => {
                        ws.write_string_with_format(row, col, text(s), &plain)?;
                    }
                    Cell::Number(n) => {
                        ws.write_number_with_format(row, col, *n, &plain)?;
                    }
                    Cell::Bool(b) => {
                        ws.write_boolean_with_format(row, col, *b, &plain)?;
                    }
                    Cell::Error(e) => {
                        ws.write_string_with_format(row, col, text(e), &plain)?;
                    }
                    Cell::Date(d) => {
                        ws.write_number_with_format(row, col, *d, &date)?;
                    }
                    Cell::Formula(f) => {
                        ws.write_formula_with_format(row, col, Formula::new(text(f)), &plain)?;
                    }
                }
                let w = widths.entry(col).or_default();
                *w = (*w).max(display_width(&cell.display()).min(60));
            }
        }
        for (col, w) in widths {
            ws.set_column_width(col, (w + 2).max(8) as f64)?;
        }
    }
    Ok(Rebuilt {
        workbook: wb,
        names,
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_made_valid_and_unique() {
        let taken = vec!["表1".to_string(), "Sheet".to_string()];
        assert_eq!(sheet_name("表1", &taken), "表1(2)");
        assert_eq!(sheet_name("收入/支出:2024", &taken), "收入_支出_2024");
        assert_eq!(sheet_name("", &taken), "Sheet(2)");
        assert_eq!(sheet_name(&"长".repeat(40), &[]).chars().count(), 31);
        assert_eq!(sheet_name("'a'", &[]), "a");
    }
}
