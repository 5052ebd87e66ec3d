//! Headers on every response. Pages set their own Content-Security-Policy, with the nonce of
//! their hydration scripts (`app`'s `content_policy`); any other answer (server functions,
//! assets, the health check) gets one that allows nothing, in case a browser is ever made to
//! render it as a document. No response is sniffed as another type, and no URL (an invite
//! link's token) leaves the site in a `Referer`.

use axum::{
    Router,
    http::{HeaderValue, header},
};
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy of a response that is not a page.
const NOTHING_ALLOWED: &str = "default-src 'none'; frame-ancestors 'none'";

pub fn add(router: Router) -> Router {
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NOTHING_ALLOWED),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}
