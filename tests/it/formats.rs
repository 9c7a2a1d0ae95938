//! The same budget as .xlsx, .xls (BIFF8, as WPS and Excel 2003 save it), .xlsm and .ods
//! exports identical JSON; files are recognised by their content, not their extension;
//! formulas are read through their cached values.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::common::*;
use assert_cmd::Command;
use yusuan_grid::Format;

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/formats").join(name)
}

fn export(p: &Path) -> String {
    let out = Command::cargo_bin("yusuan")
        .unwrap()
        .arg("export")
        .arg(p)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn xls_ods_and_xlsm_export_the_same_json_as_xlsx() {
    let want = export(&sample("luojiang-zhujianju-2023"));
    for f in ["zhujianju.xls", "zhujianju.ods", "zhujianju.xlsm"] {
        assert_eq!(export(&fixture(f)), want, "{f}");
    }
    // the real Shanghai template too (merges lost in .ods: headers still placed)
    let want = export(&root().join("tests/data/shanghai-putuo-2026-department-template.xlsx"));
    for f in ["shanghai.xls", "shanghai.ods"] {
        assert_eq!(export(&fixture(f)), want, "{f}");
    }
}

#[test]
fn the_format_comes_from_the_content() {
    for (f, format) in [
        ("zhujianju.xls", Format::Xls),
        ("zhujianju.ods", Format::Ods),
        ("zhujianju.xlsm", Format::Xlsx),
    ] {
        assert_eq!(grid(&fixture(f)).format, format, "{f}");
    }
    // an .xls renamed .xlsx and an .xlsx renamed .xls are still read
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("其实是xls.xlsx");
    std::fs::copy(fixture("zhujianju.xls"), &a).unwrap();
    let b = dir.path().join("其实是xlsx.xls");
    std::fs::copy(sample("luojiang-zhujianju-2023"), &b).unwrap();
    let want = load(&sample("luojiang-zhujianju-2023"));
    for p in [&a, &b] {
        assert_same_figures(&load(p), &want, &p.display().to_string());
    }
}

#[test]
fn check_and_convert_take_xls_and_ods() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["zhujianju.xls", "zhujianju.ods"] {
        Command::cargo_bin("yusuan")
            .unwrap()
            .arg("check")
            .arg(fixture(f))
            .assert()
            .success();
        let out = dir.path().join(format!("{f}.公开.xlsx"));
        Command::cargo_bin("yusuan")
            .unwrap()
            .arg("convert")
            .arg(fixture(f))
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        assert_same_figures(&load(&out), &load(&sample("luojiang-zhujianju-2023")), f);
    }
}

/// Turn the numbers of the 合计 row of 表3 into formulas (`SUM` of the rows below)
/// that keep their cached results, as Excel saves them.
fn with_formulas(src: &Path, dst: &Path) -> usize {
    let b = load(src);
    let t3 = b.table(yusuan::TableId::T3).unwrap();
    let total = t3.total().unwrap();
    let last = t3.lines.last().unwrap().row + 1;
    let cells: Vec<String> = total.amounts.iter().map(|(_, a)| a.at.a1()).collect();
    let sheet_no = grid(src)
        .sheets
        .iter()
        .position(|s| s.name == "表3")
        .unwrap()
        + 1;
    let mut z = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let mut changed = 0;
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = String::new();
        let mut bytes = Vec::new();
        if f.read_to_string(&mut data).is_err() {
            f.read_to_end(&mut bytes).unwrap();
        } else if name == format!("xl/worksheets/sheet{sheet_no}.xml") {
            for c in &cells {
                let col: String = c.chars().take_while(|x| x.is_ascii_alphabetic()).collect();
                let re =
                    regex::Regex::new(&format!(r#"(<c r="{c}"[^>]*>)(<v>[^<]*</v>)"#)).unwrap();
                let formula = format!("<f>SUM({col}{}:{col}{last})</f>", total.row + 2);
                let before = data.clone();
                data = re
                    .replace(&data, |m: &regex::Captures| {
                        format!("{}{formula}{}", &m[1], &m[2])
                    })
                    .into_owned();
                changed += usize::from(data != before);
            }
        }
        out.start_file(&name, zip::write::SimpleFileOptions::default())
            .unwrap();
        if bytes.is_empty() {
            out.write_all(data.as_bytes()).unwrap();
        } else {
            out.write_all(&bytes).unwrap();
        }
    }
    out.finish().unwrap();
    changed
}

#[test]
fn formulas_are_read_through_their_cached_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("公式.xlsx");
    let n = with_formulas(&sample("luojiang-zhujianju-2023"), &p);
    assert_eq!(n, 3, "合计, 基本支出, 项目支出 of 表3 are formulas now");
    let g = grid(&p);
    assert!(g.sheet("表3").is_some());
    // calamine reports the cached value; the formulas are there but change nothing
    assert_same_figures(
        &load(&p),
        &load(&sample("luojiang-zhujianju-2023")),
        "cached values",
    );
    let r = yusuan::check(&load(&p), yusuan::CodeLists::builtin(), None);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}
