//! Real published disclosures put back into the workbook they were submitted in.
//!
//! A published 部门预算 (tables as extracted from the PDF, rows as printed, and its
//! text sections) is written into the real Shanghai Putuo department template: the
//! template's sheets, titles, header bands and text sheets, with every published row,
//! label and figure in place of the template's examples. Figures are never changed:
//! a printed `2,932,700` becomes the number 2932700, a blank stays blank, `0` stays 0,
//! and codes stay as printed (`2` for `02`).

use std::collections::BTreeMap;

use serde::Deserialize;
use yusuan_grid::{Cell, Grid, Sheet};

use crate::SheetEdit;

/// One published table as extracted: its title and its rows as printed.
#[derive(Debug, Clone, Deserialize)]
pub struct PublishedTable {
    /// The title as printed (`2024年部门财务收支预算总表`).
    pub title: String,
    /// Every row as printed, header rows included; blank cells are `""`.
    pub rows: Vec<Vec<String>>,
}

/// The text sections of a published 部门预算.
#[derive(Debug, Clone, Default)]
pub struct PublishedTexts {
    /// 部门主要职能.
    pub functions: String,
    /// 部门机构设置.
    pub structure: String,
    /// 名词解释.
    pub terminology: String,
    /// 部门预算编制说明, followed in the dump by the tables' text.
    pub explanation: String,
    /// 其他相关情况说明, followed by 项目经费情况说明.
    pub other: String,
}

/// A published 部门预算: the department, the year, the tables by key and the texts.
#[derive(Debug, Clone)]
pub struct Published {
    /// The department as printed on the tables (`编制部门：…`).
    pub department: String,
    /// The budget year.
    pub year: i32,
    /// `budget_summary`, `income_summary`, … as in `tables.json`.
    pub tables: BTreeMap<String, PublishedTable>,
    /// The text sections.
    pub texts: PublishedTexts,
}

impl Published {
    /// Read `tables.json` and the `text-*.txt` files of a folder.
    pub fn read(dir: &std::path::Path) -> Result<Published, String> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{name}: {e}"))
        };
        let tables: BTreeMap<String, PublishedTable> =
            serde_json::from_str(&read("tables.json")?).map_err(|e| e.to_string())?;
        let first = tables
            .get("budget_summary")
            .and_then(|t| t.rows.first())
            .and_then(|r| r.first())
            .ok_or("budget_summary has no 编制部门 line")?;
        let department = first
            .split_once('：')
            .map(|(_, d)| d.trim().to_string())
            .ok_or("no 编制部门")?;
        let year = tables["budget_summary"]
            .title
            .get(..4)
            .and_then(|y| y.parse().ok())
            .ok_or("no year in the title")?;
        Ok(Published {
            department,
            year,
            tables,
            texts: PublishedTexts {
                functions: read("text-FUNCTION.txt")?,
                structure: read("text-STRUCTURE.txt")?,
                terminology: read("text-TERMINOLOGY.txt")?,
                explanation: read("text-EXPLANATION.txt")?,
                other: read("text-OTHER.txt")?,
            },
        })
    }
}

/// Whether a line starts a numbered item: `1.`/`1．`/`1、` (not `876.75`), `一、`,
/// `（一）`.
fn starts_item(line: &str) -> bool {
    let l = line.trim_start();
    let digits = l.chars().take_while(|c| c.is_ascii_digit()).count();
    let numbered = digits > 0 && {
        let mut rest = l[digits..].chars();
        rest.next().is_some_and(|c| matches!(c, '.' | '．' | '、'))
            && rest.next().is_none_or(|c| !c.is_ascii_digit())
    };
    let chinese = {
        let mut cs = l.chars();
        cs.next()
            .is_some_and(|c| "一二三四五六七八九十".contains(c))
            && cs
                .find(|c| !"一二三四五六七八九十".contains(*c))
                .is_some_and(|c| c == '、')
    };
    numbered || chinese || l.starts_with('（')
}

/// A short numbered line without a sentence in it: a heading, a paragraph of its own.
fn is_heading(line: &str) -> bool {
    starts_item(line) && !line.contains(['，', '。']) && line.chars().count() < 30
}

/// Paragraphs of a text extracted from a PDF: the PDF's line breaks inside a paragraph
/// are joined. A paragraph ends with `。` or `：`, at a heading, or where the next line
/// starts a numbered item (`1.`, `一、`, `（一）`); with `items_span_stops`, a numbered
/// item runs on past its sentences up to the next item.
pub fn paragraphs(text: &str, items_span_stops: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    let mut in_item = false;
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() {
            open = false;
            continue;
        }
        if open && !starts_item(l) {
            out.last_mut().expect("open paragraph").push_str(l);
        } else {
            in_item = starts_item(l);
            out.push(l.to_string());
        }
        let stop = l.ends_with('。') || l.ends_with('：');
        let last = out.last().map_or("", String::as_str);
        open = !is_heading(last) && (!stop || (items_span_stops && in_item));
    }
    out
}

