//! `tidings-load across`: fan-out across instances, the path that several instances add.
//! For each subscriber count, two instances of the release server on one fresh PostgreSQL
//! database, that many subscribers on each, and the commands sent to A (see `round`); it
//! prints, per count, the command-to-receive latencies of A's subscribers (one instance)
//! and of B's (across instances) and their ratio, then the same as one JSON line. It fails
//! when a delivery is missing or duplicated on either instance. Every child (the servers,
//! the workers) dies with it; every database it made is dropped.
//!
//! - `options`: its flags and their bounds.
//! - `round`: one subscriber count on two fresh instances.
//! - `report`: the rows, their ratio, as Markdown and JSON.

mod options;
mod report;
mod round;

pub use options::AcrossOptions;

use crate::run::{bounded, limits};
use anyhow::Context;
use report::{Ratio, Row};

pub async fn run(options: AcrossOptions) -> anyhow::Result<()> {
    options.check()?;
    let open_files = limits::raise_open_files().context("raising the open-files limit")?;
    eprintln!("open files: up to {open_files} per process");
    let mut results = Vec::new();
    let outcome = bounded::within(options.timeout(), every_round(&options, &mut results)).await;
    print(&options, &results);
    outcome?;
    let incomplete = results
        .iter()
        .flat_map(|(one, across, _)| [one, across])
        .filter(|row| !row.is_complete())
        .count();
    match incomplete {
        0 => Ok(()),
        rows => anyhow::bail!("{rows} rows missed, duplicated or failed something (see above)"),
    }
}

async fn every_round(
    options: &AcrossOptions,
    results: &mut Vec<(Row, Row, Ratio)>,
) -> anyhow::Result<()> {
    for &subscribers in &options.subscribers {
        let (one, across, ratio) = round::measure(options, subscribers)
            .await
            .with_context(|| format!("the round with {subscribers} subscribers per instance"))?;
        eprintln!(
            "{}\n{}\n{}",
            one.markdown(),
            across.markdown(),
            ratio.markdown()
        );
        results.push((one, across, ratio));
    }
    Ok(())
}

fn print(options: &AcrossOptions, results: &[(Row, Row, Ratio)]) {
    if results.is_empty() {
        return;
    }
    println!(
        "\ncommand on A to frame, PostgreSQL:\n\n{}",
        report::MARKDOWN_HEADER
    );
    for (one, across, _) in results {
        println!("{}\n{}", one.markdown(), across.markdown());
    }
    println!(
        "\nacross instances / one instance:\n\n{}",
        report::RATIO_HEADER
    );
    results
        .iter()
        .for_each(|(_, _, ratio)| println!("{}", ratio.markdown()));
    let rows: Vec<&Row> = results.iter().flat_map(|(a, b, _)| [a, b]).collect();
    let ratios: Vec<&Ratio> = results.iter().map(|(_, _, ratio)| ratio).collect();
    let json = serde_json::json!({
        "commands": options.commands,
        "rate_per_s": options.rate,
        "users": options.users,
        "rows": rows,
        "ratios": ratios,
    });
    println!("\n{json}");
}
