//! How long a counted Graph request takes (while it holds its mailbox's concurrency slot): none,
//! a fixed delay, or a log-normal profile given by its median and 99th percentile, drawn from
//! a seeded generator so that a benchmark run is reproducible.
//!
//! Invariants: a profile's draws have the median and p99 it was made with (a log-normal
//! `exp(mu + sigma z)` with `mu = ln median` and `sigma = ln(p99 / median) / 2.326`); the same
//! seed and the same sequence of draws give the same latencies; no draw is negative.

use std::time::Duration;

/// The standard normal's 99th percentile.
const Z_99: f64 = 2.326_347_874;

/// A latency profile for benchmarks: log-normal with this median and 99th percentile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyProfile {
    /// Half the requests take less.
    pub median: Duration,
    /// 99 % of the requests take less (at least the median).
    pub p99: Duration,
    /// Seed of the generator.
    pub seed: u64,
}

impl LatencyProfile {
    /// The profile the issue names for benchmarks: median 120 ms, p99 600 ms.
    pub fn typical(seed: u64) -> Self {
        LatencyProfile {
            median: Duration::from_millis(120),
            p99: Duration::from_millis(600),
            seed,
        }
    }

    /// The mean of the distribution: `median * exp(sigma^2 / 2)`, above the median.
    pub fn mean(&self) -> Duration {
        let sigma = self.sigma();
        self.median.mul_f64((sigma * sigma / 2.0).exp())
    }

    fn sigma(&self) -> f64 {
        let median = self.median.as_secs_f64().max(1e-9);
        let p99 = self.p99.as_secs_f64().max(median);
        (p99 / median).ln() / Z_99
    }
}

/// What every counted request waits.
#[derive(Debug, Clone)]
pub(crate) enum Latency {
    /// The same delay every time (zero: none).
    Fixed(Duration),
    /// Drawn from a profile.
    Profile {
        profile: LatencyProfile,
        rng: SplitMix,
    },
}

impl Default for Latency {
    fn default() -> Self {
        Latency::Fixed(Duration::ZERO)
    }
}

impl Latency {
    /// A profile, its generator started from its seed.
    pub(crate) fn profile(profile: LatencyProfile) -> Self {
        Latency::Profile {
            profile,
            rng: SplitMix(profile.seed),
        }
    }

    /// The next request's latency.
    pub(crate) fn draw(&mut self) -> Duration {
        match self {
            Latency::Fixed(latency) => *latency,
            Latency::Profile { profile, rng } => {
                let z = rng.standard_normal();
                let factor = (profile.sigma() * z).exp();
                profile.median.mul_f64(factor.clamp(0.0, 1e6))
            }
        }
    }
}

/// SplitMix64: small and seedable.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box-Muller).
    fn standard_normal(&mut self) -> f64 {
        let (u1, u2) = (self.unit(), self.unit());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quantile(sorted: &[Duration], q: f64) -> Duration {
        sorted[((sorted.len() as f64) * q) as usize]
    }

    #[test]
    fn a_profile_has_its_median_and_p99_and_repeats_with_its_seed() {
        let profile = LatencyProfile::typical(7);
        let mut latency = Latency::profile(profile);
        let mut draws: Vec<Duration> = (0..200_000).map(|_| latency.draw()).collect();
        let mut again = Latency::profile(profile);
        assert_eq!(
            draws[..100],
            (0..100).map(|_| again.draw()).collect::<Vec<_>>()[..]
        );
        draws.sort();
        let median = quantile(&draws, 0.5).as_secs_f64();
        let p99 = quantile(&draws, 0.99).as_secs_f64();
        assert!((median - 0.120).abs() < 0.003, "median {median}");
        assert!((p99 - 0.600).abs() < 0.03, "p99 {p99}");
        let mean = draws.iter().map(Duration::as_secs_f64).sum::<f64>() / draws.len() as f64;
        let expected = profile.mean().as_secs_f64();
        assert!((mean - expected).abs() < 0.004, "mean {mean} vs {expected}");
        assert!(expected > 0.150 && expected < 0.155, "{expected}");
    }

    #[test]
    fn a_fixed_latency_is_always_the_same() {
        let mut latency = Latency::Fixed(Duration::from_millis(5));
        assert_eq!(latency.draw(), Duration::from_millis(5));
        assert_eq!(Latency::default().draw(), Duration::ZERO);
    }
}
