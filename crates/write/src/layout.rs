//! A table sheet in a layout's own published form (the Shanghai set): the title, the
//! `编制部门：` and unit line, a header band built from the columns' header paths, the
//! body in the layout's order, 合计 where the layout puts it.
//!
//! Nothing is invented: a fixed row or a column the source table does not have is not
//! written; a blank source cell stays blank when the layout leaves blanks blank; the
//! labels and the title are the source's own when the source follows the layout.

use rust_xlsxwriter::{Url, Workbook, XlsxError};

use crate::style::Styles;
use crate::table::{Mode, Writer, print_setup};
use yusuan_core::text::display_width;
use yusuan_core::{
    Catalog, Entity, Layout, LayoutColumn, LayoutTable, Line, LineKind, Side, Stage, Table,
    TableKind, Unit,
};

/// Who and what a layout sheet is written for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LayoutCtx<'a> {
    pub layout: &'a Layout,
    pub department: &'a str,
    pub year: Option<i32>,
    pub entity: Entity,
    /// The unit to publish in; `None`: the layout's unit for each table.
    pub unit: Option<Unit>,
    /// The source follows this layout: its titles and labels are kept as printed.
    pub same_layout: bool,
    /// Write a `返回目录` link beside the title.
    pub back_link: bool,
    /// A blank form (no figures, the layout's labels).
    pub template: bool,
}

impl LayoutCtx<'_> {
    /// `{org}`, `{org_title}` and `{year}` filled in.
    pub fn fill(&self, pattern: &str) -> String {
        let (org, org_title) = match self.entity {
            Entity::Department => ("部门", "部门"),
            Entity::Unit => ("单位", "预算单位"),
        };
        let year = self.year.map(|y| y.to_string()).unwrap_or_default();
        pattern
            .replace("{org_title}", org_title)
            .replace("{org}", org)
            .replace("{year}年", if year.is_empty() { "" } else { "{year}年" })
            .replace("{year}", &year)
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of `/ \ : [ ] * ?`.
pub(crate) fn sheet_name(name: &str) -> String {
    let clean: String = name
        .trim()
        .chars()
        .map(|c| if "/\\:[]*?".contains(c) { '_' } else { c })
        .collect();
    clean.chars().take(31).collect()
}

/// The columns of a layout table that are written: those the source table has
/// (code and name columns always), all of them for a blank form.
fn written_columns<'a>(lt: &'a LayoutTable, table: Option<&Table>) -> Vec<&'a LayoutColumn> {
    const ALWAYS: &[&str] = &[
        "code_class",
        "code_kuan",
        "code_item",
        "code",
        "name",
        "income_item",
        "expenditure_item",
    ];
    lt.columns
        .iter()
        .filter(|c| {
            ALWAYS.contains(&c.key.as_str()) || table.is_none_or(|t| t.states_column(&c.key))
        })
        .collect()
}

/// The header band from row `top`: each column's path, a parent cell merged over the
/// columns that share it, a leaf merged down to the band's last row. Returns the last
/// header row.
fn header_band(
    w: &mut Writer<'_>,
    cols: &[&LayoutColumn],
    ctx: &LayoutCtx<'_>,
    top: u32,
) -> Result<u32, XlsxError> {
    let st = w.st;
    let paths: Vec<Vec<String>> = cols
        .iter()
        .map(|c| c.path.iter().map(|p| ctx.fill(p)).collect())
        .collect();
    let depth = paths.iter().map(Vec::len).max().unwrap_or(1);
    let last = top + depth as u32 - 1;
    for level in 0..depth {
        let row = top + level as u32;
        let mut c = 0;
        while c < paths.len() {
            let Some(text) = paths[c].get(level) else {
                c += 1;
                continue;
            };
            let mut e = c;
            while e + 1 < paths.len()
                && paths[e + 1].len() > level
                && paths[e + 1][..=level] == paths[c][..=level]
            {
                e += 1;
            }
            let leaf = e == c && paths[c].len() == level + 1;
            let bottom = if leaf { last } else { row };
            if e > c || bottom > row {
                w.ws.merge_range(row, c as u16, bottom, e as u16, text, &st.header)?;
            } else {
                w.ws.write_string_with_format(row, c as u16, text, &st.header)?;
            }
            if e == c {
                w.note_width(c as u16, display_width(text).min(16));
            }
            c = e + 1;
        }
        w.ws.set_row_height(row, 28)?;
    }
    Ok(last)
}

