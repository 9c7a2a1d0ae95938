//! The reader tolerates the layout variations real bureaus use. Each test mutates the
//! grid of a bundled sample, writes it as a real workbook, reads it back and checks it
//! gives the very same figures (or, for a missing unit, that the unit is missing).

use crate::common::*;
use yusuan::{Budget, TableId};
use yusuan_grid::{Cell, Grid, Sheet};

const NAME: &str = "luojiang-zhujianju-2023";

fn base() -> (Grid, Budget) {
    let p = sample(NAME);
    (grid(&p), load(&p))
}

/// Write the grid as a workbook and read it back.
fn reread(g: &Grid) -> Budget {
    let dir = tempfile::tempdir().unwrap();
    let p = write_grid(g, dir.path(), "variant.xlsx");
    load(&p)
}

fn sheet<'a>(g: &'a mut Grid, name: &str) -> &'a mut Sheet {
    g.sheet_mut(name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

/// Every text cell of every sheet passed through `f`.
fn map_texts(g: &mut Grid, f: impl Fn(&str) -> String) {
    for s in &mut g.sheets {
        let cells: Vec<(u32, u32, String)> = s
            .rows()
            .flat_map(|(r, cells)| {
                cells.iter().filter_map(move |(c, cell)| match cell {
                    Cell::Text(t) => Some((r, *c, t.clone())),
                    _ => None,
                })
            })
            .collect();
        for (r, c, t) in cells {
            s.set(r, c, Some(Cell::Text(f(&t))));
        }
    }
}

#[test]
fn renamed_sheets() {
    let (mut g, b) = base();
    let names = [
        "Sheet1",
        "基本情况 ",
        "表1 部门收支总表",
        "3.16部门收入总表",
        "Sheet5",
        "财政拨款收支",
        "表2-1 ",
        "一般公共预算支出",
        "Sheet9",
        "3.2",
        "三公",
        "Sheet12",
        "表 5",
    ];
    for (s, n) in g.sheets.iter_mut().zip(names) {
        s.name = n.to_string();
    }
    let v = reread(&g);
    assert_same_figures(&v, &b, "renamed sheets");
    // Titles decide, not sheet names: 表3 sits on a sheet misleadingly named 表2-1.
    assert_eq!(v.table(TableId::T3).unwrap().sheet, "表2-1 ");
    assert_eq!(v.table(TableId::T2_1).unwrap().sheet, "财政拨款收支");
    assert_eq!(v.info.sheet.as_deref(), Some("Sheet1"));
    assert_eq!(v.table(TableId::T1).unwrap().sheet, "基本情况 ");
}

#[test]
fn titles_with_and_without_department_and_year() {
    for variant in 0..3 {
        let (mut g, b) = base();
        map_texts(&mut g, |t| {
            let Some(rest) = t.strip_prefix("德阳市罗江区住房和城乡建设局2023年")
            else {
                return t.to_string();
            };
            match variant {
                0 => rest.to_string(),                                    // bare title
                1 => format!("2023年德阳市罗江区住房和城乡建设局{rest}"), // year first
                _ => format!("德阳市罗江区住房和城乡建设局 {rest}"),      // no year
            }
        });
        let v = reread(&g);
        assert_same_figures(&v, &b, &format!("title variant {variant}"));
        // The 部门基本情况 sheet stays the authority for name and year.
        assert_eq!(
            v.department.as_deref(),
            Some("德阳市罗江区住房和城乡建设局")
        );
        assert_eq!(v.year, Some(2023));
    }
}

#[test]
fn department_and_year_from_titles_alone() {
    let (mut g, b) = base();
    g.sheets.retain(|s| s.name != "部门基本情况");
    let v = reread(&g);
    assert_same_figures(&v, &b, "no info sheet");
    assert_eq!(
        v.department.as_deref(),
        Some("德阳市罗江区住房和城乡建设局")
    );
    assert_eq!(v.year, Some(2023));
}

#[test]
fn half_and_full_width_brackets_and_quotes() {
    let (mut g, b) = base();
    map_texts(&mut g, |t| {
        t.replace('（', "(")
            .replace('）', ")")
            .replace(['“', '”'], "\"")
            .replace('：', ":")
    });
    let v = reread(&g);
    assert_same_figures(&v, &b, "half-width");
    let (mut g, _) = base();
    // The other way: full-width everything, quotes removed, spaces inside titles.
    map_texts(&mut g, |t| {
        t.replace('(', "（")
            .replace(')', "）")
            .replace(['“', '”'], "")
            .replace("部门收支总表", "部 门 收 支 总 表")
    });
    assert_same_figures(&reread(&g), &b, "full-width");
}

/// Rewrite every code cell of 表3 with `f` (and clear the name column when asked).
fn recode(g: &mut Grid, f: impl Fn(&str, &str) -> Cell, clear_names: bool) {
    let s = sheet(g, "表3");
    let rows: Vec<(u32, String, String)> = s
        .rows()
        .filter_map(|(r, cells)| {
            let code = cells
                .iter()
                .find(|(c, _)| *c == 0)?
                .1
                .as_text()?
                .to_string();
            let name = cells
                .iter()
                .find(|(c, _)| *c == 1)?
                .1
                .as_text()?
                .to_string();
            code.chars()
                .all(|c| c.is_ascii_digit())
                .then_some((r, code, name))
        })
        .collect();
    assert!(rows.len() > 10);
    for (r, code, name) in rows {
        s.set(r, 0, Some(f(&code, &name)));
        if clear_names {
            s.set(r, 1, None);
        }
    }
}

#[test]
fn code_forms() {
    let (_, b) = base();
    let spaced = |c: &str| match c.len() {
        7 => format!("{} {} {}", &c[..3], &c[3..5], &c[5..]),
        5 => format!("{} {}", &c[..3], &c[3..]),
        _ => c.to_string(),
    };
    type Recode = Box<dyn Fn(&str, &str) -> Cell>;
    let variants: Vec<(&str, Recode, bool)> = vec![
        ("spaced", Box::new(move |c, _| Cell::Text(spaced(c))), false),
        (
            "number",
            Box::new(|c, _| Cell::Number(c.parse().unwrap())),
            false,
        ),
        (
            "bracketed with name",
            Box::new(|c, n| Cell::Text(format!("[{c}]{n}"))),
            true,
        ),
        (
            "code and name",
            Box::new(|c, n| Cell::Text(format!("{c} {n}"))),
            true,
        ),
        (
            "full-width brackets",
            Box::new(|c, n| Cell::Text(format!("【{c}】{n}"))),
            true,
        ),
    ];
    for (what, f, clear) in variants {
        let (mut g, _) = base();
        recode(&mut g, f, clear);
        let v = reread(&g);
        assert_same_figures(&v, &b, what);
        let t3 = v.table(TableId::T3).unwrap();
        assert_eq!(t3.by_code("2120101").unwrap().name, "行政运行", "{what}");
    }
}

#[test]
fn code_and_name_in_one_column_without_a_name_column() {
    let (mut g, b) = base();
    recode(&mut g, |c, n| Cell::Text(format!("{c} {n}")), true);
    let s = sheet(&mut g, "表3");
    // Drop the (now empty) name column entirely: merge the header into one cell.
    s.set(2, 0, text("科目"));
    s.set(2, 1, None);
    s.merges_mut()
        .retain(|m| !(m.first_col <= 1 && m.last_col >= 1 && m.first_row > 1));
    let v = reread(&g);
    assert_same_figures(&v, &b, "code+name column");
}

#[test]
fn split_class_kuan_item_columns() {
    let (mut g, b) = base();
    let s = sheet(&mut g, "表3");
    // Three code columns 类|款|项 under a merged 科目编码, as Shanghai lays them out.
    s.insert_col(1);
    s.insert_col(1);
    s.insert_row(3); // a second header row for 类|款|项
    s.merges_mut().retain(|m| m.first_row != 2);
    s.set(2, 0, text("科目编码"));
    s.merges_mut().push(yusuan_grid::Rect {
        first_row: 2,
        first_col: 0,
        last_row: 2,
        last_col: 2,
    });
    s.set(3, 0, text("类"));
    s.set(3, 1, text("款"));
    s.set(3, 2, text("项"));
    s.set(2, 3, text("科目名称"));
    let rows: Vec<(u32, String)> = s
        .rows()
        .filter(|(r, _)| *r > 4)
        .filter_map(|(r, cells)| Some((r, cells.first()?.1.as_text()?.to_string())))
        .filter(|(_, c)| c.chars().all(|x| x.is_ascii_digit()))
        .collect();
    for (r, code) in rows {
        s.set(r, 0, Some(Cell::Number(code[..3].parse().unwrap())));
        if code.len() >= 5 {
            s.set(r, 1, text(&code[3..5]));
        }
        if code.len() == 7 {
            s.set(r, 2, text(&code[5..]));
        }
    }
    let v = reread(&g);
    assert_same_figures(&v, &b, "split code columns");
}

#[test]
fn numbers_stored_as_text() {
    let (mut g, b) = base();
    let fullwidth = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from_u32(c as u32 + 0xFEE0).unwrap()
                } else {
                    c
                }
            })
            .collect::<String>()
    };
    for (i, s) in g.sheets.iter_mut().enumerate() {
        let nums: Vec<(u32, u32, f64)> = s
            .rows()
            .flat_map(|(r, cells)| {
                cells.iter().filter_map(move |(c, cell)| match cell {
                    Cell::Number(n) => Some((r, *c, *n)),
                    _ => None,
                })
            })
            .collect();
        for (k, (r, c, n)) in nums.into_iter().enumerate() {
            let t = format!("{n:.2}");
            // thousands separators on some, full-width digits on others, padding on the rest
            let shown = match (i + k) % 3 {
                0 => {
                    let (int, frac) = t.split_once('.').unwrap();
                    let mut grouped = String::new();
                    for (j, ch) in int.chars().enumerate() {
                        if j > 0 && (int.len() - j) % 3 == 0 {
                            grouped.push(',');
                        }
                        grouped.push(ch);
                    }
                    format!("{grouped}.{frac}")
                }
                1 => fullwidth(&t),
                _ => format!(" {t} "),
            };
            s.set(r, c, Some(Cell::Text(shown)));
        }
    }
    let v = reread(&g);
    assert_same_figures(&v, &b, "text numbers");
}

