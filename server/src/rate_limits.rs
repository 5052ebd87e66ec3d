//! Rate limits: log-in and sign-up attempts per client address, and commands per user, with
//! `governor`'s keyed limiters; failed log-ins per account and per account from one address
//! with [`LoginFailures`]. A refusal says how long to wait.

use crate::{
    config::{Limits, RateLimit},
    login_failures::{Admission, LoginFailures},
};
use app::{
    api::AppError,
    domain::{Email, UserId},
};
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};
use std::{
    hash::Hash,
    net::IpAddr,
    sync::Arc,
    time::{Duration, Instant},
};

/// How often keys that are full again are forgotten, so the maps stay small.
const FORGET_EVERY: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct RateLimits {
    login_by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    failed_log_ins: Arc<LoginFailures>,
    commands_by_user: Arc<DefaultKeyedRateLimiter<UserId>>,
}

impl RateLimits {
    /// The limiters, and a task that keeps their memory bounded.
    pub fn start(limits: Limits) -> Self {
        let this = Self {
            login_by_address: Arc::new(RateLimiter::keyed(quota(limits.login_per_address))),
            failed_log_ins: Arc::new(LoginFailures::new(limits.login_per_account)),
            commands_by_user: Arc::new(RateLimiter::keyed(quota(limits.commands_per_user))),
        };
        let limiters = this.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(FORGET_EVERY);
            loop {
                every.tick().await;
                limiters.login_by_address.retain_recent();
                limiters.failed_log_ins.forget_old(Instant::now());
                limiters.commands_by_user.retain_recent();
            }
        });
        this
    }

    /// One log-in or sign-up attempt from `address`.
    pub fn check_address(&self, address: IpAddr) -> Result<(), AppError> {
        check(&self.login_by_address, &address)
    }

    /// One log-in attempt on the account `email` from `address`, refused if too many
    /// failed lately (see [`LoginFailures`]); it counts as failed until [`Self::logged_in`].
    pub fn admit_log_in(&self, email: &Email, address: IpAddr) -> Result<Admission, AppError> {
        self.failed_log_ins
            .admit(email, address, Instant::now())
            .map_err(refusal)
    }

    /// The attempt that [`Self::admit_log_in`] let through had the right password.
    pub fn logged_in(&self, email: &Email, address: IpAddr, admission: Admission) {
        self.failed_log_ins.succeeded(email, address, admission);
    }

    /// One command by `user`.
    pub fn check_command(&self, user: UserId) -> Result<(), AppError> {
        check(&self.commands_by_user, &user)
    }
}

fn quota(limit: RateLimit) -> Quota {
    let every = limit.period / limit.count.get();
    Quota::with_period(every.max(Duration::from_nanos(1)))
        .expect("a positive period")
        .allow_burst(limit.count)
}

fn check<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), AppError> {
    limiter
        .check_key(key)
        .map_err(|not_until| refusal(not_until.wait_time_from(DefaultClock::default().now())))
}

fn refusal(wait: Duration) -> AppError {
    AppError::RateLimited {
        retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    fn limits(count: u32) -> Limits {
        let limit = RateLimit {
            count: NonZeroU32::new(count).unwrap(),
            period: Duration::from_secs(3_600),
        };
        Limits {
            login_per_address: limit,
            login_per_account: limit,
            commands_per_user: limit,
        }
    }

    #[tokio::test]
    async fn the_count_is_allowed_at_once_and_the_next_is_refused_with_a_wait() {
        let limits = RateLimits::start(limits(3));
        let user = UserId::new();
        for _ in 0..3 {
            assert_eq!(limits.check_command(user), Ok(()));
        }
        let Err(AppError::RateLimited { retry_after_secs }) = limits.check_command(user) else {
            panic!("the fourth command should be refused");
        };
        assert!(
            (1..=1_200).contains(&retry_after_secs),
            "{retry_after_secs}"
        );
    }

    #[tokio::test]
    async fn each_key_has_its_own_allowance() {
        let limits = RateLimits::start(limits(1));
        let (ada, bob) = (UserId::new(), UserId::new());
        assert_eq!(limits.check_command(ada), Ok(()));
        assert!(limits.check_command(ada).is_err());
        assert_eq!(limits.check_command(bob), Ok(()));
    }
}
