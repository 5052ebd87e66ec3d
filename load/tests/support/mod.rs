//! What the tests of `tidings-load` share: the tool itself, and the debug server beside it.

use std::{path::PathBuf, process::Command};

/// `tidings-load <subcommand> <args>`, run to its end.
pub fn tidings_load(subcommand: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tidings-load"))
        .arg(subcommand)
        .args(args)
        .output()
        .expect("tidings-load runs")
}

/// The server binary of the same build, beside this one.
pub fn debug_server() -> PathBuf {
    let server = PathBuf::from(env!("CARGO_BIN_EXE_tidings-load")).with_file_name("server");
    assert!(
        server.is_file(),
        "no server at {}: build it with `cargo build -p server --bin server`",
        server.display()
    );
    server
}
