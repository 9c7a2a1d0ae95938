//! The explanation text: generated from the tables, and a written one checked against
//! the tables (the N rules), with the real seed text and its real mistakes.

use std::str::FromStr;

use crate::common::*;
use assert_cmd::Command;
use predicates::prelude::*;
use regex::Regex;
use rust_decimal::Decimal;
use yusuan::{Budget, CodeLists};
use yusuan_narrative::check::Text;
use yusuan_narrative::{Prior, generate};
use yusuan_rules::Report;

const ZXB: &str = "luojiang-zhengxieban-2023";

fn seed_text() -> String {
    std::fs::read_to_string(root().join("tests/data/seed-luojiang-zhengxieban-2023.txt")).unwrap()
}

fn check_text(b: &Budget, text: &str) -> Report {
    let t = Text::parse(text);
    yusuan::check(b, CodeLists::builtin(), Some(&t))
}

fn generated(b: &Budget) -> String {
    generate(b, CodeLists::builtin(), Prior::from_info(b)).to_text()
}

fn rules_at(r: &Report) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = r
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.location()))
        .collect();
    v.sort();
    v
}

fn describe(r: &Report) -> String {
    r.findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f.rule,
                f.location(),
                f.message,
                f.quote.as_deref().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// All figures `N万元` of a text as decimals.
fn amounts(text: &str) -> Vec<Decimal> {
    Regex::new(r"([0-9]+(?:\.[0-9]+)?)万元")
        .unwrap()
        .captures_iter(text)
        .map(|c| Decimal::from_str(&c[1]).unwrap())
        .collect()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn the_generated_text_states_every_figure_of_the_seed() {
    let b = load(&sample(ZXB));
    let n = generate(&b, CodeLists::builtin(), Prior::from_info(&b));
    assert!(n.warnings.is_empty(), "{:?}", n.warnings);
    let text = n.to_text();
    let section = |from: &str, to: &str| {
        let a = text.find(from).unwrap_or_else(|| panic!("{from}"));
        let z = text[a..].find(to).map_or(text.len(), |z| a + z);
        text[a..z].to_string()
    };
    // 三: 684.78, +194.10 against 2022; 574.78 at 83.94% and 110 at 16.06%
    let s3 = section("三、收支预算增减变化情况说明", "四、");
    assert!(
        s3.contains("收支总预算684.78万元，比2022年预算数增加194.10万元"),
        "{s3}"
    );
    assert!(s3.contains("基本支出574.78万元，占83.94%"), "{s3}");
    assert!(s3.contains("项目支出110.00万元，占16.06%"), "{s3}");
    assert!(
        s3.contains("一般公共预算拨款收入684.78万元，占100.00%"),
        "{s3}"
    );
    // 四 and 五: the 类 with their shares
    let s4 = section("四、财政拨款收支预算情况说明", "五、");
    assert!(s4.contains("财政拨款收支总预算684.78万元，比2022年预算数增加194.10万元"));
    let s5 = section("五、一般公共预算当年拨款情况说明", "六、");
    for (class, amount, share) in [
        ("一般公共服务支出", "530.88", "77.53"),
        ("社会保障和就业支出", "93.04", "13.59"),
        ("卫生健康支出", "20.53", "3.00"),
        ("住房保障支出", "40.33", "5.89"),
    ] {
        assert!(s4.contains(&format!("{class}{amount}万元")), "四 {class}");
        assert!(
            s5.contains(&format!("{class}{amount}万元，占{share}%")),
            "五 {class}"
        );
    }
    assert!(!text.contains("医疗卫生与计划生育"), "official names only");
    assert!(s5.contains("一般公共预算当年拨款684.78万元，比2022年预算数增加194.10万元"));
    // every 项 line of the seed data, with its purpose
    let seed: toml::Value = toml::from_str(
        &std::fs::read_to_string(root().join("tests/data/seed-luojiang-zhengxieban-2023.toml"))
            .unwrap(),
    )
    .unwrap();
    for it in seed["function_item"].as_array().unwrap() {
        let name = it["name"].as_str().unwrap();
        let total = d(it["total"].as_str().unwrap());
        let line = s5
            .lines()
            .find(|l| {
                l.contains(&format!("{name}（项）")) && l.contains(&format!("{total:.2}万元"))
            })
            .unwrap_or_else(|| panic!("no line for {name} {total}"));
        assert!(line.contains("主要用于"), "{line}");
    }
    // 六: 人员经费 / 公用经费
    let s6 = section("六、一般公共预算基本支出情况说明", "七、");
    assert!(
        s6.contains("基本支出574.78万元")
            && s6.contains("人员经费513.21万元")
            && s6.contains("公用经费61.57万元")
    );
    // 七: 三公 2 and its parts
    let s7 = section("七、“三公”经费", "八、");
    assert!(s7.contains("预算数2.00万元，与2022年预算数持平"), "{s7}");
    assert!(
        s7.contains("因公出国（境）费0.00万元")
            && s7.contains("公务接待费2.00万元")
            && s7.contains("公务用车购置费0.00万元")
            && s7.contains("公务用车运行费0.00万元")
    );
    // 八、九: the empty funds
    assert!(text.contains("无使用政府性基金预算拨款安排的支出"));
    assert!(text.contains("无使用国有资本经营预算拨款安排的支出"));
    // 十: 41.07, no procurement, 34.77, 110 under 绩效
    let s10 = section("十、其他重要事项", "十一、");
    assert!(s10.contains("机关运行经费财政拨款预算为41.07万元"));
    assert!(s10.contains("未安排政府采购预算"));
    assert!(s10.contains("截至2022年底") && s10.contains("固定资产总额34.77万元"));
    let perf = section("（四）绩效目标设置情况", "十一、");
    assert_eq!(amounts(&perf), vec![d("110.00")]);
    // the eleven sections in order
    let heads: Vec<&str> = text
        .lines()
        .filter(|l| {
            Regex::new(r"^[一二三四五六七八九十]+、")
                .unwrap()
                .is_match(l)
        })
        .collect();
    assert_eq!(heads.len(), 11, "{heads:?}");
    assert!(heads[10].starts_with("十一、名词解释"));
}

#[test]
fn shares_are_rounded_each_on_its_own() {
    // 20.53 / 684.78 = 2.998… → 3.00 (the seed forced 2.99 to make 100.00)
    assert_eq!(
        yusuan_narrative::share(d("20.53"), d("684.78")).unwrap(),
        "3.00"
    );
    assert_eq!(
        yusuan_narrative::share(d("530.88"), d("684.78")).unwrap(),
        "77.53"
    );
    assert_eq!(yusuan_narrative::share(d("1"), d("8")).unwrap(), "12.50");
    assert_eq!(yusuan_narrative::share(d("1"), d("0")), None);
}

#[test]
fn the_seed_text_gives_its_real_mistakes_and_nothing_else() {
    let b = load(&sample(ZXB));
    let r = check_text(&b, &seed_text());
    let want: Vec<(String, String)> = [
        ("N404", 14), // （二） twice in section 一
        ("N403", 35), // 医疗卫生与计划生育支出 (四)
        ("S005", 39), // (按照功能科目类写)
        ("N402", 40), // 2.99%
        ("N403", 40), // 医疗卫生与计划生育支出 (五)
        ("S005", 41), // （按功能科目类款项写）
        ("N403", 46), // 行政事业单位离退休
        ("N403", 47),
        ("N403", 48),
        ("N404", 50), // 1, 2, 4, 5
        ("N403", 51), // 0.56 named 行政单位医疗
        ("N403", 52), // 住房公积金支出
    ]
    .iter()
    .map(|(r, l)| (r.to_string(), format!("情况说明第 {l} 行")))
    .collect();
    let mut want = want;
    want.sort();
    assert_eq!(rules_at(&r), want, "\n{}", describe(&r));
    let share = r.of("N402").next().unwrap();
    assert_eq!(
        (share.actual.as_deref(), share.expected.as_deref()),
        (Some("2.99"), Some("3.00"))
    );
    assert!(share.message.contains("截尾或为凑足100%"));
    let wrong_item = r.findings.iter().find(|f| f.line == Some(51)).unwrap();
    assert!(
        wrong_item.message.contains("事业单位医疗(2101102)"),
        "{}",
        wrong_item.message
    );
    assert!(wrong_item.quote.as_deref().unwrap().contains("0.56万元"));
    // every figure was understood: no part of N401 was left unchecked
    let n401 = r.ledger.iter().find(|e| e.rule == "N401").unwrap();
    assert_eq!(n401.reason, None, "{n401:?}");
    assert!(!r.has_errors());
}

/// Positions of the amount figures of the seed that speak of the budget (not the
/// `单位价值200万元以上` threshold).
fn seed_figures(text: &str) -> Vec<(usize, usize)> {
    let re = Regex::new(r"[0-9]+(?:\.[0-9]+)?万元").unwrap();
    re.find_iter(text)
        .filter(|m| !text[..m.start()].ends_with("单位价值"))
        .map(|m| (m.start(), m.end() - "万元".len()))
        .collect()
}

#[test]
fn changing_any_one_figure_of_the_seed_gives_exactly_one_n401() {
    let b = load(&sample(ZXB));
    let text = seed_text();
    let figs = seed_figures(&text);
    assert!(figs.len() >= 40, "{}", figs.len());
    for (start, end) in figs {
        let old = Decimal::from_str(&text[start..end]).unwrap();
        let new = old + d("1.23");
        let mutated = format!("{}{}{}", &text[..start], new, &text[end..]);
        let r = check_text(&b, &mutated);
        let n401: Vec<_> = r.of("N401").collect();
        let line = text[..start].matches('\n').count() + 1;
        assert_eq!(
            n401.len(),
            1,
            "{old} → {new} on line {line}:\n{}",
            describe(&r)
        );
        assert_eq!(n401[0].line, Some(line));
        assert!(
            n401[0].message.contains(&format!("{new}万元")),
            "{}",
            n401[0].message
        );
        assert_eq!(
            n401[0]
                .actual
                .as_deref()
                .map(|a| Decimal::from_str(a).unwrap()),
            Some(new)
        );
    }
}

#[test]
fn a_changed_share_gives_n402() {
    let b = load(&sample(ZXB));
    let text = seed_text().replace("占83.94%", "占83.49%");
    let r = check_text(&b, &text);
    let f: Vec<_> = r.of("N402").collect();
    assert_eq!(f.len(), 2, "{}", describe(&r)); // this one and the seed's own 2.99%
    assert!(f.iter().any(|f| f.actual.as_deref() == Some("83.49") && f.expected.as_deref() == Some("83.94")));
}

#[test]
fn generated_texts_pass_every_rule() {
    for name in SAMPLES {
        let b = load(&sample(name));
        let text = generated(&b);
        let r = check_text(&b, &text);
        assert!(r.findings.is_empty(), "{name}:\n{}", describe(&r));
        // Every figure understood: no rule with a figure it could not place. A rule
        // may honestly not run (a text with no rate has no rate to check).
        assert!(
            r.ledger.iter().all(|e| e.unchecked.unwrap_or(0) == 0),
            "{name}: {:?}",
            r.ledger
        );
        let n401 = r.ledger.iter().find(|e| e.rule == "N401").unwrap();
        assert!(n401.checked.unwrap_or(0) >= 20, "{name}: {n401:?}");
    }
    // Random departments up to 160 项 lines (list numbers past 100): every figure
    // understood, none flagged.
    for seed in 0..40u64 {
        let size = yusuan_testkit::corpus::Size {
            items: 5 + seed as usize * 4,
            units: 1 + seed as usize % 7,
        };
        let g = yusuan_testkit::corpus::generate(seed * 7919, size);
        let b = yusuan_testkit::compose::compose(&g.spec, CodeLists::builtin()).unwrap();
        let r = check_text(&b, &generated(&b));
        let bad: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.rule.starts_with('N'))
            .collect();
        assert!(bad.is_empty(), "seed {seed}:\n{}", describe(&r));
        let unchecked: Vec<_> = r
            .ledger
            .iter()
            .filter(|e| e.rule.starts_with('N') && e.unchecked.unwrap_or(0) > 0)
            .collect();
        assert!(unchecked.is_empty(), "seed {seed}: {unchecked:?}");
    }
}

#[test]
fn text_only_rules_fire_and_pass() {
    let b = load(&sample(ZXB));
    let base = generated(&b);
    assert!(check_text(&b, &base).findings.is_empty());
    let cases: &[(&str, &str, &str)] = &[
        // N405: an increase without its reason
        ("N405", "，主要原因是增加经费指标及增加人员。", "。"),
        // N406: a stray year
        ("N406", "截至2022年底", "截至2020年底"),
        // N407: the rate divided by this year's figure instead of last year's
        ("N407", "增长39.56%", "增长28.35%"),
        // N409: 万元 written twice
        (
            "N409",
            "机关运行经费财政拨款预算为41.07万元",
            "机关运行经费财政拨款预算为41.07万元万元",
        ),
        // N409: a figure with no unit
        (
            "N409",
            "其中：基本支出574.78万元，占83.94%",
            "其中：基本支出574.78，占83.94%",
        ),
    ];
    for (rule, from, to) in cases {
        assert!(base.contains(from), "{rule}: {from}");
        let text = base.replacen(from, to, 1);
        let r = check_text(&b, &text);
        assert!(
            r.of(rule).count() >= 1,
            "{rule} did not fire:\n{}",
            describe(&r)
        );
        let others: Vec<_> = r.findings.iter().filter(|f| f.rule != *rule).collect();
        assert!(
            others.is_empty() || *rule == "N409",
            "{rule}:\n{}",
            describe(&r)
        );
    }
}

#[test]
fn parts_and_wholes_n408() {
    let b = load(&sample(ZXB));
    let base = generated(&b);
    // a part changed: the parts no longer add up (and the part differs from the table)
    let text = base.replacen(
        "项目支出110.00万元，占16.06%",
        "项目支出120.00万元，占16.06%",
        1,
    );
    let r = check_text(&b, &text);
    assert_eq!(r.of("N408").count(), 1, "{}", describe(&r));
    assert_eq!(r.of("N401").count(), 1);
    // 收入总计 and 支出总计 stated differently
    let text = base.replacen("2023年支出预算684.78万元", "2023年支出预算684.87万元", 1);
    let r = check_text(&b, &text);
    assert!(
        r.of("N408").any(|f| f.message.contains("支出总计 684.87")),
        "{}",
        describe(&r)
    );
    // a 元 figure that should be 万元
    let text = base.replacen("固定资产总额34.77万元", "固定资产总额34.77元", 1);
    let r = check_text(&b, &text);
    assert_eq!(
        rules_at(&r)
            .iter()
            .map(|x| x.0.as_str())
            .collect::<Vec<_>>(),
        ["N409"],
        "{}",
        describe(&r)
    );
}

/// A minimal .docx holding `text`, one paragraph per line.
fn docx(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("[Content_Types].xml", opts).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#).unwrap();
    z.start_file("word/document.xml", opts).unwrap();
    let mut body = String::new();
    for line in text.lines() {
        let esc = line
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        // split each paragraph into two runs, as Word does
        let mid = esc
            .char_indices()
            .nth(esc.chars().count() / 2)
            .map_or(esc.len(), |(i, _)| i);
        body.push_str(&format!(
            r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r><w:r><w:t>{}</w:t></w:r></w:p>"#,
            &esc[..mid],
            &esc[mid..]
        ));
    }
    z.write_all(format!(r#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#).as_bytes()).unwrap();
    z.finish().unwrap().into_inner()
}

#[test]
fn docx_markdown_and_text_inputs_give_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seed_text();
    std::fs::write(dir.path().join("seed.docx"), docx(&seed)).unwrap();
    std::fs::write(dir.path().join("seed.md"), &seed).unwrap();
    let b = load(&sample(ZXB));
    let from = |p: &str| {
        let t = Text::read(&dir.path().join(p)).unwrap();
        let r = yusuan::check(&b, CodeLists::builtin(), Some(&t));
        r.findings
            .iter()
            .map(|f| (f.rule, f.message.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(from("seed.docx"), from("seed.md"));
    assert_eq!(from("seed.md").len(), 12);
    std::fs::write(dir.path().join("bad.docx"), b"PK\x03\x04 broken").unwrap();
    let e = Text::read(&dir.path().join("bad.docx"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("bad.docx") && e.contains(".docx"), "{e}");
}

fn yusuan() -> Command {
    Command::cargo_bin("yusuan").unwrap()
}

#[test]
fn narrative_command_markdown_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("说明.md");
    yusuan()
        .arg("narrative")
        .arg(sample(ZXB))
        .arg("-o")
        .arg(&md)
        .assert()
        .success();
    let m = std::fs::read_to_string(&md).unwrap();
    assert!(m.starts_with("# 德阳市罗江区政协办公室2023年部门预算情况说明\n"));
    assert!(m.contains("\n## 五、一般公共预算当年拨款情况说明\n"));
    assert!(m.contains("\n### （二）一般公共预算当年拨款结构情况\n"));
    let out = yusuan()
        .arg("narrative")
        .arg(sample(ZXB))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let t = String::from_utf8(out).unwrap();
    assert!(
        t.starts_with("德阳市罗江区政协办公室2023年部门预算情况说明\n一、基本职能及主要工作\n")
    );
    // the written file checks clean against its workbook
    yusuan()
        .arg("check")
        .arg(sample(ZXB))
        .arg("--narrative")
        .arg(&md)
        .assert()
        .success();
    // and the seed is found wanting, with quotes and line numbers
    yusuan()
        .arg("check")
        .arg(sample(ZXB))
        .arg("--narrative")
        .arg(root().join("tests/data/seed-luojiang-zhengxieban-2023.txt"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("情况说明第 40 行 N402 占比2.99%").and(
                predicate::str::contains("原文：“医疗卫生与计划生育支出20.53万元，占2.99%；”"),
            ),
        );
}

#[test]
fn previous_year_workbook_gives_the_changes() {
    // Last year's workbook: the 罗江 sample with 表1 收入总计 etc. as composed from a
    // smaller spec (everything at 80%, rounded to the cent).
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("samples/specs/luojiang-zhengxieban-2023.toml"))
        .unwrap();
    let mut spec = yusuan_testkit::compose::BudgetSpec::from_toml(&text).unwrap();
    spec.department.year = 2022;
    spec.info.retain(|k, _| !k.starts_with("prior_"));
    let prev = yusuan_testkit::compose::compose(&spec, CodeLists::builtin()).unwrap();
    let p = dir.path().join("2022.xlsx");
    yusuan_write::save_workbook(&mut yusuan_write::submission(&prev).unwrap(), &p).unwrap();
    let out = yusuan()
        .arg("narrative")
        .arg(sample(ZXB))
        .arg("--previous")
        .arg(&p)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let t = String::from_utf8(out).unwrap();
    // same figures both years: 持平 everywhere, whatever 部门基本情况 says
    assert!(
        t.contains("收支总预算684.78万元，与2022年预算数持平"),
        "{t}"
    );
}

#[test]
fn convert_adds_the_explanation_as_a_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("公开.xlsx");
    yusuan()
        .arg("convert")
        .arg(sample(ZXB))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let g = grid(&out);
    let s = g.sheet("情况说明").expect("情况说明 sheet");
    assert_eq!(
        s.shown_text(0, 0),
        "德阳市罗江区政协办公室2023年部门预算情况说明"
    );
    let sheet: Vec<String> = s.rows().map(|(r, _)| s.shown_text(r, 0)).collect();
    let text = generated(&load(&sample(ZXB)));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(sheet, lines, "one row per line of the generated text");
    let toc = g.sheet("目录").unwrap();
    assert!(
        toc.rows()
            .any(|(r, _)| toc.shown_text(r, 1).ends_with("部门预算情况说明"))
    );
}

/// Last year's workbook of the 罗江 政协办: the sample's own spec in `year`, under
/// `department` (same figures, so every change on it is 0).
fn previous_workbook(
    dir: &std::path::Path,
    year: i32,
    department: Option<&str>,
) -> std::path::PathBuf {
    let text = std::fs::read_to_string(root().join("samples/specs/luojiang-zhengxieban-2023.toml"))
        .unwrap();
    let mut spec = yusuan_testkit::compose::BudgetSpec::from_toml(&text).unwrap();
    spec.department.year = year;
    if let Some(d) = department {
        spec.department.name = d.to_string();
    }
    spec.info.retain(|k, _| !k.starts_with("prior_"));
    let prev = yusuan_testkit::compose::compose(&spec, CodeLists::builtin()).unwrap();
    let p = dir.join(format!("{year}.xlsx"));
    yusuan_write::save_workbook(&mut yusuan_write::submission(&prev).unwrap(), &p).unwrap();
    p
}

#[test]
fn check_previous_gives_last_years_figures_to_the_changes() {
    let dir = tempfile::tempdir().unwrap();
    let seed = root().join("tests/data/seed-luojiang-zhengxieban-2023.txt");
    let run = |prev: Option<&std::path::Path>| {
        let mut c = yusuan();
        c.arg("check")
            .arg(sample(ZXB))
            .arg("--narrative")
            .arg(&seed);
        if let Some(p) = prev {
            c.arg("--previous").arg(p);
        }
        c.assert()
    };
    // 部门基本情况 says 2022 was 490.68: the seed's 增加194.1万元 agrees
    let out = run(None).success().get_output().stdout.clone();
    assert!(
        !String::from_utf8(out)
            .unwrap()
            .contains("增减额“194.1万元”")
    );
    // last year's workbook with this year's figures: every 增加194.1万元 is wrong
    let same = previous_workbook(dir.path(), 2022, None);
    let out = run(Some(&same)).code(1).get_output().stdout.clone();
    let t = String::from_utf8(out).unwrap();
    assert!(
        t.contains("N401 增减额“194.1万元”与表格不符") && t.contains("应为增加 0.00 万元"),
        "{t}"
    );
    // not the year before, or another department: refused, exit 2, in Chinese
    let old = previous_workbook(dir.path(), 2021, None);
    run(Some(&old)).code(2).stderr(
        predicate::str::contains("上年工作簿是 2021 年的")
            .and(predicate::str::contains("应为 2022 年")),
    );
    let other = previous_workbook(dir.path(), 2022, Some("德阳市罗江区住房和城乡建设局"));
    run(Some(&other))
        .code(2)
        .stderr(predicate::str::contains("不是同一部门"));
}

#[test]
fn a_text_alone_gets_the_text_only_audit() {
    let seed = root().join("tests/data/seed-luojiang-zhengxieban-2023.txt");
    let out = yusuan()
        .arg("check")
        .arg(&seed)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let t = String::from_utf8(out).unwrap();
    // its own mistakes, found without the tables
    assert!(t.contains("情况说明第 40 行 N402 占比2.99%"), "{t}");
    assert!(t.contains("情况说明第 50 行 N404"), "{t}");
    // what needs the tables says so
    assert!(t.contains("未运行：N401、N403（未提供工作簿"), "{t}");
    assert!(!t.contains(" N401 "), "{t}");
    // as JSON, with the ledger's reasons
    let out = yusuan()
        .args(["check", "--format", "json"])
        .arg(&seed)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let ledger = v["ledger"].as_array().unwrap();
    let k101 = ledger.iter().find(|e| e["rule"] == "K101").unwrap();
    assert_eq!(k101["status"], "not_run");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "N402")
    );
    // --annotate needs a workbook
    yusuan()
        .arg("check")
        .arg(&seed)
        .arg("--annotate")
        .arg(std::env::temp_dir().join("x.xlsx"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("只能用于工作簿"));
}

#[test]
fn narrative_as_word_opens_and_reads_back_without_findings() {
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("情况说明.docx");
    yusuan()
        .arg("narrative")
        .arg(sample(ZXB))
        .arg("-o")
        .arg(&docx)
        .assert()
        .success();
    let bytes = std::fs::read(&docx).unwrap();
    // a Word package: every XML part well formed, A4, 仿宋 body
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut document = String::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if name.ends_with(".xml") || name.ends_with(".rels") {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut f, &mut s).unwrap();
            let mut r = quick_xml::Reader::from_str(&s);
            loop {
                match r.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{name}: {e}"),
                }
            }
            if name == "word/document.xml" {
                document = s;
            }
        }
    }
    assert!(document.contains(r#"w:w="11906""#) && document.contains(r#"w:h="16838""#));
    assert!(document.contains("仿宋") && document.contains("黑体"));
    // the same text as the plain one, and clean against its workbook
    let plain = generated(&load(&sample(ZXB)));
    let read = yusuan_narrative::check::Text::read(&docx).unwrap();
    let lines: Vec<&str> = read.lines.iter().map(|l| l.text.trim()).collect();
    let want: Vec<&str> = plain
        .lines()
        .map(|l| l.trim_start_matches('\u{3000}').trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines, want);
    yusuan()
        .arg("check")
        .arg(sample(ZXB))
        .arg("--narrative")
        .arg(&docx)
        .assert()
        .success()
        .stdout(predicate::str::contains("未发现问题"));
    // LibreOffice (installed by CI) opens it and finds the same text
    if let Ok(out) = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "txt:Text", "--outdir"])
        .arg(dir.path())
        .arg(&docx)
        .output()
    {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let txt = std::fs::read_to_string(dir.path().join("情况说明.txt")).unwrap();
        let got: Vec<&str> = txt
            .trim_start_matches('\u{feff}')
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(got, want);
    }
}

