//! Running the `yusuan` binary on uploads: the same commands, the same outputs as on
//! the command line, in the request's own folder, a bounded number at once, each under
//! a time limit (the command itself runs supervised within its memory limit).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use axum::extract::Multipart;

use crate::api::ApiError;
use crate::{MAX_UPLOAD_BYTES, State};

/// What one command printed and how it ended.
#[derive(Debug)]
pub(crate) struct Ran {
    /// The exit code (0 clean, 1 findings of severity error, 2 unusable).
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Ran {
    /// Its messages to the user, without the CLI's `错误：` prefix.
    pub fn message(&self) -> String {
        self.stderr
            .lines()
            .map(|l| l.trim_start_matches("错误：").trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("；")
    }
}

/// Run `yusuan ARGS` in `dir`.
pub(crate) async fn run(state: &State, dir: &Path, args: &[OsString]) -> Result<Ran, ApiError> {
    let _permit = state.running.acquire().await.map_err(|_| ApiError::Busy)?;
    let mut cmd = tokio::process::Command::new(&state.config.exe);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Its own process group: over time, the command and the child it supervises go.
    #[cfg(unix)]
    cmd.process_group(0);
    let child = cmd
        .spawn()
        .map_err(|e| ApiError::Internal(format!("无法启动 yusuan：{e}")))?;
    let pid = child.id();
    let limit = Duration::from_secs(state.config.seconds);
    let out = match tokio::time::timeout(limit, child.wait_with_output()).await {
        Ok(out) => out.map_err(|e| ApiError::Internal(format!("yusuan 运行失败：{e}")))?,
        Err(_) => {
            kill_group(pid);
            return Err(ApiError::Timeout(state.config.seconds));
        }
    };
    Ok(Ran {
        code: out.status.code().unwrap_or(2),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// Kill a command's process group (the command and what it started).
fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid
        .and_then(|p| i32::try_from(p).ok())
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// An uploaded file's name as a plain file name: its last path component, no control
/// characters; `上传文件.xlsx` when nothing usable is left.
pub(crate) fn file_name(raw: Option<&str>) -> String {
    let last = raw
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>();
    let last = last.trim().trim_start_matches('.').to_string();
    if last.is_empty() {
        "上传文件.xlsx".into()
    } else {
        last
    }
}

/// The uploaded fields of a request saved into `dir`: (field name, saved path), in
/// order. Two files of one name are kept apart (`a.xlsx`, `a-2.xlsx`).
pub(crate) async fn save_fields(
    mut multipart: Multipart,
    dir: &Path,
) -> Result<Vec<(String, PathBuf)>, ApiError> {
    let mut saved: Vec<(String, PathBuf)> = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(ApiError::upload)? {
        let field_name = field.name().unwrap_or("").to_string();
        let mut name = file_name(field.file_name());
        let mut n = 2;
        while saved
            .iter()
            .any(|(_, p)| p.file_name() == Some(name.as_ref()))
        {
            let (stem, ext) = match name.rsplit_once('.') {
                Some((s, e)) => (s.to_string(), format!(".{e}")),
                None => (name.clone(), String::new()),
            };
            let stem = stem.trim_end_matches(&format!("-{}", n - 1)).to_string();
            name = format!("{stem}-{n}{ext}");
            n += 1;
        }
        let mut bytes: Vec<u8> = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(ApiError::upload)? {
            if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                return Err(ApiError::TooLarge(name));
            }
            bytes.extend_from_slice(&chunk);
        }
        let path = dir.join(&name);
        tokio::fs::write(&path, &bytes)
            .await
            .map_err(|e| ApiError::Internal(format!("无法保存上传的文件：{e}")))?;
        saved.push((field_name, path));
    }
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_names_are_plain_file_names() {
        assert_eq!(file_name(Some("C:\\报表\\表1.xlsx")), "表1.xlsx");
        assert_eq!(file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(file_name(Some("..")), "上传文件.xlsx");
        assert_eq!(file_name(Some("a\u{0}b.xlsx")), "ab.xlsx");
        assert_eq!(file_name(None), "上传文件.xlsx");
    }
}
