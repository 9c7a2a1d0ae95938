//! Safe writing of output files: the bytes go to a temporary file in the target folder,
//! which is renamed over the target only when complete. An error or an interruption
//! leaves the target as it was and no partial file behind (the temporary file is
//! removed when dropped; `.yusuan-*.tmp` is its name should the process be killed).
//! The input of a command is never a valid output.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written right now, so an interrupt can remove them.
static PENDING: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

fn pending() -> std::sync::MutexGuard<'static, Option<HashSet<PathBuf>>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Registered while a temporary file exists.
struct Pending(PathBuf);

impl Pending {
    fn new(p: &Path) -> Pending {
        pending()
            .get_or_insert_with(HashSet::new)
            .insert(p.to_path_buf());
        Pending(p.to_path_buf())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(set) = pending().as_mut() {
            set.remove(&self.0);
        }
    }
}

/// Remove every temporary file still being written (called on Ctrl-C before exit):
/// no half-written file is left behind. Returns how many were removed.
pub fn remove_pending() -> usize {
    let files: Vec<PathBuf> = pending()
        .as_ref()
        .map(|s| s.iter().cloned().collect())
        .unwrap_or_default();
    files
        .iter()
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count()
}

/// Why an output could not be written. Messages are Chinese, name the user's path
/// (never a temporary file's) and give the operating system's reason once; the OS or
/// workbook error itself is the [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output would overwrite an input.
    #[error("输出文件 {0} 与输入文件相同：yusuan 从不覆盖输入文件，请换一个输出文件名")]
    SameAsInput(PathBuf),
    /// The output folder does not exist or cannot be written.
    #[error("输出文件夹 {dir} 不存在或无法写入（{}）", os_reason(source))]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Writing the file failed (disk full, no permission …).
    #[error("无法写入 {path}（{}）", os_reason(source))]
    Write {
        /// The output file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The workbook could not be built (a limit of the xlsx format).
    #[error("无法生成工作簿 {path}（{}）", xlsx_reason(source))]
    Workbook {
        /// The output file.
        path: PathBuf,
        /// The writer's error.
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    /// The annotated copy could not be made.
    #[error("无法为 {input} 生成标注副本 {path}（{source}）")]
    Annotate {
        /// The submission.
        input: PathBuf,
        /// The output file.
        path: PathBuf,
        /// Why.
        #[source]
        source: crate::AnnotateError,
    },
}

/// The Chinese reason of a workbook writer's error.
pub fn xlsx_reason(e: &rust_xlsxwriter::XlsxError) -> String {
    use rust_xlsxwriter::XlsxError as E;
    match e {
        E::SheetnameCannotBeBlank(_) => "工作表名称为空".into(),
        E::SheetnameLengthExceeded(n) => format!("工作表名称“{n}”超过 31 个字符"),
        E::SheetnameReused(n) => format!("工作表名称“{n}”重复"),
        E::SheetnameContainsInvalidCharacter(n) => {
            format!("工作表名称“{n}”含有 Excel 不允许的字符（/ \\ : [ ] * ?）")
        }
        E::SheetnameStartsOrEndsWithApostrophe(n) => {
            format!("工作表名称“{n}”以单引号开头或结尾")
        }
        E::MaxStringLengthExceeded => "单元格文字超过 Excel 的 32,767 个字符上限".into(),
        E::RowColumnLimitError => "超出 Excel 的行列范围".into(),
        E::MaxUrlLengthExceeded => "链接超过 Excel 的长度上限".into(),
        E::IoError(io) | E::TempFileError(_, io) => os_reason(io),
        _ => "工作簿内容不符合 xlsx 格式的限制".into(),
    }
}

pub use yusuan_grid::os_reason;

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether two paths name the same file (after resolving links), or the same path.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Refuse an output path that is one of the inputs.
pub fn check_not_input(output: &Path, inputs: &[&Path]) -> Result<(), OutputError> {
    if inputs.iter().any(|i| same_file(output, i)) {
        return Err(OutputError::SameAsInput(output.to_path_buf()));
    }
    Ok(())
}

/// Check before any work that an output file may be written: not an input, and its
/// folder exists and is writable.
pub fn check_output(output: &Path, inputs: &[&Path]) -> Result<(), OutputError> {
    check_not_input(output, inputs)?;
    check_folder(&folder_of(output), false)
}

/// Check before any work that a folder exists (creating it if asked) and is writable.
pub fn check_folder(dir: &Path, create: bool) -> Result<(), OutputError> {
    let err = |source| OutputError::Folder {
        dir: dir.to_path_buf(),
        source,
    };
    if create {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let probe = tempfile::Builder::new()
        .prefix(".yusuan-probe-")
        .tempfile_in(dir)
        .map_err(err)?;
    drop(probe);
    Ok(())
}

/// How the temporary files of process `pid` begin (`.yusuan-<pid>-…tmp`): whoever
/// kills a process that may be writing can remove what it left.
pub fn temporary_prefix(pid: u32) -> String {
    format!(".yusuan-{pid}-")
}

/// Remove the temporary files process `pid` left in `dir` (after it was killed);
/// how many were removed.
pub fn remove_temporaries(dir: &Path, pid: u32) -> usize {
    let prefix = temporary_prefix(pid);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(&prefix) && name.ends_with(".tmp")
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// Whether each output is flushed to disk before it takes its name (the default).
static SYNC_EACH: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// With `true`, outputs take their names without each being flushed to disk first:
/// for a batch, which flushes the whole file system once when its files are done and
/// before its 汇总表 is written (so a 汇总表 lists only files that are on disk), instead
/// of making every worker wait for the disk once per file. The rename still makes each
/// output appear whole or not at all to anyone reading it. `false` restores the default.
pub fn defer_sync(defer: bool) {
    SYNC_EACH.store(!defer, std::sync::atomic::Ordering::Relaxed);
}

/// Write `bytes` to `path` atomically (temporary file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Write to `path` atomically what `write` writes, streamed (a large output is never
/// held in memory whole).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<&mut std::fs::File>) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    let dir = folder_of(path);
    let werr = |source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&temporary_prefix(std::process::id()))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|source| OutputError::Folder {
            dir: dir.clone(),
            source,
        })?;
    let _pending = Pending::new(tmp.path());
    {
        let mut buffered = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut buffered).map_err(werr)?;
        buffered.flush().map_err(werr)?;
    }
    // Temporary files are private (0600); an output is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(werr)?;
    }
    if SYNC_EACH.load(std::sync::atomic::Ordering::Relaxed) {
        tmp.as_file().sync_all().map_err(werr)?;
    }
    tmp.persist(path).map_err(|e| werr(e.error))?;
    Ok(())
}

