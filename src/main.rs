//! The `yusuan` command: a thin layer of clap commands over the library.
//! Exit codes: 0 clean, 1 findings of severity error, 2 input or usage error.

// The binary is where output goes to the terminal.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cmd;

fn main() -> std::process::ExitCode {
    cmd::main()
}
