//! What reading a whole stream costs now that streams are chained (`READ_STREAM`: a walk
//! back along the `previous` links from a mark), against the `(stream_id, version)` index
//! scan it replaced, on the same log in the same run. Loading an aggregate reads its whole
//! stream, in pages of 1,000, before every command.
//!
//! The log is written straight into a fresh database (the triggers keep `streams`), the
//! streams' events interleaved as a busy log's are. A copy of it (`VACUUM INTO`) gets the
//! old index, so that each query runs on the layout it was written for. Both go through
//! sqlx into the same row type, so the figures compare the SQL, not the decoding.
//!
//! `cargo bench -p server --bench read_stream` prints a markdown table. Settings, from the
//! environment: `BENCH_SHAPES` (streams x events per stream, default `2000x20,100x500`),
//! `BENCH_ROUNDS` (default 9; the median is reported), `BENCH_DIR` (default the system
//! temp folder).

use anyhow::Context;
use server::db::sqlite::open_sqlite;
use server::store::sqlite::READ_STREAM;
use sqlx::SqlitePool;
use std::time::Instant;

/// The read as it was, on the index the store had before streams were chained.
const READ_BY_INDEX: &str = "SELECT position, stream_id, version, event_type, \
    schema_version, payload, actor, command_id, recorded_at FROM events \
    WHERE stream_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3";

const BASELINE_INDEX: &str = "CREATE INDEX baseline_stream_versions ON events (stream_id, version)";

/// The page size that `commands` loads an aggregate with.
const PAGE: i64 = 1_000;

/// Event `i` (from 1) is version `(i - 1) / streams + 1` of stream `(i - 1) % streams`, so
/// every stream's events are spread over the whole log. `?1` is the number of streams, `?2`
/// the number of events.
const WRITE_LOG: &str = "\
    INSERT INTO commands (command_id, stream_id, first_position, last_position, \
        first_version, last_version) \
    WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2) \
    SELECT printf('01900000-0000-7000-8000-%012d', i), printf('todo-%06d', (i - 1) % ?1), \
        i, i, (i - 1) / ?1 + 1, (i - 1) / ?1 + 1 FROM n; \
    INSERT INTO events (position, stream_id, version, previous, event_type, schema_version, \
        payload, actor, command_id, recorded_at) \
    SELECT first_position, stream_id, first_version, \
        CASE first_version WHEN 1 THEN NULL ELSE first_position - ?1 END, 'TodoUpdated', 1, \
        '{\"title\":\"Water the plants\",\"description\":\"\"}', \
        '01900000-0000-7000-8000-000000000000', command_id, '2025-01-31T09:15:02.123Z' \
    FROM commands ORDER BY first_position";

type Row = (
    i64,
    String,
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
);

#[derive(Clone, Copy)]
struct Shape {
    streams: i64,
    events_per_stream: i64,
}

fn main() -> anyhow::Result<()> {
    let shapes = std::env::var("BENCH_SHAPES").unwrap_or_else(|_| "2000x20,100x500".into());
    let shapes = shapes
        .split(',')
        .map(parse_shape)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let rounds: usize = std::env::var("BENCH_ROUNDS").map_or(Ok(9), |r| r.parse())?;
    let dir = std::env::var_os("BENCH_DIR").map_or_else(std::env::temp_dir, Into::into);
    let runtime = tokio::runtime::Runtime::new()?;
    println!(
        "| streams x events | index scan, per stream | chain walk, per stream | walk / scan |"
    );
    println!("| --- | ---: | ---: | ---: |");
    for shape in shapes {
        let (scan, walk) = runtime.block_on(measure(shape, rounds, &dir))?;
        println!(
            "| {} x {} | {scan:.0} µs | {walk:.0} µs | {:.2}x |",
            shape.streams,
            shape.events_per_stream,
            walk / scan
        );
    }
    Ok(())
}

fn parse_shape(text: &str) -> anyhow::Result<Shape> {
    let (streams, events) = text
        .split_once('x')
        .with_context(|| format!("a shape is STREAMSxEVENTS, not {text:?}"))?;
    Ok(Shape {
        streams: streams.trim().parse()?,
        events_per_stream: events.trim().parse()?,
    })
}

/// The median time to read one whole stream, by the index scan and by the chain walk.
async fn measure(shape: Shape, rounds: usize, dir: &std::path::Path) -> anyhow::Result<(f64, f64)> {
    let dir = tempfile::TempDir::new_in(dir)?;
    let chained = open_sqlite(&dir.path().join("chained.db")).await?;
    sqlx::query(WRITE_LOG)
        .bind(shape.streams)
        .bind(shape.streams * shape.events_per_stream)
        .execute(&chained)
        .await?;
    let indexed_path = dir.path().join("indexed.db");
    sqlx::query("VACUUM INTO ?1")
        .bind(indexed_path.to_string_lossy())
        .execute(&chained)
        .await?;
    let indexed = open_sqlite(&indexed_path).await?;
    sqlx::query(BASELINE_INDEX).execute(&indexed).await?;

    let (mut scans, mut walks) = (Vec::new(), Vec::new());
    // Which goes first alternates, so that neither always runs on a warmer machine.
    for round in 0..rounds {
        if round % 2 == 0 {
            scans.push(read_every_stream(&indexed, READ_BY_INDEX, shape).await?);
            walks.push(read_every_stream(&chained, READ_STREAM, shape).await?);
        } else {
            walks.push(read_every_stream(&chained, READ_STREAM, shape).await?);
            scans.push(read_every_stream(&indexed, READ_BY_INDEX, shape).await?);
        }
    }
    Ok((median(scans), median(walks)))
}

/// Reads every stream whole, in pages, and checks that each read returns all its events in
/// order. Returns the mean time per stream, in microseconds.
async fn read_every_stream(pool: &SqlitePool, sql: &str, shape: Shape) -> anyhow::Result<f64> {
    let started = Instant::now();
    for stream in 0..shape.streams {
        let stream = format!("todo-{stream:06}");
        let mut after = 0;
        loop {
            let page: Vec<Row> = sqlx::query_as(sql)
                .bind(&stream)
                .bind(after)
                .bind(PAGE)
                .fetch_all(pool)
                .await?;
            for row in &page {
                anyhow::ensure!(
                    row.2 == after + 1,
                    "{stream}: version {} after {after}",
                    row.2
                );
                after = row.2;
            }
            if page.len() < PAGE as usize {
                break;
            }
        }
        anyhow::ensure!(
            after == shape.events_per_stream,
            "{stream} has {after} events"
        );
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / shape.streams as f64)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
