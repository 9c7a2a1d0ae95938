//! The command line in Chinese: clap's help headings, flags and usage errors (unknown
//! command or option, missing argument, invalid value, with clap's suggestions) are
//! given in Chinese, naming what the user typed.

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

/// The help layout of every command: Chinese headings, no English boilerplate.
const TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// Chinese placeholders for the values of arguments (`<输出文件>`, not `<OUTPUT>`).
const VALUE_NAMES: &[(&str, &str)] = &[
    ("output", "输出文件"),
    ("file", "文件"),
    ("files", "文件"),
    ("dir", "文件夹"),
    ("jobs", "数量"),
    ("unit", "单位"),
    ("codes", "科目表.csv"),
    ("report", "问题清单.xlsx"),
    ("annotate", "标注副本.xlsx"),
    ("narrative", "情况说明"),
    ("previous", "上年工作簿"),
    ("year", "年度"),
    ("department", "部门名称"),
    ("format", "格式"),
    ("layout", "样式"),
    ("memory_limit", "MB"),
    ("timeout", "秒"),
];

/// Apply the Chinese help layout to a command and all its subcommands; `path` is the
/// command's words before its own name (`yusuan` for a subcommand).
pub fn localise(cmd: Command, path: &str) -> Command {
    let cmd = cmd
        .help_template(TEMPLATE)
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助")
                .help_heading("选项"),
        )
        .mut_args(|a| {
            let heading = if a.is_positional() {
                "参数"
            } else {
                "选项"
            };
            let mut help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            let values: Vec<String> = a
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_string())
                .collect();
            let takes_values = a.get_action().takes_values();
            if values.len() > 1 && takes_values {
                help.push_str(&format!("（可选：{}）", values.join("、")));
            }
            let defaults: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if !defaults.is_empty() {
                help.push_str(&format!("（默认：{}）", defaults.join("、")));
            }
            let mut a = a.help(help).help_heading(heading);
            if let Some((_, name)) = VALUE_NAMES.iter().find(|(id, _)| a.get_id() == id) {
                a = a.value_name(*name);
            }
            if takes_values {
                a.hide_possible_values(true).hide_default_value(true)
            } else {
                a
            }
        });
    let name = cmd.get_name().to_string();
    let full = if path.is_empty() {
        name.clone()
    } else {
        format!("{path} {name}")
    };
    let usage = cmd.clone().render_usage().to_string();
    let usage = usage
        .trim()
        .trim_start_matches("Usage:")
        .trim()
        .trim_start_matches(name.as_str())
        .replace("[OPTIONS]", "[选项]")
        .replace("<COMMAND>", "<命令>");
    let cmd = cmd.override_usage(format!("{full}{usage}"));
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    names.iter().fold(cmd, |cmd, sub| {
        cmd.mut_subcommand(sub, |c| localise(c, &full))
    })
}

/// The root command, with `-V/--version` in Chinese.
pub fn root(cmd: Command) -> Command {
    localise(cmd.disable_version_flag(true), "").arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help("显示版本")
            .help_heading("选项"),
    )
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    Some(match e.get(kind)? {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(v) => v.join("、"),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(v) => v
            .iter()
            .map(StyledStr::to_string)
            .collect::<Vec<_>>()
            .join("、"),
        ContextValue::Number(n) => n.to_string(),
        _ => return None,
    })
}

/// The Chinese message of a usage error, with the usage line and where to find help.
pub fn error_message(e: &clap::Error) -> String {
    let arg = context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
    let mut msg = match e.kind() {
        ErrorKind::InvalidSubcommand => format!(
            "没有“{}”这个命令",
            context(e, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::UnknownArgument => format!("没有“{arg}”这个选项或参数"),
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} 后面缺少值"),
        ErrorKind::InvalidValue => format!("{arg} 的值“{value}”无效"),
        ErrorKind::ValueValidation => format!("{arg} 的值“{value}”无效"),
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "缺少命令".to_string()
        }
        ErrorKind::ArgumentConflict => format!(
            "{arg} 不能与 {} 同时使用",
            context(e, ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("{arg} 的值的个数不对")
        }
        ErrorKind::NoEquals => format!("{arg} 的值须用“=”给出"),
        _ => "命令行参数有误".to_string(),
    };
    if let Some(valid) = context(e, ContextKind::ValidValue) {
        msg.push_str(&format!("；可选的值：{valid}"));
    }
    if let Some(s) = context(e, ContextKind::SuggestedSubcommand) {
        msg.push_str(&format!("；是不是要用“{s}”？"));
    } else if let Some(s) = context(e, ContextKind::SuggestedArg) {
        msg.push_str(&format!("；是不是要用“{s}”？"));
    } else if let Some(s) = context(e, ContextKind::SuggestedValue) {
        msg.push_str(&format!("；是不是要用“{s}”？"));
    }
    if let Some(valid) = context(e, ContextKind::ValidSubcommand) {
        msg.push_str(&format!("（可用的命令：{valid}）"));
    }
    let mut out = format!("错误：{msg}\n");
    if let Some(usage) = context(e, ContextKind::Usage) {
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        out.push_str(&format!("用法：{usage}\n"));
    }
    out.push_str("加 --help 查看说明。\n");
    out
}
