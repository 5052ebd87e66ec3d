//! Headers on every response. Pages set their own Content-Security-Policy, with the nonce of
//! their hydration scripts (`app`'s `content_policy`). No response is sniffed as another
//! type (so a server function's JSON or an asset is never rendered as a page), and no URL
//! (an invite link's token) leaves the site in a `Referer`.

use axum::{
    Router,
    http::{HeaderValue, header},
};
use tower_http::set_header::SetResponseHeaderLayer;

pub fn add(router: Router) -> Router {
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}