/// A sample department composed from its spec with `info` rows replaced.
fn composed_with(name: &str, info: &[(&str, &str)]) -> Budget {
    let text = std::fs::read_to_string(root().join(format!("samples/specs/{name}.toml"))).unwrap();
    let mut spec = yusuan_testkit::compose::BudgetSpec::from_toml(&text).unwrap();
    for (k, v) in info {
        spec.info
            .insert(k.to_string(), toml::Value::String(v.to_string()));
    }
    yusuan_testkit::compose::compose(&spec, CodeLists::builtin()).unwrap()
}

/// The paragraph of a generated text that starts with `head`.
fn para<'t>(text: &'t str, head: &str) -> &'t str {
    text.lines()
        .map(|l| l.trim_start_matches('\u{3000}'))
        .find(|l| l.starts_with(head))
        .unwrap_or_else(|| panic!("no {head} in\n{text}"))
}

#[test]
fn generated_reasons_are_each_items_own_and_never_against_the_change() {
    // 区教育局: 出国 +3.00, 用车 +20.00, 接待 −2.00, each with its own reason
    let b = load(&sample("luojiang-jiaoyuju-2023"));
    let t = generated(&b);
    let abroad = para(&t, "（一）因公出国（境）费");
    let vehicle = para(&t, "（二）公务用车购置及运行费");
    let reception = para(&t, "（三）公务接待费");
    assert!(
        abroad.contains("增加3.00万元，主要原因是安排骨干教师赴境外开展教育交流。"),
        "{abroad}"
    );
    assert!(
        vehicle.contains("主要原因是更新一辆已达报废年限的公务用车。"),
        "{vehicle}"
    );
    assert!(
        reception.contains("减少2.00万元，下降20.00%，主要原因是严格执行公务接待标准"),
        "{reception}"
    );
    assert!(!abroad.contains("公务用车") && !reception.contains("公务用车"));
    // a reason saying the opposite of the figures is left out, and the officer told
    let b = composed_with(
        "luojiang-jiaoyuju-2023",
        &[("reason_reception", "公务接待任务增加")],
    );
    let n = generate(&b, CodeLists::builtin(), Prior::from_info(&b));
    let t = n.to_text();
    let reception = para(&t, "（三）公务接待费");
    assert!(
        !reception.contains("任务增加") && !reception.contains("原因"),
        "{reception}"
    );
    assert!(
        n.warnings
            .iter()
            .any(|w| w.contains("公务接待任务增加") && w.contains("与增减方向不符")),
        "{:?}",
        n.warnings
    );
    // and the text still passes its own check, but for the missing reason (N405)
    let r = check_text(&b, &t);
    assert!(
        r.findings.iter().all(|f| f.rule == "N405"),
        "{}",
        describe(&r)
    );
    assert_eq!(r.of("N405").count(), 1, "{}", describe(&r));
    // an entered reason is kept when the figure is 持平 (政协办: 2.00 both years)
    let t = generated(&load(&sample(ZXB)));
    assert!(
        t.contains("“三公”经费财政拨款预算数2.00万元，与2022年预算数持平，主要原因是严格按照规定进行公务接待。"),
        "{t}"
    );
}

#[test]
fn generated_text_uses_the_current_terms_and_full_width_brackets() {
    for name in SAMPLES {
        let t = generated(&load(&sample(name)));
        let terms = para(&t, "（七）机关运行经费：");
        assert!(
            terms.contains(
                "为保障行政单位（含参照公务员法管理的事业单位）运行用于购买货物和服务的各项资金"
            ),
            "{terms}"
        );
        assert!(
            !t.contains('(') && !t.contains(')'),
            "{name}: half-width bracket"
        );
        assert!(t.contains("维修（护）费"), "{name}");
    }
}
