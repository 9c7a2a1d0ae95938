//! `yusuan convert`: the disclosure workbook's titles, values, merged headers, number
//! formats and print setup (read back, and inspected in the xlsx XML), determinism,
//! units, refusal on errors, and the round trip model → workbook → model.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::common::*;
use assert_cmd::Command;
use predicates::prelude::*;
use proptest::prelude::*;
use regex::Regex;
use rust_decimal::Decimal;
use yusuan::{CodeLists, TableId};
use yusuan_grid::Cell;

fn yusuan() -> Command {
    Command::cargo_bin("yusuan").unwrap()
}

/// Every file of an xlsx archive by name.
fn parts(p: &Path) -> HashMap<String, String> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
    let mut out = HashMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut s = String::new();
        if f.read_to_string(&mut s).is_ok() {
            out.insert(name, s);
        }
    }
    out
}

fn convert_sample(dir: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join("out.xlsx");
    yusuan()
        .arg("convert")
        .arg(sample("luojiang-zhengxieban-2023"))
        .arg("-o")
        .arg(&out)
        .args(extra)
        .assert()
        .success()
        .stderr(predicate::str::contains("已生成公开表"));
    out
}

#[test]
fn every_table_sheet_is_formatted_and_print_ready() {
    let dir = tempfile::tempdir().unwrap();
    let out = convert_sample(dir.path(), &[]);
    let g = grid(&out);
    let cat = yusuan_core::Catalog::get();
    let names: Vec<&str> = g.sheets.iter().map(|s| s.name.as_str()).collect();
    let mut want = vec!["封面", "目录", "情况说明"];
    want.extend(TableId::ALL.iter().skip(1).map(|id| id.label()));
    assert_eq!(
        names, want,
        "the 情况说明 first, then the tables in the standard order"
    );
    // 目录: every part with the page it starts on (cover 1, 目录 2).
    let toc = g.sheet("目录").unwrap();
    assert_eq!(toc.shown_text(1, 2), "页码");
    let pages: Vec<f64> = (2..2 + names.len() as u32 - 2)
        .map(|r| match toc.get(r, 2) {
            Some(yusuan_grid::Cell::Number(n)) => *n,
            other => panic!("page of row {r}: {other:?}"),
        })
        .collect();
    assert_eq!(pages[0], 3.0, "{pages:?}");
    assert!(pages.windows(2).all(|w| w[1] > w[0]), "{pages:?}");
    // The cover: the department once, the title, the date.
    let cover = g.sheet("封面").unwrap();
    let texts: Vec<String> = cover
        .rows()
        .flat_map(|(_, c)| c.iter().map(|(_, v)| v.display()))
        .collect();
    assert_eq!(
        texts
            .iter()
            .filter(|t| t.contains("德阳市罗江区政协办公室"))
            .count(),
        1,
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t == "2023年部门预算"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.ends_with('日') && t.contains('年')),
        "a date: {texts:?}"
    );
    // Tables first when asked.
    let b = dir.path().join("b");
    std::fs::create_dir(&b).unwrap();
    let other = convert_sample(&b, &["--order", "tables-first", "--date", "2023年3月1日"]);
    let og = grid(&other);
    assert_eq!(og.sheets.last().unwrap().name, "情况说明");
    assert!(
        og.sheet("封面")
            .unwrap()
            .rows()
            .any(|(_, c)| c.iter().any(|(_, v)| v.display() == "2023年3月1日"))
    );
    let x = parts(&out);
    let styles = &x["xl/styles.xml"];
    // the custom number format #,##0.00 and the xf indices that use it
    let fmt_id = Regex::new(r#"<numFmt numFmtId="(\d+)" formatCode="\#,\#\#0\.00"/>"#)
        .unwrap()
        .captures(styles)
        .expect("#,##0.00 defined")[1]
        .to_string();
    let xfs_block = styles
        .split("<cellXfs")
        .nth(1)
        .unwrap()
        .split("</cellXfs>")
        .next()
        .unwrap();
    let xf_fmt: Vec<String> = Regex::new(r#"<xf numFmtId="(\d+)""#)
        .unwrap()
        .captures_iter(xfs_block)
        .map(|c| c[1].to_string())
        .collect();
    let workbook = &x["xl/workbook.xml"];
    let number_cell = Regex::new(r#"<c r="[A-Z]+\d+" s="(\d+)"(?: t="n")?><v>"#).unwrap();
    for (i, id) in TableId::ALL.iter().skip(1).enumerate() {
        let spec = cat.table(*id);
        let sheet = g.sheet(id.label()).unwrap();
        // title, merged across the table, with department and year
        assert_eq!(
            sheet.shown_text(0, 0),
            format!("德阳市罗江区政协办公室2023年{}", spec.title),
            "{id}"
        );
        let title_merge = sheet
            .merges()
            .iter()
            .find(|m| m.first_row == 0)
            .expect("title merged");
        let ncols = spec.written_columns().count() as u32;
        assert_eq!(
            (title_merge.first_col, title_merge.last_col),
            (0, ncols - 1),
            "{id}"
        );
        // 部门 line and unit
        assert!(
            sheet
                .shown_text(1, 0)
                .starts_with("部门（单位）：德阳市罗江区政协办公室")
        );
        assert_eq!(sheet.shown_text(1, ncols - 1), "单位：万元", "{id}");
        // headers: grouped columns are merged over their group, others span both rows
        let grouped = spec.written_columns().any(|c| c.group.is_some());
        if grouped {
            assert!(
                sheet
                    .merges()
                    .iter()
                    .any(|m| m.first_row == 2 && (m.last_row == 3 || m.last_col > m.first_col)),
                "{id}"
            );
        }
        // print setup in the sheet XML (sheets 1 to 3 are 封面, 目录 and 情况说明)
        let xml = &x[&format!("xl/worksheets/sheet{}.xml", i + 4)];
        assert!(xml.contains(r#"paperSize="9""#), "{id} A4");
        assert!(
            xml.contains(r#"fitToHeight="0""#) && xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#),
            "{id} fit width"
        );
        assert_eq!(
            xml.contains(r#"orientation="landscape""#),
            spec.landscape || ncols > 6,
            "{id} orientation"
        );
        assert!(
            xml.contains("<oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter>"),
            "{id} footer"
        );
        assert!(xml.contains(r#"state="frozen""#), "{id} frozen");
        assert!(xml.contains("<pageMargins"), "{id} margins");
        assert!(
            workbook.contains(&format!(
                "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{}\">",
                i + 3
            )),
            "{id} repeat rows"
        );
        assert!(
            workbook.contains(&format!(
                "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"{}\">",
                i + 3
            )),
            "{id} print area"
        );
        // amount cells use #,##0.00: take the first numeric cell of the sheet
        let cell = number_cell.captures(xml);
        if let Some(c) = cell {
            let s: usize = c[1].parse().unwrap();
            assert_eq!(xf_fmt[s], fmt_id, "{id} amount format");
        }
        // a link back to the contents
        assert!(
            xml.contains("location=\"'目录'!A1\" display=\"返回目录\""),
            "{id} back link"
        );
    }
    // 目录 links to every table
    let toc = &x["xl/worksheets/sheet2.xml"];
    for id in TableId::ALL.iter().skip(1) {
        assert!(
            toc.contains(&format!("location=\"'{}'!A1\"", id.label())),
            "目录 → {id}"
        );
    }
    // document properties
    let core = &x["docProps/core.xml"];
    assert!(core.contains("<dc:title>德阳市罗江区政协办公室2023年部门预算</dc:title>"));
    assert!(core.contains("<dc:creator>德阳市罗江区政协办公室</dc:creator>"));
}

#[test]
fn values_codes_names_and_empty_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = convert_sample(dir.path(), &[]);
    let g = grid(&out);
    let b = load(&out);
    // the published workbook reads back to the submission's figures
    assert_same_figures(
        &b,
        &load(&sample("luojiang-zhengxieban-2023")),
        "disclosure",
    );
    // codes are text, amounts numbers rounded to two decimals
    let t3 = b.table(TableId::T3).unwrap();
    let l = t3.by_code("2010201").unwrap();
    let code_cell = g.sheet("表3").unwrap().get(l.row, 0).unwrap();
    assert_eq!(code_cell, &Cell::Text("2010201".into()));
    let amt = l.amount("total").unwrap();
    assert_eq!(
        g.sheet("表3").unwrap().get(amt.at.row, amt.at.col),
        Some(&Cell::Number(404.0))
    );
    // empty tables: header, 合计 row with zeros, and the right note
    for (id, fund) in [
        (TableId::T4, "政府性基金预算"),
        (TableId::T5, "国有资本经营预算"),
    ] {
        let t = b.table(id).unwrap();
        assert!(t.is_empty());
        assert!(t.total().is_some(), "{id} 合计");
        assert_eq!(
            t.note.as_ref().unwrap().value,
            format!("本部门2023年无{fund}拨款安排的支出，故本表为空表。")
        );
    }
    // the published workbook passes check
    let r = yusuan::check(&b, CodeLists::builtin(), None);
    let errors: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.severity != yusuan_rules::Severity::Info)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn converting_twice_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let a = convert_sample(dir.path(), &[]);
    let bytes = std::fs::read(&a).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = convert_sample(dir.path(), &[]);
    assert!(bytes == std::fs::read(&b).unwrap());
}

#[test]
fn yuan_and_wan_yuan_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let y = dir.path().join("y.xlsx");
    yusuan()
        .arg("convert")
        .arg(sample("luojiang-zhujianju-2023"))
        .args(["--unit", "元", "-o"])
        .arg(&y)
        .assert()
        .success();
    let by = load(&y);
    assert!(by.tables.iter().all(|t| t.unit == Some(yusuan::Unit::Yuan)));
    let t1 = by.table(TableId::T1).unwrap();
    assert_eq!(
        t1.fixed_value("income_total", "income"),
        Some(Decimal::from(29_171_500))
    );
    assert_same_figures(&by, &load(&sample("luojiang-zhujianju-2023")), "元");
    // and back: a 元 workbook converted to 万元, rounded half-up to two decimals
    let w = dir.path().join("w.xlsx");
    yusuan()
        .arg("convert")
        .arg(&y)
        .args(["--unit", "万元", "-o"])
        .arg(&w)
        .assert()
        .success();
    assert_same_figures(&load(&w), &by, "万元");
}

#[test]
fn conversion_to_wan_yuan_rounds_half_up() {
    // A 元 budget with figures that are not whole hundreds of 元.
    let dir = tempfile::tempdir().unwrap();
    let mut g = grid(&sample("luojiang-zhengxieban-2023"));
    let b = load(&sample("luojiang-zhengxieban-2023"));
    let t = b.table(TableId::T3_2).unwrap();
    let u = t.unit_at.clone().unwrap();
    let s = g.sheet_mut("表3-2").unwrap();
    s.set(u.row, u.col, Some(Cell::Text("单位：元".into())));
    let amounts: Vec<_> = t
        .lines
        .iter()
        .map(|l| l.amount("amount").unwrap().at.clone())
        .collect();
    // 合计 1100050, projects 600050 and 500000
    for (c, v) in amounts.iter().zip([1_100_050.0, 600_050.0, 500_000.0]) {
        s.set(c.row, c.col, Some(Cell::Number(v)));
    }
    let p = write_grid(&g, dir.path(), "mixed.xlsx");
    let out = dir.path().join("out.xlsx");
    // 表3 项目支出 110.00 万元 vs 表3-2 1,100,050 元: 50 元 apart, within rounding (info)
    yusuan()
        .arg("convert")
        .arg(&p)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let back = load(&out);
    let t32 = back.table(TableId::T3_2).unwrap();
    assert_eq!(t32.unit, Some(yusuan::Unit::WanYuan));
    // 600,050 元 = 60.005 万元 → 60.01 (half-up); 1,100,050 元 → 110.01
    let vals: Vec<Decimal> = t32
        .lines
        .iter()
        .map(|l| l.value("amount").unwrap())
        .collect();
    assert_eq!(
        vals,
        [
            Decimal::new(11001, 2),
            Decimal::new(6001, 2),
            Decimal::new(5000, 2)
        ]
    );
}

#[test]
fn errors_stop_conversion_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let p = faulty_sample(dir.path(), "有错.xlsx");
    let default_out = dir.path().join("有错.公开.xlsx");
    yusuan()
        .arg("convert")
        .arg(&p)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("K104"))
        .stderr(predicate::str::contains("未生成公开表"));
    assert!(!default_out.exists());
    let listing = |d: &Path| std::fs::read_dir(d).unwrap().count();
    assert_eq!(listing(dir.path()), 1, "nothing but the input");
    yusuan()
        .arg("convert")
        .arg(&p)
        .arg("--force")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("K104"))
        .stderr(predicate::str::contains("未通过校验"));
    assert!(default_out.exists(), "<name>.公开.xlsx beside the input");
    // A forced disclosure says that it failed the checks: on its cover, in the footer
    // of every sheet, in its document properties.
    let g = grid(&default_out);
    let cover = g.sheet("封面").unwrap();
    let said = (0..30).any(|r| {
        let t = cover.shown_text(r, 0);
        t.starts_with("未通过校验：有 ") && t.ends_with("条错误，仅供内部核对，不得公开")
    });
    assert!(said, "cover");
    let mut z = zip::ZipArchive::new(std::fs::File::open(&default_out).unwrap()).unwrap();
    let names: Vec<String> = z.file_names().flatten().map(|n| n.into_owned()).collect();
    let part = |z: &mut zip::ZipArchive<std::fs::File>, n: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name(n).unwrap(), &mut s).unwrap();
        s
    };
    let sheets: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .collect();
    assert!(sheets.len() > 3);
    for n in sheets {
        assert!(
            part(&mut z, n).contains("未通过校验&amp;C第 &amp;P 页"),
            "{n}"
        );
    }
    assert!(part(&mut z, "docProps/core.xml").contains("<dc:subject>未通过校验：有 "));
    // never over the input
    yusuan()
        .arg("convert")
        .arg(&p)
        .arg("-o")
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("与输入文件相同"));
}

