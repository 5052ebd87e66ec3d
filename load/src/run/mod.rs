//! `tidings-load run`: the coordinator. It raises its open-files limit, then measures each
//! subscriber count in turn (see `round`), and prints the results as Markdown rows and as
//! one JSON line. Every child dies with it, on success, error, timeout or Ctrl-C.

mod children;
mod commands;
mod limits;
mod options;
mod report;
mod round;
mod server;
mod team;
mod workers;

pub use options::RunOptions;

use anyhow::{Context, bail};
use report::{MARKDOWN_HEADER, Row};

pub async fn run(options: RunOptions) -> anyhow::Result<()> {
    if options.rate <= 0.0 || options.users == 0 || options.subscribers.contains(&0) {
        bail!("--rate, --users and every --subscribers count must be above zero");
    }
    let open_files = limits::raise_open_files().context("raising the open-files limit")?;
    eprintln!("open files: up to {open_files} per process");
    let mut rows = Vec::new();
    let outcome = tokio::select! {
        finished = tokio::time::timeout(options.timeout(), every_round(&options, &mut rows)) => {
            finished.unwrap_or_else(|_| Err(anyhow::anyhow!("the run took longer than --timeout")))
        }
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    print(&options, &rows)?;
    outcome
}

async fn every_round(options: &RunOptions, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    for &subscribers in &options.subscribers {
        let row = round::measure(options, subscribers)
            .await
            .with_context(|| format!("the run with {subscribers} subscribers"))?;
        eprintln!("{}", row.markdown());
        rows.push(row);
    }
    Ok(())
}

fn print(options: &RunOptions, rows: &[Row]) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    println!("{MARKDOWN_HEADER}");
    for row in rows {
        println!("{}", row.markdown());
    }
    let json = serde_json::json!({
        "commands": options.commands,
        "rate_per_s": options.rate,
        "users": options.users,
        "rows": rows,
    });
    println!("{json}");
    Ok(())
}
