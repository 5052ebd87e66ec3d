//! The stress harness, written against [`Design`] so that the head-locked store and the
//! plain-sequence control run exactly the same workload and the same checks.

use app::domain::{CommandId, UserId, Version};
use async_trait::async_trait;
use server::store::{Append, AppendError, AppendOutcome, Committed, NewEvent, StreamId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// An event as a tailer records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub position: u64,
    pub command: CommandId,
}

/// One handle on the log: what a server process would hold.
#[async_trait]
pub trait Log: Send + Sync {
    async fn append(&self, append: Append) -> Result<AppendOutcome, AppendError>;
    /// Events after `after`, in position order, as a tailer reads them.
    async fn read_after(&self, after: u64) -> Result<Vec<Seen>, String>;
    /// Closes what the handle holds open, as a process that stops would.
    async fn close(&self);
}

/// A way of keeping the log, on one database: each `open` is another process.
#[async_trait]
pub trait Design: Send + Sync {
    async fn open(&self) -> Arc<dyn Log>;
}

pub struct Settings {
    pub handles: usize,
    pub appenders_per_handle: usize,
    /// Commands appended, over all appenders, retried command ids included; an append
    /// that lost a race and tries again at the new version is the same command.
    pub appends: usize,
    pub hot_streams: u64,
    pub seed: u64,
}

impl Settings {
    pub fn new(appends: usize) -> Self {
        Self {
            handles: 2,
            appenders_per_handle: 64,
            appends,
            hot_streams: 16,
            seed: 0x0074_6964_696e_6773,
        }
    }
}

/// What the checks found wrong. An empty list is a pass.
pub enum Finding {
    /// The final log's positions are not 1..head.
    Gap { after: u64, next: u64 },
    /// A tailer never saw events that the final log holds after its start.
    Skipped {
        tailer: &'static str,
        missing: usize,
        first_missing: u64,
    },
    /// A tailer saw something else than the final log, other than by missing events.
    Differs { tailer: &'static str, at: usize },
    /// An acknowledged command is not in the log exactly where its ack said.
    NotExactlyOnce { command: CommandId, found: usize },
    /// The log holds a command that nobody was told was committed.
    Unacknowledged { command: CommandId },
    /// A refused append is visible.
    RolledBackVisible { command: CommandId },
    /// An append was answered other than the workload expects.
    Appender(String),
    /// A read failed: a reader must never skip, so it stops.
    ReadFailed(String),
}

impl fmt::Debug for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Gap { after, next } => write!(f, "the log jumps from {after} to {next}"),
            Self::Skipped {
                tailer,
                missing,
                first_missing,
            } => write!(
                f,
                "the tailer {tailer} skipped {missing} events, the first at {first_missing}"
            ),
            Self::Differs { tailer, at } => {
                write!(f, "the tailer {tailer} saw another event at its {at}th")
            }
            Self::NotExactlyOnce { command, found } => write!(
                f,
                "the acknowledged command {command} has {found} events, not where acknowledged"
            ),
            Self::Unacknowledged { command } => {
                write!(f, "the log holds {command}, which was never acknowledged")
            }
            Self::RolledBackVisible { command } => {
                write!(f, "the log holds {command}, which was refused")
            }
            Self::Appender(what) => f.write_str(what),
            Self::ReadFailed(error) => write!(f, "a read failed: {error}"),
        }
    }
}

/// Runs the workload and the tailers, and checks what they saw against the final log.
pub async fn run(design: Arc<dyn Design>, settings: &Settings) -> Vec<Finding> {
    let (final_head, head_known) = watch::channel(None);
    let mut rng = Rng(settings.seed);
    let random_start = rng.below(settings.appends as u64 / 4);
    let tailers: Vec<_> = [
        ("from the start", 0, false),
        ("from a random position", random_start, false),
        ("restarting from its cursor", 0, true),
    ]
    .into_iter()
    .map(|(name, start, restarts)| {
        let tailer = Tailer {
            name,
            start,
            restarts,
        };
        tokio::spawn(tailer.run(Arc::clone(&design), head_known.clone()))
    })
    .collect();
    let reports = append_everything(&design, settings, &mut rng).await;
    let log = read_everything(&design).await;
    let head = log.last().map_or(0, |seen| seen.position);
    final_head.send_replace(Some(head));
    let acked: usize = reports.iter().map(|r| r.acked.len()).sum();
    let refused: usize = reports.iter().map(|r| r.refused.len()).sum();
    let conflicts: usize = reports.iter().map(|r| r.conflicts).sum();
    eprintln!(
        "{} events from {acked} acknowledged commands; {conflicts} conflicts retried; \
         {refused} refused; a tailer from {random_start}",
        log.len()
    );
    let mut findings = Vec::new();
    for tailer in tailers {
        let (tailer, seen, failed) = tailer.await.expect("the tailer runs");
        findings.extend(failed);
        findings.extend(compare(&tailer, &seen, &log));
    }
    findings.extend(gaps(&log));
    findings.extend(exactly_once(reports, &log));
    findings
}

