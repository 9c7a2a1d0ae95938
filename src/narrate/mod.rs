//! The explanation text (情况说明): generated from the model, and checked against the
//! tables (the N rules).

pub mod check;
