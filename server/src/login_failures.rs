//! Failed log-ins, counted per account and per (account, address), so that guesses are
//! limited without letting a guesser lock the owner out.
//!
//! An attempt on account E from address A is refused before its password is checked when
//! E's failures from A are over the limit, or when E's failures from anywhere are over it
//! and A failed on E within the last period. Otherwise it goes ahead, counted as a failure
//! from the start (so that attempts made at once are limited too), and a success takes the
//! count back: the account's one, and the address's failures on the account altogether.
//! So a correct password from an address that has not failed gets in even while others
//! guess, while each guessing address has its own small allowance on the account and, once
//! the account's is used up, at most one guess per period.
//!
//! Each count is a GCRA bucket, as `governor`'s are: COUNT at once, refilled evenly over
//! PERIOD. (`governor` cannot look at a bucket without taking from it, which the rule needs.)

use crate::config::RateLimit;
use app::domain::Email;
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

/// The failed log-ins of every account, and of every account from every address.
pub struct LoginFailures {
    limit: Bucket,
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    accounts: HashMap<Email, Debt>,
    pairs: HashMap<(Email, IpAddr), PairDebt>,
}

/// The failures of one (account, address) pair, and when the last one was.
#[derive(Clone, Copy)]
struct PairDebt {
    debt: Debt,
    last_failure: Instant,
}

/// An attempt let through, counted as a failure until it succeeds.
#[must_use = "a successful attempt is to be taken back with `LoginFailures::succeeded`"]
#[derive(Debug)]
pub struct Admission {
    /// What the attempt added to its account's count (nothing once that is full).
    counted: Duration,
}

/// How full a bucket is: the time at which it is empty again (the GCRA's theoretical
/// arrival time). `now` or earlier: nothing owed.
#[derive(Clone, Copy)]
struct Debt(Instant);

/// A limit as a GCRA: each failure owes `interval`, and a bucket that owes more than
/// `tolerance` takes no more.
#[derive(Clone, Copy)]
struct Bucket {
    interval: Duration,
    tolerance: Duration,
    period: Duration,
}

impl Bucket {
    fn new(limit: RateLimit) -> Self {
        let interval = (limit.period / limit.count.get()).max(Duration::from_nanos(1));
        Self {
            interval,
            tolerance: interval * (limit.count.get() - 1),
            period: limit.period,
        }
    }

    /// How long until `debt` takes one more failure; zero when it does now.
    fn wait(self, debt: Debt, now: Instant) -> Duration {
        debt.0
            .saturating_duration_since(now)
            .saturating_sub(self.tolerance)
    }

    /// `debt` with one more failure, owing at most a full period.
    fn add(self, debt: Debt, now: Instant) -> Debt {
        let after = debt.0.max(now) + self.interval;
        Debt(after.min(now + self.tolerance + self.interval))
    }
}