async fn append_everything(
    design: &Arc<dyn Design>,
    settings: &Settings,
    rng: &mut Rng,
) -> Vec<AppenderReport> {
    let appenders = settings.handles * settings.appenders_per_handle;
    let mut tasks = Vec::new();
    for _ in 0..settings.handles {
        let log = design.open().await;
        for _ in 0..settings.appenders_per_handle {
            let appender = Appender {
                log: Arc::clone(&log),
                id: tasks.len(),
                appends: settings.appends / appenders,
                hot_streams: settings.hot_streams,
                rng: Rng(rng.next()),
            };
            tasks.push(tokio::spawn(appender.run()));
        }
    }
    let mut reports = Vec::new();
    for task in tasks {
        reports.push(task.await.expect("the appender runs"));
    }
    reports
}

async fn read_everything(design: &Arc<dyn Design>) -> Vec<Seen> {
    let log = design.open().await;
    let mut everything: Vec<Seen> = Vec::new();
    loop {
        let after = everything.last().map_or(0, |seen| seen.position);
        let page = log.read_after(after).await.expect("the final log reads");
        if page.is_empty() {
            break;
        }
        everything.extend(page);
    }
    log.close().await;
    everything
}

// ---- appending --------------------------------------------------------------------------

#[derive(Default)]
struct AppenderReport {
    acked: Vec<(CommandId, Committed)>,
    conflicts: usize,
    refused: Vec<CommandId>,
    findings: Vec<Finding>,
}

struct Appender {
    log: Arc<dyn Log>,
    id: usize,
    appends: usize,
    hot_streams: u64,
    rng: Rng,
}

impl Appender {
    /// Per thousand appends: 2 refused by the database, about 100 retries of an earlier
    /// command, 200 to a hot stream, the rest new streams.
    async fn run(mut self) -> AppenderReport {
        let mut report = AppenderReport::default();
        let mut sent: Vec<(Append, Committed)> = Vec::new();
        let mut hot_versions = vec![0; self.hot_streams as usize];
        let mut calls = 0;
        while calls < self.appends {
            let roll = self.rng.below(1000);
            calls += 1;
            if roll < 2 {
                self.refused(&mut report).await;
            } else if roll < 100 && !sent.is_empty() {
                let (append, first) = &sent[self.rng.below(sent.len() as u64) as usize];
                self.retry(append.clone(), *first, &mut report).await;
            } else if roll < 300 {
                let hot = self.rng.below(self.hot_streams);
                let version = &mut hot_versions[hot as usize];
                let append = self.command(&format!("hot-{hot}"), *version);
                if let Some(committed) = self.until_it_wins(append.clone(), &mut report).await {
                    *version = committed.last_version.get();
                    sent.push((append, committed));
                }
            } else {
                let stream = format!("new-{}-{calls}", self.id);
                let append = self.command(&stream, 0);
                if let Some(committed) = self.until_it_wins(append.clone(), &mut report).await {
                    sent.push((append, committed));
                }
            }
        }
        report
    }

    fn command(&mut self, stream: &str, expected: u64) -> Append {
        let events = 1 + self.rng.below(3) as usize;
        Append {
            stream: StreamId::parse(stream).expect("a valid stream id"),
            expected_version: Version::new(expected),
            command_id: CommandId::new(),
            actor: UserId::new(),
            events: (0..events)
                .map(|n| NewEvent {
                    event_type: "Noted".into(),
                    schema_version: 1,
                    payload: serde_json::json!({ "appender": self.id, "n": n }),
                })
                .collect(),
        }
    }

    /// Appends, and after each conflict tries again with the same command id at the
    /// version the conflict reported.
    async fn until_it_wins(
        &self,
        mut append: Append,
        report: &mut AppenderReport,
    ) -> Option<Committed> {
        loop {
            match self.log.append(append.clone()).await {
                Ok(outcome) if !outcome.duplicate => {
                    report.acked.push((append.command_id, outcome.committed));
                    return Some(outcome.committed);
                }
                Err(AppendError::Conflict { actual, .. }) => {
                    append.expected_version = actual;
                    report.conflicts += 1;
                }
                other => {
                    report
                        .findings
                        .push(Finding::Appender(format!("{other:?}")));
                    return None;
                }
            }
        }
    }

