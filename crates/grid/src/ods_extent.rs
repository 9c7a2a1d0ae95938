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

/// Whether calamine could see a value in this cell (an upper bound): it has content,
/// or an attribute that can carry a value.
fn may_have_value(e: &BytesStart<'_>, has_content: bool) -> bool {
    has_content
        || e.attributes().flatten().any(|a| {
            let k = a.key.as_ref();
            k.starts_with("office:") || k == "table:formula"
        })
}

/// What all tables come to, and the largest grid.
#[derive(Default)]
struct Totals {
    cells: u64,
    text: u64,
    largest: Table,
}

impl Totals {
    fn add(&mut self, t: Table) {
        let (rows, cols) = t.grid();
        let area = rows.saturating_mul(cols);
        self.cells = self.cells.saturating_add(area).saturating_add(t.pushed);
        self.text = self.text.saturating_add(t.text);
        let (lr, lc) = self.largest.grid();
        if area >= lr.saturating_mul(lc) {
            self.largest = t;
        }
    }

    /// Over a limit, with the cells and text the table being read has pushed so far
    /// (calamine holds them even when the table never ends).
    fn over(&self, open: Option<&Table>) -> bool {
        let (pushed, text) = open.map_or((0, 0), |t| (t.pushed, t.text));
        self.cells.saturating_add(pushed) > MAX_GRID_CELLS
            || self.text.saturating_add(text) > MAX_TEXT_BYTES as u64
    }
}

fn table_name(e: &BytesStart<'_>) -> String {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == "table:name")
        .map(|a| a.value.into_owned())
        .unwrap_or_default()
}

/// A cell's text: the element's content (`len`, its bytes), or for an element without
/// content the attributes calamine copies as text.
fn cell_text(e: &BytesStart<'_>, has_content: bool, len: u64) -> u64 {
    if has_content {
        return len;
    }
    e.attributes()
        .flatten()
        .filter(|a| {
            let k = a.key.as_ref();
            k == "office:string-value" || k == "table:formula"
        })
        .map(|a| a.value.len() as u64)
        .sum()
}

/// `Err` with the limit when calamine's tables would together be over
/// [`MAX_GRID_CELLS`] cells or [`MAX_TEXT_BYTES`] of text.
pub(crate) fn check(content: &[u8]) -> Result<(), WorkbookLimit> {
    let mut r = quick_xml::Reader::from_reader(content);
    // As calamine reads it: end names unchecked, `<a/>` as `<a></a>`.
    let config = r.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let (mut buf, mut skip) = (Vec::new(), Vec::new());
    let mut table: Option<Table> = None;
    let mut row: Option<Row> = None;
    let mut totals = Totals::default();
    while !totals.over(table.as_ref()) {
        let before = r.buffer_position();
        buf.clear();
        let e = match r.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break, // calamine fails on what follows
            Ok(Event::Start(e)) => e,
            Ok(Event::End(e)) => {
                match e.name().as_ref() {
                    "table:table-row" => {
                        if let (Some(t), Some(rw)) = (table.as_mut(), row.take()) {
                            end_row(t, rw);
                        }
                    }
                    "table:table" => totals.add(table.take().unwrap_or_default()),
                    _ => {}
                }
                continue;
            }
            Ok(_) => continue,
        };
        match e.name().as_ref() {
            "table:table" => {
                table = Some(Table {
                    name: table_name(&e),
                    col_min: u64::MAX,
                    ..Table::default()
                });
            }
            "table:table-row" => {
                let n = repeats(&e, "table:number-rows-repeated");
                let done = table.as_ref().map_or(0, |t| t.rows);
                row = Some(Row {
                    repeats: n.min(MAX_ROWS.saturating_sub(done)),
                    ..Row::default()
                });
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let n = repeats(&e, "table:number-columns-repeated");
                let start_end = r.buffer_position();
                skip.clear();
                let _ = r.read_to_end_into(e.name(), &mut skip);
                // `<c/>` ends where it started; `<c></c>` has only its end tag.
                let end_tag = e.name().as_ref().len() as u64 + 3;
                let has_content = r.buffer_position() - start_end > end_tag;
                let valued = may_have_value(&e, has_content);
                let len = cell_text(&e, has_content, r.buffer_position() - before);
                if let Some(rw) = row.as_mut() {
                    cell(rw, n, valued, len);
                }
            }
            _ => {}
        }
    }
    if let Some(open) = table {
        totals.add(open);
    }
    if totals.cells > MAX_GRID_CELLS {
        let (rows, cols) = totals.largest.grid();
        return Err(WorkbookLimit::Grid {
            sheet: format!("工作表「{}」", totals.largest.name),
            rows,
            cols,
            max: MAX_GRID_CELLS,
        });
    }
    if totals.text > MAX_TEXT_BYTES as u64 {
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
    fn a_table_that_never_ends_counts_what_it_pushed() {
        // calamine pushes every row's cells before it finds the file truncated.
        let row = r#"<table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>"#;
        let mut s = String::from(r#"<office:spreadsheet><table:table table:name="t">"#);
        for _ in 0..300 {
            s.push_str(row);
        }
        assert!(matches!(
            check(s.as_bytes()),
            Err(WorkbookLimit::Grid { .. })
        ));
    }

    #[test]
    fn read_as_calamine_reads_it() {
        // A lost start tag (calamine does not check end names), and empty rows written
        // as `<row/>` that calamine expands between two non-empty rows.
        let cell = r#"<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="2000"/>"#;
        let s = format!(
            r#"<office:spreadsheet>xble-row></table:table><table:table table:name="t"><table:table-row>{cell}</table:table-row><table:table-row table:number-rows-repeated="3000"/><table:table-row>{cell}</table:table-row></table:table>"#
        );
        match check(s.as_bytes()) {
            Err(WorkbookLimit::Grid { rows, cols, .. }) => assert_eq!((rows, cols), (3002, 2000)),
            other => panic!("{other:?}"),
        }
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
