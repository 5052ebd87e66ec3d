//! The cache policy and the encodings, through the router with `oneshot`: a site folder of
//! the test's own, served as the file handler serves `target/site`.

use super::{IMMUTABLE, REVALIDATE, add, is_fingerprinted};
use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, Response, header},
    response::Html,
    routing::get,
};
use tower::ServiceExt;
use tower_http::services::ServeDir;

const WASM: &str = "/pkg/tidings.q0-rV_7a9Zk3LmN2bC4dEw.wasm";
const PAGE: &str = "<p>every change, as it happens</p>";

/// A site folder with a fingerprinted WASM (and its brotli and gzip copies, whose bytes
/// differ so that the test sees which one was sent), an unfingerprinted stylesheet and a
/// favicon, served beside a page.
fn site() -> (tempfile::TempDir, Router) {
    let root = tempfile::tempdir().expect("a temporary folder");
    let pkg = root.path().join("pkg");
    std::fs::create_dir(&pkg).expect("the pkg folder");
    let wasm = pkg.join(WASM.trim_start_matches("/pkg/"));
    std::fs::write(&wasm, b"the plain module").expect("the module");
    std::fs::write(wasm.with_extension("wasm.br"), b"brotli copy").expect("its brotli copy");
    std::fs::write(wasm.with_extension("wasm.gz"), b"gzip copy").expect("its gzip copy");
    std::fs::write(pkg.join("tidings.css"), b"body { margin: 0 }").expect("a stylesheet");
    std::fs::write(root.path().join("favicon.svg"), b"<svg/>").expect("a favicon");
    let files = ServeDir::new(root.path())
        .precompressed_br()
        .precompressed_gzip();
    let page = PAGE.repeat(100);
    let router = Router::new()
        .route("/page", get(move || async move { Html(page) }))
        .fallback_service(files);
    (root, add(router))
}

async fn fetch(router: Router, path: &str, accept_encoding: &str) -> Response<Body> {
    let request = Request::get(path)
        .header(header::ACCEPT_ENCODING, accept_encoding)
        .body(Body::empty())
        .expect("a request");
    router.oneshot(request).await.expect("an answer")
}

fn header_of(response: &Response<Body>, name: header::HeaderName) -> Option<&str> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().expect("a text header"))
}

async fn body_of(response: Response<Body>) -> Vec<u8> {
    to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body")
        .to_vec()
}

#[tokio::test]
async fn a_fingerprinted_asset_is_sent_as_its_brotli_copy_and_kept_for_a_year() {
    let (_root, router) = site();
    let response = fetch(router, WASM, "gzip, deflate, br").await;
    assert_eq!(response.status(), 200);
    assert_eq!(header_of(&response, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(header_of(&response, header::CACHE_CONTROL), Some(IMMUTABLE));
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        Some("application/wasm")
    );
    assert_eq!(body_of(response).await, b"brotli copy");
}

#[tokio::test]
async fn a_browser_without_brotli_gets_the_gzip_copy() {
    let (_root, router) = site();
    let response = fetch(router, WASM, "gzip").await;
    assert_eq!(header_of(&response, header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(header_of(&response, header::CACHE_CONTROL), Some(IMMUTABLE));
    assert_eq!(body_of(response).await, b"gzip copy");
}

#[tokio::test]
async fn a_browser_that_accepts_no_encoding_gets_the_plain_file() {
    let (_root, router) = site();
    let response = fetch(router, WASM, "identity").await;
    assert_eq!(header_of(&response, header::CONTENT_ENCODING), None);
    assert_eq!(body_of(response).await, b"the plain module");
}

#[tokio::test]
async fn files_whose_names_carry_no_hash_are_revalidated() {
    for path in ["/pkg/tidings.css", "/favicon.svg"] {
        let (_root, router) = site();
        let response = fetch(router, path, "br").await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            header_of(&response, header::CACHE_CONTROL),
            Some(REVALIDATE),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_missing_fingerprinted_file_is_not_kept() {
    let (_root, router) = site();
    let response = fetch(router, "/pkg/tidings.AAAAAAAAAAAAAAAAAAAAAA.js", "br").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        header_of(&response, header::CACHE_CONTROL),
        Some(REVALIDATE)
    );
}

#[tokio::test]
async fn a_page_is_compressed_as_it_is_sent_and_revalidated() {
    let (_root, router) = site();
    let response = fetch(router, "/page", "gzip, br").await;
    assert_eq!(header_of(&response, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(
        header_of(&response, header::CACHE_CONTROL),
        Some(REVALIDATE)
    );
    let sent = body_of(response).await.len();
    assert!(sent < PAGE.len() * 100 / 10, "{sent} bytes sent");
}

#[test]
fn only_package_files_named_with_a_fingerprint_count_as_fingerprinted() {
    assert!(is_fingerprinted(WASM));
    assert!(is_fingerprinted("/pkg/tidings.AAAAAAAAAAAAAAAAAAAAAA.css"));
    for path in [
        "/pkg/tidings.wasm",
        "/pkg/tidings.css",
        "/pkg/.AAAAAAAAAAAAAAAAAAAAAA.js",
        "/pkg/tidings.AAAAAAAAAAAAAAAAAAAAA.js",
        "/pkg/tidings.AAAAAAAAAAAAAAAAAAAA+/.js",
        "/pkg/snippets/x/tidings.AAAAAAAAAAAAAAAAAAAAAA.js",
        "/teams/tidings.AAAAAAAAAAAAAAAAAAAAAA.js",
        "/favicon.svg",
    ] {
        assert!(!is_fingerprinted(path), "{path}");
    }
}
