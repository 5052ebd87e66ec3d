//! User text in server-rendered pages, and the headers every page carries: text that would
//! close `<title>` or `<textarea>` stays text, and each page's Content-Security-Policy lets
//! only its own nonce'd scripts run.

use super::helpers::{TestApp, spawn_app};
use app::domain::{CommandId, TodoId};

const TITLE: &str = "a < b </title><img src=x onerror=alert(1)>";
const TEAM: &str = "</title><script>alert(2)</script>";
const DESCRIPTION: &str = "</textarea><img src=x onerror=alert(3)>";
const NOTES: &str = "</textarea><script>alert(4)</script> &amp;";

/// Ada's todo with every field carrying a break-out, in a team whose name carries one: the
/// team's page, its members page and the todo's page.
async fn pages_with_break_outs(app: &TestApp) -> [String; 3] {
    let team = app.create_team(TEAM).await.unwrap().team_id.to_string();
    let command = CommandId::new().to_string();
    let todo = app
        .create_todo_with(&team, TITLE, "", &command)
        .await
        .unwrap()
        .todo_id;
    app.update(todo, 1, TITLE, DESCRIPTION, NOTES)
        .await
        .unwrap();
    [
        format!("/teams/{team}"),
        format!("/teams/{team}/members"),
        format!("/todos/{todo}"),
    ]
}

fn title_of(html: &str) -> &str {
    let start = html.find("<title>").expect("a title") + "<title>".len();
    let end = html[start..].find("</title>").expect("a closed title");
    &html[start..start + end]
}

fn textarea_contents(html: &str) -> Vec<&str> {
    html.split("<textarea")
        .skip(1)
        .map(|rest| {
            let start = rest.find('>').expect("an opening tag") + 1;
            let end = rest.find("</textarea>").expect("a closed textarea");
            &rest[start..end]
        })
        .collect()
}

#[tokio::test]
async fn text_that_would_close_a_title_or_textarea_is_escaped_on_every_page_that_shows_it() {
    let app = spawn_app().await;
    let [team_page, members_page, todo_page] = pages_with_break_outs(&app).await;

    for path in [&team_page, &members_page, &todo_page] {
        let (status, html) = app.page(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains("<img src=x"), "{path} holds injected markup");
        assert!(
            !html.contains("<script>alert"),
            "{path} holds an injected script"
        );
        assert_eq!(html.matches("<title>").count(), 1, "{path}");
    }
    let (_, team) = app.page(&team_page).await;
    assert_eq!(
        title_of(&team),
        "&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt; · Tidings"
    );
    let (_, todo) = app.page(&todo_page).await;
    assert_eq!(
        title_of(&todo),
        "a &lt; b &lt;/title&gt;&lt;img src=x onerror=alert(1)&gt; · Tidings"
    );
    assert_eq!(
        textarea_contents(&todo),
        [
            "&lt;/textarea&gt;&lt;img src=x onerror=alert(3)&gt;",
            "&lt;/textarea&gt;&lt;script&gt;alert(4)&lt;/script&gt; &amp;amp;",
        ],
        "the description's, then the notes'"
    );
}

#[tokio::test]
async fn text_with_angle_brackets_is_stored_and_answered_as_typed() {
    let app = spawn_app().await;
    let [_, _, todo_page] = pages_with_break_outs(&app).await;
    let todo = TodoId::parse(todo_page.trim_start_matches("/todos/")).unwrap();
    let detail = app.detail(todo).await.unwrap();
    assert_eq!(detail.todo.title, TITLE);
    assert_eq!(detail.todo.description, DESCRIPTION);
    assert_eq!(detail.todo.notes.as_deref(), Some(NOTES));
    assert_eq!(detail.todo.team.name, TEAM);
}

