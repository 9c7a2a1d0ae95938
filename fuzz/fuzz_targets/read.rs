//! Any bytes as a workbook: read, recognise, validate, and write the disclosure and an
//! annotated copy. Nothing may panic; every failure must be a `ReadError` or
//! `RecogniseError`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(grid) = yusuan::grid::read_bytes(std::path::Path::new("fuzz.xlsx"), data.to_vec())
    else {
        return;
    };
    let codes = yusuan::CodeLists::builtin();
    let Ok(budget) = yusuan::recognise::recognise(&grid, codes) else {
        return;
    };
    let report = yusuan::validate::validate(&budget, codes);
    let _ = yusuan::export::to_json(&budget);
    let _ = yusuan::narrate::generate(&budget, codes, yusuan::narrate::Prior::from_info(&budget));
    let _ = yusuan::report::text("fuzz.xlsx", Some(&budget), &report, false);
    if budget.tables.iter().all(|t| t.unit.is_some()) {
        let _ = yusuan::write::disclosure(&budget, &Default::default())
            .map(|mut wb| wb.save_to_buffer());
    }
    let _ = yusuan::write::copy_grid(&grid, &yusuan::report::marks(&report))
        .map(|mut wb| wb.save_to_buffer());
});