/// The classified body: each 类/款/项 line in the source's order, the code split into
/// the layout's 类|款|项 columns, then the 合计 row (first or last as the layout has it).
fn classified_body(
    w: &mut Writer<'_>,
    cols: &[&LayoutColumn],
    lt: &LayoutTable,
    table: Option<&Table>,
    first: u32,
) -> Result<u32, XlsxError> {
    let lines: Vec<&Line> = table.map(|t| t.coded().collect()).unwrap_or_default();
    let total = table.and_then(Table::total);
    let label_cols = cols
        .iter()
        .take_while(|c| c.key.starts_with("code") || c.key == "name")
        .count()
        .max(1) as u16;
    let mut row = first;
    if lt.total_first {
        total_row(w, cols, label_cols, total, row)?;
        row += 1;
    }
    for l in lines {
        line_cells(w, cols, l, row, 0)?;
        row += 1;
    }
    if !lt.total_first {
        total_row(w, cols, label_cols, total, row)?;
        row += 1;
    }
    Ok(row)
}

/// One 类/款/项 line in `cols` from column `off`: its code (whole or split into the
/// layout's 类|款|项 columns), its name indented by level, its amounts; a 类 bold.
fn line_cells(
    w: &mut Writer<'_>,
    cols: &[&LayoutColumn],
    l: &Line,
    row: u32,
    off: u16,
) -> Result<(), XlsxError> {
    let st = w.st;
    let code = l.code.as_deref().unwrap_or("");
    let bold = code.len() == 3;
    let part = |a: usize, b: usize| code.get(a..b).unwrap_or("");
    for (k, c) in cols.iter().enumerate() {
        let k = off + k as u16;
        let code_fmt = if bold { &st.code_bold } else { &st.code };
        match c.key.as_str() {
            "code_class" => w.text(row, k, part(0, 3), code_fmt)?,
            "code_kuan" => w.text(row, k, part(3, 5), code_fmt)?,
            "code_item" => w.text(row, k, part(5, 7), code_fmt)?,
            "code" => w.text(row, k, code, code_fmt)?,
            "name" => {
                let level = l.level().unwrap_or(3) as usize;
                w.text(row, k, &l.name, &st.name[level.clamp(1, 3) - 1])?;
            }
            key => {
                let fmt = if bold { &st.money_bold } else { &st.money };
                w.money(row, k, l.amount(key), fmt)?;
            }
        }
    }
    Ok(())
}

/// A classified table in two side-by-side blocks (the 决算 基本支出 table): the lines of
/// `left_classes` left, the rest right, each block closed by its total.
fn two_block_body(
    w: &mut Writer<'_>,
    cols: &[&LayoutColumn],
    lt: &LayoutTable,
    table: Option<&Table>,
    first: u32,
) -> Result<u32, XlsxError> {
    let st = w.st;
    let lines: Vec<&Line> = table.map(|t| t.coded().collect()).unwrap_or_default();
    let left = |l: &&Line| {
        l.code
            .as_deref()
            .is_some_and(|c| lt.left_classes.iter().any(|k| c.starts_with(k.as_str())))
    };
    let (l, r): (Vec<&Line>, Vec<&Line>) = lines.into_iter().partition(left);
    let rows = l.len().max(r.len()) as u32;
    let width = cols.len() as u16;
    let total = table.and_then(Table::total);
    for (b, block) in [l, r].iter().enumerate() {
        let off = b as u16 * width;
        for (i, line) in block.iter().enumerate() {
            line_cells(w, cols, line, first + i as u32, off)?;
        }
        for i in block.len() as u32..rows {
            for k in 0..width {
                w.blank(first + i, off + k, &st.money);
            }
        }
        let row = first + rows;
        if let Some((key, label)) = lt.block_totals.get(b) {
            w.ws.merge_range(row, off, row, off + width - 2, label, &st.total_label)?;
            w.money(
                row,
                off + width - 1,
                total.and_then(|t| t.amount(key)),
                &st.total_money,
            )?;
        }
    }
    Ok(first + rows + 1)
}

