//! Refuses state-changing requests that a browser sends on behalf of another site.
//!
//! A browser marks every request with where it comes from: `Sec-Fetch-Site` (all current
//! browsers) or at least `Origin` on a POST. A request that changes state (any method but
//! GET, HEAD and OPTIONS) is let through only when it comes from this site. A request with
//! neither header does not come from a browser, so it cannot carry a victim's cookies from
//! another site, and is let through.

use axum::{
    extract::Request,
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if is_safe(request.method()) || comes_from_this_site(request.headers()) {
        return next.run(request).await;
    }
    tracing::warn!(
        method = %request.method(),
        path = %request.uri().path(),
        origin = ?request.headers().get(header::ORIGIN),
        "refused a cross-site request"
    );
    (
        StatusCode::FORBIDDEN,
        "This request came from another site and was refused.",
    )
        .into_response()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a request comes from this site, or from no browser at all. The WebSocket
/// upgrade asks the same question.
pub fn comes_from_this_site(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return matches!(site, "same-origin" | "none");
    }
    match (text(header::ORIGIN), text(header::HOST)) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin_host(origin) == Some(host),
        (Some(_), None) => false,
    }
}

/// `http://127.0.0.1:3000` -> `127.0.0.1:3000`; `null` and other non-URLs -> `None`.
fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    header::HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    #[test]
    fn a_same_origin_fetch_is_let_through() {
        assert!(comes_from_this_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
    }

    #[test]
    fn a_cross_site_or_same_site_fetch_is_refused() {
        assert!(!comes_from_this_site(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!comes_from_this_site(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_match_the_host() {
        let ours = [
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ];
        assert!(comes_from_this_site(&headers(&ours)));
        let theirs = [
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:3000"),
        ];
        assert!(!comes_from_this_site(&headers(&theirs)));
        let opaque = [("origin", "null"), ("host", "127.0.0.1:3000")];
        assert!(!comes_from_this_site(&headers(&opaque)));
    }

    #[test]
    fn a_request_with_neither_header_is_not_from_a_browser_and_is_let_through() {
        assert!(comes_from_this_site(&HeaderMap::new()));
    }
}