#[test]
fn an_unwritable_output_is_a_clear_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    yusuan()
        .arg("convert")
        .arg(sample("luojiang-zhengxieban-2023"))
        .arg("-o")
        .arg(dir.path().join("没有的文件夹/out.xlsx"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("没有的文件夹"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

fn roundtrip(bytes: Vec<u8>) -> yusuan::Budget {
    let g = yusuan_grid::read_bytes(Path::new("rt.xlsx"), bytes).unwrap();
    yusuan_core::recognise(&g, CodeLists::builtin()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, .. ProptestConfig::default() })]

    /// Random consistent budgets → disclosure (万元 or 元) and submission workbooks →
    /// read back → the same figures, department and year.
    #[test]
    fn written_budgets_read_back_to_the_same_model(
        seed in any::<u64>(),
        items in 3usize..60,
        units in 1usize..8,
        yuan in any::<bool>(),
    ) {
        let generated = yusuan_testkit::corpus::generate(seed, yusuan_testkit::corpus::Size { items, units });
        let composed = yusuan_testkit::compose::compose(&generated.spec, CodeLists::builtin()).unwrap();
        let unit = if yuan { yusuan::Unit::Yuan } else { yusuan::Unit::WanYuan };
        let opts = yusuan_write::DisclosureOptions { unit: Some(unit), narrative: None, layout: None, ..Default::default() };
        let disclosed = roundtrip(yusuan_write::disclosure(&composed, &opts).unwrap().save_to_buffer().unwrap());
        prop_assert_eq!(&disclosed.figures(), &composed.figures());
        prop_assert_eq!(&disclosed.department, &composed.department);
        prop_assert_eq!(disclosed.year, composed.year);
        prop_assert_eq!(disclosed.summary(), composed.summary());
        let submitted = roundtrip(yusuan_write::submission(&composed).unwrap().save_to_buffer().unwrap());
        prop_assert_eq!(&submitted.figures(), &composed.figures());
        for e in &composed.info.entries {
            let key = e.key.as_deref().unwrap();
            prop_assert_eq!(submitted.info.text(key), Some(e.value.value.as_str()), "{}", key);
        }
    }
}

/// A long project name wraps in its column (the row grows) instead of being cut off.
#[test]
fn long_names_wrap_instead_of_being_cut() {
    let mut b = load(&sample("luojiang-zhengxieban-2023"));
    let long = "政协委员履职能力提升暨基层协商民主建设示范点打造及成果宣传推广专项工作经费";
    let t = b.tables.iter_mut().find(|t| t.id == TableId::T3).unwrap();
    let line = t
        .lines
        .iter_mut()
        .find(|l| l.code.as_deref() == Some("2010299"))
        .unwrap();
    line.name = long.into();
    let mut wb = yusuan_write::disclosure(&b, &Default::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("公开.xlsx");
    yusuan_write::save_workbook(&mut wb, &p).unwrap();
    let g = grid(&p);
    let (row, col) = find(&g, "表3", long);
    let x = parts(&p);
    let names: Vec<&str> = g.sheets.iter().map(|s| s.name.as_str()).collect();
    let n = names.iter().position(|s| *s == "表3").unwrap() + 1;
    let xml = &x[&format!("xl/worksheets/sheet{n}.xml")];
    let tag = Regex::new(&format!(r#"<row r="{}"[^>]*>"#, row + 1)).unwrap();
    let tag = tag.find(xml).unwrap().as_str();
    assert!(tag.contains(r#"customHeight="1""#), "the row grows: {tag}");
    let width = Regex::new(&format!(
        r#"<col min="{0}" max="{0}" width="([\d.]+)""#,
        col + 1
    ))
    .unwrap()
    .captures(xml)
    .unwrap()[1]
        .parse::<f64>()
        .unwrap();
    assert!(width <= 62.0, "the column stays printable: {width}");
    assert!(x["xl/styles.xml"].contains(r#"wrapText="1""#));
}
