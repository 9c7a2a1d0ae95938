//! Sheets and workbooks as read: non-empty cells at absolute positions, merged ranges.

use serde::Serialize;

use crate::{Cell, Format, Limit, Rect};

/// Merged ranges of at most this many cells are indexed cell by cell; larger ones are
/// scanned (and at most [`MAX_LARGE_MERGES`] of them are kept).
const SMALL_MERGE_CELLS: u64 = 64;
/// Largest number of merged ranges above [`SMALL_MERGE_CELLS`] cells kept for a sheet.
pub const MAX_LARGE_MERGES: usize = 256;

/// Where each covered cell's merged range is: O(1) for ordinary merges.
#[derive(Debug, Clone, Default)]
struct MergeIndex {
    small: std::collections::HashMap<(u32, u32), usize>,
    large: Vec<usize>,
}

/// One sheet: its non-empty cells, row by row, and its merged ranges.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sheet {
    /// The sheet's name.
    pub name: String,
    /// Whether it is visible (not hidden or very hidden).
    pub visible: bool,
    /// Rows in ascending order; each row's cells in ascending column order.
    rows: Vec<(u32, Vec<(u32, Cell)>)>,
    merges: Vec<Rect>,
    #[serde(skip)]
    index: std::sync::OnceLock<MergeIndex>,
    /// False where the format gives no merge information (ods, xlsb).
    pub merges_known: bool,
    /// The limit that stopped reading it, if one did (the sheet is then empty).
    pub limit: Option<Limit>,
}

impl Sheet {
    /// An empty visible sheet named `name`.
    pub fn new(name: impl Into<String>) -> Sheet {
        Sheet {
            name: name.into(),
            visible: true,
            merges_known: true,
            ..Sheet::default()
        }
    }

    /// Build a sheet from cells in any order (later cells win on the same position).
    pub fn from_cells(name: impl Into<String>, cells: Vec<(u32, u32, Cell)>) -> Sheet {
        let mut sheet = Sheet::new(name);
        let mut cells = cells;
        cells.sort_by_key(|(r, c, _)| (*r, *c));
        for (r, c, cell) in cells {
            sheet.push_sorted(r, c, cell);
        }
        sheet
    }

    fn push_sorted(&mut self, row: u32, col: u32, cell: Cell) {
        match self.rows.last_mut() {
            Some((r, cells)) if *r == row => match cells.last_mut() {
                Some((c, old)) if *c == col => *old = cell,
                _ => cells.push((col, cell)),
            },
            _ => self.rows.push((row, vec![(col, cell)])),
        }
    }

    fn row_index(&self, row: u32) -> Result<usize, usize> {
        self.rows.binary_search_by_key(&row, |(r, _)| *r)
    }

    /// The cell stored at (row, col), ignoring merges.
    pub fn get(&self, row: u32, col: u32) -> Option<&Cell> {
        let cells = &self.rows[self.row_index(row).ok()?].1;
        let i = cells.binary_search_by_key(&col, |(c, _)| *c).ok()?;
        Some(&cells[i].1)
    }

    /// The merged ranges.
    pub fn merges(&self) -> &[Rect] {
        &self.merges
    }

    /// The merged ranges, to change them.
    pub fn merges_mut(&mut self) -> &mut Vec<Rect> {
        self.index = std::sync::OnceLock::new();
        &mut self.merges
    }

    fn index(&self) -> &MergeIndex {
        self.index.get_or_init(|| {
            let mut ix = MergeIndex::default();
            for (i, m) in self.merges.iter().enumerate() {
                if m.is_single_cell() {
                    continue;
                }
                let area = u64::from(m.last_row - m.first_row + 1)
                    * u64::from(m.last_col - m.first_col + 1);
                if area <= SMALL_MERGE_CELLS {
                    for r in m.first_row..=m.last_row {
                        for c in m.first_col..=m.last_col {
                            ix.small.entry((r, c)).or_insert(i);
                        }
                    }
                } else if ix.large.len() < MAX_LARGE_MERGES {
                    ix.large.push(i);
                }
            }
            ix
        })
    }