/// The 合计 row of a classified table: `合计` merged over the code and name columns.
fn total_row(
    w: &mut Writer<'_>,
    cols: &[&LayoutColumn],
    label_cols: u16,
    total: Option<&Line>,
    row: u32,
) -> Result<(), XlsxError> {
    let st = w.st;
    if label_cols > 1 {
        w.ws.merge_range(row, 0, row, label_cols - 1, "合计", &st.total_label)?;
    } else {
        w.text(row, 0, "合计", &st.total_label)?;
    }
    for (k, c) in cols.iter().enumerate().skip(label_cols as usize) {
        w.money(
            row,
            k as u16,
            total.and_then(|l| l.amount(&c.key)),
            &st.total_money,
        )?;
    }
    Ok(())
}

/// One row of a balance table's side: its label and its line.
struct Item<'t> {
    label: String,
    line: Option<&'t Line>,
    bold: bool,
}

/// The items of one side of a balance table: the layout's fixed rows the source has
/// (all of them, with the layout's labels, for a blank form), then on the expenditure
/// side the 类 lines, then any fixed row of the source the layout does not list.
fn side_items<'t>(
    lt: &LayoutTable,
    table: Option<&'t Table>,
    side: Side,
    ctx: &LayoutCtx<'_>,
) -> Vec<Item<'t>> {
    let fixed = match side {
        Side::Income => &lt.income,
        Side::Expenditure => &lt.expenditure,
    };
    let foot: Vec<&str> = lt.foot_keys().collect();
    let mut items = Vec::new();
    let label_of = |l: &Line, label: &str| {
        if ctx.same_layout {
            l.name.clone()
        } else {
            label.to_string()
        }
    };
    for (key, label) in fixed {
        match table {
            None => items.push(Item {
                label: label.clone(),
                line: None,
                bold: false,
            }),
            Some(t) => {
                if let Some(l) = t.fixed(key).filter(|l| l.side == Some(side)) {
                    items.push(Item {
                        label: label_of(l, label),
                        line: Some(l),
                        bold: false,
                    });
                }
            }
        }
    }
    let Some(t) = table else {
        if side == Side::Expenditure {
            items.extend(lt.blank_classes.iter().map(|label| Item {
                label: label.clone(),
                line: None,
                bold: false,
            }));
        }
        return items;
    };
    if side == Side::Expenditure {
        for l in t.coded().filter(|l| l.side == Some(side)) {
            items.push(Item {
                label: l.name.clone(),
                line: Some(l),
                bold: false,
            });
        }
    }
    let listed: Vec<&str> = fixed.iter().map(|(k, _)| k.as_str()).collect();
    for l in t.lines.iter().filter(|l| {
        l.kind == LineKind::Fixed
            && l.side == Some(side)
            && l.key
                .as_deref()
                .is_some_and(|k| !listed.contains(&k) && !foot.contains(&k))
    }) {
        items.push(Item {
            label: l.name.clone(),
            line: Some(l),
            bold: false,
        });
    }
    items
}

