//! A small seeded generator (SplitMix64), the same algorithm as `ts/src/prng.ts`, so a failing
//! seed reproduces a run exactly.

/// The seed used when `CONFORMANCE_SEED` is not set.
pub const DEFAULT_SEED: u64 = 0x1ccc_2026;

/// The seed of this run: `CONFORMANCE_SEED` (decimal or `0x` hex) or [`DEFAULT_SEED`].
pub fn seed_from_env() -> u64 {
    match std::env::var("CONFORMANCE_SEED") {
        Ok(text) => {
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("CONFORMANCE_SEED={text:?} is not a u64"))
        }
        Err(_) => DEFAULT_SEED,
    }
}

/// SplitMix64: tiny, fast, and good enough to spread test values.
#[derive(Debug, Clone)]
pub struct Prng {
    state: u64,
}

impl Prng {
    pub fn new(seed: u64) -> Prng {
        Prng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`); the slight modulo bias does not matter here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True once in `n` times.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}
