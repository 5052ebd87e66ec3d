//! Child processes that never outlive the coordinator: killed when their handle drops (an
//! error, a timeout) and, through `PR_SET_PDEATHSIG`, when the coordinator itself dies.

use std::{ffi::OsStr, io, os::unix::process::CommandExt};
use tokio::process::Command;

pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::from(std_command(program));
    command.kill_on_drop(true);
    command
}

/// The same without a runtime; the caller kills the child when it is done with it.
pub fn std_command(program: impl AsRef<OsStr>) -> std::process::Command {
    let mut command = std::process::Command::new(program);
    // SAFETY: runs in the child between fork and exec, and only calls prctl, which is
    // async-signal-safe. The coordinator spawns from one thread (its runtime's, or the
    // main thread), which lives as long as it does, so the signal comes when the
    // coordinator ends.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
}
