//! Rebuild the bundled sample workbooks from their specs:
//!
//! ```text
//! cargo run --example gen_samples            # samples/specs/*.toml → samples/*.xlsx
//! ```
//!
//! Each spec lists a department's detail lines; `yusuan::compose` derives every table
//! from them (so each workbook is consistent by construction) and `yusuan::write`
//! writes the submission form through the table catalogue. Output is deterministic.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut specs: Vec<_> = std::fs::read_dir(root.join("specs"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    specs.sort();
    for spec_path in specs {
        let text = std::fs::read_to_string(&spec_path)?;
        let spec = yusuan_testkit::compose::BudgetSpec::from_toml(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", spec_path.display()))?;
        let budget = yusuan_testkit::compose::compose(&spec, yusuan::CodeLists::builtin())
            .map_err(|e| anyhow::anyhow!("{}: {e}", spec_path.display()))?;
        let mut wb = yusuan_write::submission(&budget)?;
        let stem = spec_path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("sample");
        let out = root.join(format!("{stem}.xlsx"));
        yusuan_write::save_workbook(&mut wb, &out)?;
        println!("{}", out.display());
    }
    Ok(())
}
