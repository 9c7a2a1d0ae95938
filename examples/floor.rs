//! The floor of the benchmark: read every cell of every workbook in a folder with
//! calamine and write the same cells with rust_xlsxwriter, no logic at all, in parallel
//! like `yusuan batch`, at the zip level yusuan writes at (1, the fastest deflate). What
//! yusuan adds on top of this is its own cost.
//!
//! ```text
//! cargo run --release --example floor -- DIR OUTDIR
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};
use rayon::prelude::*;
use rust_xlsxwriter::Workbook;

fn copy(input: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut wb = open_workbook_auto(input)?;
    let mut out_wb = Workbook::new();
    // The level yusuan writes at (crates/write: new_workbook), so the floor is one.
    out_wb.set_zip_compression_level(1);
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name)?;
        let ws = out_wb.add_worksheet();
        ws.set_name(&name)?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, v) in range.used_cells() {
            let (r, c) = (r0 + r as u32, (c0 as usize + c) as u16);
            match v {
                Data::String(s) => ws.write_string(r, c, s)?,
                Data::Float(f) => ws.write_number(r, c, *f)?,
                Data::Int(i) => ws.write_number(r, c, *i as f64)?,
                Data::Bool(b) => ws.write_boolean(r, c, *b)?,
                _ => ws,
            };
        }
    }
    out_wb.save(out)?;
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, out) = (PathBuf::from(&args[0]), PathBuf::from(&args[1]));
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    std::fs::create_dir_all(&out).expect("output folder");
    let failed = files
        .par_iter()
        .enumerate()
        .filter(|(i, f)| copy(f, &out.join(format!("{i}.xlsx"))).is_err())
        .count();
    println!("{} files, {failed} failed", files.len());
}
