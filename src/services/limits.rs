//! Rate limits and sign-in lockout, kept in memory per node.
//!
//! Failed sign-ins are counted per email address whether or not an account exists, so the
//! answers never reveal which addresses have accounts. After `FREE_FAILURES` failures an address
//! is locked for a minute, and each further failure doubles the lock, up to an hour. A success
//! clears the count.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before the first lock.
pub const FREE_FAILURES: u32 = 5;
const FIRST_LOCK: Duration = Duration::from_secs(60);
const LONGEST_LOCK: Duration = Duration::from_secs(3600);
/// Failures older than this are forgotten.
const MEMORY: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// Counts events per key in fixed windows, and failures per key with growing locks.
#[derive(Debug, Default)]
pub struct Limiter {
    failures: Mutex<HashMap<String, Failures>>,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    /// Seconds until `key` may try again, if it is locked now.
    pub fn locked_for(&self, key: &str, at: Instant) -> Option<u64> {
        let map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let until = map.get(key)?.locked_until?;
        (until > at).then(|| until.duration_since(at).as_secs().max(1))
    }

    /// Records a failure; returns the lock it causes, in seconds, if any.
    pub fn record_failure(&self, key: &str, at: Instant) -> Option<u64> {
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, f| at.duration_since(f.last) < MEMORY);
        let entry = map.entry(key.to_owned()).or_insert(Failures {
            count: 0,
            last: at,
            locked_until: None,
        });
        entry.count += 1;
        entry.last = at;
        if entry.count < FREE_FAILURES {
            return None;
        }
        let doublings = (entry.count - FREE_FAILURES).min(6);
        let lock = (FIRST_LOCK * 2u32.pow(doublings)).min(LONGEST_LOCK);
        entry.locked_until = Some(at + lock);
        Some(lock.as_secs())
    }

    /// Forgets the failures of `key` (after a successful sign-in).
    pub fn clear(&self, key: &str) {
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.remove(key);
    }

    /// Counts one event for `key`; `Err(seconds)` when more than `max` happened in `window`.
    pub fn hit(&self, key: &str, max: u32, window: Duration, at: Instant) -> Result<(), u64> {
        let mut map = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| at.duration_since(*start) < window);
        }
        let entry = map.entry(key.to_owned()).or_insert((at, 0));
        if at.duration_since(entry.0) >= window {
            *entry = (at, 0);
        }
        entry.1 += 1;
        if entry.1 > max {
            let left = window.saturating_sub(at.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_grow_after_repeated_failures_and_release() {
        let limiter = Limiter::default();
        let t0 = Instant::now();
        for _ in 1..FREE_FAILURES {
            assert_eq!(limiter.record_failure("a@vidu.vn", t0), None);
        }
        assert_eq!(limiter.record_failure("a@vidu.vn", t0), Some(60));
        assert!(limiter.locked_for("a@vidu.vn", t0).is_some());
        assert_eq!(
            limiter.locked_for("a@vidu.vn", t0 + Duration::from_secs(61)),
            None,
            "released"
        );
        assert_eq!(
            limiter.record_failure("a@vidu.vn", t0 + Duration::from_secs(61)),
            Some(120)
        );
        assert_eq!(
            limiter.locked_for("b@vidu.vn", t0),
            None,
            "other addresses are not affected"
        );
        limiter.clear("a@vidu.vn");
        assert_eq!(
            limiter.locked_for("a@vidu.vn", t0 + Duration::from_secs(62)),
            None
        );
    }

    #[test]
    fn windows_count_and_reset() {
        let limiter = Limiter::default();
        let t0 = Instant::now();
        let window = Duration::from_secs(60);
        for _ in 0..3 {
            assert!(limiter.hit("ip", 3, window, t0).is_ok());
        }
        assert_eq!(
            limiter.hit("ip", 3, window, t0 + Duration::from_secs(20)),
            Err(40)
        );
        assert!(
            limiter.hit("ip", 3, window, t0 + window).is_ok(),
            "a new window starts"
        );
    }
}
