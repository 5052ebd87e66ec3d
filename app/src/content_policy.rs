//! The Content-Security-Policy of every page: scripts run only when they carry this
//! response's nonce (the hydration script and the resources' data, which Leptos marks with
//! it) or are loaded by one that does (`'strict-dynamic'`: the WASM's JavaScript glue), and
//! the WASM may be compiled (`'wasm-unsafe-eval'`). Everything else comes from this site
//! only; no plugin, frame, `<base>` or foreign form target. So markup that user text might
//! ever inject runs no script, even if an escape were missed.

use leptos::{nonce::use_nonce, prelude::use_context};
use leptos_axum::ResponseOptions;

/// The policy for a page whose inline scripts carry `nonce`.
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the policy on the page being rendered, with the nonce Leptos made for it.
pub fn send() {
    let (Some(nonce), Some(response)) = (use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    let value = http::HeaderValue::from_str(&policy(&nonce))
        .expect("a nonce is URL-safe base64, so the policy is a valid header value");
    response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
}

#[cfg(test)]
mod tests {
    use super::policy;

    #[test]
    fn scripts_need_the_nonce_and_nothing_inline_is_allowed() {
        let policy = policy("abc");
        assert!(policy.contains("script-src 'nonce-abc' 'strict-dynamic'"));
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("object-src 'none'"));
        assert!(policy.contains("base-uri 'none'"));
    }
}
