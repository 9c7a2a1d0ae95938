//! `yusuan serve [--port 8765] [--open] [--listen ADDR]`
//!
//! The local web page for finance staff who do not use a terminal: an HTTP server on
//! 127.0.0.1 only, unless `--listen` names another address (with a warning). Every
//! request runs this same binary on the uploads, so the page gives the command line's
//! outputs byte for byte.

use std::net::SocketAddr;

use anyhow::Result;

use super::Outcome;

/// 启动本机网页服务：在浏览器中拖入工作簿检查、下载公开表和问题清单（不用命令行）。
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 端口（0 为任选一个空闲端口）
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// 启动后在浏览器中打开
    #[arg(long)]
    open: bool,
    /// 监听的地址（默认只监听本机 127.0.0.1；给其他地址时局域网内的其他电脑也能访问）
    #[arg(long, value_name = "ADDR")]
    listen: Option<std::net::IpAddr>,
    /// 每个文件最长处理时间（秒），超过即停止（同 batch）
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    timeout: u64,
}

pub fn run(a: Args) -> Result<Outcome> {
    let exe = std::env::current_exe()?;
    let mut config = yusuan_serve::Config::local(exe, a.port);
    config.seconds = a.timeout.max(1);
    if let Some(ip) = a.listen {
        if !ip.is_loopback() {
            eprintln!(
                "警告：正在监听 {ip}，同一网络中的其他电脑也能打开此页面并上传文件；只在可信的网络中这样做"
            );
        }
        config.listen = SocketAddr::new(ip, a.port);
    }
    let listen = config.listen;
    yusuan_serve::serve_blocking(config, a.open, |url| {
        let _ = super::out(&format!("yusuan 网页已启动：{url}（按 Ctrl-C 停止）\n"));
    })
    .map_err(|e| anyhow::anyhow!("无法在 {listen} 启动网页服务：{}", bind_reason(&e)))?;
    Ok(Outcome::Clean)
}

/// Why the address could not be served, in Chinese.
fn bind_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::AddrInUse => "端口已被占用（换一个 --port，或先关闭占用它的程序）".into(),
        K::AddrNotAvailable => "本机没有这个地址".into(),
        K::PermissionDenied => "没有权限（1024 以下的端口需要管理员权限）".into(),
        _ => yusuan_core::os_reason(e),
    }
}
