//! One table sheet in the canonical layout: title, 部门 line and unit, merged headers,
//! 合计 row, data rows, empty-table note; print setup.
//!
//! The layout comes from the catalogue; the figures from the model. The same code
//! writes the blank template, the filled submission (samples) and the disclosure.

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Url, Workbook, Worksheet, XlsxError};

use super::style::Styles;
use crate::catalog::{ColumnSpec, Role, RowSpec, Side, TableKind, TableSpec};
use crate::model::{Amount, Line, LineKind, Reading, Table, Unit, round2};
use crate::text::display_width;

/// What the sheet is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A blank form for departments.
    Template,
    /// A filled form, values exactly as in the model and in the table's unit.
    Submission,
    /// The published table, values rounded to two decimals of `unit`.
    Disclosure { unit: Unit },
}

/// Sheet-level text around the table.
pub struct Context<'a> {
    pub department: Option<&'a str>,
    pub year: Option<i32>,
    /// Write a `返回目录` link beside the title.
    pub back_link: bool,
}

/// The title shown on the sheet: `{部门}{年度}年{表名}`.
pub fn full_title(spec: &TableSpec, ctx: &Context<'_>) -> String {
    let year = ctx.year.map(|y| format!("{y}年")).unwrap_or_default();
    format!("{}{}{}", ctx.department.unwrap_or(""), year, spec.title)
}

/// Layout facts other writers need (row of the first data line, last row and column).
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub header_last: u32,
    pub last_row: u32,
    pub last_col: u16,
}

/// Numbers with two decimals become this f64 (the nearest double to the decimal).
pub fn to_f64(v: Decimal) -> f64 {
    v.to_string().parse().unwrap_or(0.0)
}

struct Writer<'a> {
    ws: &'a mut Worksheet,
    st: &'a Styles,
    mode: Mode,
    /// The unit values are stored in (the table's) and the unit written.
    from: Unit,
    to: Unit,
    widths: Vec<usize>,
}

impl Writer<'_> {
    fn note_width(&mut self, col: u16, text: &str) {
        let w = display_width(text);
        if let Some(x) = self.widths.get_mut(col as usize) {
            *x = (*x).max(w);
        }
    }

    fn text(&mut self, row: u32, col: u16, text: &str, fmt: &Format) -> Result<(), XlsxError> {
        self.note_width(col, text);
        self.ws.write_string_with_format(row, col, text, fmt)?;
        Ok(())
    }

    fn value(&self, a: Option<&Amount>) -> Option<Decimal> {
        let a = a?;
        match (self.mode, &a.reading) {
            (Mode::Template, _) => None,
            (Mode::Submission, Reading::Value(v)) if self.from == self.to => Some(*v),
            (Mode::Submission, Reading::Value(v)) => {
                Some(round2(self.to.from_yuan(self.from.to_yuan(*v))))
            }
            (Mode::Submission, _) => None,
            (Mode::Disclosure { .. }, _) => {
                let v = a.value().unwrap_or_default();
                Some(round2(self.to.from_yuan(self.from.to_yuan(v))))
            }
        }
    }

    fn money(
        &mut self,
        row: u32,
        col: u16,
        a: Option<&Amount>,
        fmt: &Format,
    ) -> Result<(), XlsxError> {
        let v = match self.mode {
            Mode::Disclosure { .. } => Some(self.value(a).unwrap_or_default()),
            _ => self.value(a),
        };
        match v {
            Some(v) => {
                self.note_width(col, &format!("{v:.2},,,"));
                self.ws.write_number_with_format(row, col, to_f64(v), fmt)?;
            }
            None => {
                self.ws.write_blank(row, col, fmt)?;
            }
        }
        Ok(())
    }
}

