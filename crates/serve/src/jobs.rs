//! Batch jobs: `yusuan batch` over a request's uploads in the background; their status,
//! their `summary.json`, their outputs as a zip. A bounded number is kept; the oldest
//! goes (with its folder) when a new one comes.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::hash::{BuildHasher, RandomState};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Mutex;

use crate::api::ApiError;

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Running,
    Done(serde_json::Value),
    Failed(String),
}

#[derive(Debug)]
struct Job {
    id: String,
    dir: Arc<tempfile::TempDir>,
    files: Vec<String>,
    status: Status,
}

/// The jobs kept, oldest first.
#[derive(Debug)]
pub(crate) struct Jobs {
    list: Mutex<VecDeque<Job>>,
    max: usize,
    next: AtomicU64,
    salt: u64,
}

impl Jobs {
    pub(crate) fn new(max: usize) -> Jobs {
        Jobs {
            list: Mutex::new(VecDeque::new()),
            max,
            next: AtomicU64::new(1),
            salt: RandomState::new().hash_one(std::time::SystemTime::now()),
        }
    }

    /// Start `yusuan batch` over the `file` fields saved in `dir`.
    pub(crate) async fn start(
        &self,
        state: Arc<crate::State>,
        dir: tempfile::TempDir,
        fields: Vec<(String, PathBuf)>,
    ) -> Result<String, ApiError> {
        let input = dir.path().join("in");
        std::fs::create_dir(&input).map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut files = Vec::new();
        for (_, p) in fields.iter().filter(|(n, _)| n == "file") {
            let name = p.file_name().unwrap_or_default();
            std::fs::rename(p, input.join(name)).map_err(|e| ApiError::Internal(e.to_string()))?;
            files.push(name.to_string_lossy().into_owned());
        }
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let id = format!(
            "{n}-{:016x}",
            self.salt.wrapping_mul(n.wrapping_add(0x9e37))
        );
        let dir = Arc::new(dir);
        {
            let mut list = self.list.lock().await;
            while list.len() >= self.max {
                list.pop_front();
            }
            list.push_back(Job {
                id: id.clone(),
                dir: dir.clone(),
                files,
                status: Status::Running,
            });
        }
        let job_id = id.clone();
        tokio::spawn(async move {
            let args: Vec<OsString> = ["batch", "in", "-o", "out", "-q"]
                .iter()
                .map(OsString::from)
                .collect();
            let status = match crate::tool::run(&state, dir.path(), &args).await {
                Ok(ran) => match std::fs::read(dir.path().join("out/summary.json")) {
                    Ok(bytes) => serde_json::from_slice(&bytes)
                        .map_or_else(|e| Status::Failed(e.to_string()), Status::Done),
                    Err(_) => Status::Failed(ran.message()),
                },
                Err(e) => Status::Failed(e.to_string()),
            };
            if let Some(job) = state
                .jobs
                .list
                .lock()
                .await
                .iter_mut()
                .find(|j| j.id == job_id)
            {
                job.status = status;
            }
        });
        Ok(id)
    }

    /// The job's status as JSON.
    pub(crate) async fn status(&self, id: &str) -> Option<serde_json::Value> {
        let list = self.list.lock().await;
        let job = list.iter().find(|j| j.id == id)?;
        let (status, summary, error) = match &job.status {
            Status::Running => ("running", None, None),
            Status::Done(s) => ("done", Some(s.clone()), None),
            Status::Failed(e) => ("failed", None, Some(e.clone())),
        };
        Some(serde_json::json!({
            "id": job.id,
            "status": status,
            "files": job.files,
            "summary": summary,
            "error": error,
        }))
    }

    /// Every output of a finished job, zipped.
    pub(crate) async fn zip(&self, id: &str) -> Result<Vec<u8>, ApiError> {
        let dir = {
            let list = self.list.lock().await;
            let job = list.iter().find(|j| j.id == id).ok_or(ApiError::NotFound)?;
            if !matches!(job.status, Status::Done(_)) {
                return Err(ApiError::Unprocessable("批量处理尚未完成".into()));
            }
            job.dir.clone()
        };
        let out = dir.path().join("out");
        tokio::task::spawn_blocking(move || zip_folder(&out))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| ApiError::Internal(format!("无法打包输出：{e}")))
    }
}

/// Every file under `root` (paths relative to it, `/`-separated) in one zip.
fn zip_folder(root: &Path) -> std::io::Result<Vec<u8>> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for p in files {
        let name = p
            .strip_prefix(root)
            .unwrap_or(&p)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        zip.start_file(name, options)
            .map_err(std::io::Error::other)?;
        zip.write_all(&std::fs::read(&p)?)?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}
