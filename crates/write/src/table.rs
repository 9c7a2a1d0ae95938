//! One table sheet in the canonical layout: title, 部门 line and unit, merged headers,
//! 合计 row, data rows, empty-table note; print setup.
//!
//! The layout comes from the catalogue; the figures from the model. The same code
//! writes the blank template, the filled submission (samples) and the disclosure.

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Url, Workbook, Worksheet, XlsxError};

use super::style::Styles;
use yusuan_core::text::display_width;
use yusuan_core::{Amount, Line, LineKind, Reading, Table, Unit, round2};
use yusuan_core::{Catalog, ColumnSpec, Role, RowSpec, Side, TableKind, TableSpec};

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

/// Numbers with two decimals become this f64 (the nearest double to the decimal).
///
/// When the mantissa and the power of ten are both exact doubles (mantissa below 2^53,
/// scale at most 22) one IEEE division is correctly rounded, so it gives the nearest
/// double directly; anything else goes through the decimal string.
pub fn to_f64(v: Decimal) -> f64 {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let m = v.mantissa();
    match POW10.get(v.scale() as usize) {
        Some(p) if m.unsigned_abs() < 1 << 53 => m as f64 / p,
        _ => v.to_string().parse().unwrap_or(0.0),
    }
}

/// Characters a money cell (two decimals) needs: sign, integer digits, `.00`, and room for three
/// thousands separators (what Excel shows with the `#,##0.00` formats).
fn money_width(v: Decimal) -> usize {
    let int = v.trunc().mantissa().unsigned_abs();
    let digits = int.checked_ilog10().map_or(1, |d| d as usize + 1);
    usize::from(v.is_sign_negative()) + digits + 3 + 3
}

/// Writes the cells of one table sheet: text and money, with formats applied in
/// rectangles at the end, and the widths the text needs.
pub(crate) struct Writer<'a> {
    pub(crate) ws: &'a mut Worksheet,
    pub(crate) st: &'a Styles,
    pub(crate) mode: Mode,
    /// The unit values are stored in (the table's) and the unit written.
    pub(crate) from: Unit,
    pub(crate) to: Unit,
    /// Whether a blank amount is published as 0.00 (the layout's convention).
    pub(crate) blank_as_zero: bool,
    pub(crate) widths: Vec<usize>,
    /// Cell formats, applied by [`Writer::apply_formats`] in rectangles.
    pub(crate) formats: Vec<(u32, u16, &'a Format)>,
    /// Names and labels written (row, column, display width): a row whose name is
    /// wider than its column is made taller, so the name wraps instead of being cut.
    pub(crate) wrapped: Vec<(u32, u16, usize)>,
    /// Column widths as set, and the height rows gained over the default (points), for
    /// the page estimate of the 目录.
    pub(crate) set_widths: Vec<usize>,
    pub(crate) extra_height: f64,
}

impl<'a> Writer<'a> {
    pub(crate) fn note_width(&mut self, col: u16, width: usize) {
        if let Some(x) = self.widths.get_mut(col as usize) {
            *x = (*x).max(width);
        }
    }

    pub(crate) fn text(
        &mut self,
        row: u32,
        col: u16,
        text: &str,
        fmt: &'a Format,
    ) -> Result<(), XlsxError> {
        let width = display_width(text);
        self.note_width(col, width);
        if self.st.wraps(fmt) {
            self.wrapped.push((row, col, width));
        }
        self.ws.write_string(row, col, text)?;
        self.blank(row, col, fmt);
        Ok(())
    }

    /// Make every row tall enough for its wrapped names, given the column widths set.
    pub(crate) fn fit_rows(&mut self, widths: &[usize]) -> Result<(), XlsxError> {
        let mut lines: std::collections::BTreeMap<u32, usize> = Default::default();
        for &(row, col, width) in &self.wrapped {
            // Two characters of the column go to the indent and the margin.
            let room = widths
                .get(col as usize)
                .map_or(60, |w| w.saturating_sub(3).max(4));
            let n = width.div_ceil(room);
            if n > 1 {
                let e = lines.entry(row).or_default();
                *e = (*e).max(n);
            }
        }
        for (row, n) in lines {
            let h = 14.0 * n as f64 + 3.0;
            self.ws.set_row_height(row, h)?;
            self.extra_height += h - DEFAULT_ROW_HEIGHT;
        }
        self.set_widths = widths.to_vec();
        Ok(())
    }