/// The nonce a page's policy allows, and the `nonce` of each of its `<script>` tags.
fn nonces(policy: &str, html: &str) -> (String, Vec<Option<String>>) {
    let allowed = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the policy names a nonce")
        .to_owned();
    let scripts = html
        .split("<script")
        .skip(1)
        .map(|tag| {
            let tag = &tag[..tag.find('>').expect("a closed tag")];
            tag.split("nonce=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(str::to_owned)
        })
        .collect();
    (allowed, scripts)
}

#[tokio::test]
async fn every_page_has_a_policy_whose_fresh_nonce_is_on_each_of_its_scripts() {
    let app = spawn_app().await;
    let [team_page, members_page, todo_page] = pages_with_break_outs(&app).await;
    let invite = app.invite("single").await.unwrap().path;
    let anonymous = app.anonymous();
    let pages = [
        "/",
        "/login",
        "/signup",
        &team_page,
        &members_page,
        &todo_page,
        &invite,
        "/no/such/page",
    ];
    let mut seen = Vec::new();
    for (who, path) in pages
        .iter()
        .map(|path| ("ada", *path))
        .chain([("anonymous", "/"), ("anonymous", "/login")])
    {
        let client = if who == "ada" {
            &app.client
        } else {
            &anonymous.client
        };
        let response = client.get(app.url(path)).send().await.unwrap();
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let html = response.text().await.unwrap();
        let (allowed, scripts) = nonces(&policy, &html);
        assert!(policy.contains("'strict-dynamic'"), "{path}: {policy}");
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
        assert!(allowed.len() >= 16, "{path}: a short nonce {allowed:?}");
        assert!(!scripts.is_empty(), "{path} hydrates with a script");
        assert!(
            scripts
                .iter()
                .all(|nonce| nonce.as_deref() == Some(allowed.as_str())),
            "{path}: a script without the page's nonce: {scripts:?} (allowed {allowed})"
        );
        assert!(!seen.contains(&allowed), "{path}: a nonce used twice");
        seen.push(allowed);
    }
}

#[tokio::test]
async fn an_answer_that_is_not_a_page_is_never_sniffed_and_sends_no_referrer_away() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["referrer-policy"], "same-origin");
}

/// Each island's props as the browser reads them: the `data-props` attribute's value, its
/// HTML escapes undone, parsed as JSON. Panics if an attribute is never closed.
fn island_props(html: &str) -> Vec<serde_json::Value> {
    html.split(" data-props=\"")
        .skip(1)
        .map(|rest| {
            let end = rest.find('"').expect("a closed data-props attribute");
            let text = rest[..end]
                .replace("&quot;", "\"")
                .replace("&#x27;", "'")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            serde_json::from_str(&text).expect("island props are JSON")
        })
        .collect()
}

/// Whether `text` is somewhere among the string values of `value`.
fn holds_string(value: &serde_json::Value, text: &str) -> bool {
    match value {
        serde_json::Value::String(s) => s == text,
        serde_json::Value::Array(items) => items.iter().any(|item| holds_string(item, text)),
        serde_json::Value::Object(fields) => fields.values().any(|field| holds_string(field, text)),
        _ => false,
    }
}

#[tokio::test]
async fn user_text_in_island_props_stays_inside_its_attribute_and_reads_back_as_typed() {
    let app = spawn_app().await;
    let [team_page, members_page, todo_page] = pages_with_break_outs(&app).await;

    for (path, texts) in [
        (&team_page, &[TEAM, TITLE][..]),
        (&members_page, &[TEAM][..]),
        (&todo_page, &[TEAM, TITLE, DESCRIPTION, NOTES][..]),
    ] {
        let (status, html) = app.page(path).await;
        assert_eq!(status, 200, "{path}");
        let props = island_props(&html);
        assert!(!props.is_empty(), "{path} has an island with props");
        for text in texts {
            assert!(
                props.iter().any(|p| holds_string(p, text)),
                "{path}: {text:?} is in its island's props as typed"
            );
        }
    }
}

#[tokio::test]
async fn a_next_path_that_would_break_out_of_the_log_in_form_island_stays_text() {
    let app = spawn_app().await;
    let next = "/\"><script>alert(5)</script>";
    for page in ["/login", "/signup"] {
        let url = app.url(&format!("{page}?next={}", urlencode(next)));
        let html = reqwest::get(url).await.unwrap().text().await.unwrap();
        assert!(
            !html.contains("<script>alert(5)"),
            "{page} holds an injected script"
        );
        let props = island_props(&html);
        assert_eq!(props, [serde_json::json!({ "next": next })], "{page}");
    }
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|byte| format!("%{byte:02X}")).collect()
}
