//! The Shanghai Putuo layout: the real 部门 and 单位 templates (tests/data, copied from
//! shared/data/variants) filled with a consistent budget — tables in 元 with split
//! 类|款|项 columns and 合计 at the bottom, the 三公 table in 万元 with 机关运行经费 —
//! read into the same model, checked, and converted to the canonical disclosure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::common::*;
use rust_decimal::Decimal;
use yusuan::{Budget, CodeLists, TableId};
use yusuan_core::{Line, LineKind, Table};
use yusuan_grid::{Cell, Grid, Sheet};
use yusuan_rules::{Severity, Status};

fn composed() -> Budget {
    let text =
        std::fs::read_to_string(root().join("tests/data/shanghai-putuo-caizhengju-2026.toml"))
            .unwrap();
    yusuan_testkit::compose::compose(
        &yusuan_testkit::compose::BudgetSpec::from_toml(&text).unwrap(),
        CodeLists::builtin(),
    )
    .unwrap()
}

fn template(kind: &str) -> PathBuf {
    root().join(format!(
        "tests/data/shanghai-putuo-2026-{kind}-template.xlsx"
    ))
}

/// 万元 → 元 as a cell number.
fn yuan(v: Decimal) -> Cell {
    Cell::Number((v * Decimal::from(10_000)).to_string().parse().unwrap())
}

fn cols(t: &Table) -> HashMap<String, u32> {
    t.columns.iter().map(|c| (c.key.clone(), c.col)).collect()
}

/// The value of column `key` of one of our lines, for a Shanghai column.
fn value(l: &Line, key: &str) -> Decimal {
    match key {
        "fiscal" => ["gpb", "fund", "soe"]
            .iter()
            .filter_map(|k| l.value(k))
            .sum(),
        k => l.value(k).unwrap_or_default(),
    }
}

fn clear_rows(s: &mut Sheet, from: u32, to: u32, columns: &[u32]) {
    for r in from..to {
        for c in columns {
            s.set(r, *c, None);
        }
    }
}

fn fill_classified(s: &mut Sheet, tt: &Table, ours: &Table) {
    let cols = cols(tt);
    let first = tt.header_rows.1 + 1;
    let mut total_row = tt.total().unwrap().row;
    let all_cols: Vec<u32> = (0..=s.last_col().unwrap()).collect();
    clear_rows(s, first, total_row, &all_cols);
    let lines: Vec<&Line> = ours.coded().collect();
    while (total_row - first) < lines.len() as u32 + 1 {
        s.insert_row(total_row);
        total_row += 1;
    }
    let amount_keys: Vec<&String> = cols
        .keys()
        .filter(|k| !k.starts_with("code") && *k != "name")
        .collect();
    for (i, l) in lines.iter().enumerate() {
        let r = first + i as u32;
        let code = l.code.as_deref().unwrap();
        s.set(
            r,
            cols["code_class"],
            Some(Cell::Number(code[..3].parse().unwrap())),
        );
        if code.len() >= 5 {
            s.set(r, cols["code_kuan"], Some(Cell::Text(code[3..5].into())));
        }
        if code.len() == 7 {
            s.set(r, cols["code_item"], Some(Cell::Text(code[5..].into())));
        }
        s.set(r, cols["name"], Some(Cell::Text(l.name.clone())));
        for k in &amount_keys {
            s.set(r, cols[k.as_str()], Some(yuan(value(l, k))));
        }
    }
    let total = ours.total().unwrap();
    for k in &amount_keys {
        s.set(total_row, cols[k.as_str()], Some(yuan(value(total, k))));
    }
    if let Some(note) = &ours.note {
        s.set(
            first + lines.len() as u32,
            0,
            Some(Cell::Text(note.value.clone())),
        );
    }
}

