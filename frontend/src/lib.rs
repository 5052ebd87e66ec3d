//! # frontend: the WASM entry point
//!
//! Holds `hydrate()` and nothing else. The page is not hydrated whole: Leptos' island
//! script calls `hydrate()` and then each `#[island]` of `app` that the page holds, each
//! exported from the WASM by its own `wasm_bindgen` function.

// The islands' exports live in `app`; this links it in.
use app as _;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