#[test]
fn dashes_and_blanks_are_zero() {
    let (mut g, b) = base();
    // Blank amount cells of 表1-2 become `-` or `—`.
    let s = sheet(&mut g, "表1-2");
    let last = s.last_row().unwrap();
    let mut n = 0;
    for r in 4..=last {
        for c in 2..=4 {
            if s.get(r, c).is_none() && s.get(r, 0).is_some() {
                s.set(r, c, text(if n % 2 == 0 { "-" } else { "—" }));
                n += 1;
            }
        }
    }
    assert!(n > 5);
    assert_same_figures(&reread(&g), &b, "dashes");
}

#[test]
fn total_row_at_the_bottom() {
    let (mut g, b) = base();
    for name in [
        "表1-1", "表1-2", "表2-1", "表3", "表3-1", "表3-2", "表3-3", "表4",
    ] {
        let s = sheet(&mut g, name);
        let (r, _) = s
            .rows()
            .find(|(_, cells)| {
                cells
                    .first()
                    .is_some_and(|(c, x)| *c == 0 && x.as_text() == Some("合计"))
            })
            .unwrap();
        let cells: Vec<(u32, Cell)> = s.row(r).to_vec();
        let merges: Vec<_> = s
            .merges()
            .iter()
            .filter(|m| m.first_row == r)
            .cloned()
            .collect();
        s.delete_row(r);
        let bottom = s.last_row().unwrap() + 1;
        for (c, cell) in cells {
            s.set(bottom, c, Some(cell));
        }
        for mut m in merges {
            m.first_row = bottom;
            m.last_row = bottom;
            s.merges_mut().push(m);
        }
    }
    assert_same_figures(&reread(&g), &b, "合计 at bottom");
}

