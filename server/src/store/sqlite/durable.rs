//! Making commits durable off the writer's path, and keeping readers inside what is durable.
//!
//! A large group is committed with `synchronous = NORMAL`: the WAL frames are written, not
//! yet synced. The group's answers go to the [`Syncer`], which fsyncs the WAL file (one fsync
//! for every group committed meanwhile), then publishes the durable head and answers. While it
//! waits for the disk, the writer already commits the next group. An append is still
//! acknowledged only once it is on disk. A group too small to be worth overlapping is
//! committed with `synchronous = FULL` instead, after every earlier one is synced, and
//! answered at once ([`answer_synced`]; see the writer).
//!
//! A committed group is visible to readers before its fsync. So that nothing not yet on disk
//! leaves the store (a broadcast, a page, a replay, a retry's answer), readers ask
//! [`Durability::visible_limit`] *after* their query, and drop what lies beyond it.

use crate::store::{AppendError, AppendOutcome, RecordedEvent, StoreError};
use app::domain::Position;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::sync::{Notify, mpsc, oneshot, watch};

/// Which commits are on disk, shared by the writer, the syncer and the readers.
pub(super) struct Durability {
    /// The head of the log on disk. Tailing readers wait on it.
    pub head: watch::Sender<Position>,
    /// Commits the writer has begun; counted before their rows can become visible.
    started: AtomicU64,
    /// Of those, how many an fsync has covered since they finished.
    synced: AtomicU64,
    /// An fsync failed: the head will not move again.
    failed: AtomicBool,
    /// Wakes a writer waiting for every commit to be synced.
    settled: Notify,
}

impl Durability {
    pub fn new(head: Position) -> Self {
        Self {
            head: watch::Sender::new(head),
            started: AtomicU64::new(0),
            synced: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            settled: Notify::new(),
        }
    }

    /// Waits until no commit is waiting for an fsync (or none ever will be synced again).
    pub async fn settled(&self) {
        loop {
            let notified = self.settled.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let synced = self.synced.load(Ordering::SeqCst);
            if synced == self.started.load(Ordering::SeqCst) || self.failed.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }

    /// Waits until `position` is on disk; fails if it never will be.
    pub async fn reached(&self, position: Position) -> Result<(), StoreError> {
        let mut head = self.head.subscribe();
        let stopped = || StoreError::WriterStopped;
        head.wait_for(|head| *head >= position || self.failed.load(Ordering::SeqCst))
            .await
            .map_err(|_| stopped())?;
        if *head.borrow() >= position {
            Ok(())
        } else {
            Err(stopped())
        }
    }

    fn fail(&self) {
        self.failed.store(true, Ordering::SeqCst);
        self.head.send_modify(|_| {});
        self.settled.notify_waiters();
    }

    /// Called by the writer before each transaction: returns the commit's number.
    pub fn commit_starting(&self) -> u64 {
        self.started.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Every commit up to number `commit` is on disk, and the log's head with it is `head`
    /// (`None` when those commits appended nothing).
    pub fn synced(&self, commit: u64, head: Option<Position>) {
        if let Some(new_head) = head {
            self.head.send_if_modified(|current| {
                let advanced = new_head > *current;
                *current = (*current).max(new_head);
                advanced
            });
        }
        self.synced.fetch_max(commit, Ordering::SeqCst);
        self.settled.notify_waiters();
    }

    /// The highest position a reader may hand out, asked after its query: `None` when every
    /// commit begun so far is on disk, so whatever the query saw is durable.
    ///
    /// Why reading `synced` first is enough: `synced` never passes `started`, and both only
    /// grow. If `synced` read at one moment equals `started` read later, no commit was begun
    /// in between, and every commit begun before was synced.
    pub fn visible_limit(&self) -> Option<Position> {
        let synced = self.synced.load(Ordering::SeqCst);
        let started = self.started.load(Ordering::SeqCst);
        (synced != started).then(|| *self.head.borrow())
    }

    /// Leaves out of `events`, read before this call, those past the visible limit.
    pub fn retain_visible(&self, events: &mut Vec<RecordedEvent>) {
        if let Some(limit) = self.visible_limit() {
            events.retain(|event| event.position <= limit);
        }
    }
}

/// One committed group on its way to the disk: its number, the head it reached, and the
/// answers its callers wait for.
pub(super) struct Committed {
    pub commit: u64,
    pub head: Option<Position>,
    pub answers: Vec<Answer>,
}

pub(super) type Reply = oneshot::Sender<Result<AppendOutcome, AppendError>>;

pub(super) struct Answer {
    pub reply: Reply,
    pub result: Result<AppendOutcome, AppendError>,
}

impl Answer {
    fn send(self) {
        // A caller that stopped waiting has nothing to tell: its append stands, and a retry
        // with the same command id will be answered with this outcome.
        let _ = self.reply.send(self.result);
    }
}

/// The task that makes pipelined groups durable, and answers them.
pub(super) struct Syncer {
    groups: mpsc::Sender<Committed>,
    task: tokio::task::JoinHandle<()>,
}

impl Syncer {
    /// `wal` is the file each round fsyncs.
    pub fn start(durability: Arc<Durability>, wal: PathBuf) -> Self {
        let (groups, queue) = mpsc::channel(SYNC_QUEUE);
        let task = tokio::spawn(sync(wal, durability, queue));
        Self { groups, task }
    }

    /// Whether the syncer has stopped: nothing committed now could be made durable.
    pub fn stopped(&self) -> bool {
        self.groups.is_closed()
    }

    /// Waits until every group handed over is synced and answered. The writer calls it
    /// before closing its connection: closing the last connection checkpoints and deletes
    /// the WAL file, which a sync still to come would then fail to open.
    pub async fn finish(self) {
        drop(self.groups);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "the store's syncer failed");
        }
    }

