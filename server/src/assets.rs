//! What a browser downloads and how long it keeps it: the site's files (`target/site`),
//! served precompressed when asked, and the compression of every other answer.
//!
//! cargo-leptos names the JS, WASM and CSS after their content (`hash-files`: a file's
//! MD5 in base64url, `tidings.<hash>.wasm`), so one name never serves two contents: those
//! files are kept for a year and never asked for again. Everything else, pages and
//! server-function answers included, is `no-cache`: a page must name the assets of the
//! build that serves it, and a page's data is live. The release build writes a brotli
//! and a gzip copy of each asset (`cargo leptos build --release --precompress`), which
//! the file handler serves as is (`leptos_axum::file_and_error_handler` looks for them);
//! pages and server-function answers are compressed as they are sent.

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::Response,
};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// How long a browser keeps a file whose name carries its content's hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else is asked for again each time it is used.
pub const REVALIDATE: &str = "no-cache";

/// The folder of the site's files that cargo-leptos fingerprints (`site-pkg-dir`).
const PKG_DIR: &str = "/pkg/";
/// The length of cargo-leptos' fingerprint: 16 bytes of MD5 in unpadded base64url.
const FINGERPRINT_LEN: usize = 22;
/// Brotli's and gzip's level for answers compressed as they are sent: fast enough for
/// every page (brotli's own default, 11, costs milliseconds per page), and still most of
/// the gain on HTML and JSON.
const DYNAMIC_LEVEL: i32 = 5;

/// Adds the cache headers and the compression of dynamic answers to the whole site.
pub fn add(router: Router) -> Router {
    router
        .layer(middleware::from_fn(cache_control))
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(DYNAMIC_LEVEL)))
}

/// Marks each answer with how long it may be kept, unless its handler already said.
async fn cache_control(request: Request, next: Next) -> Response {
    let fingerprinted = is_fingerprinted(request.uri().path());
    let mut response = next.run(request).await;
    let policy = if fingerprinted && response.status() == StatusCode::OK {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(policy));
    response
}

/// Whether `path` names a file of the site's package whose name carries its content's
/// hash: `/pkg/<stem>.<fingerprint>.<extension>`.
fn is_fingerprinted(path: &str) -> bool {
    let Some(name) = path.strip_prefix(PKG_DIR) else {
        return false;
    };
    let mut parts = name.rsplit('.');
    let (Some(_extension), Some(fingerprint), Some(stem)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !stem.is_empty()
        && !stem.contains('/')
        && fingerprint.len() == FINGERPRINT_LEN
        && fingerprint
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

#[cfg(test)]
mod tests;