    /// Give a cell its format (a blank cell if nothing is written there).
    pub(crate) fn blank(&mut self, row: u32, col: u16, fmt: &'a Format) {
        self.formats.push((row, col, fmt));
    }

    /// rust_xlsxwriter hashes the whole `Format` on every formatted write, which was a
    /// tenth of the time spent writing a disclosure. Cells are written unformatted and
    /// their formats applied here, one `set_range_format` per rectangle of cells that
    /// share a format (a few per table). The last format given to a cell wins, as with
    /// direct writes; rectangles are applied in position order, so the output bytes do
    /// not depend on addresses.
    pub(crate) fn apply_formats(&mut self) -> Result<(), XlsxError> {
        let mut cells = std::mem::take(&mut self.formats);
        cells.reverse();
        cells.sort_by_key(|&(r, c, _)| (r, c)); // stable: the last given comes first
        cells.dedup_by_key(|&mut (r, c, _)| (r, c));
        // Runs along each row, then runs stacked over consecutive rows.
        let mut runs: Vec<(u32, u16, u16, &Format)> = Vec::new();
        for (r, c, f) in cells {
            match runs.last_mut() {
                Some(x) if x.0 == r && x.2 + 1 == c && std::ptr::eq(x.3, f) => x.2 = c,
                _ => runs.push((r, c, c, f)),
            }
        }
        runs.sort_by_key(|&(r, c0, c1, f)| (c0, c1, std::ptr::from_ref(f) as usize, r));
        let mut rects: Vec<(u32, u32, u16, u16, &Format)> = Vec::new();
        for (r, c0, c1, f) in runs {
            match rects.last_mut() {
                Some(x) if (x.2, x.3) == (c0, c1) && std::ptr::eq(x.4, f) && x.1 + 1 == r => {
                    x.1 = r;
                }
                _ => rects.push((r, r, c0, c1, f)),
            }
        }
        rects.sort_by_key(|&(r0, _, c0, _, _)| (r0, c0));
        for (r0, r1, c0, c1, f) in rects {
            self.ws.set_range_format(r0, c0, r1, c1, f)?;
        }
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

    pub(crate) fn money(
        &mut self,
        row: u32,
        col: u16,
        a: Option<&Amount>,
        fmt: &'a Format,
    ) -> Result<(), XlsxError> {
        let v = match self.mode {
            // A blank source cell (or a cell the source does not have) stays blank
            // unless the layout publishes blanks as 0.00.
            Mode::Disclosure { .. } if !self.blank_as_zero && a.is_none_or(|a| a.is_blank()) => {
                None
            }
            Mode::Disclosure { .. } => Some(self.value(a).unwrap_or_default()),
            _ => self.value(a),
        };
        if let Some(v) = v {
            self.note_width(col, money_width(v));
            self.ws.write_number(row, col, to_f64(v))?;
        }
        self.blank(row, col, fmt);
        Ok(())
    }
}

/// Write one table onto `ws` (`table` is `None` for a blank template); the pages it
/// prints on, estimated (see [`estimate_pages`]).
pub fn write_table(
    ws: &mut Worksheet,
    st: &Styles,
    spec: &TableSpec,
    table: Option<&Table>,
    mode: Mode,
    ctx: &Context<'_>,
) -> Result<usize, XlsxError> {
    // Published, a column the source table does not have is not shown.
    let columns: Vec<&ColumnSpec> = spec
        .written_columns()
        .filter(|c| {
            !matches!(mode, Mode::Disclosure { .. })
                || c.role != Role::Amount
                || table.is_none_or(|t| t.states_column(&c.key))
        })
        .collect();
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
        blank_as_zero: true,
        widths: columns
            .iter()
            .map(|c| c.width.unwrap_or(0.0) as usize)
            .collect(),
        formats: Vec::new(),
        wrapped: Vec::new(),
        set_widths: Vec::new(),
        extra_height: 0.0,
    };
    write_title(&mut w, spec, ctx, ncols)?;
    let h1 = write_header_band(&mut w, &columns)?;
    let mut row = h1 + 1;
    match spec.kind {
        TableKind::Classified => row = write_classified(&mut w, &columns, table, row)?,
        TableKind::List => row = write_list(&mut w, &columns, table, row)?,
        TableKind::Balance => row = write_balance(&mut w, spec, &columns, table, row)?,
        TableKind::Info => {}
    }
    // The empty-table note, merged across the table.
    if let Some(note) = empty_note_text(table, mode, spec, ctx) {
        w.ws.merge_range(row, 0, row, last_col, &note, &st.note)?;
        let lines = (display_width(&note) / 100 + 1) as u32;
        w.ws.set_row_height(row, 20 * lines)?;
        row += 1;
    }
    w.apply_formats()?;
    fit_columns(&mut w, &columns, ctx)?;
    let landscape = spec.landscape || ncols > 6;
    print_setup(w.ws, landscape, h1, row.saturating_sub(1), last_col)?;
    Ok(estimate_pages(
        &w.set_widths,
        row,
        w.extra_height + 30.0,
        landscape,
    ))
}

