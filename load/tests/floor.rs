//! `tidings-load floor` as a user runs it: the sender in a child process, real sockets.

use std::process::Command;

fn floor(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tidings-load"))
        .arg("floor")
        .args(args)
        .output()
        .expect("tidings-load runs")
}

#[test]
fn the_floor_prints_a_row_with_every_delivery_counted() {
    let output = floor(&["--subscribers", "40", "--rounds", "2", "--pause-ms", "1"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    let row = stdout
        .lines()
        .find(|line| line.starts_with("| 40 |"))
        .unwrap_or_else(|| panic!("no row for 40 subscribers: {stdout}"));
    assert!(row.starts_with("| 40 | 2 | 2 | 400 | 2 | 80 |"), "{row}");
}

#[test]
fn options_past_their_limits_are_refused_before_any_socket_opens() {
    let output = floor(&["--subscribers", "3", "--receiver-threads", "4"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "--sender-threads and --receiver-threads must be between 1 and --subscribers"
        ),
        "{stderr}"
    );
}
