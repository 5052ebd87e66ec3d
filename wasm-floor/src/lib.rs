//! # wasm-floor: the least a Leptos 0.8 islands page can ship
//!
//! One island holding what every island of Tidings holds at the least: a form that posts to
//! a server function (`ActionForm`), and a reactive view of its answer. Built exactly as the
//! hydrate WASM is (`scripts/wasm-floor`: profile wasm-release, erased views, wasm-bindgen,
//! `wasm-opt -Oz`), its size is the framework's own floor for issue 19's first-load budget;
//! Tidings' WASM is reported against it in BENCHMARKS.md. Nothing here is served.

use leptos::prelude::*;

/// Hands its text back; only its client half is compiled here.
#[server]
pub async fn echo(text: String) -> Result<String, ServerFnError> {
    Ok(text)
}

/// The form and its answer.
#[island]
fn Echoed() -> impl IntoView {
    let echo = ServerAction::<Echo>::new();
    view! {
        <ActionForm action=echo>
            <input name="text" />
            <button type="submit">"Send"</button>
        </ActionForm>
        <p>{move || echo.value().get().and_then(Result::ok)}</p>
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
