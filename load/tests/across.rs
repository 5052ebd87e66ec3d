//! `tidings-load across` as a user runs it, briefly: two instances of the debug server (built
//! beside this binary) on a fresh database of the test PostgreSQL, a few subscribers on each.

mod support;

use support::{debug_server, tidings_load};

fn across(args: &[&str]) -> std::process::Output {
    tidings_load("across", args)
}

#[test]
fn a_short_run_delivers_every_command_to_both_instances_subscribers_once_and_prints_the_ratio() {
    let server = debug_server();
    let output = across(&[
        "--server",
        server.to_str().unwrap(),
        "--subscribers",
        "3",
        "--users",
        "2",
        "--commands",
        "4",
        "--rate",
        "20",
        "--idle",
        "0.2",
        "--drain",
        "20",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    for path in ["A → A (one instance)", "A → B (across instances)"] {
        let row = stdout
            .lines()
            .find(|line| line.starts_with(&format!("| 3 | {path} |")))
            .unwrap_or_else(|| panic!("no row for {path}: {stdout}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(
            cells[3..7],
            ["4", "12", "0", "0"],
            "commands, deliveries, missing, duplicated: {row}"
        );
    }
    let ratio = stdout
        .lines()
        .find(|line| line.starts_with("| 3 | ") && line.ends_with("| 0 |"))
        .unwrap_or_else(|| panic!("no ratio row without a listener reconnect: {stdout}"));
    assert!(ratio.contains('x'), "{ratio}");
}

#[test]
fn a_round_without_subscribers_is_refused_before_any_server_starts() {
    let output = across(&["--server", "/nonexistent/server", "--subscribers", "100,0"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("every --subscribers count must be above zero"),
        "{stderr}"
    );
}
