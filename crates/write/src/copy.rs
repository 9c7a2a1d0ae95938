//! A plain copy of a grid (values, merged ranges, hidden sheets), with marked cells
//! filled and carrying a note: the annotated copy of a submission. Tests also use it
//! to write mutated workbooks.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Format, Formula, Note, Workbook, XlsxError};

use super::style::Styles;
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
    /// The note's text (the findings on the cell).
    pub note: String,
}

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.first_row <= b.last_row
        && b.first_row <= a.last_row
        && a.first_col <= b.last_col
        && b.first_col <= a.last_col
}

/// Copy a grid into a new workbook; `marks` are filled and get notes.
pub fn copy_grid(grid: &Grid, marks: &[Mark]) -> Result<Workbook, XlsxError> {
    let st = Styles::new();
    let plain = Format::new()
        .set_font_name(super::style::FONT)
        .set_font_charset(super::style::CHARSET);
    let date = plain.clone().set_num_format("yyyy-mm-dd");
    let mut wb = Workbook::new();
    // Fixed creation time: the same grid gives the same bytes.
    let when = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&when));
    let mut notes: BTreeMap<(&str, u32, u32), Vec<&str>> = BTreeMap::new();
    for m in marks {
        notes
            .entry((m.sheet.as_str(), m.row, m.col))
            .or_default()
            .push(&m.note);
    }
    for sheet in &grid.sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name)?;
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
                let marked = notes.contains_key(&(sheet.name.as_str(), row, col as u32));
                let fmt = if marked { &st.mark } else { &plain };
                match cell {
                    Cell::Text(s) => {
                        ws.write_string_with_format(row, col, s, fmt)?;
                    }
                    Cell::Number(n) => {
                        ws.write_number_with_format(row, col, *n, fmt)?;
                    }
                    Cell::Bool(b) => {
                        ws.write_boolean_with_format(row, col, *b, fmt)?;
                    }
                    Cell::Error(e) => {
                        ws.write_string_with_format(row, col, e, fmt)?;
                    }
                    Cell::Date(d) => {
                        ws.write_number_with_format(
                            row,
                            col,
                            *d,
                            if marked { fmt } else { &date },
                        )?;
                    }
                    Cell::Formula(f) => {
                        ws.write_formula_with_format(row, col, Formula::new(f), fmt)?;
                    }
                }
                let w = widths.entry(col).or_default();
                *w = (*w).max(display_width(&cell.display()).min(60));
            }
        }
        for ((s, row, col), texts) in &notes {
            if *s != sheet.name {
                continue;
            }
            let col = *col as u16;
            if sheet.get(*row, col as u32).is_none() {
                ws.write_blank(*row, col, &st.mark)?;
            }
            let note = Note::new(texts.join("\n"))
                .add_author_prefix(false)
                .set_width(360)
                .set_height(40 + 20 * texts.len() as u32);
            ws.insert_note(*row, col, &note)?;
        }
        for (col, w) in widths {
            ws.set_column_width(col, (w + 2).max(8) as f64)?;
        }
    }
    Ok(wb)
}
