//! Only this server's own page may talk to it: a request whose `Host` is not this
//! server's address (DNS rebinding: `evil.example` resolving to 127.0.0.1) or whose
//! `Origin` is another site (a page elsewhere posting to localhost) is refused with 403.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::ApiError;

/// The `Host` values of a server bound to `addr`.
pub(crate) fn hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    let own = addr.to_string();
    if !hosts.contains(&own) {
        hosts.push(own);
    }
    hosts
}

/// Refuse what does not come from this server's own page.
pub(crate) async fn same_origin(
    State(state): State<Arc<crate::State>>,
    request: Request,
    next: Next,
) -> Response {
    // (taken out of the request before it goes on: a borrow of it held over the
    // await would make the future not `Send`)
    let (host, origin) = {
        let header = |name| {
            request
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap_or("\u{fffd}").to_string())
        };
        (header(HOST).unwrap_or_default(), header(ORIGIN))
    };
    if !state.hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) {
        return ApiError::Forbidden(format!(
            "拒绝访问：请求的主机名“{host}”不是本机的 yusuan 服务（请用 {} 打开）",
            state.hosts[0]
        ))
        .into_response();
    }
    if let Some(origin) = origin {
        let ok = state
            .hosts
            .iter()
            .any(|h| origin.eq_ignore_ascii_case(&format!("http://{h}")));
        if !ok {
            return ApiError::Forbidden(format!(
                "拒绝访问：来自其他网站（{origin}）的请求不予处理"
            ))
            .into_response();
        }
    }
    next.run(request).await
}