    /// Hands a committed group over, to be answered after the next fsync. Fails only when the
    /// syncer has stopped (an fsync failed): the group is then answered with that failure,
    /// and the writer stops too.
    pub async fn hand_over(&self, group: Committed) -> Result<(), WriterStops> {
        self.groups.send(group).await.map_err(|error| {
            fail(error.0, &Arc::new(StoreError::WriterStopped));
            WriterStops
        })
    }
}

/// Answers a group whose own commit fsynced it, every commit before it being synced already.
pub(super) fn answer_synced(durability: &Durability, group: Committed) {
    durability.synced(group.commit, group.head);
    group.answers.into_iter().for_each(Answer::send);
}

/// The syncer is gone, so nothing more can be made durable.
pub(super) struct WriterStops;

/// How many committed groups may wait for the syncer before the writer waits too. One: while
/// the disk syncs, the writer commits one group ahead, and the requests that arrive meanwhile
/// make the next group larger. Committing many small groups instead rewrites the same hot
/// pages into the log again and again.
const SYNC_QUEUE: usize = 1;

/// Each round takes every group committed so far, makes them durable with one fsync of the
/// WAL, then publishes the head and answers. An fsync that fails cannot be retried safely (the
/// kernel may have dropped the pages it could not write), so the syncer then answers every
/// waiting group with the failure, and stops: the store takes no more appends.
async fn sync(wal: PathBuf, durability: Arc<Durability>, mut queue: mpsc::Receiver<Committed>) {
    let mut file: Option<Arc<File>> = None;
    let mut groups = Vec::new();
    while queue.recv_many(&mut groups, usize::MAX).await > 0 {
        if let Err(error) = sync_file(&wal, &mut file).await {
            tracing::error!(%error, wal = %wal.display(), "the write-ahead log could not be synced; the store takes no more appends");
            durability.fail();
            queue.close();
            while let Ok(group) = queue.try_recv() {
                groups.push(group);
            }
            let error = Arc::new(StoreError::NotDurable(Arc::new(error)));
            groups.drain(..).for_each(|group| fail(group, &error));
            return;
        }
        let last = groups.iter().map(|g| g.commit).max().unwrap_or_default();
        let head = groups.iter().filter_map(|g| g.head).max();
        durability.synced(last, head);
        for group in groups.drain(..) {
            group.answers.into_iter().for_each(Answer::send);
        }
    }
}

/// The WAL file is opened at the first round, when the writer has committed at least once,
/// and kept open: an fsync through any descriptor of a file syncs the file.
async fn sync_file(wal: &Path, file: &mut Option<Arc<File>>) -> std::io::Result<()> {
    let file = match file {
        Some(file) => Arc::clone(file),
        None => Arc::clone(file.insert(Arc::new(File::open(wal)?))),
    };
    tokio::task::spawn_blocking(move || file.sync_data())
        .await
        .unwrap_or_else(|panic| Err(std::io::Error::other(panic)))
}

fn fail(group: Committed, error: &Arc<StoreError>) {
    for answer in group.answers {
        let failed = StoreError::CommitFailed(Arc::clone(error));
        let _ = answer.reply.send(Err(AppendError::Store(failed)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_are_limited_to_the_durable_head_while_a_commit_is_not_synced() {
        let durability = Durability::new(Position::new(4));
        assert_eq!(durability.visible_limit(), None);
        let first = durability.commit_starting();
        assert_eq!(durability.visible_limit(), Some(Position::new(4)));
        let second = durability.commit_starting();
        durability.synced(first, Some(Position::new(6)));
        assert_eq!(durability.visible_limit(), Some(Position::new(6)));
        durability.synced(second, None);
        assert_eq!(durability.visible_limit(), None);
        assert_eq!(*durability.head.borrow(), Position::new(6));
    }

    #[test]
    fn the_durable_head_never_moves_back() {
        let durability = Durability::new(Position::new(9));
        let commit = durability.commit_starting();
        durability.synced(commit, Some(Position::new(3)));
        assert_eq!(*durability.head.borrow(), Position::new(9));
    }

    #[tokio::test]
    async fn the_writer_waits_for_the_fsync_in_flight_until_its_commit_is_synced() {
        let durability = Arc::new(Durability::new(Position::new(1)));
        durability.settled().await;
        let commit = durability.commit_starting();
        let waiting = tokio::spawn({
            let durability = Arc::clone(&durability);
            async move { durability.settled().await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(
            !waiting.is_finished(),
            "settled while a commit was not synced"
        );
        durability.synced(commit, Some(Position::new(2)));
        waiting.await.unwrap();
    }

    #[tokio::test]
    async fn waiting_for_a_position_fails_once_the_syncer_has_failed() {
        let durability = Arc::new(Durability::new(Position::new(2)));
        durability.commit_starting();
        let waiting = tokio::spawn({
            let durability = Arc::clone(&durability);
            async move { durability.reached(Position::new(3)).await }
        });
        durability.fail();
        assert!(matches!(
            waiting.await.unwrap(),
            Err(StoreError::WriterStopped)
        ));
        assert!(durability.reached(Position::new(2)).await.is_ok());
    }
}
