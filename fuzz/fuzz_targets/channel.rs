//! Fuzzes [`Channel::parse`], which reads the channel name of every subscribe frame and of
//! every `/broadcasting/auth` request.
//!
//! Checks, for any UTF-8 input:
//! - a name longer than [`Channel::MAX_LEN`] is refused as too long, before it is read;
//! - a name that parses is the channel's own printed name, byte for byte (channel names are
//!   parsed strictly: no second spelling of a channel is accepted), and parses back equal;
//! - a refused name is echoed in the error exactly as sent (and so at most `MAX_LEN` bytes);
//! - a channel built from the input's bytes (any v7 id, any of the three kinds) prints as a
//!   name that parses back to it.

#![no_main]

use app::domain::{TeamId, TodoId, UserId};
use app::live::{Channel, ChannelError};
use libfuzzer_sys::fuzz_target;
use tidings_fuzz::{text, uuid_v7};

fuzz_target!(|data: &[u8]| {
    check_built_channel(data);
    let Some(name) = text(data) else { return };
    match Channel::parse(name) {
        Ok(channel) => {
            assert!(name.len() <= Channel::MAX_LEN, "{name:?} is over the limit");
            assert_eq!(channel.to_string(), name, "a second spelling was accepted");
            assert_eq!(Channel::parse(&channel.to_string()), Ok(channel));
        }
        Err(ChannelError::TooLong) => {
            assert!(
                name.len() > Channel::MAX_LEN,
                "{name:?} refused as too long"
            );
        }
        Err(ChannelError::Unknown(echo)) => {
            assert!(
                name.len() <= Channel::MAX_LEN,
                "{name:?} read though too long"
            );
            assert_eq!(echo, name);
        }
    }
});

/// Builds a channel from the first 17 bytes: one for the kind, sixteen for the id.
fn check_built_channel(data: &[u8]) {
    let Some((&kind, id)) = data.split_first() else {
        return;
    };
    let uuid = uuid_v7(id);
    let channel = match kind % 3 {
        0 => Channel::Team(TeamId::try_from(uuid).expect("a v7 id")),
        1 => Channel::Todo(TodoId::try_from(uuid).expect("a v7 id")),
        _ => Channel::User(UserId::try_from(uuid).expect("a v7 id")),
    };
    let name = channel.to_string();
    assert!(name.len() <= Channel::MAX_LEN);
    assert_eq!(Channel::parse(&name), Ok(channel), "{name}");
}
