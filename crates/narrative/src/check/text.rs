//! An explanation text as lines: from a .txt/.md file, a .docx document, or a
//! workbook's own text sheets.

use std::path::Path;

use yusuan_core::TextLine;

/// An explanation text, as lines (paragraphs) with their one-based line numbers (and
/// their cells when the text is a workbook's own).
#[derive(Debug, Clone, Default)]
pub struct Text {
    /// The non-empty lines.
    pub lines: Vec<TextLine>,
}

/// Why an explanation text could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    /// The file could not be read or is not a text or Word document.
    #[error("无法读取情况说明 {path}：{detail}")]
    Read {
        /// The file.
        path: String,
        /// Why, in Chinese.
        detail: String,
    },
}

impl Text {
    /// One paragraph per non-empty line, numbered from 1.
    pub fn parse(s: &str) -> Text {
        Text {
            lines: s
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| TextLine {
                    line: i + 1,
                    cell: None,
                    text: l.to_string(),
                })
                .collect(),
        }
    }

    /// A workbook's own text (its text sheets), each line with its cell.
    pub fn from_lines(lines: Vec<TextLine>) -> Text {
        Text { lines }
    }

    /// Read a .txt or .md file (UTF-8) or a .docx document.
    pub fn read(path: &Path) -> Result<Text, TextError> {
        let err = |detail: String| TextError::Read {
            path: path.display().to_string(),
            detail,
        };
        let bytes = std::fs::read(path).map_err(|e| err(yusuan_core::os_reason(&e)))?;
        if bytes.starts_with(b"PK\x03\x04") {
            return docx_text(&bytes).map(|s| Text::parse(&s)).map_err(err);
        }
        let s = String::from_utf8(bytes)
            .map_err(|_| err("不是 UTF-8 编码的文本；请另存为 UTF-8 或 .docx".into()))?;
        Ok(Text::parse(s.trim_start_matches('\u{feff}')))
    }
}

/// The paragraphs of a .docx (word/document.xml), one per line.
fn docx_text(bytes: &[u8]) -> Result<String, String> {
    use quick_xml::events::Event;
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| "不是有效的 .docx 文件（压缩包无法打开）".to_string())?;
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .map_err(|_| "不是 Word 文档（缺少 word/document.xml）".to_string())?
        .take(64 * 1024 * 1024)
        .read_to_string(&mut xml)
        .map_err(|_| "Word 文档内容不是有效的 UTF-8".to_string())?;
    let mut r = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "w:t" => in_text = true,
            Ok(Event::End(e)) if e.name().as_ref() == "w:t" => in_text = false,
            Ok(Event::End(e)) if e.name().as_ref() == "w:p" => out.push('\n'),
            Ok(Event::Empty(e)) if e.name().as_ref() == "w:tab" => out.push('\t'),
            Ok(Event::Empty(e)) if e.name().as_ref() == "w:br" => out.push('\n'),
            Ok(Event::Text(t)) if in_text => out.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(reference)) if in_text => {
                // `&amp;`, `&#x4E00;` …: resolved by quick-xml's own unescaping.
                let name: &str = reference.as_ref();
                if let Ok(s) = quick_xml::escape::unescape(&format!("&{name};")) {
                    out.push_str(&s);
                }
            }
            Ok(Event::Eof) => break,
            Err(_) => return Err("Word 文档内容无法解析（XML 结构损坏）".into()),
            _ => {}
        }
    }
    Ok(out)
}
