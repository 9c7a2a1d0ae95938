//! Why a file could not be read, and the limits that keep a hostile file bounded.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// A sheet limit that was hit while reading; the sheet's cells were not kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Limit {
    /// More non-empty cells than [`crate::MAX_CELLS_PER_SHEET`]: the sheet was not read.
    TooManyCells {
        /// The limit.
        max: usize,
    },
    /// More merged ranges than [`crate::MAX_MERGES_PER_SHEET`]: the first ones were kept.
    TooManyMerges {
        /// The limit.
        max: usize,
    },
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::TooManyCells { max } => {
                write!(f, "非空单元格超过 {max} 个的处理上限，未读取该工作表")
            }
            Limit::TooManyMerges { max } => {
                write!(f, "合并单元格超过 {max} 个的处理上限，多出的合并区域已忽略")
            }
        }
    }
}

/// A limit of the whole workbook that was hit while reading: the workbook is refused.
///
/// Every count is taken from what the file holds (elements, records, cells as read),
/// never from what a part declares about itself, except where a parser underneath
/// would allocate what is declared (`uniqueCount`): then the declaration itself is
/// bounded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum WorkbookLimit {
    /// More worksheet entries than [`crate::MAX_SHEETS`].
    Sheets {
        /// Entries in the workbook.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// More non-empty cells in all sheets together than [`crate::MAX_CELLS`].
    Cells {
        /// The limit.
        max: usize,
    },
    /// More text in all cells together (a shared string counted once per cell that
    /// uses it) than [`crate::MAX_TEXT_BYTES`].
    Text {
        /// The limit, in bytes.
        max: usize,
    },
    /// A shared-string table that holds, or declares, more entries than [`crate::MAX_CELLS`].
    SharedStrings {
        /// Entries held or declared, whichever is larger.
        count: u64,
        /// The limit.
        max: usize,
    },
    /// Sheets that calamine stores as whole grids (.xls, .ods) whose grids together are
    /// over [`crate::MAX_GRID_CELLS`].
    Grid {
        /// The largest sheet: its name, or its position (第 n 个工作表).
        sheet: String,
        /// Its rows from the first to the last cell.
        rows: u64,
        /// Its columns from the first to the last cell.
        cols: u64,
        /// The limit for all sheets together.
        max: u64,
    },
}

/// What a finance officer can make of a limit that is not a grid's (a grid's says
/// what to do about it).
const HINT: &str = "；文件可能含有表格以外的大量内容，或是异常、恶意构造的文件";

impl fmt::Display for WorkbookLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkbookLimit::Sheets { count, max } => {
                write!(
                    f,
                    "共有 {count} 个工作表，超过每个工作簿 {max} 个的处理上限{HINT}"
                )
            }
            WorkbookLimit::Cells { max } => {
                write!(f, "非空单元格合计超过每个工作簿 {max} 个的处理上限{HINT}")
            }
            WorkbookLimit::Text { max } => write!(
                f,
                "单元格文字合计超过每个工作簿 {} MB 的处理上限（同一段文字被多个单元格引用时按次计）{HINT}",
                max / (1024 * 1024)
            ),
            WorkbookLimit::SharedStrings { count, max } => write!(
                f,
                "共享字符串表有（或声明有）{count} 项，超过每个工作簿 {max} 项的处理上限{HINT}"
            ),
            WorkbookLimit::Grid {
                sheet,
                rows,
                cols,
                max,
            } => write!(
                f,
                "{sheet}的数据范围达 {rows} 行 × {cols} 列，各工作表合计超过可处理的上限（{max} 个单元格）；请删除表格以外的多余内容，或另存为 .xlsx 后再提交"
            ),
        }
    }
}

