//! Errors carried back in a link to a form posted without JavaScript: shown on the page they
//! come back to, for the browser that posted, and never from a link that someone wrote.

use super::helpers::{Person, spawn_app, spawn_app_with_bob};
use app::{api::AppError, domain::CommandId};
use base64::{Engine, engine::general_purpose::URL_SAFE};

const SPOOF: &str = "Your account is locked. Call +1 555 0100 to unlock it.";

/// Posts the create form of `person`'s team with an empty title, as a browser without
/// JavaScript does; hands back the redirect's `Location`.
async fn post_an_empty_title(person: &Person) -> String {
    let page = person.url(&format!("/teams/{}", person.team));
    let (team, command_id) = (person.team.to_string(), CommandId::new().to_string());
    let response = person
        .client
        .post(person.url("/api/create_todo"))
        .header("accept", "text/html")
        .header("referer", &page)
        .form(&[
            ("team_id", team.as_str()),
            ("title", " "),
            ("description", ""),
            ("command_id", command_id.as_str()),
        ])
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&page), "{location}");
    location
}

/// A page by its full URL: the status, the `Location` of a redirect, and the body.
async fn open(person: &Person, url: &str) -> (u16, Option<String>, String) {
    let response = person.client.get(url).send().await.expect("a page");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_owned());
    (status, location, response.text().await.expect("a body"))
}

/// An error link to `person`'s team page, as anyone can write one.
fn forged_link(person: &Person, message: &str) -> String {
    let error = AppError::Refused {
        message: message.into(),
    };
    let encoded = URL_SAFE.encode(serde_json::to_vec(&error).unwrap());
    person.url(&format!(
        "/teams/{}?__path=%2Fapi%2Fcreate_todo&__err={encoded}",
        person.team
    ))
}

#[tokio::test]
async fn a_form_posted_without_javascript_shows_its_error_on_the_page_it_comes_back_to() {
    let app = spawn_app().await;
    let location = post_an_empty_title(&app).await;
    assert!(
        location.contains("__err=") && location.contains("__sig="),
        "{location}"
    );
    let (status, _, page) = open(&app, &location).await;
    assert_eq!(status, 200);
    assert!(page.contains("The title must not be empty."), "{page}");
}

#[tokio::test]
async fn a_written_error_link_is_sent_to_the_page_without_its_text() {
    let app = spawn_app().await;
    let team_page = format!("/teams/{}", app.team);
    for link in [
        forged_link(&app, SPOOF),
        format!("{}&__sig=1999999999.AAAA", forged_link(&app, SPOOF)),
        format!("{}&tab=all", forged_link(&app, SPOOF)),
    ] {
        let (status, location, page) = open(&app, &link).await;
        assert_eq!(status, 303, "{link}");
        assert!(!page.contains("Call +1 555"), "{page}");
        let location = location.expect("a redirect");
        assert!(location.starts_with(&team_page), "{location}");
        assert!(!location.contains("__err"), "{location}");
        let (status, _, page) = open(&app, &app.url(&location)).await;
        assert_eq!(status, 200);
        assert!(!page.contains("Call +1 555") && !page.contains("role=\"alert\""));
    }
}

#[tokio::test]
async fn a_signed_error_link_shows_nothing_to_another_browser_or_once_altered() {
    let (app, bob) = spawn_app_with_bob().await;
    let location = post_an_empty_title(&app).await;
    let (status, _, page) = open(&bob, &location).await;
    assert_eq!(status, 303, "Bob's browser did not post it");
    assert!(!page.contains("The title must not be empty."));

    let (before, after) = location.split_once("__err=").unwrap();
    let (_, rest) = after.split_once('&').unwrap();
    let encoded = URL_SAFE.encode(
        serde_json::to_vec(&AppError::Refused {
            message: SPOOF.into(),
        })
        .unwrap(),
    );
    let altered = format!("{before}__err={encoded}&{rest}");
    let (status, _, page) = open(&app, &altered).await;
    assert_eq!(status, 303, "{altered}");
    assert!(!page.contains("Call +1 555"));
}
