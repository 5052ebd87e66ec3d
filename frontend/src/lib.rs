//! # frontend: the WASM entry point
//!
//! Holds `hydrate()` and nothing else; everything it hydrates lives in `app`.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
