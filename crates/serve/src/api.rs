//! The HTTP API the page uses (documented in the README). Every answer is JSON or a
//! file; every error a Chinese message in `{"error": …}` with its HTTP status.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path as UrlPath, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::tool::{Ran, run, save_fields};

/// Why a request got no result.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("文件“{0}”超过 200 MB，不予处理")]
    TooLarge(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("处理超过 {0} 秒，已停止")]
    Timeout(u64),
    #[error("服务器正忙，请稍后再试")]
    Busy,
    #[error("没有这个地址")]
    NotFound,
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub(crate) fn upload(e: axum::extract::multipart::MultipartError) -> ApiError {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge("（本次上传）".into())
        } else {
            ApiError::BadRequest("上传的内容不完整或格式不对，请重新选择文件上传".into())
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.to_string() });
        (self.status(), Json(body)).into_response()
    }
}

type Shared = State<Arc<crate::State>>;
/// A multipart body, or why it is not one.
type Upload = Result<Multipart, MultipartRejection>;

/// The request's uploads in a private folder (deleted with it), by field.
struct Uploads {
    dir: tempfile::TempDir,
    fields: Vec<(String, PathBuf)>,
}

impl Uploads {
    async fn save(multipart: Upload) -> Result<Uploads, ApiError> {
        let multipart = multipart.map_err(|_| {
            ApiError::BadRequest(
                "请求不是文件上传（应为 multipart/form-data，表单字段 file）".into(),
            )
        })?;
        let root = crate::temp_root()
            .map_err(|e| ApiError::Internal(format!("无法建立临时文件夹：{e}")))?;
        let dir = tempfile::Builder::new()
            .prefix("request-")
            .tempdir_in(root)
            .map_err(|e| ApiError::Internal(format!("无法建立临时文件夹：{e}")))?;
        let fields = save_fields(multipart, dir.path()).await?;
        Ok(Uploads { dir, fields })
    }

