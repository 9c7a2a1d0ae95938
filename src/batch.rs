//! A folder of department workbooks: walk it, run every file through the pipeline in
//! parallel, and summarise. Per-file work is [`crate::pipeline`]'s; this module only
//! walks, maps, reports progress and builds the 汇总表 and `summary.json`. The files
//! run in worker processes when [`Options::isolation`] says so (the CLI always does:
//! see [`crate::worker`]), otherwise on threads of this process.
//!
//! Outputs mirror the input tree under the output folder; rows are sorted by path, so
//! the outputs are the same whatever the number of threads. Only the rows are kept
//! while the batch runs (no budget model outlives its file).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::pipeline::{Job, Outcome};
use yusuan_core::CodeLists;
use yusuan_core::{Stage, Summary, Unit, decimal_string};
use yusuan_rules::Severity;
use yusuan_write::OutputError;
use yusuan_write::{RowStatus, SummaryRow};

/// Extensions taken as workbooks.
pub const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// What a walk of the input folder found.
#[derive(Debug, Default)]
pub struct Found {
    /// The workbooks, sorted by path.
    pub files: Vec<PathBuf>,
    /// What has a workbook's name or is a folder but cannot be read (a folder without
    /// permission, a named pipe), with why: each is one row.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Files with a workbook's name that were left out on purpose (Office lock files,
    /// hidden files, symbolic links, yusuan's own outputs of an earlier run), with why:
    /// listed (on the terminal, in summary.json and on the 汇总表's 已跳过的文件 sheet),
    /// not rows.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Why a file with a workbook's name is not a submission, if it is not: an Office lock
/// file, or one of yusuan's own outputs (`…公开.xlsx`, `…问题清单.xlsx`,
/// `…标注副本.xlsx`, `汇总表.xlsx`, `问题清单.xlsx`).
fn not_a_submission(name: &str) -> Option<&'static str> {
    if name.starts_with("~$") {
        Some("Office 的锁定文件（工作簿正在被打开）")
    } else if name.ends_with(".公开.xlsx")
        || name.ends_with(".问题清单.xlsx")
        || name.ends_with(".标注副本.xlsx")
        || name == "汇总表.xlsx"
        || name == "问题清单.xlsx"
    {
        Some("yusuan 之前生成的输出文件")
    } else {
        None
    }
}

/// The workbooks under `dir`, recursive. Office lock files (`~$…`), hidden files,
/// symbolic links and yusuan's own outputs are listed in [`Found::skipped`] with why;
/// hidden folders and anything under `skip` (the output folder) are left out. Only `dir` itself
/// being unreadable is an error; a subfolder that cannot be read is listed in
/// [`Found::unreadable`], and the walk goes on.
pub fn discover(dir: &Path, skip: Option<&Path>) -> std::io::Result<Found> {
    let skip = skip.and_then(|s| s.canonicalize().ok());
    let mut found = Found::default();
    let walker = walkdir::WalkDir::new(dir).follow_links(false).into_iter();
    for entry in walker.filter_entry(|e| {
        let hidden = e.depth() > 0
            && e.file_type().is_dir()
            && e.file_name().to_string_lossy().starts_with('.');
        let skipped = e.file_type().is_dir()
            && skip
                .as_ref()
                .is_some_and(|s| e.path().canonicalize().is_ok_and(|p| &p == s));
        !hidden && !skipped
    }) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if e.depth() == 0 => {
                let text = e.to_string();
                return Err(e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other(text)));
            }
            Err(e) => {
                let path = e.path().map(Path::to_path_buf).unwrap_or_default();
                let why = e
                    .io_error()
                    .map_or_else(|| "系统错误".to_string(), yusuan_write::os_reason);
                found
                    .unreadable
                    .push((path, format!("无法读取该文件夹（{why}），其中的文件未处理")));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_dir() {
            continue;
        }
        let ext = Path::new(name.as_ref())
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if !EXTENSIONS.contains(&ext.as_str()) {
            continue;
        }
        if let Some(why) = not_a_submission(&name) {
            found.skipped.push((entry.into_path(), why.to_string()));
            continue;
        }
        let t = entry.file_type();
        if name.starts_with('.') {
            found
                .skipped
                .push((entry.into_path(), "隐藏文件".to_string()));
        } else if t.is_file() {
            found.files.push(entry.into_path());
        } else if t.is_symlink() {
            found.skipped.push((
                entry.into_path(),
                "快捷方式（符号链接），未读取；如需检查请放入文件本身".to_string(),
            ));
        } else {
            found.unreadable.push((
                entry.into_path(),
                "不是普通文件（如命名管道或设备），未读取".to_string(),
            ));
        }
    }
    found.files.sort();
    found.skipped.sort();
    Ok(found)
}

