//! A fast non-cryptographic hasher for the front end's internal maps (names, ids, spans).
//!
//! std's default SipHash resists hash flooding, which costs measurable time on every name
//! lookup of a large schema; the keys here come from the compiler's own input, and no output
//! depends on map iteration order (std already randomises it per process), so a multiply-rotate
//! hash in the style of rustc's `FxHasher` is enough.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` keyed with [`FastHasher`].
pub(crate) type FastHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// The multiplier of rustc's `FxHasher` (from the golden ratio): spreads each word's bits.
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// One word of state, folded with rotate, xor and multiply per word of input.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher {
    hash: u64,
}

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_find_what_was_inserted() {
        let mut map: FastHashMap<&str, usize> = FastHashMap::default();
        let names = ["a", "Person", "people.Person", "abcdefgh", "abcdefghi", ""];
        for (index, name) in names.iter().enumerate() {
            map.insert(name, index);
        }
        for (index, name) in names.iter().enumerate() {
            assert_eq!(map.get(name), Some(&index));
        }
        assert_eq!(map.get("abcdefg"), None);
    }

    #[test]
    fn strings_differing_in_the_tail_hash_differently() {
        let hash = |s: &str| {
            let mut hasher = FastHasher::default();
            hasher.write(s.as_bytes());
            hasher.finish()
        };
        assert_ne!(hash("abcdefghX"), hash("abcdefghY"));
        assert_ne!(hash("ab"), hash("ba"));
    }
}