/// Write one table onto `ws`. `table` is `None` for a blank template.
pub fn write_table(
    ws: &mut Worksheet,
    st: &Styles,
    spec: &TableSpec,
    table: Option<&Table>,
    mode: Mode,
    ctx: &Context<'_>,
) -> Result<Placed, XlsxError> {
    let columns: Vec<&ColumnSpec> = spec.written_columns().collect();
    let ncols = columns.len() as u16;
    let last_col = ncols.saturating_sub(1);
    let from = table.and_then(|t| t.unit).unwrap_or(Unit::WanYuan);
    let to = match mode {
        Mode::Disclosure { unit } => unit,
        _ => from,
    };
    let mut w = Writer {
        ws,
        st,
        mode,
        from,
        to,
        widths: columns
            .iter()
            .map(|c| c.width.unwrap_or(0.0) as usize)
            .collect(),
    };
    // Title and the 部门 / unit line.
    let title = full_title(spec, ctx);
    w.ws.merge_range(0, 0, 0, last_col, &title, &st.title)?;
    w.ws.set_row_height(0, 32)?;
    let dept = format!("部门（单位）：{}", ctx.department.unwrap_or(""));
    let left_end = if ncols > 2 {
        last_col.saturating_sub(2).max(1)
    } else {
        0
    };
    if left_end > 0 {
        w.ws.merge_range(1, 0, 1, left_end, &dept, &st.meta_left)?;
    } else {
        w.ws.write_string_with_format(1, 0, &dept, &st.meta_left)?;
    }
    w.ws.write_string_with_format(1, last_col, format!("单位：{}", to.label()), &st.meta_right)?;
    if ctx.back_link {
        w.ws.write_url_with_format(
            0,
            ncols + 1,
            Url::new("internal:'目录'!A1").set_text("返回目录"),
            &st.link,
        )?;
    }
    // Headers: one row, or two when any column has a group.
    let two = columns.iter().any(|c| c.group.is_some());
    let h0 = 2;
    let h1 = if two { 3 } else { 2 };
    let mut i = 0;
    while i < columns.len() {
        let c = columns[i];
        match &c.group {
            Some(g) => {
                let mut j = i;
                while j + 1 < columns.len() && columns[j + 1].group.as_ref() == Some(g) {
                    j += 1;
                }
                if j > i {
                    w.ws.merge_range(h0, i as u16, h0, j as u16, g, &st.header)?;
                } else {
                    w.ws.write_string_with_format(h0, i as u16, g, &st.header)?;
                }
                for (k, col) in columns.iter().enumerate().take(j + 1).skip(i) {
                    w.text(h1, k as u16, &col.header, &st.header)?;
                }
                i = j + 1;
            }
            None => {
                if two {
                    w.ws.merge_range(h0, i as u16, h1, i as u16, &c.header, &st.header)?;
                    w.note_width(i as u16, &c.header);
                } else {
                    w.text(h0, i as u16, &c.header, &st.header)?;
                }
                i += 1;
            }
        }
    }
    for r in h0..=h1 {
        w.ws.set_row_height(r, 30)?;
    }
    let mut row = h1 + 1;
    match spec.kind {
        TableKind::Classified => {
            let lines: Vec<&Line> = table.map(|t| t.lines.iter().collect()).unwrap_or_default();
            let total = lines.iter().find(|l| l.kind == LineKind::Total).copied();
            w.ws.merge_range(row, 0, row, 1, "合计", &st.total_label)?;
            for (k, c) in columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.role == Role::Amount)
            {
                w.money(
                    row,
                    k as u16,
                    total.and_then(|l| l.amount(&c.key)),
                    &st.total_money,
                )?;
            }
            row += 1;
            for l in lines.iter().filter(|l| l.kind != LineKind::Total) {
                let level = l.level().unwrap_or(3);
                let bold = level == 1;
                let code = l.code.as_deref().unwrap_or("");
                w.text(row, 0, code, if bold { &st.code_bold } else { &st.code })?;
                let name_fmt = &st.name[(level as usize).clamp(1, 3) - 1];
                w.text(row, 1, &l.name, name_fmt)?;
                for (k, c) in columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.role == Role::Amount)
                {
                    let fmt = if bold { &st.money_bold } else { &st.money };
                    w.money(row, k as u16, l.amount(&c.key), fmt)?;
                }
                row += 1;
            }
        }
        TableKind::List => {
            let lines: Vec<&Line> = table.map(|t| t.lines.iter().collect()).unwrap_or_default();
            let total = lines.iter().find(|l| l.kind == LineKind::Total).copied();
            let label_col = columns
                .iter()
                .position(|c| c.role == Role::Label)
                .unwrap_or(0) as u16;
            for (k, c) in columns.iter().enumerate() {
                let k = k as u16;
                match c.role {
                    Role::Amount => w.money(
                        row,
                        k,
                        total.and_then(|l| l.amount(&c.key)),
                        &st.total_money,
                    )?,
                    _ if k == label_col => w.text(row, k, "合计", &st.total_label)?,
                    _ => {
                        w.ws.write_blank(row, k, &st.total_label)?;
                    }
                }
            }
            row += 1;
            for l in lines.iter().filter(|l| l.kind != LineKind::Total) {
                for (k, c) in columns.iter().enumerate() {
                    let k = k as u16;
                    match c.role {
                        Role::Amount => w.money(row, k, l.amount(&c.key), &st.money)?,
                        Role::Label => w.text(row, k, &l.name, &st.label)?,
                        _ => {
                            let t = l.text(&c.key).map(|t| t.value.clone()).unwrap_or_default();
                            let fmt = if c.key.ends_with("code") {
                                &st.code
                            } else {
                                &st.label
                            };
                            w.text(row, k, &t, fmt)?;
                        }
                    }
                }
                row += 1;
            }
        }
        TableKind::Balance => {
            row = write_balance(&mut w, spec, &columns, table, row)?;
        }
        TableKind::Info => {}
    }
    // The empty-table note, merged across the table.
    if let Some(note) = empty_note_text(table, mode, spec, ctx) {
        w.ws.merge_range(row, 0, row, last_col, &note, &st.note)?;
        let lines = (display_width(&note) / 100 + 1) as u32;
        w.ws.set_row_height(row, 20 * lines)?;
        row += 1;
    }
    let last_row = row.saturating_sub(1);
    // Column widths that fit Chinese text (CJK counts two).
    // Amount columns keep a compact width and let long headers wrap.
    for (k, width) in w.widths.iter().enumerate() {
        let wdt = if columns[k].role == Role::Amount {
            (*width).clamp(13, 16) + 2
        } else {
            ((*width).max(8) + 2).min(60)
        };
        w.ws.set_column_width(k as u16, wdt as f64)?;
    }
    if ctx.back_link {
        w.ws.set_column_width(ncols + 1, 10)?;
    }
    print_setup(w.ws, spec.landscape || ncols > 6, h1, last_row, last_col)?;
    Ok(Placed {
        header_last: h1,
        last_row,
        last_col,
    })
}

