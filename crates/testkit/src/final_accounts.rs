//! A real published 部门决算 put back into a workbook.
//!
//! The shared data gives every table of a published 决算 as printed: its header rows
//! (a merged header repeats its text in every column it spans), its body rows (blank is
//! `""`, zero only where printed) and the notes printed under it. Each table becomes one
//! sheet the way the 决算 software exports it: the title, the line
//! `编制部门：… · 2024年度 · 单位：万元`, the header band with its merges, the body and the
//! notes. Figures are never changed: `307.82` becomes the number 307.82, a blank stays
//! blank, and codes stay text as printed.

use serde::Deserialize;
use yusuan_core::{Budget, Line, Side, Table, TableId};
use yusuan_grid::{Cell, Format, Grid, Rect, Sheet};

/// One table of `tables.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct PrintedTable {
    /// The unit printed above it (`万元`), empty for the untitled 单位构成 table.
    #[serde(default)]
    pub unit: String,
    /// Header rows, top first; a merged header repeats its text.
    pub header: Vec<Vec<String>>,
    /// Body rows as printed.
    pub rows: Vec<Vec<String>>,
    /// The lines printed under the table (注, 说明).
    #[serde(default)]
    pub notes_printed: Vec<String>,
    /// Whether a title is printed (false for the 单位构成 table of the text part).
    #[serde(default = "yes")]
    pub title_printed: bool,
}

fn yes() -> bool {
    true
}

/// The nine tables of the national 部门决算 公开 set, in publication order.
pub const FINAL_TABLES: [&str; 9] = [
    "收入支出决算总表",
    "收入决算表",
    "支出决算表",
    "财政拨款收入支出决算总表",
    "一般公共预算财政拨款支出决算表",
    "一般公共预算财政拨款基本支出决算表",
    "财政拨款“三公”经费支出决算表",
    "政府性基金预算财政拨款收入支出决算表",
    "国有资本经营预算财政拨款收入支出决算表",
];

/// A printed amount as a cell: blank → no cell; anything else that parses → a number;
/// text otherwise (kept as printed).
fn amount(s: &str) -> Option<Cell> {
    let t = s.trim().replace(',', "");
    if t.is_empty() {
        return None;
    }
    Some(match t.parse::<f64>() {
        Ok(n) => Cell::Number(n),
        Err(_) => Cell::Text(s.to_string()),
    })
}

/// Whether column `c` of a body row is a label (code or name), not a figure: its
/// lowest header says so.
fn is_label(header: &[Vec<String>], c: usize) -> bool {
    header.last().and_then(|row| row.get(c)).is_some_and(|h| {
        h == "项目"
            || h == "类"
            || h == "款"
            || h == "项"
            || h.contains("编码")
            || h.contains("名称")
    })
}

/// Merges of a header band: runs of equal text across a row, then down a column.
fn header_merges(header: &[Vec<String>], top: u32) -> Vec<Rect> {
    let rows = header.len();
    let cols = header.iter().map(Vec::len).max().unwrap_or(0);
    let mut covered = vec![vec![false; cols]; rows];
    let mut out = Vec::new();
    for r in 0..rows {
        let mut c = 0;
        while c < cols {
            if covered[r][c] || header[r].get(c).is_none_or(String::is_empty) {
                c += 1;
                continue;
            }
            let text = &header[r][c];
            let mut last_c = c;
            while last_c + 1 < cols && header[r].get(last_c + 1) == Some(text) {
                last_c += 1;
            }
            // Down: every column of the run keeps the same text below.
            let mut last_r = r;
            while last_r + 1 < rows
                && (c..=last_c).all(|k| header[last_r + 1].get(k) == Some(text))
                && (last_c == cols - 1 || header[last_r + 1].get(last_c + 1) != Some(text))
            {
                last_r += 1;
            }
            for row in covered.iter_mut().take(last_r + 1).skip(r) {
                for cell in row.iter_mut().take(last_c + 1).skip(c) {
                    *cell = true;
                }
            }
            if last_c > c || last_r > r {
                out.push(Rect {
                    first_row: top + r as u32,
                    first_col: c as u32,
                    last_row: top + last_r as u32,
                    last_col: last_c as u32,
                });
            }
            c = last_c + 1;
        }
    }
    out
}