/// How a file came out, for the 汇总表.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No finding (info allowed).
    Passed,
    /// Warnings, no error.
    Warnings,
    /// Errors: no disclosure written.
    Errors,
    /// Not a usable workbook.
    Unreadable,
    /// Read and checked, but its outputs could not be written (disk full, a name too
    /// long, no permission).
    OutputFailed,
}

impl Status {
    /// The status in Chinese, as the 汇总表 shows it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Passed => "通过",
            Status::Warnings => "有警告",
            Status::Errors => "有错误",
            Status::Unreadable => "无法读取",
            Status::OutputFailed => "输出失败",
        }
    }
}

/// One row of the 汇总表: everything kept of a file once it is done.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// Path relative to the input folder, with `/`.
    pub file: String,
    /// The department, as the workbook names it.
    pub department: Option<String>,
    /// The budget year.
    pub year: Option<i32>,
    /// How it came out.
    pub status: Status,
    /// Why it is unreadable, or why no disclosure was written.
    pub reason: Option<String>,
    /// Its headline figures (for the 汇总表's columns).
    pub summary: Summary,
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Outputs relative to the output folder.
    pub disclosure: Option<String>,
    /// The 问题清单, relative to the output folder.
    pub report: Option<String>,
    /// The annotated copy, relative to the output folder.
    #[serde(default)]
    pub annotated: Option<String>,
    /// The findings, as rows of the bureau's 问题清单: sent by the worker, then kept
    /// in the batch's [`Findings`] (see [`Batch::lines`]).
    #[serde(default)]
    pub lines: Vec<yusuan_write::Line>,
    /// How many findings the row has in [`Findings`], and where.
    #[serde(skip)]
    pub lines_at: Option<(u64, u64, usize)>,
    /// The earlier file of the same department and year, when this is a second one
    /// (it is then left out of the totals).
    #[serde(default)]
    pub duplicate_of: Option<String>,
    /// 预算 or 决算 (a 预算 and a 决算 of one year are two files, not a duplicate).
    #[serde(default)]
    pub stage: Stage,
}

impl Row {
    /// The row of a file that could not be used, and why.
    pub fn unreadable(file: String, reason: String) -> Row {
        Row {
            file,
            department: None,
            year: None,
            status: Status::Unreadable,
            reason: Some(reason),
            summary: Summary::default(),
            errors: 0,
            warnings: 0,
            disclosure: None,
            report: None,
            annotated: None,
            lines: Vec::new(),
            lines_at: None,
            duplicate_of: None,
            stage: Stage::Budget,
        }
    }
}

/// Options of a batch run.
#[allow(missing_debug_implementations)] // holds a callback
pub struct Options<'a> {
    /// The unit of the published tables; `None`: each workbook's layout's own.
    pub disclosure_unit: Option<Unit>,
    /// The layout to publish in; `None`: each workbook's own.
    pub layout: Option<String>,
    /// Where the 情况说明 goes in each disclosure; `None`: as its layout has it.
    pub order: Option<yusuan_write::Order>,
    /// The code lists to check against.
    pub codes: &'a CodeLists,
    /// Cap on worker threads (`None`: one per core).
    pub jobs: Option<usize>,
    /// Called once per finished file (progress).
    pub on_done: Option<&'a (dyn Fn(&Row) + Sync)>,
    /// Set to stop: files not yet started are left alone.
    pub cancel: Option<&'a AtomicBool>,
    /// Run each file in a worker process (`None`: on threads of this process).
    pub isolation: Option<&'a crate::worker::Spawn>,
}

