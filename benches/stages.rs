//! The hot stages on one large workbook (a department with 30 units and about 400
//! 功能分类 lines in 表3, the largest the benchmark corpus makes), each measured alone:
//!
//! ```text
//! cargo bench --bench stages
//! ```
//!
//! The whole pipeline over 1,000 workbooks, side by side with openpyxl and with the
//! calamine + rust_xlsxwriter floor, is `bench/run.sh` (see bench/README.md).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use yusuan::CodeLists;
use yusuan_narrative::Prior;
use yusuan_testkit::corpus::{Size, generate};
use yusuan_write::DisclosureOptions;

fn large_workbook() -> Vec<u8> {
    let g = generate(
        7,
        Size {
            items: 250,
            units: 30,
        },
    );
    let b = yusuan_testkit::compose::compose(&g.spec, CodeLists::builtin()).expect("compose");
    yusuan_write::submission(&b)
        .expect("write")
        .save_to_buffer()
        .expect("save")
}

fn stages(c: &mut Criterion) {
    let bytes = large_workbook();
    let path = Path::new("large.xlsx");
    let codes = CodeLists::builtin();
    let grid = yusuan_grid::read_bytes(path, bytes.clone()).expect("read");
    let budget = yusuan_core::recognise(&grid, codes).expect("recognise");
    let text = yusuan_narrative::generate(&budget, codes, Prior::from_info(&budget)).to_text();
    let opts = DisclosureOptions {
        unit: None,
        narrative: Some(text),
        layout: None,
        ..Default::default()
    };

    let mut g = c.benchmark_group("large workbook");
    g.bench_function("read (calamine → grid)", |b| {
        b.iter(|| yusuan_grid::read_bytes(path, black_box(bytes.clone())).expect("read"))
    });
    g.bench_function("recognise (grid → model)", |b| {
        b.iter(|| yusuan_core::recognise(black_box(&grid), codes).expect("recognise"))
    });
    g.bench_function("validate (40 rules)", |b| {
        b.iter(|| yusuan::check(black_box(&budget), codes, None))
    });
    g.bench_function("narrate (情况说明)", |b| {
        b.iter(|| yusuan_narrative::generate(black_box(&budget), codes, Prior::from_info(&budget)))
    });
    g.bench_function("write (disclosure workbook → bytes)", |b| {
        b.iter(|| {
            yusuan_write::disclosure(black_box(&budget), &opts)
                .expect("build")
                .save_to_buffer()
                .expect("save")
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
