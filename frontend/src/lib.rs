//! # frontend: the WASM entry point
//!
//! Holds `hydrate()` and nothing else; everything it hydrates lives in `app`.
//!
//! The release build keeps Leptos' view types whole (debug builds erase them), and the team
//! page's type is deeper than the compiler's default query depth of 128.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