/// The findings of the files done, in an unnamed temporary file while the batch runs
/// (a bureau's folder may give hundreds of thousands), read back one file at a time.
#[derive(Debug)]
pub struct Findings(std::sync::Mutex<std::fs::File>);

impl Findings {
    fn new() -> std::io::Result<Findings> {
        Ok(Findings(std::sync::Mutex::new(tempfile::tempfile()?)))
    }

    /// Move `row`'s findings to the file (they stay in the row if it cannot be written).
    pub(crate) fn keep(&self, row: &mut Row) {
        use std::io::{Seek, Write};
        if row.lines.is_empty() {
            return;
        }
        let Ok(bytes) = serde_json::to_vec(&row.lines) else {
            return;
        };
        let mut f = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Ok(at) = f.seek(std::io::SeekFrom::End(0)) else {
            return;
        };
        if f.write_all(&bytes).is_ok() {
            row.lines_at = Some((at, bytes.len() as u64, row.lines.len()));
            row.lines = Vec::new();
        }
    }

    fn read(&self, (at, len, _): (u64, u64, usize)) -> Vec<yusuan_write::Line> {
        use std::io::{Read, Seek};
        let mut f = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut buf = vec![0; len as usize];
        if f.seek(std::io::SeekFrom::Start(at)).is_err() || f.read_exact(&mut buf).is_err() {
            return Vec::new();
        }
        serde_json::from_slice(&buf).unwrap_or_default()
    }
}

/// The result of a batch.
#[derive(Debug)]
pub struct Batch {
    /// One row per file, sorted by path.
    pub rows: Vec<Row>,
    /// Files left out on purpose, relative to the input folder, with why.
    pub skipped: Vec<(String, String)>,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Whether the run was stopped (Ctrl-C) before every file was done.
    pub cancelled: bool,
    /// The rows' findings (see [`Batch::lines`]).
    pub findings: Findings,
}

impl Batch {
    /// The findings of `row`, as rows of the bureau's 问题清单.
    pub fn lines(&self, row: &Row) -> Vec<yusuan_write::Line> {
        match row.lines_at {
            Some(at) => self.findings.read(at),
            None => row.lines.clone(),
        }
    }

    /// Whether `row` has findings.
    pub fn has_lines(row: &Row) -> bool {
        row.lines_at.is_some_and(|at| at.2 > 0) || !row.lines.is_empty()
    }

    /// How many files came out as `s`.
    pub fn count(&self, s: Status) -> usize {
        self.rows.iter().filter(|r| r.status == s).count()
    }

    /// 0 all passed, 1 some had errors, 2 some were unreadable.
    pub fn exit_code(&self) -> u8 {
        if self.count(Status::Unreadable) > 0
            || self.count(Status::OutputFailed) > 0
            || self.cancelled
        {
            2
        } else if self.count(Status::Errors) > 0 {
            1
        } else {
            0
        }
    }

    /// Whether a row's figures go into the totals: only files without errors, and a
    /// department and year only once.
    pub fn counted(row: &Row) -> bool {
        matches!(row.status, Status::Passed | Status::Warnings) && row.duplicate_of.is_none()
    }

    /// `共 12 个文件：通过 9，有错误 2，无法读取 1，用时 3.2 秒`
    pub fn one_line(&self) -> String {
        let skipped = match self.skipped.len() {
            0 => String::new(),
            n => format!("（另跳过 {n} 个非报送文件）"),
        };
        let failed = match self.count(Status::OutputFailed) {
            0 => String::new(),
            n => format!("，输出失败 {n}"),
        };
        format!(
            "共 {} 个文件{skipped}：通过 {}，有警告 {}，有错误 {}，无法读取 {}{failed}，用时 {:.1} 秒{}",
            self.rows.len(),
            self.count(Status::Passed),
            self.count(Status::Warnings),
            self.count(Status::Errors),
            self.count(Status::Unreadable),
            self.elapsed.as_secs_f64(),
            if self.cancelled {
                "（已中断，未处理的文件未列出）"
            } else {
                ""
            }
        )
    }
}

