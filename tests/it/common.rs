//! Helpers shared by the integration tests: sample paths, reading, grid mutation and
//! writing mutated workbooks back to disk.

use std::path::{Path, PathBuf};

use yusuan::{Budget, CodeLists};
use yusuan_grid::{Cell, Grid};
pub use yusuan_testkit::SheetEdit;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample(name: &str) -> PathBuf {
    root().join("samples").join(format!("{name}.xlsx"))
}

pub const SAMPLES: [&str; 3] = [
    "luojiang-zhengxieban-2023",
    "luojiang-zhujianju-2023",
    "luojiang-jiaoyuju-2023",
];

pub fn load(path: &Path) -> Budget {
    yusuan::load(path, CodeLists::builtin())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .1
}

pub fn grid(path: &Path) -> Grid {
    yusuan_grid::read_path(path).unwrap_or_else(|e| panic!("{e}"))
}

/// Write a grid as a plain workbook (values and merges) into `dir`.
pub fn write_grid(grid: &Grid, dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    let mut wb = yusuan_write::copy_grid(grid).expect("copy grid");
    yusuan_write::save_workbook(&mut wb, &p).expect("save");
    p
}

/// The 罗江 sample with 一般公共服务支出(201) in 表3 off by 0.10 (530.98 for 530.88),
/// written into `dir` as `name`.
pub fn faulty_sample(dir: &Path, name: &str) -> PathBuf {
    let mut g = grid(&sample("luojiang-zhengxieban-2023"));
    let c = t3_total(&load(&sample("luojiang-zhengxieban-2023")), "201");
    g.sheet_mut("表3")
        .unwrap()
        .set(c.row, c.col, Some(Cell::Number(530.98)));
    write_grid(&g, dir, name)
}

/// The cell of 表3's 合计 of the line with `code`.
pub fn t3_total(b: &Budget, code: &str) -> yusuan_core::CellRef {
    b.table(yusuan::TableId::T3)
        .unwrap()
        .by_code(code)
        .unwrap()
        .amount("total")
        .unwrap()
        .at
        .clone()
}

/// The budget the generator composes from a sample's spec.
pub fn composed(name: &str) -> Budget {
    let text =
        std::fs::read_to_string(root().join("samples/specs").join(format!("{name}.toml"))).unwrap();
    let spec = yusuan_testkit::compose::BudgetSpec::from_toml(&text).unwrap();
    yusuan_testkit::compose::compose(&spec, CodeLists::builtin()).unwrap()
}

/// Find the (row, col) of the first cell of `sheet` whose text equals `text`.
pub fn find(grid: &Grid, sheet: &str, text: &str) -> (u32, u32) {
    let s = grid
        .sheet(sheet)
        .unwrap_or_else(|| panic!("no sheet {sheet}"));
    for (r, cells) in s.rows() {
        for (c, cell) in cells {
            if let Cell::Text(t) = cell
                && t == text
            {
                return (r, *c);
            }
        }
    }
    panic!("{text} not found in {sheet}")
}

pub fn text(s: &str) -> Option<Cell> {
    Some(Cell::Text(s.to_string()))
}

/// Assert two figure maps are equal, listing only the differences.
pub fn assert_same_figures(left: &Budget, right: &Budget, what: &str) {
    let (a, b) = (left.figures(), right.figures());
    let mut diffs = Vec::new();
    for (k, v) in &a {
        if b.get(k) != Some(v) {
            diffs.push(format!("{k}: {v:?} ≠ {:?}", b.get(k)));
        }
    }
    for (k, v) in &b {
        if !a.contains_key(k) {
            diffs.push(format!("{k}: missing ≠ {v:?}"));
        }
    }
    assert!(
        diffs.is_empty(),
        "{what}: {} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// `yusuan ARGS` under a 1 GiB address-space limit (`prlimit`) and a 120 s guard
/// against a hang (`timeout`): (exit code, stdout, stderr).
pub fn limited(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = std::process::Command::new("prlimit")
        .arg("--as=1073741824")
        .arg("--")
        .arg("timeout")
        .arg("120")
        .arg(env!("CARGO_BIN_EXE_yusuan"))
        .args(args)
        .output()
        .expect("prlimit and timeout (util-linux, coreutils) are needed");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
