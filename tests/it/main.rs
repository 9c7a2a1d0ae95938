#![allow(dead_code)]
//! yusuan's integration tests: one test binary, one module per topic (as ripgrep
//! has it), each running the library or the `yusuan` binary on real workbooks.

mod annotate;
mod batch;
mod browser;
mod cli_check;
mod cli_foundation;
mod common;
mod convert;
mod final_accounts;
mod formats;
mod hostile;
mod isolation;
mod narrative;
mod reader_variants;
mod real;
mod real_own_text;
mod real_texts;
mod robustness;
mod rules;
mod samples;
mod serve;
mod shanghai;
mod snapshots;
