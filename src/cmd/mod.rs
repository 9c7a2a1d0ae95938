//! One file per subcommand, each with its usage on top. The commands call the library
//! and map outcomes to exit codes; they hold no budget logic.

mod batch;
mod check;
mod convert;
mod export;
mod narrative;
mod template;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// 部门预算公开：读取、校验并生成公开报表与情况说明。
#[derive(Debug, Parser)]
#[command(name = "yusuan", version, about, long_about = None)]
#[command(after_help = "退出码：0 无问题；1 发现“错误”级问题；2 输入文件或用法有误。")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Batch(batch::Args),
    Check(check::Args),
    Convert(convert::Args),
    Template(template::Args),
    Export(export::Args),
    Narrative(narrative::Args),
}

/// How a command ended.
pub enum Outcome {
    /// Nothing wrong.
    Clean,
    /// Findings of severity error.
    Findings,
    /// A file could not be used (its message was already printed).
    Unusable,
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    let result = match cli.command {
        Command::Batch(a) => batch::run(a),
        Command::Check(a) => check::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Template(a) => template::run(a),
        Command::Export(a) => export::run(a),
        Command::Narrative(a) => narrative::run(a),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Ok(Outcome::Unusable) => ExitCode::from(2),
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}
