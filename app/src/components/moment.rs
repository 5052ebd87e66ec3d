//! A moment as people read it: "5 minutes ago", with the exact time in the viewer's own time
//! zone as its tooltip and the machine-readable time in `datetime`.
//!
//! The server knows neither the viewer's zone nor their clock, so it writes the time in UTC;
//! once the page is hydrated, the browser rewrites it. The rewrite is an effect, and effects
//! run only in the browser and only after hydration, so the markup that hydration walks is
//! exactly the server's.

use leptos::prelude::*;

use chrono::{DateTime, Utc};

/// `at`, as "… ago" (or "in …") in the browser and as a UTC time from the server. `detail`
/// (a version, a position) goes into the tooltip, ahead of the exact time.
#[component]
pub fn Moment(at: DateTime<Utc>, #[prop(optional, into)] detail: Option<String>) -> impl IntoView {
    let in_browser = RwSignal::new(None::<(String, String)>);
    Effect::new(move |_| in_browser.set(Some((relative(at, now()), local_time(at)))));
    let detail = detail
        .map(|detail| format!("{detail} · "))
        .unwrap_or_default();
    let utc = format_time(&at);
    let text = {
        let utc = utc.clone();
        move || {
            in_browser.with(|shown| shown.as_ref().map_or(utc.clone(), |(text, _)| text.clone()))
        }
    };
    let title = move || {
        let exact = in_browser.with(|shown| {
            shown
                .as_ref()
                .map_or(utc.clone(), |(_, exact)| exact.clone())
        });
        format!("{detail}{exact}")
    };
    view! {
        <time datetime=at.to_rfc3339() title=title>
            {text}
        </time>
    }
}

/// The exact time in UTC, as the server writes it.
fn format_time(time: &DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// How long ago `at` was (or how far ahead it is), seen at `now`, rounded, in the largest
/// unit that fits: minutes up to 45 of them, hours up to 22, days up to 26; further away, a
/// date.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds();
    let (ahead, distance) = (seconds < 0, seconds.unsigned_abs());
    let unit = |count: u64, name: &str| {
        let plural = if count == 1 { "" } else { "s" };
        if ahead {
            format!("in {count} {name}{plural}")
        } else {
            format!("{count} {name}{plural} ago")
        }
    };
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let rounded = |unit: u64| ((distance + unit / 2) / unit).max(1);
    match distance {
        0..45 if ahead => "in a moment".to_owned(),
        0..45 => "just now".to_owned(),
        45..2_700 => unit(rounded(MINUTE), "minute"),
        2_700..79_200 => unit(rounded(HOUR), "hour"),
        79_200..2_246_400 => unit(rounded(DAY), "day"),
        _ => at.format("%-d %b %Y").to_string(),
    }
}

/// The browser's clock.
#[cfg(feature = "hydrate")]
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// The time `at` in the viewer's zone and language, as the browser writes it.
#[cfg(feature = "hydrate")]
fn local_time(at: DateTime<Utc>) -> String {
    use js_sys::wasm_bindgen::JsValue;
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let language = window()
        .navigator()
        .language()
        .unwrap_or_else(|| "en".to_owned());
    String::from(date.to_locale_string(&language, &JsValue::UNDEFINED))
}

/// Effects never run on the server; these keep the component one piece of code.
#[cfg(not(feature = "hydrate"))]
fn now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(not(feature = "hydrate"))]
fn local_time(at: DateTime<Utc>) -> String {
    format_time(&at)
}

#[cfg(test)]
mod tests {
    use super::relative;
    use chrono::{DateTime, Duration, Utc};

    fn at(seconds_before_now: i64) -> String {
        let now = DateTime::parse_from_rfc3339("2026-12-02T12:00:00Z")
            .expect("a time")
            .with_timezone(&Utc);
        relative(now - Duration::seconds(seconds_before_now), now)
    }

    #[test]
    fn a_moment_within_the_last_minute_is_just_now() {
        assert_eq!(at(0), "just now");
        assert_eq!(at(44), "just now");
        assert_eq!(at(-30), "in a moment");
    }

    #[test]
    fn minutes_hours_and_days_are_counted_in_the_largest_unit_that_fits() {
        assert_eq!(at(45), "1 minute ago");
        assert_eq!(at(5 * 60), "5 minutes ago");
        assert_eq!(at(44 * 60), "44 minutes ago");
        assert_eq!(at(45 * 60), "1 hour ago");
        assert_eq!(at(3 * 3_600), "3 hours ago");
        assert_eq!(at(21 * 3_600), "21 hours ago");
        assert_eq!(at(22 * 3_600), "1 day ago");
        assert_eq!(at(36 * 3_600), "2 days ago");
        assert_eq!(at(25 * 86_400), "25 days ago");
    }

    #[test]
    fn a_moment_ahead_is_counted_forwards() {
        assert_eq!(at(-7 * 86_400), "in 7 days");
        assert_eq!(at(-3_600), "in 1 hour");
    }

    #[test]
    fn a_moment_26_days_away_or_more_is_a_date() {
        assert_eq!(at(26 * 86_400), "6 Nov 2026");
        assert_eq!(at(40 * 86_400), "23 Oct 2026");
    }
}
