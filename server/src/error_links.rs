//! Errors in links, signed. A form posted without JavaScript is answered with a redirect
//! back to its page, and Leptos puts the server function's error in that link's query
//! (`__path`, `__err`), for the page to show. Anyone can write such a link, with any text
//! in it, and send it round as if the site said so (content spoofing). So this layer signs
//! the error when a server function makes that redirect, for the browser that posted (its
//! session cookie, or without one its address) and for a few minutes (`__sig`); and a page
//! request whose error is not signed so is sent to the same page without it (303), so that
//! neither the server's rendering nor the browser's hydration ever shows it.

use crate::sessions;
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// The query keys of an error in a link: Leptos' two, and our signature.
const PATH: &str = "__path";
const ERROR: &str = "__err";
const SIGNATURE: &str = "__sig";
/// How long a signed error link shows its error: the redirect is followed at once.
const VALID_FOR: Duration = Duration::from_secs(300);

/// The key that error links are signed with: random, for this process only (a link signed
/// before a restart loses its error, which is all it has to lose).
#[derive(Clone)]
pub struct ErrorLinks {
    key: Arc<[u8; 32]>,
}

impl ErrorLinks {
    pub fn new() -> anyhow::Result<Self> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|error| anyhow::anyhow!("no random source: {error}"))?;
        Ok(Self { key: Arc::new(key) })
    }

    fn mac(&self, browser: &str, expires: u64, path: &str, error: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.key.as_slice()).expect("any key size works");
        for part in [browser, &expires.to_string(), path, error] {
            mac.update(part.as_bytes());
            mac.update(b"\n");
        }
        mac
    }

    /// `__sig`'s value: when it expires, and the MAC.
    fn sign(&self, browser: &str, path: &str, error: &str, now: u64) -> String {
        let expires = now + VALID_FOR.as_secs();
        let mac = self.mac(browser, expires, path, error).finalize();
        format!("{expires}.{}", URL_SAFE_NO_PAD.encode(mac.into_bytes()))
    }

    fn verify(&self, browser: &str, path: &str, error: &str, signature: &str, now: u64) -> bool {
        let Some((expires, mac)) = signature.split_once('.') else {
            return false;
        };
        let (Ok(expires), Ok(mac)) = (expires.parse::<u64>(), URL_SAFE_NO_PAD.decode(mac)) else {
            return false;
        };
        now <= expires
            && self
                .mac(browser, expires, path, error)
                .verify_slice(&mac)
                .is_ok()
    }
}

/// Signs the error of a server function's redirect; turns away a page request that carries
/// an error without a valid signature.
pub async fn sign_and_check(
    State(links): State<ErrorLinks>,
    request: Request,
    next: Next,
) -> Response {
    let browser = browser(&request);
    if request.uri().path().starts_with("/api/") {
        let mut response = next.run(request).await;
        sign_redirect(&links, &browser, response.headers_mut());
        return response;
    }
    let is_page_read = matches!(*request.method(), Method::GET | Method::HEAD);
    match request.uri().query().map(Query::parse) {
        Some(query) if is_page_read && query.has_error() => {
            if query.is_signed(&links, &browser, unix_now()) {
                next.run(request).await
            } else {
                without_error(request.uri(), &query)
            }
        }
        _ => next.run(request).await,
    }
}

/// Whom a link is for: the session cookie's value, or the address of a browser without one.
fn browser(request: &Request) -> String {
    let cookie = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            pair.trim()
                .strip_prefix(sessions::COOKIE)?
                .strip_prefix('=')
        });
    match cookie {
        Some(session) => format!("session {session}"),
        None => {
            let peer = request.extensions().get::<ConnectInfo<SocketAddr>>();
            format!(
                "address {}",
                peer.map_or("unknown".into(), |p| p.0.ip().to_string())
            )
        }
    }
}

/// Rewrites a redirect's `Location`: an error in it keeps only the last `__path` and `__err`
/// (Leptos appends them to the page's own query, which may hold an earlier pair) and gets
/// its signature; a link without an error loses any stale signature.
fn sign_redirect(links: &ErrorLinks, browser: &str, headers: &mut HeaderMap) {
    let Some(location) = headers.get(header::LOCATION).and_then(|v| v.to_str().ok()) else {
        return;
    };
    let Some((base, query)) = location.split_once('?') else {
        return;
    };
    let query = Query::parse(query);
    let mut kept = query.others();
    if let (Some(path), Some(error)) = (query.last(PATH), query.last(ERROR)) {
        let signature = links.sign(browser, path, error, unix_now());
        kept.extend([
            format!("{PATH}={path}"),
            format!("{ERROR}={error}"),
            format!("{SIGNATURE}={signature}"),
        ]);
    }
    let rewritten = join(base, &kept);
    match HeaderValue::from_str(&rewritten) {
        Ok(value) => {
            headers.insert(header::LOCATION, value);
        }
        Err(error) => tracing::warn!(%error, "could not rewrite a redirect's error"),
    }
}