fn fill_balance(s: &mut Sheet, tt: &Table, ours: &Table, t12: &Table) {
    let cols = cols(tt);
    // income side: the template's fixed rows
    for l in tt
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Fixed && l.side == Some(yusuan_core::Side::Income))
    {
        let key = l.key.as_deref().unwrap();
        let v = match key {
            "fiscal" => ["gpb", "fund", "soe"]
                .iter()
                .filter_map(|k| ours.fixed_value(k, "income"))
                .sum(),
            k => ours.fixed_value(k, "income").unwrap_or_default(),
        };
        s.set(l.row, cols["income"], Some(yuan(v)));
    }
    // expenditure side: our 类 lines from the first data row, then 支出总计
    let first = tt.header_rows.1 + 1;
    let total_row = tt.fixed("expenditure_total").unwrap().row;
    let exp_cols: Vec<u32> = tt
        .columns
        .iter()
        .filter(|c| {
            c.key.starts_with("expenditure")
                || ["total", "gpb", "fund", "soe"].contains(&c.key.as_str())
        })
        .map(|c| c.col)
        .collect();
    clear_rows(s, first, total_row, &exp_cols);
    let amount = |l: &Line, key: &str| -> Decimal {
        match key {
            // unit-level 表1: 人员经费 = 基本支出, 公用经费 0 (per 类, from 表1-2)
            "expenditure_personnel" | "expenditure_basic" | "expenditure_project" => {
                let k = if key == "expenditure_project" {
                    "project"
                } else {
                    "basic"
                };
                match &l.code {
                    Some(code) => t12
                        .by_code(code)
                        .and_then(|x| x.value(k))
                        .unwrap_or_default(),
                    None => t12.total().and_then(|x| x.value(k)).unwrap_or_default(),
                }
            }
            "expenditure_public" => Decimal::ZERO,
            k => l.value(k).unwrap_or_default(),
        }
    };
    let keys: Vec<&String> = cols
        .keys()
        .filter(|k| {
            *k != "expenditure_item"
                && (k.starts_with("expenditure")
                    || ["total", "gpb", "fund", "soe"].contains(&k.as_str()))
        })
        .collect();
    let classes: Vec<&Line> = ours
        .coded()
        .filter(|l| l.side == Some(yusuan_core::Side::Expenditure))
        .collect();
    for (i, l) in classes.iter().enumerate() {
        let r = first + i as u32;
        s.set(
            r,
            cols["expenditure_item"],
            Some(Cell::Text(l.name.clone())),
        );
        for k in &keys {
            s.set(r, cols[k.as_str()], Some(yuan(amount(l, k))));
        }
    }
    let total = ours.fixed("expenditure_total").unwrap();
    for k in &keys {
        s.set(total_row, cols[k.as_str()], Some(yuan(amount(total, k))));
    }
}

fn fill_three_public(s: &mut Sheet, tt: &Table, b: &Budget) {
    let cols = cols(tt);
    let row = tt.header_rows.1 + 1;
    let total = b.table(TableId::T3_3).unwrap().total().unwrap();
    for (k, col) in &cols {
        let v = match k.as_str() {
            "office_operation" => b.info.number("office_operation").unwrap(),
            k => total.value(k).unwrap_or_default(),
        };
        // this table is in 万元
        s.set(
            row,
            *col,
            Some(Cell::Number(v.to_string().parse().unwrap())),
        );
    }
}

/// A Shanghai template filled with the budget.
fn filled(kind: &str) -> (Grid, Budget) {
    let b = composed();
    let mut g = grid(&template(kind));
    let t = yusuan_core::recognise(&g, CodeLists::builtin()).unwrap();
    assert_eq!(t.layout, "shanghai");
    for s in &mut g.sheets {
        let marks: Vec<(u32, u32)> = s
            .rows()
            .flat_map(|(r, cells)| {
                cells
                    .iter()
                    .filter(|(_, c)| {
                        c.as_text()
                            .is_some_and(|t| t.starts_with("编制部门") || t.starts_with("编制单位"))
                    })
                    .map(move |(c, _)| (r, *c))
            })
            .collect();
        for (r, c) in marks {
            let label = s.get(r, c).unwrap().display();
            s.set(
                r,
                c,
                Some(Cell::Text(format!(
                    "{}{}",
                    label.trim(),
                    b.department_name()
                ))),
            );
        }
    }
    for tt in &t.tables {
        let s = g.sheet_mut(&tt.sheet).unwrap();
        match tt.id {
            TableId::T1 | TableId::T2 => fill_balance(
                s,
                tt,
                b.table(tt.id).unwrap(),
                b.table(TableId::T1_2).unwrap(),
            ),
            TableId::T3_3 => fill_three_public(s, tt, &b),
            _ => fill_classified(s, tt, b.table(tt.id).unwrap()),
        }
    }
    // These workbooks test the tables: the template's text sheets, still holding the
    // template's placeholder text, are left out (their text is read and checked since
    // the workbook's own 情况说明 is; see the real Wanli sample for filled ones).
    let texts: Vec<String> = t.texts.iter().map(|x| x.sheet.clone()).collect();
    g.sheets.retain(|s| !texts.contains(&s.name));
    (g, b)
}

fn written(g: &Grid, dir: &Path, name: &str) -> PathBuf {
    write_grid(g, dir, name)
}

