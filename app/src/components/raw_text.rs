//! User text inside `<title>` and `<textarea>`. HTML reads both elements' content as text up
//! to their closing tag, and Leptos 0.8 writes it unescaped on the server (leptos_meta 0.8.7's
//! `<Title>`; tachys marks `<textarea>` as an element whose children are not escaped), so a
//! title holding `</title><img src=x onerror=…>` would close the element and inject markup
//! into every page that shows it. On the server the text is escaped here; in the browser it
//! is left as typed, since `document.title` and a text node take text, not HTML.

/// `text`, escaped for the content of `<title>` or `<textarea>` when rendered on the server;
/// unchanged in the browser.
pub fn raw_text(text: String) -> String {
    if cfg!(feature = "ssr") {
        escape(&text)
    } else {
        text
    }
}

/// What the HTML parser reads back as `text` inside an escapable raw-text element: `&` first,
/// so that an entity the user typed stays text, then the angle brackets.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn a_closing_tag_in_user_text_cannot_end_the_element() {
        let escaped = escape("</title><img src=x onerror=alert(1)></textarea><script>");
        assert!(!escaped.contains('<'), "{escaped}");
        assert_eq!(
            escaped,
            "&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;&lt;/textarea&gt;&lt;script&gt;"
        );
    }

    #[test]
    fn an_entity_the_user_typed_stays_text() {
        assert_eq!(escape("a < b &amp; c"), "a &lt; b &amp;amp; c");
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(escape("Buy milk · 2 litres"), "Buy milk · 2 litres");
    }
}