/// A printed amount as a cell: `2,932,700` → 2932700; blank → no cell.
fn amount(s: &str) -> Option<Cell> {
    let t = s.trim().replace(',', "");
    if t.is_empty() {
        return None;
    }
    Some(match t.parse::<f64>() {
        Ok(n) => Cell::Number(n),
        Err(_) => Cell::Text(s.trim().to_string()),
    })
}

fn text(s: &str) -> Option<Cell> {
    (!s.trim().is_empty()).then(|| Cell::Text(s.to_string()))
}

/// A classified row as printed: `[类, (款), (项), 名称, amounts…]`.
struct CodedRow<'a> {
    codes: Vec<&'a str>,
    name: &'a str,
    amounts: Vec<&'a str>,
}

fn coded_row(row: &[String]) -> Option<CodedRow<'_>> {
    let first = row.first()?;
    if first.len() != 3 || !first.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut codes = vec![first.as_str()];
    let mut i = 1;
    while i < row.len()
        && codes.len() < 3
        && !row[i].is_empty()
        && row[i].len() <= 2
        && row[i].chars().all(|c| c.is_ascii_digit())
    {
        codes.push(&row[i]);
        i += 1;
    }
    let name = row.get(i)?.as_str();
    let amounts = row[i + 1..].iter().map(String::as_str).collect();
    Some(CodedRow {
        codes,
        name,
        amounts,
    })
}

/// The row of `sheet` (from `from`) whose first column reads `label` (folded).
fn find_row(sheet: &Sheet, from: u32, label: &str) -> Option<u32> {
    sheet
        .rows()
        .map(|(r, _)| r)
        .filter(|r| *r >= from)
        .find(|r| {
            sheet
                .get(*r, 0)
                .and_then(Cell::as_text)
                .is_some_and(|t| yusuan_core::text::fold(t) == label)
        })
}

fn clear(sheet: &mut Sheet, rows: std::ops::Range<u32>, cols: u32) {
    for r in rows {
        for c in 0..cols {
            sheet.set(r, c, None);
        }
    }
}

/// Make room for `n` body rows between `first` and the 合计 row `total`; returns the
/// 合计 row after rows were inserted.
fn make_room(sheet: &mut Sheet, first: u32, total: u32, n: u32, cols: u32) -> u32 {
    clear(sheet, first..total, cols);
    let mut total = total;
    while total - first < n {
        sheet.insert_row(total);
        total += 1;
    }
    total
}

/// The title row (`2026年…`) and the `编制部门：` line of a table sheet.
fn title_and_department(sheet: &mut Sheet, title: &str, department: &str) {
    for (r, c, cell) in sheet
        .cells()
        .map(|(r, c, x)| (r, c, x.clone()))
        .collect::<Vec<_>>()
    {
        let Cell::Text(t) = cell else { continue };
        if r <= 3 && t.contains("年") && t.contains("表") {
            sheet.set(r, c, Some(Cell::Text(title.to_string())));
        } else if t.starts_with("编制部门") || t.starts_with("编制单位") {
            let head = t.split_once('：').map_or(t.as_str(), |(h, _)| h);
            sheet.set(r, c, Some(Cell::Text(format!("{head}：{department}"))));
        }
    }
}

/// A classified table: body rows replaced by the published ones (codes in the split
/// 类|款|项 columns, the name after them, then the amounts), 合计 row filled.
fn fill_classified(
    sheet: &mut Sheet,
    t: &PublishedTable,
    total_row: Option<&[String]>,
    code_cols: u32,
) {
    let header_last = find_row(sheet, 0, "类").unwrap_or(7);
    let first = header_last + 1;
    let total = find_row(sheet, first, "合计").unwrap_or(first + 10);
    let body: Vec<CodedRow<'_>> = t.rows.iter().filter_map(|r| coded_row(r)).collect();
    let ncols = code_cols
        + 1
        + body
            .iter()
            .map(|r| r.amounts.len() as u32)
            .max()
            .unwrap_or(3);
    let total = make_room(sheet, first, total, body.len() as u32, ncols);
    for (i, r) in body.iter().enumerate() {
        let row = first + i as u32;
        for (k, code) in r.codes.iter().enumerate() {
            let cell = if k == 0 { amount(code) } else { text(code) };
            sheet.set(row, k as u32, cell);
        }
        sheet.set(row, code_cols, text(r.name));
        for (k, a) in r.amounts.iter().enumerate() {
            sheet.set(row, code_cols + 1 + k as u32, amount(a));
        }
    }
    if let Some(tr) = total_row.or_else(|| {
        t.rows
            .iter()
            .find(|r| r.first().is_some_and(|c| c == "合计"))
            .map(Vec::as_slice)
    }) {
        for (k, a) in tr.iter().skip(1).enumerate() {
            sheet.set(total, code_cols + 1 + k as u32, amount(a));
        }
    }
}