/// The title row and the 部门 / unit line (rows 0 and 1), and the link back to 目录.
fn write_title(
    w: &mut Writer<'_>,
    spec: &TableSpec,
    ctx: &Context<'_>,
    ncols: u16,
) -> Result<(), XlsxError> {
    let st = w.st;
    let last_col = ncols.saturating_sub(1);
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
    w.ws.write_string_with_format(
        1,
        last_col,
        format!("单位：{}", w.to.label()),
        &st.meta_right,
    )?;
    if ctx.back_link {
        w.ws.write_url_with_format(
            0,
            ncols + 1,
            Url::new("internal:'目录'!A1").set_text("返回目录"),
            &st.link,
        )?;
    }
    Ok(())
}

/// The header band from row 2: one row, or two when any column has a group (merged
/// over its columns). Returns the last header row.
fn write_header_band(w: &mut Writer<'_>, columns: &[&ColumnSpec]) -> Result<u32, XlsxError> {
    let st = w.st;
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
                    w.note_width(i as u16, display_width(&c.header));
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
    Ok(h1)
}

/// A classified table's body: the 合计 row, then each 类/款/项 line (类 bold, names
/// indented by level). Returns the next free row.
fn write_classified(
    w: &mut Writer<'_>,
    columns: &[&ColumnSpec],
    table: Option<&Table>,
    mut row: u32,
) -> Result<u32, XlsxError> {
    let st = w.st;
    let lines: Vec<&Line> = table.map(|t| t.lines.iter().collect()).unwrap_or_default();
    let total = lines.iter().find(|l| l.kind == LineKind::Total).copied();
    w.ws.merge_range(row, 0, row, 1, "合计", &st.total_label)?;
    let amounts = || {
        columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.role == Role::Amount)
    };
    for (k, c) in amounts() {
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
        for (k, c) in amounts() {
            let fmt = if bold { &st.money_bold } else { &st.money };
            w.money(row, k as u16, l.amount(&c.key), fmt)?;
        }
        row += 1;
    }
    Ok(row)
}

/// A list table's body (单位 or project rows): the 合计 row, then each entry.
fn write_list(
    w: &mut Writer<'_>,
    columns: &[&ColumnSpec],
    table: Option<&Table>,
    mut row: u32,
) -> Result<u32, XlsxError> {
    let st = w.st;
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
            _ => w.blank(row, k, &st.total_label),
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
    Ok(row)
}

/// Column widths that fit Chinese text (CJK counts two); amount columns keep a compact
/// width and let long headers wrap.
fn fit_columns(
    w: &mut Writer<'_>,
    columns: &[&ColumnSpec],
    ctx: &Context<'_>,
) -> Result<(), XlsxError> {
    let mut set = Vec::new();
    for (k, width) in w.widths.iter().enumerate() {
        let wdt = if columns[k].role == Role::Amount {
            (*width).clamp(13, 16) + 2
        } else {
            ((*width).max(8) + 2).min(60)
        };
        w.ws.set_column_width(k as u16, wdt as f64)?;
        set.push(wdt);
    }
    w.fit_rows(&set)?;
    if ctx.back_link {
        w.ws.set_column_width(columns.len() as u16 + 1, 10)?;
    }
    Ok(())
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
                Catalog::get().empty_note(spec.id, ctx.year)
            } else {
                None
            }
        }
    }
}

/// A balance table: the income block left, the expenditure block right; fixed rows at
/// the top, 类 lines below the expenditure fixed rows, the foot rows aligned by index.
/// A row of one side of a balance table: its label, its line in the source, and
/// whether it is a section or total row (bold).
struct Item<'t> {
    label: String,
    line: Option<&'t Line>,
    bold: bool,
}

/// One side's rows: the head (fixed rows, then the 类 lines), and the foot rows by
/// their place.
type SideRows<'t> = (Vec<Item<'t>>, Vec<Option<Item<'t>>>);