/// `a/b.xlsx` with `/` whatever the platform.
fn rel(path: &Path, base: &Path) -> String {
    let r = path.strip_prefix(base).unwrap_or(path);
    r.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Output stems: the file stem, or the whole name when two inputs of one folder share
/// a stem (`a.xls` and `a.xlsx`).
fn stems(files: &[PathBuf]) -> Vec<String> {
    let key = |p: &Path| {
        (
            p.parent().map(Path::to_path_buf),
            p.file_stem().map(|s| s.to_string_lossy().to_lowercase()),
        )
    };
    let mut count: std::collections::HashMap<_, usize> = std::collections::HashMap::new();
    for p in files {
        *count.entry(key(p)).or_default() += 1;
    }
    // Two stems may still be one (`a.xls` and `a.xlsx` give `a.xls`, as does
    // `a.xls.xlsx`; names that differ only in bytes that are not UTF-8 read alike): the
    // later in path order gets `-2`, `-3`…, so no two inputs ever write one output.
    let mut taken: std::collections::HashSet<(Option<PathBuf>, String)> =
        std::collections::HashSet::new();
    files
        .iter()
        .map(|p| {
            let clash = count.get(&key(p)).is_some_and(|n| *n > 1);
            let s = if clash { p.file_name() } else { p.file_stem() };
            let base = s
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let parent = p.parent().map(Path::to_path_buf);
            let mut stem = base.clone();
            let mut n = 1;
            while !taken.insert((parent.clone(), stem.to_lowercase())) {
                n += 1;
                stem = format!("{base}-{n}");
            }
            stem
        })
        .collect()
}

/// The output folder of `input`: its place under `dir`, mirrored under `out`.
fn folder_of(input: &Path, dir: &Path, out: &Path) -> PathBuf {
    match input.parent().and_then(|p| p.strip_prefix(dir).ok()) {
        Some(sub) => out.join(sub),
        None => out.to_path_buf(),
    }
}

/// One file through the pipeline, its outputs under `out`: its row, whatever happens.
pub(crate) fn process_one(
    input: &Path,
    stem: &str,
    dir: &Path,
    out: &Path,
    opts: &Options<'_>,
) -> Row {
    let file = rel(input, dir);
    let target_dir = folder_of(input, dir, out);
    let mut row = Row::unreadable(file.clone(), String::new());
    row.reason = None;
    if let Err(e) = std::fs::create_dir_all(&target_dir) {
        row.reason = Some(format!("无法创建输出文件夹 {}：{e}", target_dir.display()));
        return row;
    }
    let disclosure = target_dir.join(format!("{stem}.公开.xlsx"));
    let report = target_dir.join(format!("{stem}.问题清单.xlsx"));
    let annotated = target_dir.join(format!("{stem}.标注副本.xlsx"));
    let job = Job {
        input,
        disclosure: disclosure.clone(),
        report: Some(report.clone()),
        annotated: Some(annotated.clone()),
        unit: opts.disclosure_unit,
        layout: opts.layout.clone(),
        order: opts.order,
        force: false,
        display_name: file,
    };
    // One file must never stop the batch, whatever happens inside it.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::pipeline::process(&job, opts.codes)
    }));
    let Ok(result) = result else {
        row.reason = Some("处理该文件时发生内部错误，已跳过（其他文件不受影响）".into());
        return row;
    };
    match result {
        Ok(Outcome::Unreadable(why)) => row.reason = Some(why),
        Err(e) => {
            row.status = Status::OutputFailed;
            row.reason = Some(output_error(&e));
        }
        Ok(Outcome::Checked(c)) => {
            row.errors = c.report.count(Severity::Error);
            row.warnings = c.report.count(Severity::Warning);
            row.status = if row.errors > 0 {
                Status::Errors
            } else if row.warnings > 0 {
                Status::Warnings
            } else {
                Status::Passed
            };
            row.department = c.department;
            row.year = c.year;
            row.stage = c.stage;
            row.summary = c.summary;
            row.reason = c.skipped;
            row.disclosure = c.disclosure.map(|p| rel(&p, out));
            row.report = c.report_file.map(|p| rel(&p, out));
            row.annotated = c.annotated_file.map(|p| rel(&p, out));
            row.lines = yusuan_write::finding_lines(&c.report);
        }
    }
    // Outputs of an earlier run that this run did not write must not stay: a
    // disclosure of a file that no longer passes could be published by mistake, a
    // 问题清单 of problems since corrected would be worked through again.
    for (written, path) in [
        (row.disclosure.is_some(), &disclosure),
        (row.report.is_some(), &report),
        (row.annotated.is_some(), &annotated),
    ] {
        if !written {
            let _ = std::fs::remove_file(path);
        }
    }
    row
}