/// A balance table (收支总表, 财政拨款收支总表): both sides' rows as published, the
/// 总计 row in the template's last row.
fn fill_balance(sheet: &mut Sheet, t: &PublishedTable, ncols: u32) {
    let first = find_row(sheet, 0, "项目").map_or(7, |r| r + 1);
    let total = find_row(sheet, first, "收入总计").unwrap_or(first + 13);
    let rows: Vec<&Vec<String>> = t
        .rows
        .iter()
        .skip_while(|r| r.first().is_none_or(|c| c != "项目"))
        .skip(1)
        .collect();
    let (body, foot) = rows.split_at(rows.len().saturating_sub(1));
    let total = make_room(sheet, first, total, body.len() as u32, ncols);
    let put = |sheet: &mut Sheet, row: u32, cells: &[String]| {
        for (k, v) in cells.iter().enumerate() {
            // Labels in the first column of each side; amounts elsewhere.
            let label = k == 0 || k == 2;
            sheet.set(row, k as u32, if label { text(v) } else { amount(v) });
        }
    };
    for (i, r) in body.iter().enumerate() {
        put(sheet, first + i as u32, r);
    }
    if let Some(f) = foot.first() {
        put(sheet, total, f);
    }
}

/// The 三公 table: the published header years and the one row of figures.
fn fill_three_public(sheet: &mut Sheet, t: &PublishedTable) {
    let years: Vec<&String> = t
        .rows
        .iter()
        .flatten()
        .filter(|c| c.contains("预算数") || c.contains("机关运行经"))
        .collect();
    if let Some(y) = years.first() {
        sheet.set(3, 0, Some(Cell::Text(y.to_string())));
    }
    let year = t
        .rows
        .iter()
        .flatten()
        .find_map(|c| {
            c.strip_suffix("“三公”经费预算数")
                .and_then(|y| y.strip_suffix('年'))
        })
        .unwrap_or("");
    sheet.set(
        3,
        6,
        Some(Cell::Text(format!("{year}年机关运行经费预算数"))),
    );
    if let Some(figures) = t.rows.last() {
        for (k, v) in figures.iter().enumerate() {
            sheet.set(6, k as u32, amount(v));
        }
    }
}

/// The 合计 row of a classified table from the text dump of the tables, where the
/// extraction lost it: the line after the table's title that starts with `合计`.
fn total_from_dump(dump: &str, title: &str) -> Option<Vec<String>> {
    let start = dump.find(title)?;
    dump[start..]
        .lines()
        .find(|l| l.starts_with("合计"))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
}

/// Write a text sheet's body cell (the template's big merged `A3`).
fn set_text(sheet: &mut Sheet, row: u32, text: &str) {
    sheet.set(row, 0, Some(Cell::Text(text.to_string())));
}