    /// The saved file of field `name`, as a name relative to the folder.
    fn field(&self, name: &str) -> Option<OsString> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, p)| p.file_name())
            .map(OsString::from)
    }

    fn workbook(&self) -> Result<OsString, ApiError> {
        self.field("file")
            .ok_or_else(|| ApiError::BadRequest("没有收到工作簿（表单字段 file）".into()))
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn args(parts: &[&str]) -> Vec<OsString> {
    parts.iter().map(OsString::from).collect()
}

/// `POST /api/check`: `file`, optional `narrative` and `previous` → the JSON of
/// `yusuan check --format json`.
pub(crate) async fn check(State(state): Shared, multipart: Upload) -> Result<Response, ApiError> {
    let up = Uploads::save(multipart).await?;
    let mut a = vec![OsString::from("check"), up.workbook()?];
    a.extend(args(&["--format", "json"]));
    for (flag, field) in [("--narrative", "narrative"), ("--previous", "previous")] {
        if let Some(f) = up.field(field) {
            a.push(flag.into());
            a.push(f);
        }
    }
    let ran = run(&state, up.path(), &a).await?;
    // An unreadable workbook is a JSON answer too (its 无法读取 item); a refused
    // command line (a --previous of another department) is not.
    if serde_json::from_slice::<serde_json::Value>(&ran.stdout).is_err() {
        return Err(ApiError::Unprocessable(ran.message()));
    }
    Ok(json_bytes(ran.stdout))
}

fn json_bytes(bytes: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

/// A file as a download, named for the user (RFC 5987 `filename*`).
fn download(bytes: Vec<u8>, name: &str) -> Response {
    let mime = match name.rsplit('.').next() {
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("md") => "text/markdown; charset=utf-8",
        Some("zip") => "application/zip",
        Some("json") => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let mut r = Response::new(Body::from(bytes));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// The stem of an upload's name (`罗江.xlsx` → `罗江`).
fn stem(file: &OsString) -> String {
    let name = file.to_string_lossy();
    name.rsplit_once('.')
        .map_or(name.to_string(), |(s, _)| s.to_string())
}

async fn read_output(dir: &Path, name: &str, ran: &Ran) -> Result<Vec<u8>, ApiError> {
    tokio::fs::read(dir.join(name)).await.map_err(|_| {
        let why = ran.message();
        ApiError::Unprocessable(if why.is_empty() {
            "没有生成文件".into()
        } else {
            why
        })
    })
}

/// `?force=1`: publish although there are errors (the workbook then says so).
#[derive(Debug, Deserialize)]
pub(crate) struct Force {
    #[serde(default)]
    force: Option<String>,
}

/// `POST /api/convert`: `file` → the disclosure workbook (`公开.xlsx`), in the input's
/// layout; refused (422) when the workbook has errors, unless `?force=1`.
pub(crate) async fn convert(
    State(state): Shared,
    Query(q): Query<Force>,
    multipart: Upload,
) -> Result<Response, ApiError> {
    let up = Uploads::save(multipart).await?;
    let file = up.workbook()?;
    let out = format!("{}.公开.xlsx", stem(&file));
    let mut a = vec![OsString::from("convert"), file, "-o".into(), (&out).into()];
    let force = q.force.as_deref().is_some_and(|f| f == "1" || f == "true");
    if force {
        a.push("--force".into());
    }
    let ran = run(&state, up.path(), &a).await?;
    if ran.code == 1 && !force {
        return Err(ApiError::Unprocessable(format!(
            "有“错误”级问题，未生成公开表（可先下载问题清单修改后再试）：{}",
            ran.message()
        )));
    }
    Ok(download(read_output(up.path(), &out, &ran).await?, &out))
}

/// `POST /api/output/{kind}`: `file` → one more output of the command line:
/// `report` (问题清单.xlsx), `annotated` (标注副本.xlsx), `narrative-docx`,
/// `narrative-md` (the 情况说明).
pub(crate) async fn output(
    State(state): Shared,
    UrlPath(kind): UrlPath<String>,
    multipart: Upload,
) -> Result<Response, ApiError> {
    let up = Uploads::save(multipart).await?;
    let file = up.workbook()?;
    let s = stem(&file);
    let (out, verb, flag) = match kind.as_str() {
        "report" => (format!("{s}.问题清单.xlsx"), "check", "--report"),
        "annotated" => (format!("{s}.标注副本.xlsx"), "check", "--annotate"),
        "narrative-docx" => (format!("{s}.情况说明.docx"), "narrative", "-o"),
        "narrative-md" => (format!("{s}.情况说明.md"), "narrative", "-o"),
        _ => return Err(ApiError::NotFound),
    };
    let a = vec![OsString::from(verb), file, flag.into(), (&out).into()];
    let ran = run(&state, up.path(), &a).await?;
    let bytes = read_output(up.path(), &out, &ran)
        .await
        .map_err(|e| match kind.as_str() {
            "annotated" | "report" if ran.code == 0 => {
                ApiError::Unprocessable("没有发现问题，不需要问题清单或标注副本".into())
            }
            _ => e,
        })?;
    Ok(download(bytes, &out))
}

/// `POST /api/sheet`: `file` → its sheets' cells, for the page's grid view.
pub(crate) async fn sheet(State(state): Shared, multipart: Upload) -> Result<Response, ApiError> {
    let up = Uploads::save(multipart).await?;
    let a = vec![OsString::from("__grid"), up.workbook()?];
    let ran = run(&state, up.path(), &a).await?;
    if ran.code != 0 {
        return Err(ApiError::Unprocessable(ran.message()));
    }
    Ok(json_bytes(ran.stdout))
}

/// `POST /api/batch`: every `file` field → a job id; the batch runs in the background.
pub(crate) async fn batch(State(state): Shared, multipart: Upload) -> Result<Response, ApiError> {
    let up = Uploads::save(multipart).await?;
    if up.fields.iter().all(|(n, _)| n != "file") {
        return Err(ApiError::BadRequest(
            "没有收到工作簿（表单字段 file）".into(),
        ));
    }
    let id = state.jobs.start(state.clone(), up.dir, up.fields).await?;
    Ok(Json(serde_json::json!({ "id": id })).into_response())
}

/// `GET /api/jobs/{id}`: the job's status (`running`, `done`, `failed`), its files and,
/// when done, the batch's `summary.json`.
pub(crate) async fn job(
    State(state): Shared,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let v = state.jobs.status(&id).await.ok_or(ApiError::NotFound)?;
    Ok(Json(v).into_response())
}

/// `GET /api/jobs/{id}/zip`: every output of a finished job (汇总表.xlsx,
/// summary.json, 问题清单.xlsx and each file's) as one zip.
pub(crate) async fn job_zip(
    State(state): Shared,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let bytes = state.jobs.zip(&id).await?;
    Ok(download(bytes, "yusuan-批量结果.zip"))
}

/// Anything else.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// A known address with the wrong method (`GET /api/check`).
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::BadRequest("请求方式不对（上传文件应使用 POST）".into())
}
