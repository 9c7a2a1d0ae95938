//! Test generators, never shipped: a dev-dependency of the workspace only.
//!
//! - [`compose`]: a consistent budget (every table) from a department's detail lines,
//!   the way the bundled samples are made;
//! - [`corpus`]: random budgets for tests and benchmarks, and the broken-file corpus
//!   ([`corpus::bad`]);
//! - [`SheetEdit`]: editing a read grid (set cells, insert and delete rows and columns)
//!   to make mutated workbooks; [`package`]: editing an .xlsx in place, formats kept.
#![allow(missing_docs)]

pub mod compose;
pub mod corpus;
mod edit;
pub mod final_accounts;
pub mod package;
pub mod real;

pub use edit::SheetEdit;