/// The rows of both sides of a balance table. Published (`published`), a fixed row the
/// source does not have is not shown, and a foot row neither side has is left out.
fn balance_rows<'t>(
    spec: &TableSpec,
    table: Option<&'t Table>,
    published: bool,
) -> Vec<SideRows<'t>> {
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
    let mut blocks: Vec<SideRows<'t>> = Vec::new();
    for side in [Side::Income, Side::Expenditure] {
        let mut head: Vec<Item<'t>> = spec
            .rows
            .iter()
            .filter(|r| r.side == side && r.write && r.foot.is_none())
            // Published, a fixed row the source does not have is not shown.
            .filter(|r| !published || find(&r.key).is_some())
            .map(fixed_item)
            .collect();
        if side == Side::Expenditure
            && let Some(t) = table
        {
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
        let foot_len = spec
            .rows
            .iter()
            .filter_map(|r| r.foot)
            .max()
            .map_or(0, |m| m + 1);
        let mut foot: Vec<Option<Item<'t>>> = (0..foot_len).map(|_| None).collect();
        for r in spec.rows.iter().filter(|r| r.side == side && r.write) {
            if let Some(i) = r.foot
                && (!published || find(&r.key).is_some())
            {
                foot[i as usize] = Some(fixed_item(r));
            }
        }
        blocks.push((head, foot));
    }
    // Published, a foot row neither side has is left out (the totals stay aligned).
    if published {
        let keep: Vec<usize> = (0..blocks.iter().map(|(_, f)| f.len()).max().unwrap_or(0))
            .filter(|i| {
                blocks
                    .iter()
                    .any(|(_, f)| f.get(*i).is_some_and(Option::is_some))
            })
            .collect();
        for (_, foot) in &mut blocks {
            let mut kept = Vec::new();
            for i in &keep {
                kept.push(foot.get_mut(*i).and_then(Option::take));
            }
            *foot = kept;
        }
    }
    blocks
}

fn write_balance(
    w: &mut Writer<'_>,
    spec: &TableSpec,
    columns: &[&ColumnSpec],
    table: Option<&Table>,
    first_row: u32,
) -> Result<u32, XlsxError> {
    let published = matches!(w.mode, Mode::Disclosure { .. }) && table.is_some();
    let blocks = balance_rows(spec, table, published);
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
                        w.blank(r, *k, &st.money);
                    }
                    _ => {
                        w.blank(r, *k, &st.label);
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

/// The height of a row left at its default (points).
pub(crate) const DEFAULT_ROW_HEIGHT: f64 = 15.0;

/// How many A4 pages a sheet prints on, fitted to the page's width as
/// [`print_setup`] sets it: columns of `widths` characters, `rows` rows of the default
/// height plus `extra` points. An estimate (the printer's fonts decide the last
/// point), for the 目录's page numbers.
pub fn estimate_pages(widths: &[usize], rows: u32, extra: f64, landscape: bool) -> usize {
    // A4 in points less the margins print_setup sets (0.5 in each side, 0.75 in top
    // and bottom); a column of n characters is 7n + 5 pixels, 0.75 point a pixel.
    let (page_w, page_h) = if landscape {
        (842.0, 595.0)
    } else {
        (595.0, 842.0)
    };
    let (room_w, room_h) = (page_w - 72.0, page_h - 108.0);
    let width: f64 = widths.iter().map(|&w| (7 * w + 5) as f64 * 0.75).sum();
    let scale = if width > room_w { room_w / width } else { 1.0 };
    let height = (f64::from(rows) * DEFAULT_ROW_HEIGHT + extra) * scale;
    ((height / room_h).ceil() as usize).max(1)
}

/// Add a table sheet named after the catalogue and write it; its pages, estimated.
pub fn add_table_sheet(
    wb: &mut Workbook,
    st: &Styles,
    spec: &TableSpec,
    table: Option<&Table>,
    mode: Mode,
    ctx: &Context<'_>,
) -> Result<usize, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(&spec.sheet)?;
    write_table(ws, st, spec, table, mode, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn to_f64_is_the_nearest_double(m in any::<i64>(), scale in 0u32..=18) {
            let v = Decimal::new(m, scale);
            let by_string: f64 = v.to_string().parse().unwrap();
            prop_assert_eq!(to_f64(v).to_bits(), by_string.to_bits());
        }

        #[test]
        fn money_width_counts_the_printed_characters(m in any::<i64>(), scale in 0u32..=2) {
            let v = Decimal::new(m, scale);
            prop_assert_eq!(money_width(v), format!("{v:.2},,,").chars().count());
        }
    }
}