fn output_error(e: &OutputError) -> String {
    format!("输出失败：{e}")
}

/// Run what [`discover`] found in folder `dir`. `out` must exist and be writable
/// (check it first with [`yusuan_write::check_folder`]).
pub fn run(dir: &Path, found: &Found, out: &Path, opts: &Options<'_>) -> std::io::Result<Batch> {
    let start = Instant::now();
    let files = &found.files;
    let stems = stems(files);
    let findings = Findings::new()?;
    let deferred = defer_sync();
    let rows = match opts.isolation {
        Some(spawn) => {
            let jobs: Vec<(PathBuf, String, String, PathBuf)> = files
                .iter()
                .zip(&stems)
                .map(|(f, stem)| (f.clone(), rel(f, dir), stem.clone(), folder_of(f, dir, out)))
                .collect();
            let n = opts.jobs.unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
            });
            crate::worker::run_all(&jobs, n, spawn, opts, &findings)
        }
        None => in_process(dir, files, &stems, out, opts, &findings)?,
    };
    if deferred {
        sync_filesystem(out)?;
    }
    let cancelled = rows.iter().any(Option::is_none);
    // In place (a filter_map keeps the vector; a flatten built a second, growing one:
    // with 10,000 files the two were most of the batch's peak memory).
    #[allow(clippy::filter_map_identity)]
    let mut rows: Vec<Row> = rows.into_iter().filter_map(|r| r).collect();
    rows.reserve_exact(found.unreadable.len());
    rows.extend(
        found
            .unreadable
            .iter()
            .map(|(p, why)| Row::unreadable(rel(p, dir), why.clone())),
    );
    // Paths are unique, so an unstable sort gives the one order, and sorts in place (a
    // stable sort takes a buffer as large as the rows).
    rows.sort_unstable_by(|a, b| a.file.cmp(&b.file));
    mark_duplicates(&mut rows);
    Ok(Batch {
        rows,
        skipped: found
            .skipped
            .iter()
            .map(|(p, why)| (rel(p, dir), why.clone()))
            .collect(),
        elapsed: start.elapsed(),
        cancelled,
        findings,
    })
}

/// Let the files' outputs take their names without each being flushed to disk first
/// (see [`yusuan_write::defer_sync`]), where the file system can then be flushed at
/// once (when its files are done): on this machine's disk one flush per file left the
/// cores idle a third of a batch. Whether it is done; a worker calls it too.
pub fn defer_sync() -> bool {
    let available = cfg!(target_os = "linux");
    yusuan_write::defer_sync(available);
    available
}

/// Flush to disk what was written to the file system of `out` (the outputs of every
/// worker), and from here on flush each output again (the 汇总表 and the bureau's
/// 问题清单 are written after, each flushed before it takes its name).
fn sync_filesystem(out: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    rustix::fs::syncfs(std::fs::File::open(out)?)?;
    yusuan_write::defer_sync(false);
    Ok(())
}