#[test]
fn extra_blank_rows_and_columns() {
    let (mut g, b) = base();
    for s in g.sheets.iter_mut().filter(|s| s.name.starts_with('表')) {
        s.insert_col(0); // blank first column
        s.insert_row(1); // blank row between title and unit line
        s.insert_row(0); // blank first row
        let last = s.last_row().unwrap();
        s.insert_row(last - 1); // a blank row inside the data
    }
    assert_same_figures(&reread(&g), &b, "blank rows and columns");
}

#[test]
fn columns_in_another_order() {
    let (mut g, b) = base();
    let s = sheet(&mut g, "表3");
    // Swap 基本支出 (D) and 项目支出 (E) including their headers.
    let rows: Vec<u32> = s.rows().map(|(r, _)| r).collect();
    for r in rows {
        let d = s.get(r, 3).cloned();
        let e = s.get(r, 4).cloned();
        s.set(r, 3, e);
        s.set(r, 4, d);
    }
    assert_same_figures(&reread(&g), &b, "column order");
}

#[test]
fn merged_headers_lost_as_in_ods() {
    let (mut g, b) = base();
    for s in &mut g.sheets {
        s.merges_mut().clear();
        s.merges_known = false;
    }
    // Without merge information the group headers (收入/支出, 公务用车购置及运行费)
    // sit over their first column only; the reader must still place every column.
    let v = yusuan_core::recognise(&g, yusuan::CodeLists::builtin()).unwrap();
    assert_same_figures(&v, &b, "no merges");
}

