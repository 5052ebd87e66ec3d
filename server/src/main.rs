use clap::Parser;
use server::{
    config::{Cli, Command},
    projection, startup,
    storage::Storage,
    telemetry,
};

/// mimalloc rather than the system allocator: about 17% less server memory per idle
/// WebSocket connection at 10,000 subscribers, with the same latency (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.settings.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = startup::Application::build(cli.settings).await?;
            app.run_until_stopped().await?;
        }
        Command::RebuildProjections => {
            let storage = Storage::open(&cli.settings).await?;
            let position = projection::rebuild(storage.projections, storage.log).await?;
            tracing::info!(%position, "read models rebuilt and swapped in");
        }
    }
    Ok(())
}
