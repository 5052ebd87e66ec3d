//! `SentText`: a form field whose absence means something else than its being empty.

use serde::{Deserialize, Deserializer, Serialize};

/// A text field that a form may leave out: `None` when the field is absent, and `Some` when
/// it is sent, even empty. (A plain `Option<String>` argument reads an empty field as absent,
/// so a cleared text could not be told from one that was never in the form.) A server
/// function takes it as `#[server(default)]`, which makes the absent field `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SentText(Option<String>);

impl SentText {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de> Deserialize<'de> for SentText {
    /// A field that is there, empty or not, is some text.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| Self(Some(text)))
    }
}
