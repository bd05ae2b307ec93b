//! A mergeable sketch of durations for time-on-step quantiles: a fixed log-bucket histogram. Bucket
//! `i ≥ 1` holds values in `[γ^(i-1), γ^i)` milliseconds (bucket 0 holds 0), so histograms from any
//! number of rollup rows merge by adding counts per bucket, and a quantile read from the merged
//! histogram is within [`MAX_RELATIVE_ERROR`] of the exact (nearest-rank) quantile.

use std::collections::BTreeMap;

/// Growth factor between bucket bounds.
pub const GAMMA: f64 = 1.05;
/// Worst relative error of a quantile: a bucket's representative value `2·lo·hi/(lo+hi)` is at most
/// `(γ−1)/(γ+1)` away from anything in `[lo, hi)`.
pub const MAX_RELATIVE_ERROR: f64 = (GAMMA - 1.0) / (GAMMA + 1.0);
/// Durations are capped at a day: longer is an abandoned tab, not time on a step.
pub const MAX_DURATION_MS: u32 = 86_400_000;

/// The bucket of a duration in milliseconds.
pub fn bucket_of(ms: u32) -> u16 {
    let ms = ms.min(MAX_DURATION_MS);
    if ms == 0 {
        return 0;
    }
    let i = (f64::from(ms).ln() / GAMMA.ln()).floor() as u16 + 1;
    // Guard the float against landing one bucket off at an exact bound.
    if f64::from(ms) < lower(i) {
        i - 1
    } else if f64::from(ms) >= lower(i + 1) {
        i + 1
    } else {
        i
    }
}

fn lower(i: u16) -> f64 {
    GAMMA.powi(i32::from(i) - 1)
}

/// The value a bucket stands for: the point of least relative error within its bounds.
pub fn bucket_value(i: u16) -> f64 {
    if i == 0 {
        return 0.0;
    }
    let (lo, hi) = (lower(i), lower(i + 1));
    2.0 * lo * hi / (lo + hi)
}

/// Counts per bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DurationSketch {
    counts: BTreeMap<u16, u64>,
}

impl DurationSketch {
    pub fn add(&mut self, ms: u32) {
        self.add_bucket(bucket_of(ms), 1);
    }

    pub fn add_bucket(&mut self, bucket: u16, n: u64) {
        if n > 0 {
            *self.counts.entry(bucket).or_default() += n;
        }
    }

    pub fn merge(&mut self, other: &DurationSketch) {
        for (&b, &n) in &other.counts {
            self.add_bucket(b, n);
        }
    }

    pub fn count(&self) -> u64 {
        self.counts.values().sum()
    }

    /// (bucket, count) pairs, in bucket order.
    pub fn buckets(&self) -> impl Iterator<Item = (u16, u64)> + '_ {
        self.counts.iter().map(|(&b, &n)| (b, n))
    }

    /// The `q`-quantile (0 < q ≤ 1) by nearest rank, or `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (&b, &c) in &self.counts {
            seen += c;
            if seen >= rank {
                return Some(bucket_value(b));
            }
        }
        self.counts.keys().next_back().map(|&b| bucket_value(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: deterministic test data without a dependency.
    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed;
        move || {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    fn exact(sorted: &[u32], q: f64) -> f64 {
        let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
        f64::from(sorted[rank - 1])
    }

    #[test]
    fn every_value_lies_in_its_bucket() {
        for ms in (0..5000).chain([86_399_999, 86_400_000]) {
            let b = bucket_of(ms);
            if ms > 0 {
                assert!(
                    lower(b) <= f64::from(ms) && f64::from(ms) < lower(b + 1),
                    "{ms}"
                );
            }
        }
    }

    #[test]
    fn quantiles_stay_within_the_error_bound() {
        let mut next = rng(42);
        for shape in 0..4 {
            let values: Vec<u32> = (0..20_000)
                .map(|_| {
                    let r = next();
                    match shape {
                        0 => (r % 60_000) as u32 + 1,
                        1 => 1u32 << (r % 26),
                        2 => (r % 50) as u32 + 1,
                        _ => ((r % 1000) * (r % 1000) / 10) as u32 + 1,
                    }
                })
                .collect();
            // Split across several sketches and merge, as rollup rows are.
            let mut merged = DurationSketch::default();
            for chunk in values.chunks(3000) {
                let mut part = DurationSketch::default();
                chunk.iter().for_each(|&v| part.add(v));
                merged.merge(&part);
            }
            let mut sorted = values.clone();
            sorted.sort_unstable();
            for q in [0.01, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0] {
                let want = exact(&sorted, q);
                let got = merged.quantile(q).expect("not empty");
                let err = (got - want).abs() / want;
                assert!(
                    err <= MAX_RELATIVE_ERROR + 1e-12,
                    "shape {shape} q {q}: {got} vs {want} ({err})"
                );
            }
            assert_eq!(merged.count(), values.len() as u64);
        }
        const { assert!(MAX_RELATIVE_ERROR < 0.025) };
    }

    #[test]
    fn empty_and_zero() {
        assert_eq!(DurationSketch::default().quantile(0.5), None);
        let mut s = DurationSketch::default();
        s.add(0);
        assert_eq!(s.quantile(0.5), Some(0.0));
        s.add(u32::MAX);
        assert_eq!(s.buckets().count(), 2);
    }
}