/// The error of a parser underneath (calamine, zip, cfb), kept as the source of a
/// [`ReadError`]; never shown to the user, whose message is Chinese.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Why a file could not be read as a workbook. Every message is Chinese and names the
/// file; where a parser failed underneath, its error is the [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{path}：无法打开文件（{}）", os_reason(source))]
    Open {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Zero bytes.
    #[error("{path}：文件为空（0 字节），不是工作簿")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// Larger than [`crate::MAX_FILE_BYTES`].
    #[error("{path}：文件大小 {size} 字节超过 {max} 字节的处理上限")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The zip parts declare more than [`crate::MAX_UNZIPPED_BYTES`] uncompressed.
    #[error(
        "{path}：解压后内容达 {size} 字节，超过 {max} 字节的处理上限（可能是异常或恶意构造的文件）"
    )]
    TooLargeUnzipped {
        /// The file.
        path: PathBuf,
        /// The declared uncompressed size of all parts.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// A limit of the whole workbook (see [`WorkbookLimit`]).
    #[error("{path}：{limit}；未处理")]
    OverLimit {
        /// The file.
        path: PathBuf,
        /// The limit that was hit.
        limit: WorkbookLimit,
    },
    /// Not a regular file (a folder, a named pipe, a device): refused without reading.
    #[error("{path}：不是普通文件（{what}），未读取")]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is, in Chinese.
        what: &'static str,
    },
    /// Encrypted with an opening password.
    #[error("{path}：工作簿设有打开密码（已加密），请去除密码后另存再提交")]
    Password {
        /// The file.
        path: PathBuf,
    },
    /// Not a spreadsheet at all (a Word file, a PDF, a CSV …).
    #[error("{path}：不是 Excel 或 WPS 表格文件（{what}）；请提交 .xlsx、.xls 或 .ods 工作簿")]
    NotWorkbook {
        /// The file.
        path: PathBuf,
        /// What it is instead, in Chinese.
        what: String,
    },
    /// A spreadsheet container that cannot be parsed.
    #[error("{path}：文件已损坏或不完整，无法读取（{detail}）；请重新下载或另存后再提交")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, in Chinese.
        detail: String,
        /// The parser's own error, when one failed.
        #[source]
        source: Option<Cause>,
    },
    /// One sheet of an otherwise readable workbook cannot be parsed.
    #[error("{path}：工作表「{sheet}」无法读取（{detail}）")]
    Sheet {
        /// The file.
        path: PathBuf,
        /// The sheet's name.
        sheet: String,
        /// What is wrong, in Chinese.
        detail: String,
        /// The parser's own error.
        #[source]
        source: Option<Cause>,
    },
    /// A workbook without a single worksheet.
    #[error("{path}：工作簿中没有任何工作表")]
    NoSheets {
        /// The file.
        path: PathBuf,
    },
}

impl ReadError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Open { path, .. }
            | ReadError::Empty { path }
            | ReadError::TooLarge { path, .. }
            | ReadError::TooLargeUnzipped { path, .. }
            | ReadError::OverLimit { path, .. }
            | ReadError::NotRegular { path, .. }
            | ReadError::Password { path }
            | ReadError::NotWorkbook { path, .. }
            | ReadError::Corrupt { path, .. }
            | ReadError::Sheet { path, .. }
            | ReadError::NoSheets { path } => path,
        }
    }
}

/// An operating-system error in Chinese, for the common kinds a user can act on.
pub fn os_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let what = match e.kind() {
        K::NotFound => "文件或文件夹不存在",
        K::PermissionDenied => "没有权限",
        K::AlreadyExists => "已存在",
        K::IsADirectory => "这是文件夹，不是文件",
        K::NotADirectory => "路径中有一段不是文件夹",
        K::StorageFull => "磁盘空间不足",
        K::ReadOnlyFilesystem => "磁盘或文件夹是只读的",
        K::InvalidFilename => "文件名无效或过长",
        K::DirectoryNotEmpty => "文件夹不为空",
        K::Interrupted => "操作被中断",
        K::UnexpectedEof => "文件不完整",
        K::OutOfMemory => "内存不足",
        K::BrokenPipe => "输出已关闭",
        K::TimedOut => "超时",
        K::InvalidData => "内容无效",
        _ => "",
    };
    if what.is_empty() {
        match e.raw_os_error() {
            Some(code) => format!("系统错误 {code}"),
            None => "系统错误".to_string(),
        }
    } else {
        what.to_string()
    }
}
