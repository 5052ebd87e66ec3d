//! `tidings-load commands` as a user runs it, briefly: the debug server (built beside this
//! binary, as `cargo nextest run -p server -p tidings-load` and `scripts/test` build it), on
//! SQLite and on a fresh database of the test PostgreSQL.

mod support;

use support::{debug_server, tidings_load};

fn commands(args: &[&str]) -> std::process::Output {
    tidings_load("commands", args)
}

#[test]
fn a_short_run_on_both_backends_prints_a_row_each_and_their_ratio() {
    let server = debug_server();
    let output = commands(&[
        "--server",
        server.to_str().unwrap(),
        "--clients",
        "2",
        "--warm-up",
        "0.2",
        "--seconds",
        "1",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    for backend in ["SQLite", "PostgreSQL"] {
        let row = stdout
            .lines()
            .find(|line| line.starts_with(&format!("| {backend} | 2 |")))
            .unwrap_or_else(|| panic!("no row for {backend}: {stdout}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let answered: u64 = cells[3].parse().expect("a count of commands");
        assert!(answered > 0, "{row}");
        assert_eq!(cells[8], "0", "errors: {row}");
    }
    assert!(stdout.contains("PostgreSQL / SQLite:"), "{stdout}");
    assert!(
        stdout.lines().any(|line| line.starts_with("| 2 | ")),
        "{stdout}"
    );
    assert!(!stdout.contains("Rounds with errors"), "{stdout}");
}

#[test]
fn options_past_their_bounds_are_refused_before_any_server_starts() {
    let output = commands(&["--server", "/nonexistent/server", "--clients", "16,0"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--clients: every count must be between 1 and 1024"),
        "{stderr}"
    );
}
