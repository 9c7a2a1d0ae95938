//! Rebuild the corpus of hostile and broken inputs in `tests/fixtures/bad/`:
//!
//! ```text
//! cargo run --example bad_corpus
//! ```
//!
//! Every file but `password.xlsx` (an encrypted workbook, made once with
//! `msoffcrypto-tool -e -p 1234 samples/luojiang-zhengxieban-2023.xlsx password.xlsx`
//! and committed) comes from `yusuan_testkit::corpus::bad::write`; the small crafted
//! files that once took the process down, in `tests/fixtures/hostile/`, from
//! `yusuan_testkit::corpus::hostile::write`. The large ones are written
//! by the tests themselves (`yusuan_testkit::corpus::bad::write_large`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for p in yusuan_testkit::corpus::bad::write(root, &root.join("tests/fixtures/bad"))? {
        println!("{}", p.display());
    }
    for p in yusuan_testkit::corpus::hostile::write(root, &root.join("tests/fixtures/hostile"))? {
        println!("{}", p.display());
    }
    Ok(())
}