/// One table as a sheet.
fn table_sheet(title: &str, t: &PrintedTable, department: &str, year: i32) -> Sheet {
    let cols = t.header.iter().map(Vec::len).max().unwrap_or(1) as u32;
    let mut cells = vec![
        (0, 0, Cell::Text(title.to_string())),
        (1, 0, Cell::Text(format!("编制部门：{department}"))),
        (1, cols / 2, Cell::Text(format!("{year}年度"))),
        (1, cols - 1, Cell::Text(format!("单位：{}", t.unit))),
    ];
    let top = 2u32;
    for (r, row) in t.header.iter().enumerate() {
        for (c, h) in row.iter().enumerate() {
            let covered = (r > 0 && t.header[r - 1].get(c) == Some(h))
                || (c > 0 && row.get(c - 1) == Some(h));
            if !h.is_empty() && !covered {
                cells.push((top + r as u32, c as u32, Cell::Text(h.clone())));
            }
        }
    }
    let first = top + t.header.len() as u32;
    for (r, row) in t.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let cell = if is_label(&t.header, c) {
                (!v.is_empty()).then(|| Cell::Text(v.clone()))
            } else {
                amount(v)
            };
            if let Some(cell) = cell {
                cells.push((first + r as u32, c as u32, cell));
            }
        }
    }
    let notes = first + t.rows.len() as u32;
    for (i, n) in t.notes_printed.iter().enumerate() {
        cells.push((notes + i as u32, 0, Cell::Text(n.clone())));
    }
    let mut sheet = Sheet::from_cells(title, cells);
    let merges = sheet.merges_mut();
    merges.push(Rect {
        first_row: 0,
        first_col: 0,
        last_row: 0,
        last_col: cols - 1,
    });
    merges.extend(header_merges(&t.header, top));
    sheet.merges_known = true;
    sheet
}

/// The published 决算 tables (`tables.json`) as a workbook, one sheet per table in
/// publication order.
pub fn final_accounts(tables_json: &str, department: &str, year: i32) -> Result<Grid, String> {
    let tables: std::collections::HashMap<String, PrintedTable> =
        serde_json::from_str(tables_json).map_err(|e| e.to_string())?;
    let mut sheets = Vec::new();
    for title in FINAL_TABLES {
        let t = tables.get(title).ok_or(format!("{title} missing"))?;
        if t.title_printed {
            sheets.push(table_sheet(title, t, department, year));
        }
    }
    Ok(Grid {
        format: Format::Xlsx,
        sheets,
    })
}

/// A figure as printed: two decimals, blank for none or zero.
fn shown(v: Option<rust_decimal::Decimal>) -> String {
    match v {
        Some(v) if !v.is_zero() => format!("{:.2}", v.round_dp(2)),
        _ => String::new(),
    }
}

