//! Token-bucket rate limits, in memory, keyed by what the caller controls least (application key and
//! client IP, or login email and IP). Per instance: behind a load balancer each instance allows its
//! share, which is what a limit against floods needs.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::error::ApiError;
use crate::metrics::METRICS;

/// How many keys a limiter tracks before it forgets the ones that are full again.
const MAX_KEYS: usize = 100_000;

struct Bucket {
    tokens: f64,
    updated: Instant,
}

pub struct RateLimiter {
    name: &'static str,
    capacity: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// `capacity` requests at once, refilled at `per_second`.
    pub fn new(name: &'static str, capacity: u32, per_second: f64) -> Self {
        RateLimiter {
            name,
            capacity: f64::from(capacity),
            per_second,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`, or answers 429 with how long to wait.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), ApiError> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_KEYS {
            let (capacity, rate) = (self.capacity, self.per_second);
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * rate < capacity
            });
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        METRICS.rate_limited.with_label_values(&[self.name]).inc();
        let wait = ((1.0 - bucket.tokens) / self.per_second).ceil().max(1.0);
        Err(ApiError::RateLimited {
            retry_after_secs: wait as u64,
        })
    }
}

/// The server's limits.
pub struct Limits {
    /// Overlay reads and event batches, per application key and client IP.
    pub overlay: RateLimiter,
    /// Tickets, per application key and client IP.
    pub tickets: RateLimiter,
    /// Login attempts per email: slows password guessing on one account.
    pub login_email: RateLimiter,
    /// Login attempts per client IP: slows guessing across accounts.
    pub login_ip: RateLimiter,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // Generous: a whole office behind one NAT address shares the bucket.
            overlay: RateLimiter::new("overlay", 600, 20.0),
            tickets: RateLimiter::new("tickets", 20, 1.0 / 6.0),
            login_email: RateLimiter::new("login_email", 10, 1.0 / 6.0),
            login_ip: RateLimiter::new("login_ip", 30, 1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn bucket_empties_then_refills() {
        let l = RateLimiter::new("t", 2, 1.0);
        let t0 = Instant::now();
        assert!(l.check_at("k", t0).is_ok());
        assert!(l.check_at("k", t0).is_ok());
        match l.check_at("k", t0) {
            Err(ApiError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 1),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(l.check_at("other", t0).is_ok(), "keys are independent");
        assert!(l.check_at("k", t0 + Duration::from_millis(1100)).is_ok());
    }
}
