//! Structure-aware: mutate the XML inside a real workbook's zip, not its compressed
//! bytes (most byte mutations of a whole file land in deflate streams and are refused
//! as damaged before any parser runs). The input is `[base, part, content…]`: `base`
//! picks one of the real workbooks (the samples, the format fixtures, the hostile
//! fixtures of at most 64 KB), `part` one of its parts (in directory order), and `content` replaces that
//! part; the package is zipped again (stored) and goes through every stage
//! (`common::every_stage`). Nothing may panic or abort,
//! and nothing may take more than the reader's limits allow (run with
//! `-rss_limit_mb=2048`). Seeds: `fuzz/seed_package.py` writes every part of every
//! base as it is.
#![no_main]

use std::io::{Cursor, Read, Write};
use std::sync::OnceLock;

mod common;

use libfuzzer_sys::fuzz_target;

/// The bases: every zipped workbook the repository holds, as (name, bytes) per part.
fn bases() -> &'static [Vec<(String, Vec<u8>)>] {
    static B: OnceLock<Vec<Vec<(String, Vec<u8>)>>> = OnceLock::new();
    B.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["samples", "tests/fixtures/formats", "tests/fixtures/hostile"] {
            for e in std::fs::read_dir(root.join(dir)).expect("fixtures").flatten() {
                let p = e.path();
                // Small ones only: each run zips its base again.
                let small = e.metadata().is_ok_and(|m| m.len() <= 64 * 1024);
                if small && p.extension().is_some_and(|x| x == "xlsx" || x == "xlsm" || x == "ods") {
                    files.push(p);
                }
            }
        }
        files.sort();
        files
            .iter()
            .filter_map(|p| {
                let bytes = std::fs::read(p).ok()?;
                let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
                let mut parts = Vec::new();
                for i in 0..z.len() {
                    let mut f = z.by_index(i).ok()?;
                    let name = f.name().ok()?.to_string();
                    let mut data = Vec::new();
                    f.read_to_end(&mut data).ok()?;
                    parts.push((name, data));
                }
                Some(parts)
            })
            .collect()
    })
}

fn repack(parts: &[(String, Vec<u8>)], part: usize, content: &[u8]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored);
    for (i, (name, data)) in parts.iter().enumerate() {
        if z.start_file(name.as_str(), opts).is_err() {
            return Vec::new();
        }
        let _ = z.write_all(if i == part { content } else { data });
    }
    z.finish().map(Cursor::into_inner).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let [base, part, content @ ..] = data else {
        return;
    };
    let bases = bases();
    let parts = &bases[usize::from(*base) % bases.len()];
    let part = usize::from(*part) % parts.len();
    common::every_stage(repack(parts, part, content));
});
