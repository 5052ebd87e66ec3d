//! Who may read `GET /metrics`: without a token, a request from this machine that no proxy
//! forwarded, and nobody else; with one, whoever carries it.

use super::helpers::{TestApp, spawn_app_configured};
use std::net::{IpAddr, SocketAddr, UdpSocket};

const TOKEN: &str = "a-metrics-token-for-tests";

/// This machine's address on its way off it (not a loopback one), found by pointing a UDP
/// socket at a documentation address: nothing is sent.
fn outward_address() -> IpAddr {
    let socket = UdpSocket::bind("0.0.0.0:0").expect("a UDP socket");
    socket
        .connect("192.0.2.1:9")
        .expect("this test needs a network interface besides loopback");
    let address = socket.local_addr().expect("a local address").ip();
    assert!(!address.is_loopback(), "{address}");
    address
}

/// The app, listening on every interface, so that it can be reached from off loopback.
async fn on_every_interface(token: Option<&str>) -> TestApp {
    spawn_app_configured(|settings| {
        settings.addr = SocketAddr::from(([0, 0, 0, 0], 0));
        settings.metrics_token = token.map(|token| token.parse().expect("a valid token"));
    })
    .await
}

/// `GET /metrics` from the app's own loopback address or from `outward_address()`, with
/// the given headers; the status and the body.
async fn get_metrics(app: &TestApp, outward: bool, headers: &[(&str, &str)]) -> (u16, String) {
    let host = if outward {
        outward_address()
    } else {
        IpAddr::from([127, 0, 0, 1])
    };
    let url = format!("http://{}/metrics", SocketAddr::new(host, app.addr.port()));
    let mut request = reqwest::Client::new().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

#[tokio::test]
async fn without_a_token_metrics_answer_this_machine_and_nobody_else() {
    let app = on_every_interface(None).await;
    let (status, body) = get_metrics(&app, false, &[]).await;
    assert_eq!(status, 200);
    assert!(body.contains("tidings_connections"), "{body}");

    let (status, body) = get_metrics(&app, true, &[]).await;
    assert_eq!(status, 403, "a peer off loopback");
    assert!(!body.contains("tidings_"), "{body}");
    for forwarded in [
        ("x-forwarded-for", "203.0.113.9"),
        ("forwarded", "for=203.0.113.9"),
        ("x-real-ip", "203.0.113.9"),
    ] {
        let (status, _) = get_metrics(&app, false, &[forwarded]).await;
        assert_eq!(
            status, 403,
            "a loopback peer forwarding for someone: {forwarded:?}"
        );
    }
}

#[tokio::test]
async fn with_a_token_metrics_answer_its_bearer_from_anywhere_and_nobody_else() {
    let app = on_every_interface(Some(TOKEN)).await;
    let bearer = format!("Bearer {TOKEN}");
    for outward in [false, true] {
        let (status, body) = get_metrics(&app, outward, &[("authorization", &bearer)]).await;
        assert_eq!(status, 200, "from off loopback: {outward}");
        assert!(body.contains("tidings_connections"), "{body}");
    }

    let wrong = format!("Bearer {TOKEN}x");
    let basic = format!("Basic {TOKEN}");
    for headers in [
        vec![],
        vec![("authorization", wrong.as_str())],
        vec![("authorization", basic.as_str())],
        vec![("authorization", TOKEN)],
    ] {
        let response = reqwest::Client::new()
            .get(app.url("/metrics"))
            .headers(
                headers
                    .iter()
                    .map(|(name, value)| (name.parse().unwrap(), value.parse().unwrap()))
                    .collect(),
            )
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status().as_u16(), 401, "{headers:?}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body = response.text().await.unwrap();
        assert!(!body.contains("tidings_"), "{body}");
    }
}