/// A second file of a department and year already seen (in path order) is marked, and
/// says so: summing both would count the department twice.
fn mark_duplicates(rows: &mut [Row]) {
    let mut first: std::collections::HashMap<(String, i32, Stage), String> =
        std::collections::HashMap::new();
    for row in rows.iter_mut() {
        let (Some(department), Some(year)) = (row.department.clone(), row.year) else {
            continue;
        };
        if !matches!(row.status, Status::Passed | Status::Warnings) {
            continue;
        }
        match first.get(&(department.clone(), year, row.stage)) {
            Some(earlier) => {
                let note = format!(
                    "与「{earlier}」是同一部门同一年度（{department}，{year} 年），合计中只计一次"
                );
                row.reason = Some(match row.reason.take() {
                    Some(r) => format!("{r}；{note}"),
                    None => note,
                });
                row.duplicate_of = Some(earlier.clone());
            }
            None => {
                first.insert((department, year, row.stage), row.file.clone());
            }
        }
    }
}

fn in_process(
    dir: &Path,
    files: &[PathBuf],
    stems: &[String],
    out: &Path,
    opts: &Options<'_>,
    findings: &Findings,
) -> std::io::Result<Vec<Option<Row>>> {
    let work = || -> Vec<Option<Row>> {
        files
            .par_iter()
            .zip(stems.par_iter())
            .map(|(f, stem)| {
                if opts.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                    return None;
                }
                let mut row = process_one(f, stem, dir, out, opts);
                if let Some(cb) = opts.on_done {
                    cb(&row);
                }
                findings.keep(&mut row);
                Some(row)
            })
            .collect()
    };
    Ok(match opts.jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(std::io::Error::other)?
            .install(work),
        None => work(),
    })
}

// ---------------------------------------------------------------- summary outputs

/// The money columns of the 汇总表: (header, figure).
fn figures(s: &Summary) -> [(&'static str, Option<Decimal>); 11] {
    [
        ("收入总计", s.income_total),
        ("支出总计", s.expenditure_total),
        ("财政拨款", s.fiscal_total),
        ("一般公共预算", s.general_public_budget),
        ("基本支出", s.basic),
        ("项目支出", s.project),
        ("三公经费合计", s.three_public.total),
        ("因公出国（境）费", s.three_public.abroad),
        ("公务用车购置费", s.three_public.vehicle_purchase),
        ("公务用车运行费", s.three_public.vehicle_operation),
        ("公务接待费", s.three_public.reception),
    ]
}

const JSON_KEYS: [&str; 11] = [
    "income_total",
    "expenditure_total",
    "fiscal_total",
    "general_public_budget",
    "basic",
    "project",
    "three_public_total",
    "abroad",
    "vehicle_purchase",
    "vehicle_operation",
    "reception",
];

/// One row of `summary.json`.
#[derive(Serialize)]
struct JsonRow<'a> {
    amounts: BTreeMap<&'static str, Option<String>>,
    annotated: &'a Option<String>,
    department: &'a Option<String>,
    disclosure: &'a Option<String>,
    duplicate_of: &'a Option<String>,
    errors: usize,
    file: &'a str,
    reason: &'a Option<String>,
    report: &'a Option<String>,
    stage: Stage,
    status: Status,
    status_label: &'static str,
    warnings: usize,
    year: Option<i32>,
}

