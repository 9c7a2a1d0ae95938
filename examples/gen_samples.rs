//! Rebuild the bundled sample workbooks:
//!
//! ```text
//! cargo run --example gen_samples   # samples/specs/*.toml and samples/real/* → samples/*.xlsx
//! ```
//!
//! - Each spec under `samples/specs/` lists a department's detail lines;
//!   `yusuan_testkit::compose` derives every table from them (so each workbook is
//!   consistent by construction) and `yusuan_write` writes the submission form.
//! - Each folder under `samples/real/` is a REAL published disclosure (figures as
//!   published); `yusuan_testkit::real` writes it into the real template of its region.
//!
//! Output is deterministic.
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
    let out = root.join("shanghai-wanli-2024.xlsx");
    let mut wb = wanli(&root)?;
    yusuan_write::save_workbook(&mut wb, &out)?;
    println!("{}", out.display());
    let out = root.join("corpus-final-split.xlsx");
    let mut wb = corpus_final()?;
    yusuan_write::save_workbook(&mut wb, &out)?;
    println!("{}", out.display());
    let out = root.join("shanghai-shgz-2024-final.xlsx");
    let mut wb = shgz_final(&root)?;
    yusuan_write::save_workbook(&mut wb, &out)?;
    println!("{}", out.display());
    Ok(())
}

/// The real 2024 部门决算 of 中共上海市普陀区委社会工作部, one sheet per printed table.
pub fn shgz_final(samples: &Path) -> anyhow::Result<rust_xlsxwriter::Workbook> {
    let json = std::fs::read_to_string(samples.join("real/shanghai-shgz-2024-final/tables.json"))?;
    let grid =
        yusuan_testkit::final_accounts::final_accounts(&json, "中共上海市普陀区委社会工作部", 2024)
            .map_err(anyhow::Error::msg)?;
    Ok(yusuan_write::copy_grid(&grid)?)
}

/// The real 2024 部门预算 of 上海市普陀区人民政府万里街道办事处 in the real Putuo template.
pub fn wanli(samples: &Path) -> anyhow::Result<rust_xlsxwriter::Workbook> {
    let template = samples.join("../tests/data/shanghai-putuo-2026-department-template.xlsx");
    let template = yusuan_grid::read_path(&template)?;
    let published =
        yusuan_testkit::real::Published::read(&samples.join("real/shanghai-wanli-2024"))
            .map_err(anyhow::Error::msg)?;
    let grid = yusuan_testkit::real::shanghai_department(&template, &published)
        .map_err(anyhow::Error::msg)?;
    Ok(yusuan_write::copy_grid(&grid)?)
}

/// A synthetic 决算 in split 类|款|项 columns: corpus department 7, composed, its 决算数
/// its 预算数.
pub fn corpus_final() -> anyhow::Result<rust_xlsxwriter::Workbook> {
    let g = yusuan_testkit::corpus::generate(
        7,
        yusuan_testkit::corpus::Size {
            items: 12,
            units: 2,
        },
    );
    let budget = yusuan_testkit::compose::compose(&g.spec, yusuan::CodeLists::builtin())
        .map_err(anyhow::Error::msg)?;
    let grid = yusuan_testkit::final_accounts::from_budget(&budget).map_err(anyhow::Error::msg)?;
    Ok(yusuan_write::copy_grid(&grid)?)
}