/// The published 部门预算 in the real Shanghai Putuo department template.
pub fn shanghai_department(template: &Grid, p: &Published) -> Result<Grid, String> {
    let mut g = template.clone();
    let year = p.year.to_string();
    let dept = p.department.as_str();
    let table = |key: &str| p.tables.get(key).ok_or(format!("{key} missing"));
    let dump = p.texts.explanation.as_str();
    // The explanation proper ends where the tables' text begins.
    let first_title = &table("budget_summary")?.title;
    let explanation = dump.split(first_title.as_str()).next().unwrap_or(dump);
    let (other, project) = match p.texts.other.split_once("项目经费情况说明") {
        Some((o, pr)) => (o, pr),
        None => (p.texts.other.as_str(), ""),
    };
    for sheet in &mut g.sheets {
        let name = sheet.name.trim().to_string();
        match name.as_str() {
            "封面" => {
                sheet.set(
                    2,
                    0,
                    Some(Cell::Text(format!("上海市普陀区{year}年区级部门预算"))),
                );
                sheet.set(8, 0, Some(Cell::Text(format!("预算主管部门：{dept}"))));
            }
            "目录" => {
                for (r, c, cell) in sheet
                    .cells()
                    .map(|(r, c, x)| (r, c, x.clone()))
                    .collect::<Vec<_>>()
                {
                    if let Cell::Text(t) = cell {
                        sheet.set(r, c, Some(Cell::Text(t.replace("2026", &year))));
                    }
                }
            }
            "部门主要职能" => {
                sheet.set(0, 0, Some(Cell::Text(format!("{dept}主要职能"))));
                set_text(sheet, 2, &paragraphs(&p.texts.functions, false).join("\n"));
            }
            "部门机构设置" => {
                sheet.set(0, 0, Some(Cell::Text(format!("{dept}机构设置"))));
                set_text(sheet, 2, &paragraphs(&p.texts.structure, false).join("\n"));
            }
            "名词解释" => set_text(
                sheet,
                2,
                &paragraphs(&p.texts.terminology, false).join("\n"),
            ),
            "部门编制说明" => {
                sheet.set(0, 0, Some(Cell::Text(format!("{year}年部门预算编制说明"))));
                // The dump starts with a truncated heading (`2024年部门`).
                let explanation = explanation
                    .strip_prefix(&format!("{year}年部门\n"))
                    .unwrap_or(explanation);
                let paras = paragraphs(explanation, true);
                let paras: Vec<&String> = paras.iter().collect();
                let split = paras
                    .iter()
                    .position(|x| starts_item(x))
                    .unwrap_or(paras.len());
                let (intro, items) = paras.split_at(split);
                set_text(
                    sheet,
                    2,
                    &intro
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
                clear(sheet, 3..16, 13);
                for (i, item) in items.iter().enumerate() {
                    set_text(sheet, 3 + i as u32, item);
                }
            }
            "其他相关情况说明" => set_text(sheet, 2, &paragraphs(other, false).join("\n")),
            "项目经费情况说明" => {
                sheet.set(0, 0, Some(Cell::Text("项目经费情况说明".into())));
                set_text(sheet, 2, &paragraphs(project, false).join("\n"));
            }
            _ => {}
        }
    }
    let fill: [(&str, &str); 9] = [
        ("部门收支总表", "budget_summary"),
        ("部门收入总表", "income_summary"),
        ("部门支出总表", "expenditure_summary"),
        ("部门财政拨款收支总表", "fiscal_grant_summary"),
        ("部门一般公共预算拨款表", "general_budget"),
        ("部门政府性基金拨款表", "gov_fund_budget"),
        ("部门国有资本经营预算拨款表", "capital_budget"),
        ("部门一般公共预算拨款基本支出明细表", "basic_expenditure"),
        ("部门“三公”经费和机关运行费预算表", "three_public"),
    ];
    for (sheet_name, key) in fill {
        let t = table(key)?;
        let sheet = g
            .sheets
            .iter_mut()
            .find(|s| s.name.trim() == sheet_name)
            .ok_or(format!("template sheet {sheet_name} missing"))?;
        title_and_department(sheet, &t.title, dept);
        match key {
            "budget_summary" => fill_balance(sheet, t, 4),
            "fiscal_grant_summary" => fill_balance(sheet, t, 7),
            "three_public" => fill_three_public(sheet, t),
            "basic_expenditure" => fill_classified(sheet, t, None, 2),
            _ => {
                let lost = total_from_dump(dump, &t.title);
                let has_total = t
                    .rows
                    .iter()
                    .any(|r| r.first().is_some_and(|c| c == "合计"));
                let total = if has_total { None } else { lost };
                fill_classified(sheet, t, total.as_deref(), 3);
            }
        }
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_lines_are_joined_into_paragraphs() {
        let t = "收入预算15621.11万元，比2023年预算减少\n876.75万元。\n支出预算如下：\n1. “甲”科目，\n1.00万元。\n2. 乙经费减少\n3. 丙";
        assert_eq!(
            paragraphs(t, false),
            [
                "收入预算15621.11万元，比2023年预算减少876.75万元。",
                "支出预算如下：",
                "1. “甲”科目，1.00万元。",
                "2. 乙经费减少",
                "3. 丙"
            ]
        );
        let t = "1. “甲”科目1.00万元，主要用于甲。\n2023年执行数为0.5万元。\n2. 乙\n三、政府采购预算情况\n2024年本部门政府采购预算1.00万元。";
        assert_eq!(
            paragraphs(t, true),
            [
                "1. “甲”科目1.00万元，主要用于甲。2023年执行数为0.5万元。",
                "2. 乙",
                "三、政府采购预算情况",
                "2024年本部门政府采购预算1.00万元。"
            ]
        );
    }

    #[test]
    fn printed_rows_are_split_into_codes_name_and_amounts() {
        let r: Vec<String> = ["301", "2", "津贴补贴", "16,623,810", "16,623,810", "0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = coded_row(&r).unwrap();
        assert_eq!(c.codes, ["301", "2"]);
        assert_eq!(c.name, "津贴补贴");
        assert_eq!(c.amounts, ["16,623,810", "16,623,810", "0"]);
        assert_eq!(amount("16,623,810"), Some(Cell::Number(16_623_810.0)));
        assert_eq!(amount(""), None);
    }
}
