//! `tidings-load run`: the coordinator. It raises its open-files limit, then measures each
//! subscriber count in turn (see `round`) against each server of `--target`, and prints the
//! results as Markdown tables (one per server, and the ratios when both ran) and as one
//! JSON line. Every child dies with it, on success, error, timeout or Ctrl-C.

pub(crate) mod bounded;
pub(crate) mod children;
pub(crate) mod commands;
pub(crate) mod limits;
mod options;
mod ratio;
mod report;
pub(crate) mod round;
pub(crate) mod server;
pub(crate) mod spread;
mod target;
pub(crate) mod team;
pub(crate) mod workers;

pub use options::RunOptions;

use anyhow::{Context, bail};
use ratio::Ratio;
use report::Row;
use target::Target;

pub async fn run(options: RunOptions) -> anyhow::Result<()> {
    if options.rate <= 0.0 || options.users == 0 || options.subscribers.contains(&0) {
        bail!("--rate, --users and every --subscribers count must be above zero");
    }
    let open_files = limits::raise_open_files().context("raising the open-files limit")?;
    eprintln!("open files: up to {open_files} per process");
    let mut rows = Vec::new();
    let outcome = bounded::within(options.timeout(), every_round(&options, &mut rows)).await;
    print(&options, &rows)?;
    outcome
}

async fn every_round(options: &RunOptions, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    for &subscribers in &options.subscribers {
        for &target in options.target.servers() {
            let row = round::measure(options, target, subscribers)
                .await
                .with_context(|| {
                    format!("the run against {target} with {subscribers} subscribers")
                })?;
            eprintln!("{target}: {}", row.markdown());
            rows.push(row);
        }
        if let Some(ratio) = Ratio::all(rows).pop() {
            eprintln!("tidings / baseline: {}", ratio.markdown());
        }
    }
    Ok(())
}

fn print(options: &RunOptions, rows: &[Row]) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    for target in [Target::Tidings, Target::Baseline] {
        let measured: Vec<&Row> = rows.iter().filter(|row| row.target == target).collect();
        if !measured.is_empty() {
            println!("\n{target}:\n\n{}", report::MARKDOWN_HEADER);
            measured
                .iter()
                .for_each(|row| println!("{}", row.markdown()));
        }
    }
    let ratios = Ratio::all(rows);
    if !ratios.is_empty() {
        println!("\ntidings / baseline:\n\n{}", ratio::MARKDOWN_HEADER);
        ratios
            .iter()
            .for_each(|ratio| println!("{}", ratio.markdown()));
    }
    let json = serde_json::json!({
        "commands": options.commands,
        "rate_per_s": options.rate,
        "users": options.users,
        "rows": rows,
        "ratios": ratios,
    });
    println!("{json}");
    Ok(())
}
