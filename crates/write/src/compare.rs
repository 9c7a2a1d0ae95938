//! The 预算与决算对比表 (`yusuan compare -o`): one sheet, each 一般公共预算 类/款/项 and
//! each “三公” part with its 预算数, 决算数 and the difference, in 万元 (exact to the
//! cent: 元 figures shown to 0.01 万元 are rounded only in display).

use rust_xlsxwriter::{Workbook, XlsxError};

use crate::new_workbook;
use crate::style::Styles;
use crate::table::{print_setup, to_f64};
use yusuan_core::Unit;
use yusuan_core::compare::Comparison;

/// The comparison as a print-ready workbook.
pub fn comparison_workbook(c: &Comparison) -> Result<Workbook, XlsxError> {
    let st = Styles::new();
    let mut wb = new_workbook();
    let ws = wb.add_worksheet();
    ws.set_name("预算与决算对比")?;
    let year = c.year.map(|y| format!("{y}年")).unwrap_or_default();
    let dept = c.department.as_deref().unwrap_or("（未注明部门）");
    ws.merge_range(
        0,
        0,
        0,
        5,
        &format!("{dept}{year}预算与决算对比表"),
        &st.title,
    )?;
    ws.set_row_height(0, 32)?;
    ws.write_string_with_format(1, 5, "单位：万元", &st.meta_right)?;
    let headers = [
        "级次",
        "科目编码",
        "科目名称",
        "预算数",
        "决算数",
        "决算数−预算数",
    ];
    for (k, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, k as u16, *h, &st.header)?;
    }
    let mut row = 3;
    for l in &c.lines {
        let total = l.level == "合计";
        ws.write_string_with_format(row, 0, l.level, &st.label)?;
        ws.write_string_with_format(row, 1, l.code.as_deref().unwrap_or(""), &st.code)?;
        let name_fmt = if total { &st.total_label } else { &st.label };
        ws.write_string_with_format(row, 2, &l.name, name_fmt)?;
        for (k, v) in [(3, l.budget), (4, l.final_), (5, l.difference)] {
            let fmt = if total { &st.total_money } else { &st.money };
            match v {
                Some(v) => {
                    ws.write_number_with_format(row, k, to_f64(Unit::WanYuan.from_yuan(v)), fmt)?
                }
                None => ws.write_blank(row, k, fmt)?,
            };
        }
        row += 1;
    }
    for (k, w) in [
        (0, 6.0),
        (1, 11.0),
        (2, 36.0),
        (3, 14.0),
        (4, 14.0),
        (5, 16.0),
    ] {
        ws.set_column_width(k, w)?;
    }
    print_setup(ws, false, 2, row.saturating_sub(1), 5)?;
    Ok(wb)
}
