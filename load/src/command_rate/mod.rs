//! `tidings-load commands`: the end-to-end command rate, what a user actually gets rather
//! than the log's ceiling. For each client count and backend in turn, it starts the server
//! on a fresh database (see `round`), signs up a team, and runs that many clients that each
//! send `create_todo` as soon as the previous answer came back; a server function answers
//! once the read models include the command, so each answer waits for the projection. It
//! prints commands/s and latencies per round, PostgreSQL / SQLite at each client count, the
//! rounds that had errors, and the same as one JSON line. Every child (the server) dies with
//! it, on success, error, timeout or Ctrl-C; every PostgreSQL database it made is dropped.
//!
//! - `options`: its flags and their bounds.
//! - `backend`: SQLite or PostgreSQL, and a round's fresh database.
//! - `round`: one backend at one client count.
//! - `clients`: the closed-loop clients, and what counts in the window.
//! - `report`: rows, ratios and errors as Markdown and JSON.

pub(crate) mod backend;
mod clients;
mod options;
mod report;
mod round;

pub use options::CommandRateOptions;

use crate::run::{bounded, limits};
use anyhow::Context;
use backend::Backend;
use report::{Ratio, Row};

pub async fn run(options: CommandRateOptions) -> anyhow::Result<()> {
    options.check()?;
    limits::raise_open_files().context("raising the open-files limit")?;
    let mut rows = Vec::new();
    let outcome = bounded::within(options.timeout(), every_round(&options, &mut rows)).await;
    print(&options, &rows);
    outcome?;
    match report::errors(&rows).len() {
        0 => Ok(()),
        rounds => anyhow::bail!("{rounds} rounds had errors (see above)"),
    }
}

async fn every_round(options: &CommandRateOptions, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    for &clients in &options.clients {
        for &backend in &options.database {
            let row = round::measure(options, backend, clients)
                .await
                .with_context(|| format!("the round on {backend} with {clients} clients"))?;
            eprintln!("{}", row.markdown());
            rows.push(row);
        }
        if let Some(ratio) = Ratio::all(rows).pop() {
            eprintln!(
                "{} / {}: {}",
                Backend::Postgres,
                Backend::Sqlite,
                ratio.markdown()
            );
        }
    }
    Ok(())
}

fn print(options: &CommandRateOptions, rows: &[Row]) {
    if rows.is_empty() {
        return;
    }
    println!(
        "\ncreate_todo, projection waited for:\n\n{}",
        report::MARKDOWN_HEADER
    );
    rows.iter().for_each(|row| println!("{}", row.markdown()));
    let ratios = Ratio::all(rows);
    if !ratios.is_empty() {
        println!(
            "\n{} / {}:\n\n{}",
            Backend::Postgres,
            Backend::Sqlite,
            report::RATIO_HEADER
        );
        ratios
            .iter()
            .for_each(|ratio| println!("{}", ratio.markdown()));
    }
    let errors = report::errors(rows);
    if !errors.is_empty() {
        println!("\nRounds with errors:\n");
        errors.iter().for_each(|line| println!("- {line}"));
    }
    let json = serde_json::json!({
        "warm_up_s": options.warm_up,
        "window_s": options.seconds,
        "rows": rows,
        "ratios": ratios,
    });
    println!("\n{json}");
}
