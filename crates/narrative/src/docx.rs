//! The 情况说明 as a Word document: A4, the title in 方正小标宋/宋体 二号, 一级 headings
//! in 黑体 and 二级 in 楷体 三号, the body in 仿宋 三号 with a two-character first-line
//! indent and a fixed 28-point line, the layout of a 党政机关公文 (GB/T 9704).

use docx_rs::{
    AlignmentType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run, RunFonts,
};

use crate::{Block, Narrative};

/// 三号 (16 pt) in half-points.
const SAN_HAO: usize = 32;
/// 二号 (22 pt) in half-points.
const ER_HAO: usize = 44;
/// Two characters of 三号 in twips (2 × 16 pt × 20).
const INDENT: i32 = 640;

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new()
        .add_text(text)
        .size(size)
        .fonts(RunFonts::new().east_asia(font).ascii(font).hi_ansi(font))
}

fn line(p: Paragraph) -> Paragraph {
    p.line_spacing(
        LineSpacing::new()
            .line_rule(LineSpacingType::Exact)
            .line(560),
    )
}

/// The document: the title, then each section's heading, sub-headings and paragraphs.
pub(crate) fn document(n: &Narrative) -> Docx {
    let mut doc = Docx::new().page_size(11906, 16838).page_margin(
        PageMargin::new()
            .top(2098)
            .bottom(1984)
            .left(1588)
            .right(1474),
    );
    doc = doc.add_paragraph(
        line(Paragraph::new().add_run(run(&n.title, "方正小标宋简体", ER_HAO)))
            .align(AlignmentType::Center),
    );
    for s in &n.sections {
        doc = doc.add_paragraph(
            line(Paragraph::new().add_run(run(&s.heading, "黑体", SAN_HAO))).indent(
                None,
                Some(docx_rs::SpecialIndentType::FirstLine(INDENT)),
                None,
                None,
            ),
        );
        for b in &s.blocks {
            let (text, font) = match b {
                Block::Sub(h) => (h.as_str(), "楷体"),
                Block::Para(p) => (p.as_str(), "仿宋"),
            };
            doc = doc.add_paragraph(
                line(Paragraph::new().add_run(run(text, font, SAN_HAO))).indent(
                    None,
                    Some(docx_rs::SpecialIndentType::FirstLine(INDENT)),
                    None,
                    None,
                ),
            );
        }
    }
    doc
}

impl Narrative {
    /// The text as a Word document (.docx bytes).
    pub fn to_docx(&self) -> Result<Vec<u8>, DocxError> {
        let mut buf = std::io::Cursor::new(Vec::new());
        document(self)
            .build()
            .pack(&mut buf)
            .map_err(|e| DocxError(e.to_string()))?;
        Ok(buf.into_inner())
    }
}

/// The Word document could not be assembled (a failure of the writer, not of the
/// text).
#[derive(Debug, thiserror::Error)]
#[error("无法生成 Word 文档：{0}")]
pub struct DocxError(String);
