//! Any bytes as a workbook through every stage (`common::every_stage`).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::every_stage(data.to_vec());
});
