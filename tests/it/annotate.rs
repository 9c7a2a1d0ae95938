//! The annotated copy (`check --annotate`): the submission itself, every part the
//! marks do not need copied byte for byte, every cell keeping its own format (a marked
//! cell gets a copy of its format with a fill), a comment on every offending cell, and
//! a first sheet listing the findings with links; and a workbook whose package cannot
//! be edited (.xls, .ods) or whose sheet names and text xlsx cannot hold is rebuilt and
//! says so.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::common::*;
use assert_cmd::Command;
use quick_xml::events::Event;

fn yusuan() -> Command {
    Command::cargo_bin("yusuan").unwrap()
}

/// Every part of a package, inflated.
fn parts(p: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        out.insert(f.name().unwrap().to_string(), v);
    }
    out
}

fn text(parts: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(parts[name].clone()).unwrap()
}

/// Each element named `name` as (its attributes, its raw text from `<` to its end).
fn elements(xml: &str, name: &str) -> Vec<(BTreeMap<String, String>, String)> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut open: Option<(usize, BTreeMap<String, String>, usize)> = None;
    let mut depth = 0usize;
    loop {
        let start = r.buffer_position() as usize;
        let ev = r.read_event().unwrap();
        let end = r.buffer_position() as usize;
        match &ev {
            Event::Eof => return out,
            Event::Start(e) | Event::Empty(e) => {
                let attrs = || {
                    e.attributes()
                        .flatten()
                        .map(|a| (a.key.as_ref().to_string(), a.value.to_string()))
                        .collect::<BTreeMap<_, _>>()
                };
                if matches!(ev, Event::Start(_)) {
                    depth += 1;
                }
                if e.local_name().as_ref() == name && open.is_none() {
                    if matches!(ev, Event::Empty(_)) {
                        out.push((attrs(), xml[start..end].to_string()));
                    } else {
                        open = Some((start, attrs(), depth));
                    }
                }
            }
            Event::End(_) => {
                if let Some((s, a, d)) = open.take() {
                    if d == depth {
                        out.push((a, xml[s..end].to_string()));
                    } else {
                        open = Some((s, a, d));
                    }
                }
                depth -= 1;
            }
            _ => {}
        }
    }
}

/// The cell formats (`cellXfs/xf`) of a styles part, as attributes and children.
fn xfs(styles: &str) -> Vec<(BTreeMap<String, String>, String)> {
    let section = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    elements(section, "xf")
        .into_iter()
        .map(|(a, raw)| {
            let children = raw
                .find('>')
                .map(|i| raw[i + 1..].to_string())
                .unwrap_or_default();
            (a, children)
        })
        .collect()
}

/// Sheet name → part, from the workbook part and its relationships.
fn sheet_parts(p: &BTreeMap<String, Vec<u8>>) -> Vec<(String, String)> {
    let rels: BTreeMap<String, String> =
        elements(&text(p, "xl/_rels/workbook.xml.rels"), "Relationship")
            .into_iter()
            .map(|(a, _)| (a["Id"].clone(), a["Target"].clone()))
            .collect();
    elements(&text(p, "xl/workbook.xml"), "sheet")
        .into_iter()
        .map(|(a, _)| {
            let target = &rels[&a["r:id"]];
            (
                a["name"].clone(),
                format!("xl/{}", target.trim_start_matches("/xl/")),
            )
        })
        .collect()
}

/// A1 → format index of every cell of a sheet part.
fn cell_formats(xml: &str) -> BTreeMap<String, usize> {
    elements(xml, "c")
        .into_iter()
        .map(|(a, _)| (a["r"].clone(), a.get("s").map_or(0, |s| s.parse().unwrap())))
        .collect()
}

/// The part of a sheet from `<tag` to the end of `</tag>` (or the empty element).
fn section(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}"))?;
    let end = xml[start..]
        .find(&format!("</{tag}>"))
        .map(|e| start + e + tag.len() + 3)
        .or_else(|| xml[start..].find("/>").map(|e| start + e + 2))?;
    Some(xml[start..end].to_string())
}

