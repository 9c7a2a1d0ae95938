//! The annotated copy of a submission: the workbook itself, with the offending cells
//! filled by severity and carrying a comment, and a first sheet listing the findings
//! with links to their cells.
//!
//! An .xlsx is annotated in its own package ([`package`]): every part is copied byte for
//! byte except what the marks must change, so number formats, borders, fonts, column
//! widths, row heights, merged ranges, print setup and everything yusuan does not know
//! stay as the department made them. A workbook whose package cannot be edited (.xls,
//! .xlsb, .ods, a macro workbook, a package missing a part) is rebuilt from its cells
//! first and annotated the same way, and the first sheet says what was not kept.

mod package;
mod parts;
mod sheet;
mod styles;
mod xml;

use yusuan_grid::{Format, Grid};
use yusuan_rules::Report;

use crate::findings::{Line, finding_lines as lines, marks};

/// An annotated copy, ready to write.
#[derive(Debug)]
pub struct Annotated {
    /// The .xlsx bytes.
    pub bytes: Vec<u8>,
    /// What of the source could not be carried over as it was (in Chinese, also on the
    /// copy's first sheet); empty when the copy is the source with marks added.
    pub notes: Vec<String>,
}

/// Why no annotated copy could be made (in Chinese).
#[derive(Debug, thiserror::Error)]
pub enum AnnotateError {
    /// The rebuilt copy could not be written.
    #[error("{}", crate::xlsx_reason(.0))]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
    /// The package could not be read or written.
    #[error("{0}")]
    Package(String),
}

/// The annotated copy of the workbook in `source` (its bytes), read as `grid`, with
/// the findings of `report`; `file` names it on the first sheet.
pub fn annotated_copy(
    source: &[u8],
    grid: &Grid,
    report: &Report,
    file: &str,
) -> Result<Annotated, AnnotateError> {
    let marks = marks(report);
    let lines = lines(report);
    let title = "问题清单（标注副本）";
    let legend = format!(
        "本表为“{file}”的标注副本：问题单元格按级别填色（红色：错误，黄色：警告，灰色：提示）并附批注，点击“单元格”列可跳转到该单元格。"
    );
    let mut notes = vec![legend.clone()];
    if grid.format == Format::Xlsx {
        match package::annotate(source, &marks, &lines, title, &notes) {
            Ok((bytes, notes)) => return Ok(Annotated { bytes, notes }),
            Err(why) => notes.push(format!(
                "原文件无法直接加注（{why}），本副本按单元格内容重建，原有格式（边框、数字格式、列宽）未保留。"
            )),
        }
    } else {
        notes.push(format!(
            "原文件为 .{} 格式，本副本按单元格内容重建为 .xlsx，原有格式（边框、数字格式、列宽）未保留。",
            grid.format
        ));
    }
    let mut rebuilt = crate::copy::rebuild(grid)?;
    notes.extend(rebuilt.changes.iter().cloned());
    let bytes = rebuilt.workbook.save_to_buffer()?;
    let renamed = |s: &str| {
        rebuilt
            .names
            .iter()
            .find(|(from, _)| from == s)
            .map_or_else(|| s.to_string(), |(_, to)| to.clone())
    };
    let marks: Vec<_> = marks
        .into_iter()
        .map(|mut m| {
            m.sheet = renamed(&m.sheet);
            m
        })
        .collect();
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|mut l| {
            l.sheet = l.sheet.as_deref().map(renamed);
            l
        })
        .collect();
    let (bytes, more) =
        package::annotate(&bytes, &marks, &lines, title, &notes).map_err(AnnotateError::Package)?;
    notes.extend(more);
    notes.retain(|n| *n != legend);
    Ok(Annotated { bytes, notes })
}
