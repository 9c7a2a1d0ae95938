//! What the workbook fuzz targets share: the panic hook, and a workbook's bytes through
//! every stage. Nothing may panic; every failure must be a `ReadError` or
//! `RecogniseError`.

use std::sync::Once;

/// `grid::read_bytes` runs calamine under `catch_unwind` and reports a panic in it as a
/// corrupt file; libfuzzer's panic hook would abort on those before the unwinding
/// reaches that guard. Panics inside the parser crates are therefore let through to
/// the guard; any other panic (in yusuan itself) still aborts and is reported.
pub fn let_parser_panics_unwind() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let file = info.location().map(|l| l.file()).unwrap_or_default();
            let in_parser = ["/calamine-", "/zip-", "/quick-xml-", "/encoding_rs-"]
                .iter()
                .any(|c| file.contains(c));
            if !in_parser {
                fuzzer_hook(info);
            }
        }));
    });
}

/// Read, recognise, validate, export, narrative, disclosure and annotated copy.
pub fn every_stage(bytes: Vec<u8>) {
    let_parser_panics_unwind();
    let Ok(grid) = yusuan_grid::read_bytes(std::path::Path::new("fuzz.xlsx"), bytes.clone()) else {
        return;
    };
    let codes = yusuan::CodeLists::builtin();
    let Ok(budget) = yusuan_core::recognise(&grid, codes) else {
        return;
    };
    let report = yusuan::check(&budget, codes, None);
    let _ = yusuan_core::export::to_json(&budget);
    let _ = yusuan_narrative::generate(&budget, codes, yusuan_narrative::Prior::from_info(&budget));
    let _ = yusuan::report::text("fuzz.xlsx", Some(&budget), &report, false);
    if budget.tables.iter().all(|t| t.unit.is_some()) {
        let _ = yusuan_write::disclosure(&budget, &Default::default())
            .map(|mut wb| wb.save_to_buffer());
    }
    let _ = yusuan_write::annotated_copy(&bytes, &grid, &report, "fuzz.xlsx");
}
