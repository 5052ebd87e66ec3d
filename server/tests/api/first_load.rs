//! What a browser keeps and how it is sent: pages and server-function answers are asked for
//! again every time (`no-cache`) and compressed when the browser accepts it. (The assets'
//! year-long caching and their precompressed copies are tested in `server::assets` and, on
//! the release build, in end2end's first-load.spec.ts.)

use super::helpers::{Person, spawn_app};

/// GETs `path` with `Accept-Encoding: accept`: the status, `Content-Encoding`,
/// `Cache-Control`, and the body's length as sent.
async fn get(
    person: &Person,
    path: &str,
    accept: &str,
) -> (u16, Option<String>, Option<String>, usize) {
    let response = person
        .client
        .get(person.url(path))
        .header("accept-encoding", accept)
        .send()
        .await
        .expect("an answer");
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|value: &reqwest::header::HeaderValue| value.to_str().unwrap().to_owned())
    };
    let (status, encoding, cache) = (
        response.status().as_u16(),
        header("content-encoding"),
        header("cache-control"),
    );
    (
        status,
        encoding,
        cache,
        response.bytes().await.expect("a body").len(),
    )
}

#[tokio::test]
async fn a_page_is_sent_brotli_to_a_browser_that_accepts_it_and_is_revalidated() {
    let app = spawn_app().await;
    let team = format!("/teams/{}", app.team);
    let (status, encoding, cache, sent) = get(&app, &team, "gzip, deflate, br").await;
    assert_eq!(status, 200);
    assert_eq!(encoding.as_deref(), Some("br"));
    assert_eq!(cache.as_deref(), Some("no-cache"));
    let (_, plain_encoding, _, plain) = get(&app, &team, "identity").await;
    assert_eq!(plain_encoding, None);
    assert!(sent * 2 < plain, "brotli {sent} B, plain {plain} B");
}

#[tokio::test]
async fn a_page_is_sent_gzip_to_a_browser_without_brotli() {
    let app = spawn_app().await;
    let (_, encoding, cache, _) = get(&app, "/", "gzip").await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(cache.as_deref(), Some("no-cache"));
}

#[tokio::test]
async fn a_not_found_page_is_revalidated_too() {
    let app = spawn_app().await;
    let (status, _, cache, _) = get(&app, "/no/such/page", "br").await;
    assert_eq!(status, 404);
    assert_eq!(cache.as_deref(), Some("no-cache"));
}

#[tokio::test]
async fn a_server_function_answer_is_compressed_and_never_kept() {
    let app = spawn_app().await;
    let team = app.team.to_string();
    let response = app
        .client
        .post(app.url("/api/team_members"))
        .header("accept", "application/json")
        .header("accept-encoding", "br")
        .form(&[("team_id", team.as_str())])
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-encoding"], "br");
    assert_eq!(response.headers()["cache-control"], "no-cache");
}