/// The copy is the source with marks: see the module documentation. `marked` are the
/// (sheet, cell) of the findings.
fn assert_faithful(source: &Path, copy: &Path, marked: &BTreeSet<(String, String)>) {
    let src = parts(source);
    let out = parts(copy);
    let src_sheets = sheet_parts(&src);
    let out_sheets = sheet_parts(&out);
    assert_eq!(
        out_sheets[0].0, "问题清单",
        "the findings sheet comes first"
    );
    assert_eq!(
        out_sheets[1..].iter().map(|s| &s.0).collect::<Vec<_>>(),
        src_sheets.iter().map(|s| &s.0).collect::<Vec<_>>(),
        "every sheet, in order"
    );
    let edited: BTreeSet<&str> = marked
        .iter()
        .filter_map(|(s, _)| src_sheets.iter().find(|x| &x.0 == s).map(|x| x.1.as_str()))
        .collect();
    for (name, bytes) in &src {
        let may_change = edited.contains(name.as_str())
            || name.ends_with(".rels")
            || ["[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml"].contains(&name.as_str())
            || String::from_utf8_lossy(bytes).contains("tabSelected");
        assert!(out.contains_key(name), "{name} kept");
        if !may_change {
            assert!(&out[name] == bytes, "{name} copied byte for byte");
        }
    }
    let (src_xfs, out_xfs) = (
        xfs(&text(&src, "xl/styles.xml")),
        xfs(&text(&out, "xl/styles.xml")),
    );
    assert_eq!(
        out_xfs[..src_xfs.len()],
        src_xfs[..],
        "every format keeps its index"
    );
    for tag in ["numFmts", "fonts", "borders"] {
        let (a, b) = (
            section(&text(&src, "xl/styles.xml"), tag),
            section(&text(&out, "xl/styles.xml"), tag),
        );
        if let (Some(a), Some(b)) = (a, b) {
            let inner =
                |s: &str| s[s.find('>').unwrap()..s.rfind("</").unwrap_or(s.len())].to_string();
            assert!(
                inner(&b).starts_with(&inner(&a)),
                "{tag}: the source's entries first"
            );
        }
    }
    for (sheet, part) in &src_sheets {
        let (a, b) = (text(&src, part), text(&out, part));
        for tag in [
            "cols",
            "mergeCells",
            "pageSetup",
            "pageMargins",
            "sheetFormatPr",
        ] {
            assert_eq!(
                section(&a, tag),
                section(&b, tag),
                "{sheet}: {tag} unchanged"
            );
        }
        let (fa, fb) = (cell_formats(&a), cell_formats(&b));
        for (cell, s) in &fa {
            let t = fb[cell];
            if marked.contains(&(sheet.clone(), cell.clone())) {
                let (mut x, mut y) = (src_xfs[*s].clone(), out_xfs[t].clone());
                for m in [&mut x.0, &mut y.0] {
                    m.remove("fillId");
                    m.remove("applyFill");
                }
                assert_eq!(x, y, "{sheet}!{cell}: its own format with a fill");
                assert_ne!(out_xfs[t].0["fillId"], "0", "{sheet}!{cell} is filled");
            } else {
                assert_eq!(*s, t, "{sheet}!{cell}: format unchanged");
            }
        }
    }
    // A comment on every offending cell, in the comments of its sheet.
    let comments: String = out
        .iter()
        .filter(|(n, _)| n.starts_with("xl/comments"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    for (sheet, cell) in marked {
        assert!(
            comments.contains(&format!(r#"ref="{cell}""#)),
            "{sheet}!{cell} has a comment"
        );
    }
    // The findings sheet links to each cell.
    let list = text(&out, &out_sheets[0].1);
    for (sheet, cell) in marked {
        assert!(
            list.contains(&format!(r#"location="'{sheet}'!{cell}""#)),
            "a link to {sheet}!{cell}"
        );
    }
}

/// (sheet, cell) of every finding of a `check --format json` on `p` that has a cell.
fn finding_cells(p: &Path) -> BTreeSet<(String, String)> {
    let out = yusuan()
        .args(["check", "--format", "json"])
        .arg(p)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            Some((
                f["sheet"].as_str()?.to_string(),
                f["cell"].as_str()?.to_string(),
            ))
        })
        .collect()
}

fn annotate(p: &Path, out: &Path) -> std::process::Output {
    let o = yusuan()
        .arg("check")
        .arg(p)
        .arg("--annotate")
        .arg(out)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The 罗江 sample (formatted by yusuan's submission writer) with 表3!C5 changed in
/// its own package.
fn faulty_package(dir: &Path) -> PathBuf {
    let bytes = std::fs::read(sample("luojiang-zhengxieban-2023")).unwrap();
    let p = dir.join("有错误.xlsx");
    std::fs::write(
        &p,
        yusuan_testkit::package::set_number(&bytes, 7, "C5", 530.98),
    )
    .unwrap();
    p
}

#[test]
fn the_annotated_copy_is_the_submission_with_marks_added() {
    let dir = tempfile::tempdir().unwrap();
    let p = faulty_package(dir.path());
    let before = std::fs::read(&p).unwrap();
    let marked = finding_cells(&p);
    assert!(marked.contains(&("表3".into(), "C5".into())), "{marked:?}");
    let ann = dir.path().join("标注副本.xlsx");
    let o = annotate(&p, &ann);
    assert!(String::from_utf8_lossy(&o.stderr).contains("已生成标注副本"));
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("注意"),
        "nothing lost"
    );
    assert_eq!(std::fs::read(&p).unwrap(), before, "input untouched");
    assert_faithful(&p, &ann, &marked);
    assert_same_figures(&load(&ann), &load(&p), "annotated copy");
    let comments = text(&parts(&ann), "xl/comments2.xml");
    assert!(
        comments.contains("K104 错误：一般公共服务支出(201)的合计 530.98"),
        "{comments}"
    );
}

#[test]
fn a_real_excel_workbook_is_annotated_in_its_own_package() {
    // The official Putuo template as Excel saved it (shared strings, theme, print
    // titles by sheet index), with 财政拨款收入 not the sum of its parts.
    let template = root().join("tests/data/shanghai-putuo-2026-department-template.xlsx");
    let bytes = std::fs::read(&template).unwrap();
    let bytes = yusuan_testkit::package::set_number(&bytes, 7, "B8", 100.0);
    let bytes = yusuan_testkit::package::set_number(&bytes, 7, "B9", 90.0);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("收支总表有误.xlsx");
    std::fs::write(&p, bytes).unwrap();
    let marked = finding_cells(&p);
    assert!(
        marked.iter().any(|(s, _)| s == "部门收支总表"),
        "a finding in a cell of the filled table: {marked:?}"
    );
    let ann = dir.path().join("标注副本.xlsx");
    annotate(&p, &ann);
    assert_faithful(&p, &ann, &marked);
    // The print titles by sheet index still name the same sheet.
    let wb = text(&parts(&ann), "xl/workbook.xml");
    assert!(
        wb.contains(r#"localSheetId="11">部门一般公共预算拨款表!$6:$8"#),
        "{wb}"
    );
    assert_eq!(grid(&ann).sheets.len(), grid(&p).sheets.len() + 1);
}

#[test]
fn a_workbook_whose_package_cannot_be_edited_is_rebuilt_and_says_so() {
    // The sample as .ods: its cells are copied, marked, and the copy says what it lost.
    let ods = root().join("tests/fixtures/formats/zhujianju.ods");
    let mut g = grid(&ods);
    let dir = tempfile::tempdir().unwrap();
    let c = t3_total(&load(&ods), "212");
    g.sheet_mut("表3")
        .unwrap()
        .set(c.row, c.col, Some(yusuan_grid::Cell::Number(1.0)));
    // Sheet names and text an .xlsx cannot hold.
    let long = "说".repeat(40_000);
    g.sheet_mut("部门基本情况")
        .unwrap()
        .set(40, 0, Some(yusuan_grid::Cell::Text(long)));
    let budget = yusuan_core::recognise(&g, yusuan::CodeLists::builtin()).unwrap();
    let report = yusuan::check(&budget, yusuan::CodeLists::builtin(), None);
    assert!(report.has_errors());
    let mut bad_names = g.clone();
    bad_names.sheets[0].name = "部门/基本:情况[2024]*?这个名字超过了三十一个字符的长度限制".into();
    let copy = yusuan_write::annotated_copy(&[], &bad_names, &report, "罗江.ods").unwrap();
    let notes = copy.notes.join("\n");
    assert!(notes.contains("原文件为 .ods 格式"), "{notes}");
    assert!(
        notes.contains("不能使用，副本中改为“部门_基本_情况_2024"),
        "{notes}"
    );
    assert!(notes.contains("超过 xlsx 单元格上限 32,767 字"), "{notes}");
    let p = dir.path().join("标注副本.xlsx");
    std::fs::write(&p, &copy.bytes).unwrap();
    let read = grid(&p);
    assert_eq!(read.sheets[0].name, "问题清单");
    assert!(
        read.sheets[0].shown_text(1, 0).contains("未保留"),
        "the copy says it too"
    );
    let comments: String = parts(&p)
        .iter()
        .filter(|(n, _)| n.starts_with("xl/comments"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(comments.contains(&format!(r#"ref="{}""#, yusuan_grid::a1(c.row, c.col))));
    assert_same_figures(&load(&p), &budget, "rebuilt copy");
}

#[test]
fn check_says_in_chinese_what_an_xls_copy_does_not_keep() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("标注副本.xlsx");
    let o = yusuan()
        .arg("check")
        .arg(root().join("tests/fixtures/formats/shanghai.xls"))
        .arg("--annotate")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("注意：")
            && err.contains("shanghai.xls：原文件为 .xls 格式，本副本按单元格内容重建"),
        "{err}"
    );
    assert_eq!(grid(&out).sheets[0].name, "问题清单");
}