/// A balance table: the income side left, the expenditure side right, row by row, and
/// the 总计 row last.
fn balance_body(
    w: &mut Writer<'_>,
    cols: &[&LayoutColumn],
    lt: &LayoutTable,
    table: Option<&Table>,
    ctx: &LayoutCtx<'_>,
    first: u32,
) -> Result<u32, XlsxError> {
    let st = w.st;
    let spec = Catalog::get().table(lt.id);
    let side_of = |c: &LayoutColumn| spec.column(&c.key).and_then(|s| s.side);
    let sides = [Side::Income, Side::Expenditure];
    let items: Vec<Vec<Item<'_>>> = sides
        .iter()
        .map(|s| side_items(lt, table, *s, ctx))
        .collect();
    let body_rows = items.iter().map(Vec::len).max().unwrap_or(0).max(1);
    for (si, side) in sides.iter().enumerate() {
        let side_cols: Vec<(u16, &LayoutColumn)> = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| side_of(c) == Some(*side))
            .map(|(k, c)| (k as u16, *c))
            .collect();
        let foot = lt.foot.get(si).map(|(key, label)| Item {
            label: match table.and_then(|t| t.fixed(key)) {
                Some(l) if ctx.same_layout => l.name.clone(),
                _ => label.clone(),
            },
            line: table.and_then(|t| t.fixed(key)),
            bold: true,
        });
        let foot_rows: Vec<Option<Item<'_>>> = lt
            .foot_rows
            .iter()
            .enumerate()
            .map(|(i, pair)| {
                let (key, label) = &pair[si];
                let last = i + 1 == lt.foot_rows.len();
                (!key.is_empty()).then(|| Item {
                    label: match table.and_then(|t| t.fixed(key)) {
                        Some(l) if ctx.same_layout => l.name.clone(),
                        _ => label.clone(),
                    },
                    line: table.and_then(|t| t.fixed(key)),
                    bold: last,
                })
            })
            .collect();
        let rows = (0..body_rows)
            .map(|i| items[si].get(i))
            .chain((!lt.foot.is_empty()).then_some(foot.as_ref()))
            .chain(foot_rows.iter().map(Option::as_ref));
        for (i, item) in rows.enumerate() {
            let r = first + i as u32;
            for (k, c) in &side_cols {
                let is_label = c.key.ends_with("_item");
                match item {
                    Some(it) if is_label => {
                        let fmt = if it.bold { &st.label_bold } else { &st.label };
                        w.text(r, *k, &it.label, fmt)?;
                    }
                    Some(it) => {
                        let fmt = if it.bold { &st.money_bold } else { &st.money };
                        w.money(r, *k, it.line.and_then(|l| l.amount(&c.key)), fmt)?;
                    }
                    None if is_label => w.blank(r, *k, &st.label),
                    None => w.blank(r, *k, &st.money),
                }
            }
        }
    }
    let foot = usize::from(!lt.foot.is_empty()) + lt.foot_rows.len();
    Ok(first + (body_rows + foot) as u32)
}

/// A list table in the national form (the Shanghai 三公 table): one row of figures.
fn figures_row(
    w: &mut Writer<'_>,
    cols: &[&LayoutColumn],
    table: Option<&Table>,
    row: u32,
) -> Result<u32, XlsxError> {
    let st = w.st;
    let line = table.and_then(Table::total);
    for (k, c) in cols.iter().enumerate() {
        w.money(
            row,
            k as u16,
            line.and_then(|l| l.amount(&c.key)),
            &st.money,
        )?;
    }
    Ok(row + 1)
}

/// The line under the title: `编制部门：…`, the year for a 决算 (`2024年度`, which its
/// titles do not carry), `单位：万元`.
fn meta_row(
    w: &mut Writer<'_>,
    ctx: &LayoutCtx<'_>,
    last_col: u16,
    to: Unit,
) -> Result<(), XlsxError> {
    let st = w.st;
    let who = format!("编制{}：{}", ctx.entity.label(), ctx.department);
    let mut left_end = last_col.saturating_sub(1);
    if ctx.layout.stage == Stage::Final
        && let Some(y) = ctx.year
        && last_col >= 4
    {
        let mid = last_col / 2;
        w.ws.write_string_with_format(1, mid, format!("{y}年度"), &st.meta_right)?;
        left_end = mid - 1;
    }
    if left_end > 0 {
        w.ws.merge_range(1, 0, 1, left_end, &who, &st.meta_left)?;
    } else {
        w.ws.write_string_with_format(1, 0, &who, &st.meta_left)?;
    }
    w.ws.write_string_with_format(1, last_col, format!("单位：{to}"), &st.meta_right)?;
    Ok(())
}

/// The note an empty fund table carries in this layout: the source's own when it has
/// one (the 三公 table's is not a fund's), else the layout's.
fn empty_note(table: Option<&Table>, ctx: &LayoutCtx<'_>) -> Option<String> {
    let cat = Catalog::get();
    let t = table?;
    let fund = cat.table(t.id).fund?;
    let note = ctx.layout.empty_note_text.as_ref()?;
    if !t.is_empty() || ctx.template {
        return None;
    }
    Some(match &t.note {
        Some(n) if ctx.same_layout => n.value.clone(),
        _ => ctx
            .fill(note)
            .replace("{fund}", cat.fund_name(fund))
            .replace("{dept}", ctx.department),
    })
}

