//! The explanation text (情况说明): generated from the model ([`generate`]), and a
//! written one checked against the tables and against itself (the N rules, [`check`]).
//!
//! ```
//! use yusuan_core::{Catalog, CodeLists, recognise};
//! use yusuan_grid::{Cell, Grid, Format, Sheet};
//! use yusuan_narrative::check::{Text, TextRules};
//! use yusuan_rules::{Ctx, Rule, run};
//!
//! let t = |s: &str| Cell::Text(s.into());
//! let sheet = Sheet::from_cells("表3", vec![
//!     (0, 0, t("一般公共预算支出预算表")), (1, 2, t("单位：万元")),
//!     (2, 0, t("科目编码")), (2, 1, t("科目名称")), (2, 2, t("合计")),
//!     (3, 1, t("合计")), (3, 2, Cell::Number(530.88)),
//!     (4, 0, t("201")), (4, 1, t("一般公共服务支出")), (4, 2, Cell::Number(530.88)),
//! ]);
//! let budget = recognise(&Grid { format: Format::Xlsx, sheets: vec![sheet] }, CodeLists::builtin()).unwrap();
//! // the text says 531.88 where 表3 says 530.88
//! let text = Text::parse("五、一般公共预算当年拨款情况说明\n一般公共服务支出531.88万元。");
//! let n_rules = TextRules::new(Some(&text));
//! let rules: Vec<_> = n_rules.rules();
//! let rules: Vec<&dyn Rule> = rules.iter().map(|r| r as &dyn Rule).collect();
//! let ctx = Ctx { budget: &budget, codes: CodeLists::builtin(), catalog: Catalog::get(), text: Some(&text.lines) };
//! let report = run(&ctx, &rules);
//! let n401 = report.of("N401").next().unwrap();
//! assert_eq!(n401.line, Some(2));
//! assert!(n401.message.contains("530.88"));
//! ```
#![deny(missing_docs)]

pub mod check;
mod docx;
mod final_text;
mod generate;

pub use docx::DocxError;
pub use final_text::generate_final;
pub use generate::{Block, Narrative, Prior, Section, generate, share};