/// The same page without the error: a 303 to the path and the query's other fields.
fn without_error(uri: &Uri, query: &Query) -> Response {
    let target = join(uri.path(), &query.others());
    (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response()
}

fn join(base: &str, fields: &[String]) -> String {
    if fields.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", fields.join("&"))
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// A query's fields as they were written (still percent-encoded): what is signed is the
/// text of the link itself.
struct Query<'a> {
    fields: Vec<(&'a str, &'a str)>,
}

impl<'a> Query<'a> {
    fn parse(query: &'a str) -> Self {
        let fields = query
            .split('&')
            .filter(|field| !field.is_empty())
            .map(|field| field.split_once('=').unwrap_or((field, "")))
            .collect();
        Self { fields }
    }

    fn values<'q>(&'q self, key: &'q str) -> impl Iterator<Item = &'a str> + 'q {
        self.fields
            .iter()
            .filter(move |(k, _)| *k == key)
            .map(|(_, value)| *value)
    }

    fn last(&self, key: &str) -> Option<&'a str> {
        self.values(key).last()
    }

    /// The fields that are not about an error, as written.
    fn others(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(key, _)| ![PATH, ERROR, SIGNATURE].contains(key))
            .map(|(key, value)| format!("{key}={value}"))
            .collect()
    }

    fn has_error(&self) -> bool {
        self.fields
            .iter()
            .any(|(key, _)| [PATH, ERROR, SIGNATURE].contains(key))
    }

    /// Whether the query holds one error, signed for `browser` and not expired.
    fn is_signed(&self, links: &ErrorLinks, browser: &str, now: u64) -> bool {
        let one = |key| {
            let mut values = self.values(key);
            values.next().filter(|_| values.next().is_none())
        };
        match (one(PATH), one(ERROR), one(SIGNATURE)) {
            (Some(path), Some(error), Some(signature)) => {
                links.verify(browser, path, error, signature, now)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn a_signature_holds_for_its_browser_its_error_and_five_minutes() {
        let links = ErrorLinks::new().unwrap();
        let signature = links.sign("session a", "%2Fapi%2Fx", "e30", NOW);
        assert!(links.verify("session a", "%2Fapi%2Fx", "e30", &signature, NOW + 300));
        assert!(!links.verify("session a", "%2Fapi%2Fx", "e30", &signature, NOW + 301));
        assert!(!links.verify("session b", "%2Fapi%2Fx", "e30", &signature, NOW));
        assert!(!links.verify("session a", "%2Fapi%2Fy", "e30", &signature, NOW));
        assert!(!links.verify("session a", "%2Fapi%2Fx", "e31", &signature, NOW));
        let (expires, mac) = signature.split_once('.').unwrap();
        let later = format!("{}.{mac}", expires.parse::<u64>().unwrap() + 600);
        assert!(!links.verify("session a", "%2Fapi%2Fx", "e30", &later, NOW + 400));
        let other = ErrorLinks::new().unwrap();
        assert!(!other.verify("session a", "%2Fapi%2Fx", "e30", &signature, NOW));
    }

    #[test]
    fn a_redirect_keeps_its_last_error_signed_and_its_other_fields() {
        let links = ErrorLinks::new().unwrap();
        let mut headers = HeaderMap::new();
        let location = "http://h/teams/1?tab=a&__path=p1&__err=e1&__sig=old&__path=p2&__err=e2";
        headers.insert(header::LOCATION, HeaderValue::from_static(location));
        sign_redirect(&links, "session a", &mut headers);
        let rewritten = headers[header::LOCATION].to_str().unwrap();
        let (base, query) = rewritten.split_once('?').unwrap();
        assert_eq!(base, "http://h/teams/1");
        let query = Query::parse(query);
        assert_eq!(query.others(), ["tab=a"]);
        assert!(query.is_signed(&links, "session a", unix_now()));
        assert_eq!(
            (query.last(PATH), query.last(ERROR)),
            (Some("p2"), Some("e2"))
        );

        headers.insert(
            header::LOCATION,
            HeaderValue::from_static("http://h/teams/1?__sig=stale"),
        );
        sign_redirect(&links, "session a", &mut headers);
        assert_eq!(headers[header::LOCATION], "http://h/teams/1");
    }
}