/// Set each column's width (the right block, if any, repeats the left one's); the
/// widths set, in characters.
fn column_widths(
    w: &mut Writer<'_>,
    cols: &[&LayoutColumn],
    blocks: usize,
) -> Result<Vec<usize>, XlsxError> {
    let mut set = Vec::new();
    for (k, width) in w.widths.iter().enumerate() {
        let key = cols[k].key.as_str();
        let wdt = match key {
            "code_class" | "code_kuan" | "code_item" => 6,
            "code" => 10,
            _ if cols[k].width.is_some() => *width,
            _ if key == "name" || key.ends_with("_item") => ((*width).max(8) + 2).min(60),
            _ => (*width).clamp(12, 16) + 2,
        };
        set.push(wdt);
    }
    let one = set.clone();
    for _ in 1..blocks {
        set.extend_from_slice(&one);
    }
    for (k, wdt) in set.iter().enumerate() {
        w.ws.set_column_width(k as u16, *wdt as f64)?;
    }
    Ok(set)
}

/// Add one table sheet in the layout's form.
pub(crate) fn add_layout_sheet(
    wb: &mut Workbook,
    st: &Styles,
    lt: &LayoutTable,
    table: Option<&Table>,
    ctx: &LayoutCtx<'_>,
) -> Result<usize, XlsxError> {
    let cat = Catalog::get();
    let spec = cat.table(lt.id);
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(&ctx.fill(&lt.sheet)))?;
    let cols = written_columns(lt, table);
    let blocks = if lt.left_classes.is_empty() { 1 } else { 2 };
    let ncols = (cols.len().max(1) * blocks) as u16;
    let last_col = ncols - 1;
    let layout_unit = Unit::parse(&lt.unit).unwrap_or(Unit::Yuan);
    let to = ctx.unit.unwrap_or(layout_unit);
    let from = table.and_then(|t| t.unit).unwrap_or(to);
    let mode = if ctx.template {
        Mode::Template
    } else {
        Mode::Disclosure { unit: to }
    };
    let mut w = Writer {
        ws,
        st,
        mode,
        from,
        to,
        blank_as_zero: ctx.layout.blank_as_zero,
        widths: cols
            .iter()
            .map(|c| c.width.unwrap_or(0.0) as usize)
            .collect(),
        formats: Vec::new(),
        wrapped: Vec::new(),
        set_widths: Vec::new(),
        extra_height: 0.0,
    };
    // Title: the source's own when it follows the layout, else the layout's.
    let title = match table {
        Some(t) if ctx.same_layout => t.title.value.clone(),
        _ => ctx.fill(&lt.title),
    };
    w.ws.merge_range(0, 0, 0, last_col, &title, &st.title)?;
    w.ws.set_row_height(0, 32)?;
    meta_row(&mut w, ctx, last_col, to)?;
    if ctx.back_link {
        w.ws.write_url_with_format(
            0,
            ncols + 1,
            Url::new("internal:'目录'!A1").set_text("返回目录"),
            &st.link,
        )?;
    }
    // Side-by-side blocks repeat the header.
    let band: Vec<&LayoutColumn> = cols.iter().cycle().take(ncols as usize).copied().collect();
    let header_last = header_band(&mut w, &band, ctx, 2)?;
    let first = header_last + 1;
    let mut row = match spec.kind {
        TableKind::Balance => balance_body(&mut w, &cols, lt, table, ctx, first)?,
        TableKind::List => figures_row(&mut w, &cols, table, first)?,
        _ if blocks == 2 => two_block_body(&mut w, &cols, lt, table, first)?,
        _ => classified_body(&mut w, &cols, lt, table, first)?,
    };
    if let Some(text) = empty_note(table, ctx) {
        w.ws.merge_range(row, 0, row, last_col, &text, &st.note_plain)?;
        row += 1;
    }
    w.apply_formats()?;
    let set = column_widths(&mut w, &cols, blocks)?;
    w.fit_rows(&set)?;
    if ctx.back_link {
        w.ws.set_column_width(ncols + 1, 10)?;
    }
    print_setup(
        w.ws,
        ncols > 6,
        header_last,
        row.saturating_sub(1),
        last_col,
    )?;
    Ok(crate::table::estimate_pages(
        &w.set_widths,
        row,
        w.extra_height + 30.0,
        ncols > 6,
    ))
}