fn strs(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

/// A classified table in split 类|款|项 columns: code parts, name, then `cols` as
/// `(header, key)`; the 合计 row first.
fn split_table(t: Option<&Table>, cols: &[(&str, &str)], note: &str) -> PrintedTable {
    let mut top = strs(&["科目编码", "科目编码", "科目编码", "科目名称"]);
    let mut low = strs(&["类", "款", "项", "科目名称"]);
    for (h, _) in cols {
        let (a, b) = h.split_once('/').unwrap_or((h, h));
        top.push(a.to_string());
        low.push(b.to_string());
    }
    // A 预算 收入总表 splits 财政拨款 into its three funds.
    let value = |l: &Line, k: &str| match l.value(k) {
        None if k == "fiscal" => ["gpb", "fund", "soe"].iter().map(|f| l.value(f)).sum(),
        v => v,
    };
    let figures = |l: &Line| {
        cols.iter()
            .map(|(_, k)| shown(value(l, k)))
            .collect::<Vec<_>>()
    };
    let mut rows = Vec::new();
    let mut total = strs(&["", "", "", "合计"]);
    if let Some(tl) = t.and_then(Table::total) {
        total.extend(figures(tl));
    } else {
        total.extend(cols.iter().map(|_| String::new()));
    }
    rows.push(total);
    for l in t.into_iter().flat_map(Table::coded) {
        let code = l.code.as_deref().unwrap_or("");
        let part = |a: usize, b: usize| code.get(a..b).unwrap_or("").to_string();
        let mut r = vec![part(0, 3), part(3, 5), part(5, 7), l.name.clone()];
        r.extend(figures(l));
        rows.push(r);
    }
    let empty = t.is_none_or(Table::is_empty);
    PrintedTable {
        unit: "万元".into(),
        header: vec![top, low],
        rows,
        notes_printed: if empty {
            vec![note.to_string()]
        } else {
            vec![]
        },
        title_printed: true,
    }
}

/// The 决算 of a composed 预算 model (`yusuan_testkit::compose`, in 万元), every 决算数
/// its 预算数, in the national table set with split 类|款|项 code columns: a consistent
/// 决算 of the other code style, for tests and the bundled synthetic sample.
pub fn from_budget(b: &Budget) -> Result<Grid, String> {
    let dept = b.department_name().to_string();
    let year = b.year.ok_or("no year")?;
    let t = |id: TableId| b.table(id);
    let fixed =
        |id: TableId, key: &str, col: &str| shown(t(id).and_then(|t| t.fixed_value(key, col)));
    let mut tables: Vec<(&str, PrintedTable)> = Vec::new();
    // 收入支出决算总表
    let income: Vec<(&str, &str)> = vec![
        ("一、一般公共预算财政拨款收入", "gpb"),
        ("二、政府性基金预算财政拨款收入", "fund"),
        ("三、国有资本经营预算财政拨款收入", "soe"),
        ("四、上级补助收入", "superior"),
        ("五、事业收入", "business"),
        ("六、经营收入", "operating"),
        ("七、附属单位上缴收入", "affiliated"),
        ("八、其他收入", "other"),
    ];
    let classes: Vec<&Line> = t(TableId::T1)
        .map(|t| {
            t.coded()
                .filter(|l| l.side == Some(Side::Expenditure))
                .collect()
        })
        .unwrap_or_default();
    let n = income.len().max(classes.len());
    let mut rows = Vec::new();
    for i in 0..n {
        let (il, iv) = income
            .get(i)
            .map_or((String::new(), String::new()), |(l, k)| {
                (l.to_string(), fixed(TableId::T1, k, "income"))
            });
        let (el, ev) = classes.get(i).map_or((String::new(), String::new()), |l| {
            (l.name.clone(), shown(l.value("expenditure")))
        });
        rows.push(vec![il, iv, el, ev]);
    }
    for (il, ik, el, ek) in [
        (
            "本年收入合计",
            "income_subtotal",
            "本年支出合计",
            "expenditure_subtotal",
        ),
        ("使用非财政拨款结余", "fund_balance", "结余分配", ""),
        (
            "年初结转和结余",
            "carried_forward",
            "年末结转和结余",
            "carry_over",
        ),
        ("总计", "income_total", "总计", "expenditure_total"),
    ] {
        rows.push(vec![
            il.into(),
            fixed(TableId::T1, ik, "income"),
            el.into(),
            fixed(TableId::T1, ek, "expenditure"),
        ]);
    }
    tables.push((
        FINAL_TABLES[0],
        PrintedTable {
            unit: "万元".into(),
            header: vec![
                strs(&["收入", "收入", "支出", "支出"]),
                strs(&["项目", "决算数", "项目", "决算数"]),
            ],
            rows,
            notes_printed: vec![],
            title_printed: true,
        },
    ));
    // 收入决算表: 本年收入 (the 预算's 上年结转 is 年初结转和结余, not a 收入)
    tables.push((
        FINAL_TABLES[1],
        split_table(
            t(TableId::T1_1),
            &[
                ("本年收入合计", "total"),
                ("财政拨款收入", "fiscal"),
                ("事业收入", "business"),
                ("经营收入", "operating"),
                ("其他收入", "other"),
            ],
            "",
        ),
    ));
    tables.push((
        FINAL_TABLES[2],
        split_table(
            t(TableId::T1_2),
            &[
                ("本年支出合计", "total"),
                ("基本支出", "basic"),
                ("项目支出", "project"),
            ],
            "",
        ),
    ));
    tables.push((FINAL_TABLES[3], fiscal_summary(b)?));
    tables.push((
        FINAL_TABLES[4],
        split_table(
            t(TableId::T3),
            &[
                ("合计", "total"),
                ("基本支出", "basic"),
                ("项目支出", "project"),
            ],
            "",
        ),
    ));
    tables.push((FINAL_TABLES[5], basic_blocks(t(TableId::T3_1))));
    tables.push((FINAL_TABLES[6], three_public(t(TableId::T3_3), &dept)));
    for (i, id, fund) in [
        (7, TableId::T4, "政府性基金预算"),
        (8, TableId::T5, "国有资本经营预算"),
    ] {
        let note = format!("说明：{dept}本年度没有{fund}财政拨款收入和支出，故本表无数据。");
        tables.push((
            FINAL_TABLES[i],
            split_table(
                t(id),
                &[
                    ("本年收入", "total"),
                    ("本年支出/合计", "total"),
                    ("本年支出/基本支出", "basic"),
                    ("本年支出/项目支出", "project"),
                ],
                &note,
            ),
        ));
    }
    Ok(Grid {
        format: Format::Xlsx,
        sheets: tables
            .iter()
            .map(|(title, pt)| table_sheet(title, pt, &dept, year))
            .collect(),
    })
}

/// 财政拨款收入支出决算总表 from the 预算's 表2.
fn fiscal_summary(b: &Budget) -> Result<PrintedTable, String> {
    let t2 = b.table(TableId::T2).ok_or("no 表2")?;
    let inc = |k: &str| shown(t2.fixed_value(k, "income"));
    let income = [
        ("一、一般公共预算财政拨款", "current_gpb"),
        ("二、政府性基金预算财政拨款", "current_fund"),
        ("三、国有资本经营预算财政拨款", "current_soe"),
    ];
    let cols = ["total", "gpb", "fund", "soe"];
    let classes: Vec<&Line> = t2
        .coded()
        .filter(|l| l.side == Some(Side::Expenditure))
        .collect();
    let mut rows = Vec::new();
    for i in 0..income.len().max(classes.len()) {
        let (il, iv) = income
            .get(i)
            .map_or((String::new(), String::new()), |(l, k)| {
                (l.to_string(), inc(k))
            });
        let mut r = vec![il, iv];
        match classes.get(i) {
            Some(l) => {
                r.push(l.name.clone());
                r.extend(cols.iter().map(|k| shown(l.value(k))));
            }
            None => r.extend(std::iter::repeat_n(String::new(), 5)),
        }
        rows.push(r);
    }
    let exp = |k: &str| -> Vec<String> {
        cols.iter()
            .map(|c| shown(t2.fixed(k).and_then(|l| l.value(c))))
            .collect()
    };
    let foot = |il: &str, ik: &str, el: &str, ek: Option<&str>| {
        let mut r = vec![il.to_string(), inc(ik), el.to_string()];
        r.extend(ek.map_or_else(|| vec![String::new(); 4], exp));
        r
    };
    let current_exp = t2
        .fixed("current_expenditure")
        .map(|_| "current_expenditure");
    rows.push(foot(
        "本年收入合计",
        "current",
        "本年支出合计",
        current_exp.or(Some("expenditure_total")),
    ));
    rows.push(foot(
        "年初财政拨款结转和结余",
        "carried",
        "年末财政拨款结转和结余",
        Some("carry_over"),
    ));
    rows.push(foot("一、一般公共预算财政拨款", "carried_gpb", "", None));
    rows.push(foot("二、政府性基金预算财政拨款", "carried_fund", "", None));
    rows.push(foot(
        "三、国有资本经营预算财政拨款",
        "carried_soe",
        "",
        None,
    ));
    rows.push(foot(
        "总计",
        "income_total",
        "总计",
        Some("expenditure_total"),
    ));
    Ok(PrintedTable {
        unit: "万元".into(),
        header: vec![
            strs(&["收入", "收入", "支出", "支出", "支出", "支出", "支出"]),
            strs(&[
                "项目",
                "决算数",
                "项目",
                "合计",
                "一般公共预算财政拨款",
                "政府性基金预算财政拨款",
                "国有资本经营预算财政拨款",
            ]),
        ],
        rows,
        notes_printed: vec![],
        title_printed: true,
    })
}

/// 一般公共预算财政拨款基本支出决算表 from the 预算's 表3-1: 301 and 303 left, the rest
/// right, each block closed by its total.
fn basic_blocks(t: Option<&Table>) -> PrintedTable {
    let lines: Vec<&Line> = t.map(|t| t.coded().collect()).unwrap_or_default();
    let left = |l: &&Line| {
        l.code
            .as_deref()
            .is_some_and(|c| c.starts_with("301") || c.starts_with("303"))
    };
    let (l, r): (Vec<&Line>, Vec<&Line>) = lines.into_iter().partition(left);
    let cell = |x: Option<&&Line>| -> [String; 3] {
        x.map_or([String::new(), String::new(), String::new()], |l| {
            [
                l.code.clone().unwrap_or_default(),
                l.name.clone(),
                format!("{:.2}", l.value("total").unwrap_or_default().round_dp(2)),
            ]
        })
    };
    let mut rows: Vec<Vec<String>> = (0..l.len().max(r.len()))
        .map(|i| cell(l.get(i)).into_iter().chain(cell(r.get(i))).collect())
        .collect();
    let total = t.and_then(Table::total);
    let tv = |k: &str| {
        format!(
            "{:.2}",
            total
                .and_then(|l| l.value(k))
                .unwrap_or_default()
                .round_dp(2)
        )
    };
    rows.push(vec![
        String::new(),
        "人员经费合计".into(),
        tv("personnel"),
        String::new(),
        "公用经费合计".into(),
        tv("public"),
    ]);
    PrintedTable {
        unit: "万元".into(),
        header: vec![strs(&[
            "经济分类科目编码",
            "科目名称",
            "决算数",
            "经济分类科目编码",
            "科目名称",
            "决算数",
        ])],
        rows,
        notes_printed: vec![],
        title_printed: true,
    }
}

/// 财政拨款“三公”经费支出决算表 from the 预算's 表3-3 合计: 预算数 and 决算数 alike.
fn three_public(t: Option<&Table>, dept: &str) -> PrintedTable {
    let parts: [(&str, &str, &str); 6] = [
        ("合计", "合计", "total"),
        ("因公出国（境）费", "因公出国（境）费", "abroad"),
        ("公务用车购置及运行维护费", "小计", "vehicle"),
        (
            "公务用车购置及运行维护费",
            "公务用车购置费",
            "vehicle_purchase",
        ),
        (
            "公务用车购置及运行维护费",
            "公务用车运行维护费",
            "vehicle_operation",
        ),
        ("公务接待费", "公务接待费", "reception"),
    ];
    let total = t.and_then(Table::total);
    let v = |k: &str| {
        let direct = total.and_then(|l| l.value(k));
        let vehicle =
            || Some(total?.value("vehicle_purchase")? + total?.value("vehicle_operation")?);
        shown(if k == "vehicle" {
            direct.or_else(vehicle)
        } else {
            direct
        })
    };
    let twice = |f: &dyn Fn(&(&str, &str, &str)) -> String| -> Vec<String> {
        parts.iter().flat_map(|p| [f(p), f(p)]).collect()
    };
    let header = vec![
        twice(&|_| "财政拨款“三公”经费".to_string()),
        twice(&|p| p.0.to_string()),
        twice(&|p| p.1.to_string()),
        parts
            .iter()
            .flat_map(|_| ["预算数".to_string(), "决算数".to_string()])
            .collect(),
    ];
    let row: Vec<String> = twice(&|p| v(p.2));
    let empty = row.iter().all(String::is_empty);
    PrintedTable {
        unit: "万元".into(),
        header,
        rows: vec![row],
        notes_printed: if empty {
            vec![format!(
                "说明：{dept}本年度没有财政拨款“三公”经费支出，故本表无数据。"
            )]
        } else {
            vec![]
        },
        title_printed: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_runs_across_and_down() {
        let h = |rows: &[&[&str]]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect()
        };
        let m = header_merges(
            &h(&[&["项目", "项目", "合计"], &["编码", "名称", "合计"]]),
            2,
        );
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].first_col, m[0].last_col, m[0].last_row), (0, 1, 2));
        assert_eq!((m[1].first_col, m[1].last_col, m[1].last_row), (2, 2, 3));
    }
}
