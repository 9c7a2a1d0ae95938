//! The explanation text (情况说明): generated from the model ([`generate`]), and a
//! written one checked against the tables and against itself (the N rules, [`check`]).

pub mod check;
mod docx;
mod generate;

pub use docx::DocxError;
pub use generate::{Block, Narrative, Prior, Section, generate, share};