    /// The merged range (spanning more than one cell) that covers (row, col).
    pub fn merge_at(&self, row: u32, col: u32) -> Option<&Rect> {
        let ix = self.index();
        if let Some(i) = ix.small.get(&(row, col)) {
            return Some(&self.merges[*i]);
        }
        ix.large
            .iter()
            .map(|i| &self.merges[*i])
            .find(|m| m.contains(row, col))
    }

    /// Whether a merged range starting above `row` reaches down into it.
    pub fn covered_from_above(&self, row: u32) -> bool {
        self.merges
            .iter()
            .any(|m| !m.is_single_cell() && m.first_row < row && m.last_row >= row)
    }

    /// The value shown at (row, col): a covered cell of a merged range shows the
    /// range's top-left value.
    pub fn shown(&self, row: u32, col: u32) -> Option<&Cell> {
        match self.get(row, col) {
            Some(c) => Some(c),
            None => {
                let m = self.merge_at(row, col)?;
                self.get(m.first_row, m.first_col)
            }
        }
    }

    /// Text of a cell as shown (numbers formatted), empty string when blank.
    pub fn shown_text(&self, row: u32, col: u32) -> String {
        self.shown(row, col).map(Cell::display).unwrap_or_default()
    }

    /// Non-empty rows with their cells, in order.
    pub fn rows(&self) -> impl Iterator<Item = (u32, &[(u32, Cell)])> {
        self.rows.iter().map(|(r, cells)| (*r, cells.as_slice()))
    }

    /// The cells of one row (empty slice when the row is blank).
    pub fn row(&self, row: u32) -> &[(u32, Cell)] {
        match self.row_index(row) {
            Ok(i) => &self.rows[i].1,
            Err(_) => &[],
        }
    }

    /// Whether it has no cell.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How many non-empty cells it has.
    pub fn cell_count(&self) -> usize {
        self.rows.iter().map(|(_, c)| c.len()).sum()
    }

    /// Last row holding a value (or covered by a merge), if any.
    pub fn last_row(&self) -> Option<u32> {
        self.rows.last().map(|(r, _)| *r)
    }

    /// Last column holding a value in any row.
    pub fn last_col(&self) -> Option<u32> {
        self.rows
            .iter()
            .filter_map(|(_, cells)| cells.last().map(|(c, _)| *c))
            .max()
    }

    /// Every stored cell as `(row, col, cell)`, row by row (for rebuilding a sheet).
    pub fn cells(&self) -> impl Iterator<Item = (u32, u32, &Cell)> {
        self.rows
            .iter()
            .flat_map(|(r, cells)| cells.iter().map(move |(c, cell)| (*r, *c, cell)))
    }
}

/// A whole workbook as a grid.
#[derive(Debug, Clone, Serialize)]
pub struct Grid {
    /// The file format it was read from.
    pub format: Format,
    /// Its sheets, in workbook order.
    pub sheets: Vec<Sheet>,
}

impl Grid {
    /// The sheet named `name`.
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == name)
    }

    /// The sheet named `name`, to change (tests and fixtures).
    pub fn sheet_mut(&mut self, name: &str) -> Option<&mut Sheet> {
        self.sheets.iter_mut().find(|s| s.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_cells_show_top_left_value() {
        let mut s = Sheet::from_cells("表1", vec![(0, 0, Cell::Text("标题".into()))]);
        s.merges_mut().push(Rect {
            first_row: 0,
            first_col: 0,
            last_row: 0,
            last_col: 3,
        });
        assert_eq!(s.shown_text(0, 2), "标题");
        assert_eq!(s.shown_text(1, 2), "");
    }

    #[test]
    fn cells_come_back_in_order() {
        let s = Sheet::from_cells(
            "s",
            vec![
                (5, 0, Cell::Text("z".into())),
                (0, 1, Cell::Number(1.0)),
                (0, 0, Cell::Text("a".into())),
            ],
        );
        let got: Vec<(u32, u32)> = s.cells().map(|(r, c, _)| (r, c)).collect();
        assert_eq!(got, vec![(0, 0), (0, 1), (5, 0)]);
    }
}
