//! A guard in front of calamine's .ods reader.
//!
//! calamine reads every table of an .ods when the workbook is opened, and builds each
//! as a dense grid (values, and formulas beside them) from its first to its last
//! non-empty cell, repeating a row `table:number-rows-repeated` times and a cell
//! `table:number-columns-repeated` times; it stops only at 10⁸ cells a table. A 27 KB
//! file of five tables with 10⁸ repeated cells each cost 16.7 GB. So before calamine
//! sees `content.xml`, this walks it as calamine walks it, without keeping any cell,
//! and adds up what calamine would hold: the cells it pushes while reading (empty
//! cells before a non-empty one, every repeat of a non-empty one), the grid it then
//! builds, and the text of the cells in both, a repeated cell's text once per repeat.
//! Every count is an upper bound of calamine's: any cell with a value, a formula or
//! content is taken as non-empty, and a cell's text as the bytes of its element (or of
//! the attributes calamine copies as text, for an element without content).

use quick_xml::events::{BytesStart, Event};

use crate::{MAX_GRID_CELLS, MAX_TEXT_BYTES, WorkbookLimit};

/// calamine's caps: rows of a table, columns of a row.
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLUMNS: u64 = 16_384;

/// One table as calamine would build it.
#[derive(Default)]
struct Table {
    name: String,
    rows: u64,
    /// Rows (with repeats) from the first row with a non-empty cell to the last.
    first: Option<u64>,
    end: u64,
    col_min: u64,
    col_max: u64,
    pushed: u64,
    text: u64,
}

impl Table {
    fn grid(&self) -> (u64, u64) {
        match self.first {
            Some(first) => (self.end - first, self.col_max + 1 - self.col_min),
            None => (0, 0),
        }
    }
}

/// One row being read: its repeats, cells pushed, the first and last non-empty, their
/// text.
#[derive(Default)]
struct Row {
    repeats: u64,
    cols: u64,
    empty: u64,
    first: Option<u64>,
    last: u64,
    text: u64,
}

fn repeats(e: &BytesStart<'_>, key: &str) -> u64 {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| a.value.trim().parse().ok())
        .unwrap_or(1)
}

/// Whether calamine could see a value in this cell (an upper bound).
fn may_have_value(e: &BytesStart<'_>, empty_element: bool) -> bool {
    !empty_element
        || e.attributes().flatten().any(|a| {
            let k = a.key.as_ref();
            k.starts_with("office:") || k == "table:formula"
        })
}

/// `Err` with the limit when calamine's tables would together be over
/// [`MAX_GRID_CELLS`] cells or [`MAX_TEXT_BYTES`] of text.
pub(crate) fn check(content: &[u8]) -> Result<(), WorkbookLimit> {
    let mut r = quick_xml::Reader::from_reader(content);
    let mut buf = Vec::new();
    let mut skip = Vec::new();
    let mut table: Option<Table> = None;
    let mut row: Option<Row> = None;
    let (mut cells, mut text, mut largest) = (0u64, 0u64, Table::default());
    loop {
        let before = r.buffer_position();
        let event = match r.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break, // calamine fails on what follows
            Ok(e) => e,
        };
        let (e, empty_element) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                match e.name().as_ref() {
                    "table:table-row" => {
                        if let (Some(t), Some(rw)) = (table.as_mut(), row.take()) {
                            end_row(t, rw);
                        }
                    }
                    "table:table" => {
                        if let Some(t) = table.take() {
                            let (rows, cols) = t.grid();
                            let area = rows.saturating_mul(cols);
                            cells = cells.saturating_add(area).saturating_add(t.pushed);
                            text = text.saturating_add(t.text);
                            if area >= largest.grid().0.saturating_mul(largest.grid().1) {
                                largest = t;
                            }
                        }
                    }
                    _ => {}
                }
                buf.clear();
                continue;
            }
            _ => {
                buf.clear();
                continue;
            }
        };
        match e.name().as_ref() {
            "table:table" if !empty_element => {
                let name = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref() == "table:name")
                    .map(|a| a.value.into_owned())
                    .unwrap_or_default();
                table = Some(Table {
                    name,
                    col_min: u64::MAX,
                    ..Table::default()
                });
            }
            "table:table-row" if !empty_element => {
                let n = repeats(e, "table:number-rows-repeated");
                let done = table.as_ref().map_or(0, |t| t.rows);
                row = Some(Row {
                    repeats: n.min(MAX_ROWS.saturating_sub(done)),
                    ..Row::default()
                });
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let n = repeats(e, "table:number-columns-repeated");
                let valued = may_have_value(e, empty_element);
                let name = e.name().as_ref().to_string();
                if !empty_element {
                    skip.clear();
                    let _ = r.read_to_end_into(quick_xml::name::QName(&name), &mut skip);
                }
                // Text: the element's content, or the attributes calamine copies as text.
                let len = if empty_element {
                    e.attributes()
                        .flatten()
                        .filter(|a| {
                            let k = a.key.as_ref();
                            k == "office:string-value" || k == "table:formula"
                        })
                        .map(|a| a.value.len() as u64)
                        .sum()
                } else {
                    r.buffer_position() - before
                };
                if let Some(rw) = row.as_mut() {
                    cell(rw, n, valued, len);
                }
            }
            _ => {}
        }
        buf.clear();
        if cells > MAX_GRID_CELLS || text > MAX_TEXT_BYTES as u64 {
            break;
        }
    }
    if cells > MAX_GRID_CELLS {
        let (rows, cols) = largest.grid();
        return Err(WorkbookLimit::Grid {
            sheet: format!("工作表「{}」", largest.name),
            rows,
            cols,
            max: MAX_GRID_CELLS,
        });
    }
    if text > MAX_TEXT_BYTES as u64 {
        return Err(WorkbookLimit::Text {
            max: MAX_TEXT_BYTES,
        });
    }
    Ok(())
}

