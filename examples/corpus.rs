//! The benchmark corpus: N realistic department workbooks, deterministic from a seed.
//!
//! ```text
//! cargo run --release --example corpus -- OUTDIR [--count 1000] [--seed 2023]
//! ```
//!
//! Departments have 20–400 功能分类 lines in 表3 (most are small, a few large) and
//! 1–30 units; about one in ten carries a mistake (a 类 total off by 0.10, a missing
//! empty-table note, an outdated 科目 name). Files go to one folder per county. Very
//! large departments use 项 codes the built-in list lacks: they are listed in
//! `OUTDIR/codes.csv` for `yusuan batch --codes`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;
use rust_decimal::Decimal;
use yusuan::{Budget, CodeLists, TableId};
use yusuan_core::{LineKind, Reading};
use yusuan_testkit::corpus::{Rng, Size, generate};

const COUNTIES: &[&str] = &["旌阳区", "罗江区", "中江县", "广汉市", "什邡市", "绵竹市"];

/// Put one realistic mistake into a composed budget.
fn inject(b: &mut Budget, rng: &mut Rng) -> &'static str {
    match rng.range(0, 3) {
        0 => {
            // a 类 total in 表3 off by 0.10
            if let Some(t) = b.tables.iter_mut().find(|t| t.id == TableId::T3)
                && let Some(l) = t.lines.iter_mut().find(|l| {
                    l.kind == LineKind::Code && l.code.as_ref().is_some_and(|c| c.len() == 3)
                })
                && let Some((_, a)) = l.amounts.iter_mut().find(|(k, _)| k == "total")
                && let Some(v) = a.value()
            {
                a.reading = Reading::Value(v + Decimal::new(10, 2));
            }
            "K104"
        }
        1 => {
            for t in b.tables.iter_mut().filter(|t| t.id == TableId::T5) {
                t.note = None;
            }
            "S003"
        }
        _ => {
            if let Some(t) = b.tables.iter_mut().find(|t| t.id == TableId::T3)
                && let Some(l) = t
                    .lines
                    .iter_mut()
                    .find(|l| l.code.as_deref() == Some("20805"))
            {
                l.name = "行政事业单位离退休".into();
            } else if let Some(t) = b.tables.iter_mut().find(|t| t.id == TableId::T3)
                && let Some(l) = t.lines.iter_mut().find(|l| l.kind == LineKind::Code)
            {
                l.name.push_str("（旧）");
            }
            "C303/C302"
        }
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out: Option<PathBuf> = None;
    let mut count = 1000usize;
    let mut seed = 2023u64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--count" => count = it.next().and_then(|v| v.parse().ok()).unwrap_or(count),
            "--seed" => seed = it.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            other => out = Some(PathBuf::from(other)),
        }
    }
    let Some(out) = out else {
        anyhow::bail!(
            "用法：cargo run --release --example corpus -- OUTDIR [--count N] [--seed S]"
        );
    };
    std::fs::create_dir_all(&out)?;
    // Per workbook: the extra codes it uses, and the mistake put in (if any).
    type Made = (Vec<(String, String)>, Option<&'static str>);
    let made: Vec<Made> = (0..count)
        .into_par_iter()
        .map(|i| -> anyhow::Result<_> {
            let mut rng = Rng::new(seed.wrapping_mul(1_000_003).wrapping_add(i as u64));
            // 表3 lines ≈ 项 lines × 1.6 (with their 款 and 类): 20–400 lines.
            let lines = match rng.range(0, 100) {
                0..70 => rng.range(20, 80),
                70..95 => rng.range(80, 200),
                _ => rng.range(200, 401),
            };
            let size = Size {
                items: (lines * 10 / 16).max(8) as usize,
                units: rng.range(1, 2 + lines / 14).min(30) as usize,
            };
            let g = generate(rng.next_u64(), size);
            let mut b = yusuan_testkit::compose::compose(&g.spec, CodeLists::builtin())?;
            let mistake = rng.chance(0.1).then(|| inject(&mut b, &mut rng));
            let county = COUNTIES[i % COUNTIES.len()];
            let dir = out.join(county);
            std::fs::create_dir_all(&dir)?;
            let short = b.info.text("short_name").unwrap_or("部门").to_string();
            let path = dir.join(format!("{i:04}-{short}.xlsx"));
            let mut wb = yusuan_write::submission(&b)?;
            yusuan_write::save_workbook(&mut wb, &path)?;
            Ok((g.extra_codes, mistake))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut codes: BTreeMap<String, String> = BTreeMap::new();
    let mut mistakes = 0;
    for (extra, m) in &made {
        codes.extend(extra.iter().cloned());
        mistakes += m.is_some() as usize;
    }
    let mut csv = String::from("code,name,level,provenance\n");
    for (c, n) in &codes {
        csv.push_str(&format!("{c},{n},3,synthetic (yusuan benchmark corpus)\n"));
    }
    std::fs::write(out.join("codes.csv"), csv)?;
    println!(
        "{} 个工作簿（其中 {mistakes} 个有错误）写入 {}",
        made.len(),
        out.display()
    );
    Ok(())
}
