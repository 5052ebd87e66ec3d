//! Pieces the pages share.

mod account_menu;
mod live_indicator;
mod loaded;
mod moment;
mod navigation;
mod notice;
mod raw_text;
mod status;
mod transitions;

pub use account_menu::AccountMenu;
pub use live_indicator::LiveIndicator;
pub use loaded::Loaded;
pub use moment::Moment;
pub use navigation::{go_to_when_done, local_path, site_origin};
pub use notice::{ActionNotice, ErrorNotice};
pub use raw_text::raw_text;
pub use status::StatusBadge;
pub use transitions::TransitionButtons;

use crate::domain::CommandId;

/// A fresh command id for a form: each rendering of a form is one attempt, so resubmitting
/// the same rendering is recognised as a retry.
pub fn fresh_command_id() -> String {
    CommandId::new().to_string()
}
