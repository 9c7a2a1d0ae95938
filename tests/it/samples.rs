//! The bundled samples read back to exactly the figures their generator composed, and
//! the 罗江区政协办 sample carries every figure of the real seed budget.

use std::str::FromStr;

use crate::common::*;
use rust_decimal::Decimal;
use yusuan::TableId;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn every_sample_reads_back_to_its_generator_figures() {
    for name in SAMPLES {
        let read = load(&sample(name));
        let composed = composed(name);
        assert_eq!(read.department, composed.department, "{name}");
        assert_eq!(read.year, Some(2023), "{name}");
        assert_same_figures(&read, &composed, name);
        assert!(read.figures().len() > 50, "{name}: too few figures");
        assert!(
            read.other_sheets.is_empty(),
            "{name}: {:?}",
            read.other_sheets
        );
        assert_eq!(read.tables.len(), 12, "{name}");
        assert!(
            read.tables
                .iter()
                .all(|t| t.unit == Some(yusuan::Unit::WanYuan))
        );
    }
}

#[test]
fn samples_are_rebuilt_byte_for_byte() {
    // The committed workbooks are exactly what the generator writes today.
    for name in SAMPLES {
        let mut wb = yusuan_write::submission(&composed(name)).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let committed = std::fs::read(sample(name)).unwrap();
        assert!(
            bytes == committed,
            "{name}: run `cargo run --example gen_samples`"
        );
    }
}

/// The real seed (tests/data, a verbatim copy of shared/data) against the sample.
#[test]
fn luojiang_sample_has_every_seed_figure() {
    let seed: toml::Value = toml::from_str(
        &std::fs::read_to_string(root().join("tests/data/seed-luojiang-zhengxieban-2023.toml"))
            .unwrap(),
    )
    .unwrap();
    let b = load(&sample("luojiang-zhengxieban-2023"));
    let s = |v: &toml::Value| d(v.as_str().unwrap());
    assert_eq!(b.department.as_deref(), seed["department"]["name"].as_str());
    assert_eq!(
        b.year,
        Some(seed["department"]["year"].as_integer().unwrap() as i32)
    );

    let t3 = b.table(TableId::T3).unwrap();
    let t12 = b.table(TableId::T1_2).unwrap();
    // Every 项 line: amount, basic/project split and name, in 表3 and 表1-2.
    let items = seed["function_item"].as_array().unwrap();
    assert_eq!(items.len(), 11);
    for it in items {
        let code = it["code"].as_str().unwrap();
        for t in [t3, t12] {
            let l = t
                .by_code(code)
                .unwrap_or_else(|| panic!("{} lacks {code}", t.id));
            assert_eq!(l.name, it["name"].as_str().unwrap(), "{code}");
            assert_eq!(l.value("total"), Some(s(&it["total"])), "{code}");
            assert_eq!(l.value("basic"), Some(s(&it["basic"])), "{code}");
            assert_eq!(l.value("project"), Some(s(&it["project"])), "{code}");
        }
    }
    // 类 totals, in 表3 and 表1 and 表2.
    let t1 = b.table(TableId::T1).unwrap();
    let t2 = b.table(TableId::T2).unwrap();
    for c in seed["function_class"].as_array().unwrap() {
        let code = c["code"].as_str().unwrap();
        let total = s(&c["total"]);
        assert_eq!(
            t3.by_code(code).unwrap().value("total"),
            Some(total),
            "{code}"
        );
        assert_eq!(t3.by_code(code).unwrap().name, c["name"].as_str().unwrap());
        assert_eq!(
            t1.by_code(code).unwrap().value("expenditure"),
            Some(total),
            "{code}"
        );
        assert_eq!(
            t2.by_code(code).unwrap().value("gpb"),
            Some(total),
            "{code}"
        );
    }
    // Totals, basic/project split.
    let e = &seed["expenditure"];
    let total = t3.total().unwrap();
    assert_eq!(total.value("total"), Some(s(&e["total"])));
    assert_eq!(total.value("basic"), Some(s(&e["basic"])));
    assert_eq!(total.value("project"), Some(s(&e["project"])));
    let inc = &seed["income"];
    assert_eq!(
        t1.fixed_value("gpb", "income"),
        Some(s(&inc["general_public_budget"]))
    );
    assert_eq!(
        t1.fixed_value("income_total", "income"),
        Some(s(&inc["total"]))
    );
    assert_eq!(
        t1.fixed_value("carried_forward", "income"),
        Some(s(&inc["carried_forward"]))
    );
    assert_eq!(
        t1.fixed_value("expenditure_total", "expenditure"),
        Some(s(&e["total"]))
    );
    // 人员经费 / 公用经费 and every economic item.
    let t31 = b.table(TableId::T3_1).unwrap();
    assert_eq!(
        t31.total().unwrap().value("personnel"),
        Some(s(&e["personnel"]))
    );
    assert_eq!(
        t31.total().unwrap().value("public"),
        Some(s(&e["public_operation"]))
    );
    for it in seed["economic_item"].as_array().unwrap() {
        let code = it["code"].as_str().unwrap();
        let l = t31
            .by_code(code)
            .unwrap_or_else(|| panic!("表3-1 lacks {code}"));
        assert_eq!(l.name, it["name"].as_str().unwrap());
        let (col, other) = match it.get("personnel") {
            Some(_) => ("personnel", "public"),
            None => ("public", "personnel"),
        };
        let key = if col == "personnel" {
            "personnel"
        } else {
            "public_operation"
        };
        assert_eq!(l.value(col), Some(s(&it[key])), "{code}");
        assert_eq!(l.value(other), Some(Decimal::ZERO), "{code}");
    }
    // 三公.
    let tp = &seed["three_public"];
    let t33 = b.table(TableId::T3_3).unwrap().total().unwrap();
    for (seed_key, col) in [
        ("total", "total"),
        ("abroad", "abroad"),
        ("vehicle_purchase", "vehicle_purchase"),
        ("vehicle_operation", "vehicle_operation"),
        ("reception", "reception"),
    ] {
        assert_eq!(t33.value(col), Some(s(&tp[seed_key])), "{col}");
    }
    // Projects and the empty fund tables.
    let t32 = b.table(TableId::T3_2).unwrap();
    for p in seed["project"].as_array().unwrap() {
        let l = t32
            .entries()
            .find(|l| l.text("project_name").unwrap().value == p["name"].as_str().unwrap())
            .unwrap();
        assert_eq!(l.value("amount"), Some(s(&p["amount"])));
        assert_eq!(
            l.text("function_code").unwrap().value,
            p["function_code"].as_str().unwrap()
        );
    }
    for id in [TableId::T4, TableId::T5, TableId::T4_1] {
        let t = b.table(id).unwrap();
        assert!(t.is_empty(), "{id}");
        assert!(
            t.note.as_ref().unwrap().value.contains("故本表为空表"),
            "{id}"
        );
    }
    // Staffing and other facts the text needs, from 部门基本情况.
    let st = &seed["staffing"];
    for (k, seed_k) in [
        ("authorized_total", "authorized_total"),
        ("serving_total", "serving_total"),
        ("retired_total", "retired_total"),
    ] {
        assert_eq!(
            b.info.number(k),
            Some(Decimal::from(st[seed_k].as_integer().unwrap())),
            "{k}"
        );
    }
    let other = &seed["other"];
    assert_eq!(
        b.info.number("office_operation"),
        Some(s(&other["office_operation"]))
    );
    assert_eq!(
        b.info.number("fixed_assets"),
        Some(s(&other["fixed_assets_end_of_prior_year"]))
    );
    assert_eq!(
        b.info.number("performance_funds"),
        Some(s(&other["performance_managed_funds"]))
    );
    assert_eq!(
        b.info.number("prior_income_total"),
        Some(s(&seed["prior_year"]["total"]))
    );
}

