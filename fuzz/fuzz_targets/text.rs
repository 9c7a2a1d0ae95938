//! Any text as an explanation text, checked against the 罗江 sample: nothing may panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn budget() -> &'static yusuan::Budget {
    static B: OnceLock<yusuan::Budget> = OnceLock::new();
    B.get_or_init(|| {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../samples/luojiang-zhengxieban-2023.xlsx");
        yusuan::load(&p, yusuan::CodeLists::builtin())
            .expect("sample")
            .1
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let text = yusuan_narrative::check::Text::parse(s);
    let _ = yusuan::check(budget(), yusuan::CodeLists::builtin(), Some(&text));
});