/// A cell of `n` repeats: empty ones are pushed only when a later cell follows.
fn cell(rw: &mut Row, n: u64, valued: bool, len: u64) {
    let empty = rw.empty.min(MAX_COLUMNS.saturating_sub(rw.cols));
    rw.cols += empty;
    rw.empty = 0;
    let n = n.min(MAX_COLUMNS.saturating_sub(rw.cols));
    if valued {
        rw.first.get_or_insert(rw.cols);
        rw.cols += n;
        rw.last = rw.cols.saturating_sub(1);
        rw.text = rw.text.saturating_add(len.saturating_mul(n));
    } else {
        rw.empty = n;
    }
}

fn end_row(t: &mut Table, rw: Row) {
    let n = rw.repeats;
    t.pushed = t.pushed.saturating_add(rw.cols);
    // The row's cells as read, then once per repeat in the grid.
    t.text = t
        .text
        .saturating_add(rw.text)
        .saturating_add(rw.text.saturating_mul(n));
    if let Some(first) = rw.first {
        t.first.get_or_insert(t.rows);
        t.end = t.rows + n;
        t.col_min = t.col_min.min(first);
        t.col_max = t.col_max.max(rw.last);
    }
    t.rows = t.rows.saturating_add(n);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(tables: &[&str]) -> Vec<u8> {
        let mut s = String::from("<office:document-content><office:body><office:spreadsheet>");
        for t in tables {
            s.push_str(t);
        }
        s.push_str("</office:spreadsheet></office:body></office:document-content>");
        s.into_bytes()
    }

    #[test]
    fn an_ordinary_table_passes() {
        let t = r#"<table:table table:name="表1"><table:table-row><table:table-cell office:value-type="string"><text:p>收入</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1000"/></table:table-row><table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#;
        assert_eq!(check(&content(&[t])), Ok(()));
    }

    #[test]
    fn repeated_cells_are_counted_as_calamine_expands_them() {
        // One non-empty cell repeated 16,384 times, in a row repeated 10,000 times.
        let t = r#"<table:table table:name="大表"><table:table-row table:number-rows-repeated="10000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="100000"/></table:table-row></table:table>"#;
        match check(&content(&[t])) {
            Err(WorkbookLimit::Grid {
                sheet, rows, cols, ..
            }) => {
                assert_eq!(
                    (sheet.as_str(), rows, cols),
                    ("工作表「大表」", 10_000, 16_384)
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_grids_of_all_tables_count_together() {
        // 5 tables of 1,000 × 1,000: each under the limit, together over it.
        let t = r#"<table:table table:name="t"><table:table-row table:number-rows-repeated="1000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000"/></table:table-row></table:table>"#;
        assert!(check(&content(&[t; 3])).is_ok());
        assert!(matches!(
            check(&content(&[t; 5])),
            Err(WorkbookLimit::Grid { .. })
        ));
    }

    #[test]
    fn repeated_text_counts_once_per_repeat() {
        let long = "字".repeat(100_000);
        let t = format!(
            r#"<table:table table:name="t"><table:table-row table:number-rows-repeated="400"><table:table-cell office:value-type="string" table:number-columns-repeated="3"><text:p>{long}</text:p></table:table-cell></table:table-row></table:table>"#
        );
        assert!(matches!(
            check(&content(&[&t])),
            Err(WorkbookLimit::Text { .. })
        ));
    }
}