/// Write the annotated copy of submission `input` (read as `grid`, checked into
/// `report`) to `path`; what of the source it could not keep, in Chinese.
pub fn save_annotated(
    input: &Path,
    grid: &yusuan_grid::Grid,
    report: &yusuan_rules::Report,
    path: &Path,
) -> Result<Vec<String>, OutputError> {
    let fail = |source| OutputError::Annotate {
        input: input.to_path_buf(),
        path: path.to_path_buf(),
        source,
    };
    let source = std::fs::read(input).map_err(|e| {
        fail(crate::AnnotateError::Package(format!(
            "无法再次读取原文件：{}",
            os_reason(&e)
        )))
    })?;
    let name = input.file_name().map_or_else(
        || input.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let copy = crate::annotated_copy(&source, grid, report, &name).map_err(fail)?;
    write_atomic(path, &copy.bytes)?;
    Ok(copy.notes)
}

/// Serialise a workbook and write it atomically.
///
/// The package is streamed into the temporary file: a bureau's 问题清单 of 100,000
/// findings is 10 MB zipped, and a buffer of it (grown by doubling) was the batch's
/// largest allocation.
pub fn save_workbook(wb: &mut rust_xlsxwriter::Workbook, path: &Path) -> Result<(), OutputError> {
    let mut failed = None;
    let written = write_atomic_with(path, |w| {
        wb.save_to_writer(w).map_err(|e| {
            failed = Some(e);
            std::io::Error::other("workbook")
        })
    });
    match failed {
        Some(source) => Err(OutputError::Workbook {
            path: path.to_path_buf(),
            source,
        }),
        None => written,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn output_equal_to_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.xlsx");
        std::fs::write(&p, b"x").unwrap();
        let same = dir.path().join(".").join("in.xlsx");
        assert!(matches!(
            check_not_input(&same, &[&p]),
            Err(OutputError::SameAsInput(_))
        ));
        assert!(check_not_input(&dir.path().join("out.xlsx"), &[&p]).is_ok());
    }

    #[test]
    fn missing_folder_is_reported() {
        let e = check_folder(Path::new("/nonexistent/yusuan/out"), false).unwrap_err();
        assert!(e.to_string().contains("不存在或无法写入"), "{e}");
    }
}
