//! Accounts and sessions over HTTP: sign-up, duplicates, log-in, the session id changing at
//! log-in, log-out, and the log-in rate limits at their edges.

use super::helpers::{PASSWORD, spawn_app, spawn_app_configured, spawn_app_with};
use app::{api::AppError, domain::UserId};
use server::config::{Limits, RateLimit};
use std::{num::NonZeroU32, time::Duration};

fn email(name: &str) -> String {
    format!("{name}-{}@example.com", UserId::new())
}

#[tokio::test]
async fn signing_up_signs_the_person_in() {
    let app = spawn_app().await;
    let person = app.anonymous();
    let address = email("grace");
    let account = person
        .sign_up(
            &format!("  {}  ", address.to_uppercase()),
            " Grace ",
            PASSWORD,
        )
        .await
        .unwrap();
    assert_eq!(
        account.email, address,
        "the email is trimmed and lower-cased"
    );
    assert_eq!(account.display_name, "Grace");
    let me: Option<app::api::Account> = person.call("current_account", &[]).await.unwrap();
    assert_eq!(me, Some(account));
}

#[tokio::test]
async fn a_second_account_with_the_same_email_is_refused() {
    let app = spawn_app().await;
    let address = app.account_of("Grace").await;
    let (status, error) = app
        .anonymous()
        .sign_up(&address.to_uppercase(), "Another Grace", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(status, 409);
    assert!(
        matches!(error, AppError::Taken { ref field, .. } if field == "email"),
        "{error:?}"
    );
}

#[tokio::test]
async fn sign_up_input_is_refused_field_by_field() {
    let app = spawn_app().await;
    let person = app.anonymous();
    let cases = [
        (("not-an-email", "Grace", PASSWORD), "email"),
        (("g@example.com", "   ", PASSWORD), "display name"),
        (("g@example.com", "Grace", "1234567"), "password"),
    ];
    for ((address, name, password), field) in cases {
        let (status, error) = person.sign_up(address, name, password).await.unwrap_err();
        assert_eq!(status, 400, "{field}");
        assert!(
            matches!(error, AppError::Invalid { field: ref got, .. } if got == field),
            "{field}: {error:?}"
        );
    }
    let me: Option<app::api::Account> = person.call("current_account", &[]).await.unwrap();
    assert_eq!(me, None, "nothing was signed in");
}

#[tokio::test]
async fn a_wrong_password_or_unknown_email_is_refused_alike() {
    let app = spawn_app().await;
    let address = app.account_of("Grace").await;
    let person = app.anonymous();
    let wrong = person
        .log_in(&address, "not the password")
        .await
        .unwrap_err();
    let unknown = person.log_in(&email("nobody"), PASSWORD).await.unwrap_err();
    let short = person.log_in(&address, "short").await.unwrap_err();
    for answer in [&wrong, &unknown, &short] {
        assert_eq!(*answer, (401, AppError::BadCredentials));
    }
    assert_eq!(person.session_cookie(), None, "no session was made");
}

#[tokio::test]
async fn the_session_id_changes_at_log_in_and_log_out_ends_the_session() {
    let app = spawn_app().await;
    let address = app.account_of("Grace").await;
    let person = app.anonymous();
    // A session that exists before log-in, as one fixed by an attacker would.
    person
        .log_in(&address, "not the password")
        .await
        .unwrap_err();
    person.log_in(&address, PASSWORD).await.unwrap();
    let first = person.session_cookie().expect("a session cookie");
    person.log_in(&address, PASSWORD).await.unwrap();
    let second = person.session_cookie().expect("a session cookie");
    assert_ne!(first, second, "each log-in gets a new session id");

    // The old id is worth nothing now.
    let stale = reqwest::Client::new()
        .post(person.url("/api/current_account"))
        .header("accept", "application/json")
        .header("cookie", format!("{}={first}", server::sessions::COOKIE))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.text().await.unwrap(), "null");

    let _: () = person.call("log_out", &[]).await.unwrap();
    let me: Option<app::api::Account> = person.call("current_account", &[]).await.unwrap();
    assert_eq!(me, None);
    let replay = reqwest::Client::new()
        .post(person.url("/api/my_teams"))
        .header("accept", "application/json")
        .header("cookie", format!("{}={second}", server::sessions::COOKIE))
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status().as_u16(),
        401,
        "the ended session is gone from the store"
    );
}

