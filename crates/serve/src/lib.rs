//! `yusuan serve`: a local web page for the finance staff who do not use a terminal.
//!
//! One page, embedded in the binary (no CDN, works offline), in Chinese: drop workbooks,
//! see each file's findings, open the offending cells, download the outputs. The page
//! talks to a small HTTP API on 127.0.0.1 (see the README); every request runs the
//! `yusuan` binary itself on the uploads, in a private temporary folder deleted when the
//! request ends, so the page gets the very outputs the command line writes, byte for
//! byte, each file in a supervised child within the CLI's memory limit and under a time
//! limit here. Requests whose `Host` or `Origin` is not this server are refused.
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! let config = yusuan_serve::Config::local(std::env::current_exe()?, 8765);
//! let server = yusuan_serve::Server::bind(config).await?;
//! println!("{}", server.url());
//! server.run().await
//! # }
//! ```
#![deny(missing_docs)]

mod api;
mod guard;
mod jobs;
mod page;
mod tool;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// The folder every request's temporary folder is made in, removed on [`stop`].
static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// The folder the requests' temporary folders go in (made on first use).
pub(crate) fn temp_root() -> std::io::Result<&'static Path> {
    if let Some(p) = ROOT.get() {
        return Ok(p);
    }
    let dir = std::env::temp_dir().join(format!("yusuan-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(ROOT.get_or_init(|| dir))
}

/// Remove every upload and output of this server (the process is ending: Ctrl-C).
pub fn stop() {
    if let Some(p) = ROOT.get() {
        let _ = std::fs::remove_dir_all(p);
    }
}

/// Largest upload, per file: the CLI reader's own limit (200 MiB).
pub const MAX_UPLOAD_BYTES: usize = 200 * 1024 * 1024;
/// Largest request (a batch of several files).
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024 * 1024;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `yusuan` binary every request runs.
    pub exe: PathBuf,
    /// The address to listen on (127.0.0.1 unless asked otherwise).
    pub listen: SocketAddr,
    /// Files processed at once (each in its own process).
    pub max_running: usize,
    /// Batch jobs kept (their outputs stay downloadable until the server stops or a
    /// newer job takes the place of the oldest).
    pub max_jobs: usize,
    /// Wall time for one command on one request, in seconds (the batch's per-file
    /// limit).
    pub seconds: u64,
}

impl Config {
    /// 127.0.0.1:`port`, two files at a time, 16 jobs kept, 120 s a command.
    pub fn local(exe: PathBuf, port: u16) -> Config {
        Config {
            exe,
            listen: SocketAddr::from(([127, 0, 0, 1], port)),
            max_running: 2,
            max_jobs: 16,
            seconds: 120,
        }
    }
}

/// What every handler shares.
#[derive(Debug)]
struct State {
    config: Config,
    /// `Host` values this server answers to (`127.0.0.1:8765`, `localhost:8765` …).
    hosts: Vec<String>,
    running: tokio::sync::Semaphore,
    jobs: jobs::Jobs,
}

/// A bound server, not yet serving.
#[derive(Debug)]
pub struct Server {
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
    state: Arc<State>,
}

impl Server {
    /// Bind the listening socket (port 0: any free port).
    pub async fn bind(config: Config) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            hosts: guard::hosts(addr),
            running: tokio::sync::Semaphore::new(config.max_running.max(1)),
            jobs: jobs::Jobs::new(config.max_jobs.max(1)),
            config,
        });
        Ok(Server {
            listener,
            addr,
            state,
        })
    }

    /// The page's address (`http://127.0.0.1:8765/`).
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The address bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serve until the process ends.
    pub async fn run(self) -> std::io::Result<()> {
        axum::serve(self.listener, router(self.state)).await
    }
}

/// Bind, tell `ready` the page's address, optionally open it in the browser, and serve
/// until the process ends, on a runtime of its own (for a caller with none).
pub fn serve_blocking(
    config: Config,
    open_browser: bool,
    ready: impl FnOnce(&str),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let server = Server::bind(config).await?;
        let url = server.url();
        ready(&url);
        if open_browser {
            // The page opens in the user's browser; failing that, the address is printed.
            let _ = open::that_detached(&url);
        }
        server.run().await
    })
}

fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/app.css", get(page::style))
        .route("/api/check", post(api::check))
        .route("/api/convert", post(api::convert))
        .route("/api/output/{kind}", post(api::output))
        .route("/api/sheet", post(api::sheet))
        .route("/api/batch", post(api::batch))
        .route("/api/jobs/{id}", get(api::job))
        .route("/api/jobs/{id}/zip", get(api::job_zip))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::same_origin,
        ))
        .with_state(state)
}