#[test]
fn filled_shanghai_workbooks_read_check_and_convert() {
    for kind in ["department", "unit"] {
        let dir = tempfile::tempdir().unwrap();
        let (g, ours) = filled(kind);
        let p = written(&g, dir.path(), &format!("{kind}.xlsx"));
        let b = load(&p);
        assert_eq!(b.layout, "shanghai", "{kind}");
        assert_eq!(
            b.department.as_deref(),
            Some("上海市普陀区财政局"),
            "{kind}"
        );
        assert_eq!(b.year, Some(2026));
        // the nine Shanghai tables, in 元 except the 三公 table
        let ids: Vec<TableId> = b.tables.iter().map(|t| t.id).collect();
        assert_eq!(
            ids,
            [
                TableId::T1,
                TableId::T1_1,
                TableId::T1_2,
                TableId::T2,
                TableId::T3,
                TableId::T3_1,
                TableId::T3_3,
                TableId::T4,
                TableId::T5
            ],
            "{kind}"
        );
        for t in &b.tables {
            let want = if t.id == TableId::T3_3 {
                yusuan::Unit::WanYuan
            } else {
                yusuan::Unit::Yuan
            };
            assert_eq!(t.unit, Some(want), "{kind} {}", t.id);
        }
        // the same summary as the budget written into it
        // (the Shanghai 表1 prints no 本年收入合计, 本年支出合计 or 结转 rows)
        let stated = |x: &Budget| yusuan_core::Summary {
            income_this_year: None,
            expenditure_this_year: None,
            opening_balance: None,
            closing_balance: None,
            ..x.summary()
        };
        assert_eq!(stated(&b), stated(&ours), "{kind}");
        // same figures, table by table, where the layouts hold the same columns
        let sub = |x: &Budget| {
            x.figures()
                .into_iter()
                .filter(|(k, _)| {
                    ["表1-2|", "表3|", "表3-1|", "表4|", "表5|"]
                        .iter()
                        .any(|p| k.starts_with(p))
                })
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        assert_eq!(sub(&b), sub(&ours), "{kind}");
        // the 三公 table's 机关运行经费 column is read too
        let t33 = b.table(TableId::T3_3).unwrap();
        assert_eq!(
            t33.total().unwrap().value("office_operation"),
            Some(Decimal::new(31025, 2))
        );
        // check: no errors; what the layout lacks is not run, not failed
        let r = yusuan::check(&b, CodeLists::builtin(), None);
        let bad: Vec<String> = r
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .map(|f| format!("{} {} {}", f.rule, f.location(), f.message))
            .collect();
        assert!(bad.is_empty(), "{kind}:\n{}", bad.join("\n"));
        assert_eq!(r.status("S001"), Some(Status::Passed));
        let x207 = r.ledger.iter().find(|e| e.rule == "X207").unwrap();
        assert_eq!(
            (x207.status, x207.reason.as_deref()),
            (
                Status::NotRun,
                Some(
                    "上海市区级部门（单位）预算公开表（九张表）不含表2-1（财政拨款支出预算表（部门经济分类科目））"
                )
            )
        );
        let x206 = r.ledger.iter().find(|e| e.rule == "X206").unwrap();
        assert_eq!(x206.status, Status::Passed);
        assert!(x206.reason.as_deref().unwrap().contains("不含表3-2"));
        // published by default in its own layout, which reads back to the same model
        let own = dir.path().join("公开-上海.xlsx");
        assert_cmd::Command::cargo_bin("yusuan")
            .unwrap()
            .arg("convert")
            .arg(&p)
            .arg("-o")
            .arg(&own)
            .assert()
            .success();
        let o = load(&own);
        assert_eq!(o.layout, "shanghai", "{kind}");
        assert_eq!(o.figures(), b.figures(), "{kind}");
        // converted to the canonical disclosure on request, which reads back to the
        // same summary
        let out = dir.path().join("公开.xlsx");
        assert_cmd::Command::cargo_bin("yusuan")
            .unwrap()
            .arg("convert")
            .arg(&p)
            .args(["--layout", "sichuan", "--unit", "万元"])
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        let c = load(&out);
        assert_eq!(stated(&c), stated(&ours), "{kind} converted");
        assert!(
            c.tables
                .iter()
                .all(|t| t.unit == Some(yusuan::Unit::WanYuan))
        );
        assert_eq!(c.table(TableId::T1).unwrap().sheet, "表1");
        assert_eq!(
            c.tables.len(),
            9,
            "only the tables that were submitted are published"
        );
    }
}

#[test]
fn a_shanghai_mistake_is_found_in_yuan() {
    // 教育支出… no: one 项 of the 一般公共预算 table off by 100 元.
    let dir = tempfile::tempdir().unwrap();
    let (mut g, _) = filled("department");
    let b = load(&written(&g, dir.path(), "ok.xlsx"));
    let t3 = b.table(TableId::T3).unwrap();
    let a = t3
        .by_code("2010601")
        .unwrap()
        .amount("total")
        .unwrap()
        .at
        .clone();
    let v = t3.by_code("2010601").unwrap().value("total").unwrap() + Decimal::from(100);
    g.sheet_mut(&a.sheet).unwrap().set(
        a.row,
        a.col,
        Some(Cell::Number(v.to_string().parse().unwrap())),
    );
    let r = yusuan::check(
        &load(&written(&g, dir.path(), "bad.xlsx")),
        CodeLists::builtin(),
        None,
    );
    let kuan = t3
        .by_code("20106")
        .unwrap()
        .amount("total")
        .unwrap()
        .at
        .clone();
    let mut got: Vec<(&str, String)> = r
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .map(|f| (f.rule, f.location()))
        .collect();
    got.sort();
    let here = format!("{}!{}", a.sheet, a.a1());
    let mut want = vec![
        ("K103", here.clone()),
        ("K104", format!("{}!{}", kuan.sheet, kuan.a1())),
        ("X205", here),
    ];
    want.sort();
    assert_eq!(got, want, "{:?}", r.findings);
    let k103 = r.of("K103").next().unwrap();
    assert_eq!(
        (k103.unit, k103.difference.as_deref()),
        (Some("元"), Some("100.00"))
    );
}