fn empty_note_text(
    table: Option<&Table>,
    mode: Mode,
    spec: &TableSpec,
    ctx: &Context<'_>,
) -> Option<String> {
    let t = table?;
    match mode {
        Mode::Template => None,
        // The form as given: its note, if any.
        Mode::Submission => t.note.as_ref().map(|n| n.value.clone()),
        // Published: an empty table always carries the right note; a non-empty one none.
        Mode::Disclosure { .. } => {
            if t.is_empty() {
                crate::compose::empty_note(spec.id, ctx.year)
            } else {
                None
            }
        }
    }
}

/// A balance table: the income block left, the expenditure block right; fixed rows at
/// the top, 类 lines below the expenditure fixed rows, the foot rows aligned by index.
fn write_balance(
    w: &mut Writer<'_>,
    spec: &TableSpec,
    columns: &[&ColumnSpec],
    table: Option<&Table>,
    first_row: u32,
) -> Result<u32, XlsxError> {
    struct Item<'t> {
        label: String,
        line: Option<&'t Line>,
        bold: bool,
    }
    let find = |key: &str| {
        table.and_then(|t| {
            t.lines
                .iter()
                .find(|l| l.kind == LineKind::Fixed && l.key.as_deref() == Some(key))
        })
    };
    let fixed_item = |r: &RowSpec| Item {
        label: r.label.clone(),
        line: find(&r.key),
        bold: r.foot.is_some()
            || spec
                .rows
                .iter()
                .any(|x| x.section.as_deref() == Some(&r.key)),
    };
    let mut blocks: Vec<(Vec<Item<'_>>, Vec<Option<Item<'_>>>)> = Vec::new();
    for side in [Side::Income, Side::Expenditure] {
        let mut head: Vec<Item<'_>> = spec
            .rows
            .iter()
            .filter(|r| r.side == side && r.write && r.foot.is_none())
            .map(fixed_item)
            .collect();
        if side == Side::Expenditure {
            if let Some(t) = table {
                for l in t
                    .lines
                    .iter()
                    .filter(|l| l.kind == LineKind::Code && l.side == Some(side))
                {
                    head.push(Item {
                        label: l.name.clone(),
                        line: Some(l),
                        bold: false,
                    });
                }
            }
        }
        let foot_len = spec
            .rows
            .iter()
            .filter_map(|r| r.foot)
            .max()
            .map_or(0, |m| m + 1);
        let mut foot: Vec<Option<Item<'_>>> = (0..foot_len).map(|_| None).collect();
        for r in spec.rows.iter().filter(|r| r.side == side && r.write) {
            if let Some(i) = r.foot {
                foot[i as usize] = Some(fixed_item(r));
            }
        }
        blocks.push((head, foot));
    }
    let head_rows = blocks
        .iter()
        .map(|(h, _)| h.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let foot_rows = blocks.iter().map(|(_, f)| f.len()).max().unwrap_or(0);
    let st = w.st;
    for (side_i, side) in [Side::Income, Side::Expenditure].into_iter().enumerate() {
        let side_cols: Vec<(u16, &ColumnSpec)> = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.side == Some(side))
            .map(|(k, c)| (k as u16, *c))
            .collect();
        let (head, foot) = &blocks[side_i];
        let rows = (0..head_rows)
            .map(|i| head.get(i))
            .chain((0..foot_rows).map(|i| foot.get(i).and_then(Option::as_ref)));
        for (i, item) in rows.enumerate() {
            let r = first_row + i as u32;
            for (k, c) in &side_cols {
                match (item, c.role) {
                    (Some(it), Role::Label) => {
                        let fmt = if it.bold { &st.label_bold } else { &st.label };
                        w.text(r, *k, &it.label, fmt)?;
                    }
                    (Some(it), Role::Amount) => {
                        let fmt = if it.bold { &st.money_bold } else { &st.money };
                        w.money(r, *k, it.line.and_then(|l| l.amount(&c.key)), fmt)?;
                    }
                    (None, Role::Amount) => {
                        w.ws.write_blank(r, *k, &st.money)?;
                    }
                    _ => {
                        w.ws.write_blank(r, *k, &st.label)?;
                    }
                }
            }
        }
    }
    Ok(first_row + (head_rows + foot_rows) as u32)
}

/// A4, fit to one page wide, header rows repeated, page numbers in the footer.
pub fn print_setup(
    ws: &mut Worksheet,
    landscape: bool,
    header_last: u32,
    last_row: u32,
    last_col: u16,
) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    if landscape {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, header_last)?;
    ws.set_footer("&C第 &P 页 共 &N 页");
    ws.set_margins(0.5, 0.5, 0.75, 0.75, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_print_area(0, 0, last_row.max(header_last), last_col)?;
    ws.set_freeze_panes(header_last + 1, 0)?;
    Ok(())
}

/// Add a table sheet named after the catalogue and write it.
pub fn add_table_sheet(
    wb: &mut Workbook,
    st: &Styles,
    spec: &TableSpec,
    table: Option<&Table>,
    mode: Mode,
    ctx: &Context<'_>,
) -> Result<Placed, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(&spec.sheet)?;
    write_table(ws, st, spec, table, mode, ctx)
}