#[test]
fn an_extra_unrelated_sheet_is_listed() {
    let (mut g, b) = base();
    g.sheets.insert(
        3,
        Sheet::from_cells(
            "填表说明",
            vec![
                (0, 0, Cell::Text("填表说明".into())),
                (1, 0, Cell::Text("1. 金额单位为万元，保留两位小数。".into())),
            ],
        ),
    );
    g.sheets.push(Sheet::from_cells("Sheet3", vec![]));
    let v = reread(&g);
    assert_same_figures(&v, &b, "extra sheet");
    let names: Vec<&str> = v.other_sheets.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, vec!["填表说明", "Sheet3"]);
    assert!(v.other_sheets[0].reason.contains("不是可识别的预算表"));
}

#[test]
fn a_table_in_yuan_is_read_exactly() {
    let (mut g, b) = base();
    let s = sheet(&mut g, "表1-2");
    let (ur, uc) = find_in(s, "单位：万元");
    s.set(ur, uc, text("单位：元"));
    let nums: Vec<(u32, u32, f64)> = s
        .rows()
        .flat_map(|(r, cells)| {
            cells.iter().filter_map(move |(c, cell)| match cell {
                Cell::Number(n) => Some((r, *c, *n)),
                _ => None,
            })
        })
        .collect();
    for (r, c, n) in nums {
        s.set(r, c, Some(Cell::Number((n * 10000.0).round())));
    }
    let v = reread(&g);
    assert_eq!(
        v.table(TableId::T1_2).unwrap().unit,
        Some(yusuan::Unit::Yuan)
    );
    assert_same_figures(&v, &b, "元 table");
}

fn find_in(s: &Sheet, t: &str) -> (u32, u32) {
    for (r, cells) in s.rows() {
        for (c, cell) in cells {
            if cell.as_text() == Some(t) {
                return (r, *c);
            }
        }
    }
    panic!("{t} not found")
}

#[test]
fn a_missing_unit_is_recorded_not_guessed() {
    let (mut g, _) = base();
    let s = sheet(&mut g, "表3");
    let (r, c) = find_in(s, "单位：万元");
    s.set(r, c, None);
    let v = reread(&g);
    let t3 = v.table(TableId::T3).unwrap();
    assert_eq!(t3.unit, None);
    assert_eq!(t3.unit_at, None);
    // Figures are still read, but none can be expressed in 元.
    assert_eq!(t3.total_yuan("total"), None);
    assert!(t3.total().unwrap().value("total").is_some());
}
