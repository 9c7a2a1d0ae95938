//! Cell values, cell addresses and the container format.

use std::fmt;

use serde::Serialize;

/// The container format found in the file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Format {
    /// Office Open XML (.xlsx, .xlsm).
    Xlsx,
    /// Excel binary (.xlsb).
    Xlsb,
    /// Excel 97–2003 (.xls).
    Xls,
    /// OpenDocument (.ods).
    Ods,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
        })
    }
}

/// One non-empty cell value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Cell {
    /// A text.
    Text(String),
    /// A number (as Excel stores it).
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// An Excel error value such as `#REF!`.
    Error(String),
    /// A date or time (Excel serial number).
    Date(f64),
    /// A formula whose result was never stored (the file was not recalculated).
    Formula(String),
}

impl Cell {
    /// The text, if the cell is a text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The cell as a person would read it, for messages and for text matching.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => e.clone(),
            Cell::Date(d) => excel_date_string(*d),
            Cell::Formula(f) => format!("={f}"),
        }
    }
}

/// A number as Excel would show it in a General cell (up to 15 significant digits).
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else if n.abs() >= 1e15 || (n != 0.0 && n.abs() < 1e-9) {
        format!("{n:e}")
    } else {
        let s = format!("{:.14e}", n);
        match s.parse::<f64>() {
            Ok(v) => format!("{v}"),
            Err(_) => format!("{n}"),
        }
    }
}

/// `yyyy-mm-dd` for an Excel serial date (1900 system), for messages.
pub fn excel_date_string(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return format!("{serial}");
    }
    // Days since 1970-01-01: Excel's day 25569 is 1970-01-01 (with its 1900 leap bug).
    let days = serial.floor() as i64 - 25_569;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

// Howard Hinnant's days → civil date.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A rectangle of cells, inclusive, zero-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rect {
    /// First row.
    pub first_row: u32,
    /// First column.
    pub first_col: u32,
    /// Last row.
    pub last_row: u32,
    /// Last column.
    pub last_col: u32,
}

impl Rect {
    /// Whether the cell at `row`, `col` is inside.
    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.first_row..=self.last_row).contains(&row)
            && (self.first_col..=self.last_col).contains(&col)
    }

    /// Whether it is one cell.
    pub fn is_single_cell(&self) -> bool {
        self.first_row == self.last_row && self.first_col == self.last_col
    }

    /// `A1:D1` notation.
    pub fn a1(&self) -> String {
        format!(
            "{}:{}",
            a1(self.first_row, self.first_col),
            a1(self.last_row, self.last_col)
        )
    }
}

/// Column letters for a zero-based column index (`0` → `A`, `26` → `AA`).
pub fn col_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `A1` reference for a zero-based row and column.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", col_letters(col), row + 1)
}

/// Parse an `A1` reference back into zero-based (row, col).
pub fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().trim_start_matches('$');
    let letters: String = s.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = s[letters.len()..].trim_start_matches('$');
    if letters.is_empty() || letters.len() > 3 || digits.is_empty() {
        return None;
    }
    let mut col: u32 = 0;
    for c in letters.chars() {
        col = col * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 {
        return None;
    }
    Some((row - 1, col - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_round_trips() {
        for (r, c, s) in [(0, 0, "A1"), (11, 3, "D12"), (0, 25, "Z1"), (9, 26, "AA10")] {
            assert_eq!(a1(r, c), s);
            assert_eq!(parse_a1(s), Some((r, c)));
        }
        assert_eq!(col_letters(16_383), "XFD");
        assert_eq!(parse_a1("12"), None);
    }

    #[test]
    fn numbers_show_as_excel_general() {
        assert_eq!(format_number(684.78), "684.78");
        assert_eq!(format_number(2010201.0), "2010201");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(1e300), "1e300");
    }

    #[test]
    fn dates_show_as_iso() {
        assert_eq!(excel_date_string(45_000.0), "2023-03-15");
        assert_eq!(excel_date_string(25_569.0), "1970-01-01");
    }
}