    async fn retry(&self, append: Append, first: Committed, report: &mut AppenderReport) {
        match self.log.append(append).await {
            Ok(outcome) if outcome.duplicate && outcome.committed == first => {}
            other => report
                .findings
                .push(Finding::Appender(format!("a retry answered {other:?}"))),
        }
    }

    /// PostgreSQL's `jsonb` cannot hold U+0000: the insert fails, and with it the group's
    /// transaction, which is rolled back and retried without this append.
    async fn refused(&mut self, report: &mut AppenderReport) {
        let mut append = self.command(&format!("refused-{}", self.id), 0);
        append.events[0].payload = serde_json::json!({ "title": "\u{0}" });
        let command = append.command_id;
        match self.log.append(append).await {
            Err(AppendError::Store(_)) => report.refused.push(command),
            other => report.findings.push(Finding::Appender(format!(
                "a refused append answered {other:?}"
            ))),
        }
    }
}

// ---- tailing ----------------------------------------------------------------------------

struct Tailer {
    name: &'static str,
    start: u64,
    restarts: bool,
}

/// How many reads a restarting tailer makes on one handle.
const READS_PER_LIFE: usize = 25;

impl Tailer {
    /// Reads after its cursor until it reaches the final head, once that is known.
    async fn run(
        self,
        design: Arc<dyn Design>,
        mut final_head: watch::Receiver<Option<u64>>,
    ) -> (Self, Vec<Seen>, Option<Finding>) {
        let mut log = design.open().await;
        let (mut cursor, mut seen, mut reads) = (self.start, Vec::new(), 0);
        let failed = loop {
            let page = match log.read_after(cursor).await {
                Ok(page) => page,
                Err(error) => {
                    break Some(Finding::ReadFailed(format!("{}: {error}", self.name)));
                }
            };
            if let Some(last) = page.last() {
                cursor = last.position;
            }
            let idle = page.is_empty();
            seen.extend(page);
            reads += 1;
            if self.restarts && reads % READS_PER_LIFE == 0 {
                log.close().await;
                log = design.open().await;
            }
            if idle {
                if final_head
                    .borrow_and_update()
                    .is_some_and(|head| cursor >= head)
                {
                    break None;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        log.close().await;
        (self, seen, failed)
    }
}

// ---- checking ---------------------------------------------------------------------------

/// What the tailer saw against what the log holds after its start.
fn compare(tailer: &Tailer, seen: &[Seen], log: &[Seen]) -> Option<Finding> {
    let expected: Vec<Seen> = log
        .iter()
        .copied()
        .filter(|s| s.position > tailer.start)
        .collect();
    if seen == expected {
        return None;
    }
    let seen_positions: std::collections::HashSet<u64> = seen.iter().map(|s| s.position).collect();
    let missing: Vec<u64> = expected
        .iter()
        .map(|s| s.position)
        .filter(|p| !seen_positions.contains(p))
        .collect();
    match missing.first() {
        Some(&first_missing) => Some(Finding::Skipped {
            tailer: tailer.name,
            missing: missing.len(),
            first_missing,
        }),
        None => Some(Finding::Differs {
            tailer: tailer.name,
            at: seen
                .iter()
                .zip(&expected)
                .take_while(|(a, b)| a == b)
                .count(),
        }),
    }
}

fn gaps(log: &[Seen]) -> Option<Finding> {
    (1..)
        .zip(log)
        .find(|(expected, seen)| seen.position != *expected)
        .map(|(expected, seen)| Finding::Gap {
            after: expected - 1,
            next: seen.position,
        })
}

/// Every acknowledged command's events at exactly the positions its ack gave, and no
/// other command in the log.
fn exactly_once(reports: Vec<AppenderReport>, log: &[Seen]) -> Vec<Finding> {
    let mut in_log: HashMap<CommandId, Vec<u64>> = HashMap::new();
    for seen in log {
        in_log.entry(seen.command).or_default().push(seen.position);
    }
    let refused: std::collections::HashSet<CommandId> = reports
        .iter()
        .flat_map(|r| r.refused.iter().copied())
        .collect();
    let mut findings: Vec<Finding> = Vec::new();
    for report in reports {
        findings.extend(report.findings);
        for (command, committed) in report.acked {
            let positions = in_log.remove(&command).unwrap_or_default();
            let expected: Vec<u64> =
                (committed.first_position.get()..=committed.last_position.get()).collect();
            if positions != expected {
                findings.push(Finding::NotExactlyOnce {
                    command,
                    found: positions.len(),
                });
            }
        }
    }
    for command in in_log.into_keys() {
        findings.push(match refused.contains(&command) {
            true => Finding::RolledBackVisible { command },
            false => Finding::Unacknowledged { command },
        });
    }
    findings
}

/// SplitMix64: a seeded, reproducible workload without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}