/// `summary.json`, contract `yusuan-batch/1` (see the README): amounts in 元, keys in
/// alphabetical order, pretty-printed with a final newline.
///
/// Rows are serialised one at a time as the text is written, straight to `out`: for
/// 10,000 files a tree of `serde_json::Value`s, then the 8 MB text, were the largest
/// things the batch held in memory.
pub fn write_summary_json(b: &Batch, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    fn amounts(s: &Summary) -> BTreeMap<&'static str, Option<String>> {
        figures(s)
            .iter()
            .zip(JSON_KEYS)
            .map(|((_, fig), key)| (key, fig.map(decimal_string)))
            .collect()
    }
    struct Rows<'a>(&'a [Row]);
    impl Serialize for Rows<'_> {
        fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeSeq;
            let mut seq = ser.serialize_seq(Some(self.0.len()))?;
            for r in self.0 {
                seq.serialize_element(&JsonRow {
                    amounts: amounts(&r.summary),
                    annotated: &r.annotated,
                    department: &r.department,
                    disclosure: &r.disclosure,
                    duplicate_of: &r.duplicate_of,
                    errors: r.errors,
                    file: &r.file,
                    reason: &r.reason,
                    report: &r.report,
                    stage: r.stage,
                    status: r.status,
                    status_label: r.status.label(),
                    warnings: r.warnings,
                    year: r.year,
                })?;
            }
            seq.end()
        }
    }
    #[derive(Serialize)]
    struct Skipped<'a> {
        file: &'a str,
        reason: &'a str,
    }
    #[derive(Serialize)]
    struct Json<'a> {
        errors: usize,
        files: usize,
        format: &'static str,
        passed: usize,
        rows: Rows<'a>,
        skipped: Vec<Skipped<'a>>,
        totals: BTreeMap<&'static str, String>,
        totals_files: usize,
        unreadable: usize,
        warnings: usize,
    }
    let counted: Vec<&Row> = b.rows.iter().filter(|r| Batch::counted(r)).collect();
    let totals = JSON_KEYS
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let sum: Decimal = counted
                .iter()
                .filter_map(|r| figures(&r.summary)[i].1)
                .sum();
            (*key, decimal_string(sum))
        })
        .collect();
    let json = Json {
        errors: b.count(Status::Errors),
        files: b.rows.len(),
        format: "yusuan-batch/1",
        passed: b.count(Status::Passed),
        rows: Rows(&b.rows),
        skipped: b
            .skipped
            .iter()
            .map(|(file, reason)| Skipped { file, reason })
            .collect(),
        totals,
        totals_files: counted.len(),
        unreadable: b.count(Status::Unreadable),
        warnings: b.count(Status::Warnings),
    };
    serde_json::to_writer_pretty(&mut *out, &json).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// The 汇总表 workbook (see [`yusuan_write::summary_workbook`]).
pub fn summary_workbook(
    b: &Batch,
    unit: Unit,
) -> Result<rust_xlsxwriter::Workbook, rust_xlsxwriter::XlsxError> {
    let headers: Vec<&str> = figures(&Summary::default())
        .iter()
        .map(|(h, _)| *h)
        .collect();
    let rows = b.rows.iter().map(|r| SummaryRow {
        file: &r.file,
        department: r.department.as_deref(),
        year: r.year,
        stage: r.stage.label(),
        status: match r.status {
            Status::Passed => RowStatus::Passed,
            Status::Warnings => RowStatus::Warnings,
            Status::Errors => RowStatus::Errors,
            Status::Unreadable => RowStatus::Unreadable,
            Status::OutputFailed => RowStatus::OutputFailed,
        },
        counted: Batch::counted(r),
        status_label: r.status.label(),
        reason: r.reason.as_deref(),
        amounts: figures(&r.summary).iter().map(|(_, v)| *v).collect(),
        errors: r.errors,
        warnings: r.warnings,
        disclosure: r.disclosure.as_deref(),
        report: r.report.as_deref(),
        annotated: r.annotated.as_deref(),
    });
    yusuan_write::summary_workbook(&headers, rows, &b.skipped, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_keep_the_extension_only_when_a_folder_has_two_of_a_name() {
        let files: Vec<PathBuf> = ["d/a.xls", "d/A.xlsx", "d/b.xlsx", "e/a.xlsx"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(stems(&files), ["a.xls", "A.xlsx", "b", "a"]);
        // A stray extension: `a.xls.xlsx` would write what `a.xls` writes.
        let files: Vec<PathBuf> = ["d/a.xls", "d/a.xls.xlsx", "d/a.xlsx"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(stems(&files), ["a.xls", "a.xls-2", "a.xlsx"]);
    }
}
