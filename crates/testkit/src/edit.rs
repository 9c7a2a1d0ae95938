//! Editing a sheet of a read workbook, for tests that mutate real workbooks. The
//! reader's [`Sheet`] is immutable apart from its merges; each edit rebuilds it.

use yusuan_grid::{Cell, Rect, Sheet};

/// Cell and row edits on a [`Sheet`].
pub trait SheetEdit {
    /// Set (or with `None`, clear) one cell.
    fn set(&mut self, row: u32, col: u32, cell: Option<Cell>);
    /// Delete one row; rows below move up; merges are adjusted.
    fn delete_row(&mut self, row: u32);
    /// Insert an empty row before `row`; rows at or below move down.
    fn insert_row(&mut self, row: u32);
    /// Insert an empty column before `col`; columns at or right of it move right.
    fn insert_col(&mut self, col: u32);
}

/// Rebuild `sheet` from its cells mapped by `f` (`None` drops a cell), keeping
/// everything else.
fn rebuild(
    sheet: &mut Sheet,
    f: impl Fn(u32, u32) -> Option<(u32, u32)>,
    extra: Option<(u32, u32, Cell)>,
) {
    let mut cells: Vec<(u32, u32, Cell)> = sheet
        .cells()
        .filter_map(|(r, c, cell)| f(r, c).map(|(r, c)| (r, c, cell.clone())))
        .collect();
    cells.extend(extra);
    let mut next = Sheet::from_cells(sheet.name.clone(), cells);
    next.visible = sheet.visible;
    next.merges_known = sheet.merges_known;
    next.limit = sheet.limit.clone();
    *next.merges_mut() = sheet.merges().to_vec();
    *sheet = next;
}

impl SheetEdit for Sheet {
    fn set(&mut self, row: u32, col: u32, cell: Option<Cell>) {
        rebuild(
            self,
            |r, c| (!(r == row && c == col)).then_some((r, c)),
            cell.map(|cell| (row, col, cell)),
        );
    }

    fn delete_row(&mut self, row: u32) {
        rebuild(
            self,
            |r, c| match r.cmp(&row) {
                std::cmp::Ordering::Less => Some((r, c)),
                std::cmp::Ordering::Equal => None,
                std::cmp::Ordering::Greater => Some((r - 1, c)),
            },
            None,
        );
        let merges: Vec<Rect> = self
            .merges()
            .iter()
            .filter(|m| !(m.first_row == row && m.last_row == row))
            .map(|m| {
                let mut m = *m;
                if m.first_row > row {
                    m.first_row -= 1;
                    m.last_row -= 1;
                } else if m.last_row >= row {
                    m.last_row -= 1;
                }
                m
            })
            .collect();
        *self.merges_mut() = merges;
    }

    fn insert_row(&mut self, row: u32) {
        rebuild(
            self,
            |r, c| Some((if r >= row { r + 1 } else { r }, c)),
            None,
        );
        for m in self.merges_mut() {
            if m.first_row >= row {
                m.first_row += 1;
            }
            if m.last_row >= row {
                m.last_row += 1;
            }
        }
    }

    fn insert_col(&mut self, col: u32) {
        rebuild(
            self,
            |r, c| Some((r, if c >= col { c + 1 } else { c })),
            None,
        );
        for m in self.merges_mut() {
            if m.first_col >= col {
                m.first_col += 1;
            }
            if m.last_col >= col {
                m.last_col += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_keeps_rows_sorted() {
        let mut s = Sheet::from_cells(
            "s",
            vec![
                (0, 0, Cell::Text("a".into())),
                (2, 1, Cell::Number(1.0)),
                (5, 0, Cell::Text("z".into())),
            ],
        );
        s.delete_row(2);
        assert_eq!(s.get(4, 0), Some(&Cell::Text("z".into())));
        s.insert_row(1);
        assert_eq!(s.get(5, 0), Some(&Cell::Text("z".into())));
        s.insert_col(0);
        assert_eq!(s.get(0, 1), Some(&Cell::Text("a".into())));
        s.set(3, 3, Some(Cell::Number(2.0)));
        s.set(0, 1, None);
        let rows: Vec<u32> = s.rows().map(|(r, _)| r).collect();
        assert_eq!(rows, vec![3, 5]);
    }
}
