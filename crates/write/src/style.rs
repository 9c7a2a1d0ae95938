//! The formats of every workbook yusuan writes, made once per workbook.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

pub const FONT: &str = "宋体";
pub const TITLE_FONT: &str = "黑体";
/// GB2312 character set, so Chinese fonts are chosen on every machine.
pub const CHARSET: u8 = 134;
pub const MONEY: &str = "#,##0.00";

const HEADER_FILL: u32 = 0xDDEBF7;
const TOTAL_FILL: u32 = 0xF2F2F2;

fn base(size: f64) -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_charset(CHARSET)
        .set_font_size(size)
        .set_align(FormatAlign::VerticalCenter)
}

fn bordered(f: Format) -> Format {
    f.set_border(FormatBorder::Thin)
}

/// Every format used by the table sheets.
pub struct Styles {
    pub title: Format,
    pub meta_left: Format,
    pub meta_right: Format,
    pub header: Format,
    pub code: Format,
    pub code_bold: Format,
    /// Names indented by level: 类 (bold), 款, 项, and other rows.
    pub name: [Format; 3],
    pub label: Format,
    pub label_bold: Format,
    pub money: Format,
    pub money_bold: Format,
    pub total_label: Format,
    pub total_money: Format,
    pub note: Format,
    /// A note printed below a table, outside its border.
    pub note_plain: Format,
    pub text: Format,
    pub text_wrap: Format,
    pub link: Format,
    /// A link inside a bordered table (目录).
    pub link_cell: Format,
    /// The 目录's page numbers.
    pub page_number: Format,
    pub cover_title: Format,
    pub cover_line: Format,
    pub contents_title: Format,
    /// Paragraphs of the 情况说明 sheet.
    pub para: Format,
    pub para_heading: Format,
}

impl Styles {
    /// Whether `f` is a format whose text wraps in a fixed-width column (names, labels).
    pub fn wraps(&self, f: &Format) -> bool {
        self.name
            .iter()
            .chain([&self.label])
            .any(|x| std::ptr::eq(x, f))
    }

    pub fn new() -> Styles {
        let cell = bordered(base(10.0));
        Styles {
            title: base(16.0)
                .set_font_name(TITLE_FONT)
                .set_bold()
                .set_align(FormatAlign::Center),
            meta_left: base(10.0).set_align(FormatAlign::Left),
            meta_right: base(10.0).set_align(FormatAlign::Right),
            header: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_text_wrap()
                .set_background_color(Color::RGB(HEADER_FILL)),
            code: cell
                .clone()
                .set_align(FormatAlign::Left)
                .set_num_format("@"),
            code_bold: cell
                .clone()
                .set_align(FormatAlign::Left)
                .set_num_format("@")
                .set_bold(),
            name: [
                cell.clone()
                    .set_align(FormatAlign::Left)
                    .set_indent(1)
                    .set_bold()
                    .set_text_wrap(),
                cell.clone()
                    .set_align(FormatAlign::Left)
                    .set_indent(2)
                    .set_text_wrap(),
                cell.clone()
                    .set_align(FormatAlign::Left)
                    .set_indent(3)
                    .set_text_wrap(),
            ],
            label: cell
                .clone()
                .set_align(FormatAlign::Left)
                .set_indent(1)
                .set_text_wrap(),
            label_bold: cell
                .clone()
                .set_align(FormatAlign::Left)
                .set_indent(1)
                .set_bold(),
            money: cell
                .clone()
                .set_align(FormatAlign::Right)
                .set_num_format(MONEY),
            money_bold: cell
                .clone()
                .set_align(FormatAlign::Right)
                .set_num_format(MONEY)
                .set_bold(),
            total_label: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_bold()
                .set_background_color(Color::RGB(TOTAL_FILL)),
            total_money: cell
                .clone()
                .set_align(FormatAlign::Right)
                .set_num_format(MONEY)
                .set_bold()
                .set_background_color(Color::RGB(TOTAL_FILL)),
            note: cell.clone().set_align(FormatAlign::Left).set_text_wrap(),
            note_plain: base(10.0).set_align(FormatAlign::Left).set_text_wrap(),
            text: cell.clone().set_align(FormatAlign::Left).set_indent(1),
            text_wrap: cell
                .clone()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top)
                .set_text_wrap(),
            link: base(10.0)
                .set_font_color(Color::RGB(0x0563C1))
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            // A 目录 prints as a list, not as blue underlined links.
            link_cell: bordered(base(10.0))
                .set_indent(1)
                .set_font_color(Color::Black),
            page_number: bordered(base(10.0)).set_align(FormatAlign::Center),
            cover_title: base(26.0)
                .set_font_name(TITLE_FONT)
                .set_bold()
                .set_align(FormatAlign::Center),
            cover_line: base(14.0).set_align(FormatAlign::Center),
            contents_title: base(18.0)
                .set_font_name(TITLE_FONT)
                .set_bold()
                .set_align(FormatAlign::Center),
            para: base(11.0)
                .set_text_wrap()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top),
            para_heading: base(11.0)
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top),
        }
    }
}

impl Default for Styles {
    fn default() -> Self {
        Styles::new()
    }
}