impl LoginFailures {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit: Bucket::new(limit),
            counts: Mutex::default(),
        }
    }

    /// Lets an attempt on `account` from `address` go ahead, counted as a failure until it
    /// [`succeeded`](Self::succeeded); or refuses it with how long to wait.
    pub fn admit(
        &self,
        account: &Email,
        address: IpAddr,
        now: Instant,
    ) -> Result<Admission, Duration> {
        let mut counts = self.lock();
        let key = (account.clone(), address);
        let none = Debt(now);
        let account_debt = counts.accounts.get(account).copied().unwrap_or(none);
        let pair = counts.pairs.get(&key).copied();
        let pair_wait = pair.map_or(Duration::ZERO, |p| self.limit.wait(p.debt, now));
        if !pair_wait.is_zero() {
            return Err(pair_wait);
        }
        let account_wait = self.limit.wait(account_debt, now);
        let failed_lately = pair
            .map(|p| p.last_failure + self.limit.period)
            .filter(|until| *until > now);
        if let Some(until) = failed_lately
            && !account_wait.is_zero()
        {
            return Err(account_wait.min(until - now));
        }
        let counted = self.limit.add(account_debt, now);
        counts.accounts.insert(account.clone(), counted);
        let debt = pair.map_or(none, |p| p.debt);
        counts.pairs.insert(
            key,
            PairDebt {
                debt: self.limit.add(debt, now),
                last_failure: now,
            },
        );
        Ok(Admission {
            counted: counted.0.saturating_duration_since(account_debt.0.max(now)),
        })
    }

    /// The attempt that [`admit`](Self::admit) let through had the right password: it is
    /// no failure, and the address's failures on the account are forgotten.
    pub fn succeeded(&self, account: &Email, address: IpAddr, admission: Admission) {
        let mut counts = self.lock();
        counts.pairs.remove(&(account.clone(), address));
        if let Some(debt) = counts.accounts.get_mut(account) {
            debt.0 = debt.0.checked_sub(admission.counted).unwrap_or(debt.0);
        }
    }

    /// Forgets what no longer counts, so that the maps stay small.
    pub fn forget_old(&self, now: Instant) {
        let period = self.limit.period;
        let mut counts = self.lock();
        counts.accounts.retain(|_, debt| debt.0 > now);
        counts
            .pairs
            .retain(|_, pair| pair.debt.0 > now || pair.last_failure + period > now);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        // A panic while the lock was held left counts, not broken invariants: go on.
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    /// Five failures a minute: one comes back every 12 seconds.
    fn five_a_minute() -> LoginFailures {
        LoginFailures::new(RateLimit {
            count: NonZeroU32::new(5).unwrap(),
            period: Duration::from_secs(60),
        })
    }

    fn account() -> Email {
        Email::parse("owner@example.com").unwrap()
    }

    fn address(last: u8) -> IpAddr {
        IpAddr::from([127, 0, 0, last])
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    /// An attempt from `from`, let through, with a wrong password: its admission is
    /// dropped rather than taken back.
    fn fail(failures: &LoginFailures, from: IpAddr, now: Instant) {
        let admission = failures.admit(&account(), from, now);
        drop(admission.expect("let through while under the limit"));
    }

    fn five_failures(failures: &LoginFailures, from: IpAddr, now: Instant) {
        for _ in 0..5 {
            fail(failures, from, now);
        }
    }

    #[test]
    fn an_address_that_failed_the_count_waits_and_one_that_did_not_is_let_through() {
        let (failures, now) = (five_a_minute(), Instant::now());
        five_failures(&failures, address(2), now);
        assert_eq!(
            failures.admit(&account(), address(2), now).err(),
            Some(secs(12))
        );
        let owner = failures.admit(&account(), address(1), now).unwrap();
        failures.succeeded(&account(), address(1), owner);
        assert!(failures.admit(&account(), address(1), now).is_ok());
    }

    #[test]
    fn over_the_accounts_count_a_fresh_address_gets_one_try_and_then_waits() {
        let (failures, now) = (five_a_minute(), Instant::now());
        five_failures(&failures, address(2), now);
        assert!(failures.admit(&account(), address(3), now).is_ok());
        assert_eq!(
            failures.admit(&account(), address(3), now).err(),
            Some(secs(12)),
            "it failed lately and the account is over its count"
        );
        let other = Email::parse("someone@example.com").unwrap();
        assert!(failures.admit(&other, address(3), now).is_ok());
    }

    #[test]
    fn the_allowance_comes_back_evenly_over_the_period() {
        let (failures, now) = (five_a_minute(), Instant::now());
        five_failures(&failures, address(2), now);
        assert!(
            failures
                .admit(&account(), address(2), now + secs(11))
                .is_err()
        );
        assert!(
            failures
                .admit(&account(), address(2), now + secs(12))
                .is_ok()
        );
        assert!(
            failures
                .admit(&account(), address(2), now + secs(12))
                .is_err()
        );
        let later = now + secs(12 + 60);
        five_failures(&failures, address(2), later);
    }

    #[test]
    fn a_success_is_no_failure_and_forgets_the_addresss_failures_on_the_account() {
        let (failures, now) = (five_a_minute(), Instant::now());
        for _ in 0..4 {
            fail(&failures, address(1), now);
        }
        let last = failures.admit(&account(), address(1), now).unwrap();
        failures.succeeded(&account(), address(1), last);
        let pending = failures.admit(&account(), address(1), now);
        assert!(
            pending.is_ok(),
            "four failures are left on the account, and none on the address"
        );
        assert!(
            failures.admit(&account(), address(1), now).is_err(),
            "the attempt let through counts as the account's fifth failure until it succeeds"
        );
    }

    #[test]
    fn what_no_longer_counts_is_forgotten() {
        let (failures, now) = (five_a_minute(), Instant::now());
        five_failures(&failures, address(2), now);
        failures.forget_old(now + secs(59));
        assert_eq!(failures.lock().pairs.len(), 1);
        failures.forget_old(now + secs(60));
        assert!(failures.lock().accounts.is_empty() && failures.lock().pairs.is_empty());
    }
}
