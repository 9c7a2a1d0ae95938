//! One file through the whole pipeline: read, recognise, check, and (when it has no
//! errors, or when forced) write the disclosure workbook and the 问题清单. `convert` and
//! `batch` both use it.

use std::path::{Path, PathBuf};

use yusuan_core::CodeLists;
use yusuan_core::{Budget, Summary, Unit};
use yusuan_rules::{Report, Severity};
use yusuan_write::DisclosureOptions;
use yusuan_write::{OutputError, save_workbook};

/// What to do with one file.
#[derive(Debug, Clone)]
pub struct Job<'a> {
    /// The workbook to read (never written to).
    pub input: &'a Path,
    /// The disclosure workbook to write.
    pub disclosure: PathBuf,
    /// The 问题清单 to write when there are findings (`None`: never).
    pub report: Option<PathBuf>,
    /// The annotated copy to write when there are findings in cells (`None`: never);
    /// the 问题清单 links into it, so it goes in the same folder.
    pub annotated: Option<PathBuf>,
    /// The unit of the published tables; `None`: the layout's own.
    pub unit: Option<Unit>,
    /// The layout to publish in; `None`: the workbook's own.
    pub layout: Option<String>,
    /// Where the 情况说明 goes; `None`: as the layout has it.
    pub order: Option<yusuan_write::Order>,
    /// Write the disclosure even when there are errors.
    pub force: bool,
    /// The name of the file in the 问题清单 (its path relative to the batch folder).
    pub display_name: String,
}

/// How the file came out.
#[derive(Debug)]
pub enum Outcome {
    /// Read and checked; outputs written as listed.
    Checked(Box<Checked>),
    /// Not a usable workbook (the message names the file).
    Unreadable(String),
}

/// A file that was read and checked, and what was written for it.
#[derive(Debug)]
pub struct Checked {
    /// The department, as the workbook names it.
    pub department: Option<String>,
    /// The budget year.
    pub year: Option<i32>,
    /// 预算 or 决算.
    pub stage: yusuan_core::Stage,
    /// Its headline figures.
    pub summary: Summary,
    /// Every rule's findings and the ledger.
    pub report: Report,
    /// The outputs written.
    pub disclosure: Option<PathBuf>,
    /// The 问题清单 written.
    pub report_file: Option<PathBuf>,
    /// The annotated copy written.
    pub annotated_file: Option<PathBuf>,
    /// Why the disclosure was not written, if it was not.
    pub skipped: Option<String>,
}

/// Run one file. `Err` only when an output could not be written.
pub fn process(job: &Job<'_>, codes: &CodeLists) -> Result<Outcome, OutputError> {
    let (grid, budget) = match crate::load(job.input, codes) {
        Ok(x) => x,
        Err(e) => return Ok(Outcome::Unreadable(e.to_string())),
    };
    let report = crate::check(&budget, codes, None);
    let mut checked = Checked {
        department: budget.department.clone(),
        year: budget.year,
        stage: budget.stage,
        summary: budget.summary(),
        disclosure: None,
        report_file: None,
        annotated_file: None,
        skipped: None,
        report,
    };
    if let Some(path) = &job.annotated
        && checked.report.findings.iter().any(|f| f.cell.is_some())
    {
        yusuan_write::save_annotated(job.input, &grid, &checked.report, path)?;
        checked.annotated_file = Some(path.clone());
    }
    drop(grid);
    if let Some(path) = &job.report
        && !checked.report.findings.is_empty()
    {
        let listed = yusuan_write::Listed {
            file: job.display_name.clone(),
            department: checked.department.clone(),
            year: checked.year,
            lines: yusuan_write::finding_lines(&checked.report),
            ledger: Some(&checked.report.ledger),
            annotated: checked
                .annotated_file
                .as_deref()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned()),
        };
        let mut wb = yusuan_write::findings_workbook(&[listed], &yusuan_write::today()).map_err(
            |source| OutputError::Workbook {
                path: path.clone(),
                source,
            },
        )?;
        save_workbook(&mut wb, path)?;
        checked.report_file = Some(path.clone());
    }
    match convertible(&budget, &checked.report, job.force) {
        Ok(()) => {
            write_disclosure(
                &budget,
                &Publish {
                    unit: job.unit,
                    layout: job.layout.clone(),
                    order: job.order,
                    date: Some(yusuan_write::today()),
                    unverified: checked
                        .report
                        .has_errors()
                        .then(|| checked.report.count(yusuan_rules::Severity::Error)),
                },
                &job.disclosure,
                codes,
            )?;
            checked.disclosure = Some(job.disclosure.clone());
        }
        Err(why) => checked.skipped = Some(why),
    }
    Ok(Outcome::Checked(Box::new(checked)))
}

/// Whether a budget may be published: every table has a unit, and no errors (unless forced).
pub fn convertible(budget: &Budget, report: &Report, force: bool) -> Result<(), String> {
    let no_unit: Vec<String> = budget
        .tables
        .iter()
        .filter(|t| t.unit.is_none())
        .map(|t| t.id.to_string())
        .collect();
    if !no_unit.is_empty() {
        return Err(format!("{}缺少金额单位，无法换算", no_unit.join("、")));
    }
    if report.has_errors() && !force {
        return Err(format!(
            "有 {} 条错误，未生成公开表",
            report.count(Severity::Error)
        ));
    }
    Ok(())
}

/// How to publish: the unit and the layout (each `None`: the workbook's own).
#[derive(Debug, Clone, Default)]
pub struct Publish {
    /// The unit of every published table.
    pub unit: Option<Unit>,
    /// The layout (catalogue key).
    pub layout: Option<String>,
    /// Published although the checks found this many errors (`convert --force`): the
    /// workbook then says 「未通过校验」 on its cover, in every footer and in its properties.
    pub unverified: Option<usize>,
    /// Where the 情况说明 goes; `None`: as the layout has it.
    pub order: Option<yusuan_write::Order>,
    /// The date on the cover.
    pub date: Option<String>,
}

/// Write the disclosure workbook in the workbook's own layout (or the one asked for),
/// with the workbook's own 情况说明 where it has one, else the generated one.
pub fn write_disclosure(
    budget: &Budget,
    publish: &Publish,
    path: &Path,
    codes: &CodeLists,
) -> Result<(), OutputError> {
    let prior = yusuan_narrative::Prior::from_info(budget);
    let opts = DisclosureOptions {
        unit: publish.unit,
        narrative: Some(
            match budget.stage {
                yusuan_core::Stage::Budget => yusuan_narrative::generate(budget, codes, prior),
                yusuan_core::Stage::Final => {
                    yusuan_narrative::generate_final(budget, codes, prior, None)
                }
            }
            .to_text(),
        ),
        layout: publish.layout.clone(),
        unverified: publish.unverified,
        order: publish.order,
        date: publish.date.clone(),
    };
    let mut wb =
        yusuan_write::disclosure(budget, &opts).map_err(|source| OutputError::Workbook {
            path: path.to_path_buf(),
            source,
        })?;
    save_workbook(&mut wb, path)
}