#[test]
fn summary_of_the_luojiang_sample_in_yuan() {
    let s = load(&sample("luojiang-zhengxieban-2023")).summary();
    assert_eq!(s.income_total, Some(d("6847800")));
    assert_eq!(s.expenditure_total, Some(d("6847800")));
    assert_eq!(s.fiscal_total, Some(d("6847800")));
    assert_eq!(s.general_public_budget, Some(d("6847800")));
    assert_eq!(s.basic, Some(d("5747800")));
    assert_eq!(s.project, Some(d("1100000")));
    assert_eq!(s.personnel, Some(d("5132100")));
    assert_eq!(s.public_operation, Some(d("615700")));
    assert_eq!(s.three_public.total, Some(d("20000")));
    assert_eq!(s.three_public.reception, Some(d("20000")));
    assert_eq!(s.three_public.abroad, Some(Decimal::ZERO));
}

#[test]
fn other_samples_have_what_the_brief_asks() {
    let zj = load(&sample("luojiang-zhujianju-2023"));
    let t1 = zj.table(TableId::T1).unwrap();
    for key in ["business", "other", "carried_forward", "fund"] {
        assert!(
            t1.fixed_value(key, "income").unwrap() > Decimal::ZERO,
            "住建局 {key}"
        );
    }
    assert!(!zj.table(TableId::T4).unwrap().is_empty());
    let jy = load(&sample("luojiang-jiaoyuju-2023"));
    let t33 = jy.table(TableId::T3_3).unwrap();
    assert!(t33.entries().count() >= 4);
    assert!(t33.total().unwrap().value("vehicle_operation").unwrap() > Decimal::ZERO);
    assert!(t33.total().unwrap().value("vehicle_purchase").unwrap() > Decimal::ZERO);
}