/// The `Set-Cookie` header that answers a new sign-up.
async fn set_cookie_of_a_sign_up(app: &super::helpers::TestApp) -> String {
    let response = reqwest::Client::new()
        .post(app.url("/api/sign_up"))
        .header("accept", "application/json")
        .form(&[
            ("email", email("grace").as_str()),
            ("display_name", "Grace"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    response
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let cookie = set_cookie_of_a_sign_up(&app).await;
    assert!(cookie.starts_with(server::sessions::COOKIE), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "not Secure unless configured: {cookie}"
    );
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_configured_for_https() {
    let app = spawn_app_configured(|settings| settings.secure_cookies = true).await;
    let cookie = set_cookie_of_a_sign_up(&app).await;
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}

#[tokio::test]
async fn anonymous_requests_are_asked_to_sign_in() {
    let app = spawn_app().await;
    let anonymous = app.anonymous();
    let team = app.team.to_string();
    let (status, error) = anonymous
        .call::<app::api::TeamBoard>("team_board", &[("team_id", &team)])
        .await
        .unwrap_err();
    assert_eq!((status, error), (401, AppError::Unauthenticated));
    let (status, _) = anonymous.create_todo("sneaky").await.unwrap_err();
    assert_eq!(status, 401);
    assert_eq!(app.board().await.todos.len(), 0);
}

fn limits(per_address: u32, per_account: u32) -> Limits {
    let hour = |count| RateLimit {
        count: NonZeroU32::new(count).unwrap(),
        period: Duration::from_secs(3_600),
    };
    Limits {
        login_per_address: hour(per_address),
        login_per_account: hour(per_account),
        commands_per_user: hour(1_000),
    }
}

#[tokio::test]
async fn log_in_attempts_per_account_are_limited_at_the_edge() {
    // Ada's own sign-up used one of the address's 100 attempts.
    let app = spawn_app_with(limits(100, 3)).await;
    let address = app.account_of("Grace").await;
    let attacker = app.anonymous();
    for _ in 0..3 {
        let (status, _) = attacker
            .log_in(&address, "wrong password")
            .await
            .unwrap_err();
        assert_eq!(status, 401);
    }
    let (status, error) = attacker.log_in(&address, PASSWORD).await.unwrap_err();
    assert_eq!(
        status, 429,
        "the fourth attempt is refused, even with the right password"
    );
    assert!(
        error.to_string().starts_with("Too many attempts."),
        "{error}"
    );
    let (status, _) = attacker
        .log_in(&email("other"), PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(status, 401, "another account is not affected");
}

#[tokio::test]
async fn a_guesser_cannot_lock_the_owner_out_and_each_guessing_address_is_limited() {
    let app = spawn_app_with(limits(100, 5)).await;
    let address = app.account_of("Grace").await;
    let attacker = app.anonymous_from([127, 0, 0, 2].into());
    for attempt in 1..=5 {
        let (status, _) = attacker
            .log_in(&address, "wrong password")
            .await
            .unwrap_err();
        assert_eq!(status, 401, "wrong guess {attempt} of 5 is answered");
    }

    let owner = app.anonymous();
    let account = owner.log_in(&address, PASSWORD).await.unwrap();
    assert_eq!(
        account.display_name, "Grace",
        "the owner gets in from her address"
    );

    let (status, error) = attacker
        .log_in(&address, "wrong password")
        .await
        .unwrap_err();
    assert_eq!(status, 429, "the guesser's sixth attempt is refused");
    assert!(matches!(error, AppError::RateLimited { retry_after_secs } if retry_after_secs > 0));
    let (status, _) = attacker.log_in(&address, PASSWORD).await.unwrap_err();
    assert_eq!(status, 429, "even with the right password");

    let another = app.anonymous_from([127, 0, 0, 3].into());
    let (status, _) = another
        .log_in(&address, "wrong password")
        .await
        .unwrap_err();
    assert_eq!(
        status, 401,
        "a fresh address gets one try on the full account"
    );
    let (status, _) = another
        .log_in(&address, "wrong password")
        .await
        .unwrap_err();
    assert_eq!(
        status, 429,
        "and then waits while the account is over its count"
    );

    let again = app.anonymous();
    again.log_in(&address, PASSWORD).await.unwrap();
}

#[tokio::test]
async fn log_in_and_sign_up_attempts_per_address_are_limited_at_the_edge() {
    // Ada's sign-up is the first attempt from 127.0.0.1.
    let app = spawn_app_with(limits(4, 100)).await;
    let person = app.anonymous();
    person
        .sign_up(&email("grace"), "Grace", PASSWORD)
        .await
        .unwrap();
    for _ in 0..2 {
        let (status, _) = person.log_in(&email("x"), PASSWORD).await.unwrap_err();
        assert_eq!(status, 401);
    }
    let (status, _) = person.log_in(&email("y"), PASSWORD).await.unwrap_err();
    assert_eq!(
        status, 429,
        "the fifth attempt from this address is refused"
    );
    let (status, _) = person
        .sign_up(&email("z"), "Z", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(status, 429, "sign-ups share the address's allowance");
}

#[tokio::test]
async fn commands_per_user_are_limited_at_the_edge() {
    let mut limits = limits(100, 100);
    // Ada's team creation is her first command.
    limits.commands_per_user = RateLimit {
        count: NonZeroU32::new(4).unwrap(),
        period: Duration::from_secs(3_600),
    };
    let app = spawn_app_with(limits).await;
    for _ in 0..3 {
        app.create_todo("allowed").await.unwrap();
    }
    let (status, error) = app.create_todo("one too many").await.unwrap_err();
    assert_eq!(status, 429);
    assert!(matches!(error, AppError::RateLimited { retry_after_secs } if retry_after_secs > 0));
    assert_eq!(
        app.board().await.todos.len(),
        3,
        "the refused command wrote nothing"
    );
    let bob = app.stranger("Bob").await;
    bob.create_todo("Bob has his own allowance").await.unwrap();
}
