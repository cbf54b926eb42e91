//! Seeded generators of values of every type of `conformance.ipc`, with the edge values of each
//! type first (`edges_*`), so every run covers them whatever the seed.

use std::collections::BTreeMap;

use crate::generated::{Color, Expr, Nested, Optionals, Point, Scalars, Shape, Tree};
use crate::prng::Prng;

/// One MiB: the size of the large `bytes` values the property tests send a few times.
pub const MIB: usize = 1 << 20;

pub fn edges_i64() -> Vec<i64> {
    vec![
        0,
        1,
        -1,
        i64::MIN,
        i64::MAX,
        i64::MIN + 1,
        i64::MAX - 1,
        1 << 53,
        (1 << 53) + 1,
        -(1 << 53) - 1,
    ]
}
pub fn edges_u64() -> Vec<u64> {
    vec![
        0,
        1,
        u64::MAX,
        u64::MAX - 1,
        i64::MAX as u64,
        (i64::MAX as u64) + 1,
        1 << 53,
        (1 << 53) + 1,
    ]
}
pub fn edges_f64() -> Vec<f64> {
    vec![
        0.0,
        -0.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        0.1,
        1e300,
        -1.5,
        9007199254740993.0,
        1.0 / 3.0,
    ]
}
pub fn edges_f32() -> Vec<f32> {
    vec![
        0.0,
        -0.0,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
        f32::MIN,
        f32::MIN_POSITIVE,
        1e-45,
        0.1,
        16777217.0,
    ]
}
/// Empty, escapes, controls, non-BMP (astral) characters, the last scalar value.
pub fn edges_string() -> Vec<String> {
    [
        "",
        "a",
        "héllo wörld",
        "😀",
        "𝄞 clef",
        "\u{10FFFF}",
        "\u{0}",
        "\"\\/\u{8}\u{c}\n\r\t",
        "\u{2028}\u{2029}",
        "\u{FEFF}bom",
        "\u{7f}\u{80}\u{ffff}",
        "日本語テキスト",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}
pub fn edges_bytes() -> Vec<Vec<u8>> {
    vec![
        vec![],
        vec![0],
        vec![255],
        vec![0xfb, 0xff],
        vec![1, 2, 3],
        (0..=255).collect(),
    ]
}

/// A canonical NaN for any random bit pattern that is one (the wire carries no NaN payload).
fn canonical_f64(value: f64) -> f64 {
    if value.is_nan() {
        f64::NAN
    } else {
        value
    }
}

pub fn bool_value(rng: &mut Prng) -> bool {
    rng.one_in(2)
}

pub fn i64_value(rng: &mut Prng) -> i64 {
    match rng.below(4) {
        0 => *rng.pick(&edges_i64()),
        1 => (rng.next_u64() % 2001) as i64 - 1000,
        _ => rng.next_u64() as i64,
    }
}
pub fn u64_value(rng: &mut Prng) -> u64 {
    match rng.below(4) {
        0 => *rng.pick(&edges_u64()),
        1 => rng.below(1000),
        _ => rng.next_u64(),
    }
}
/// A small integer type from random bits, with its extremes often.
macro_rules! small_int {
    ($name:ident, $t:ty) => {
        pub fn $name(rng: &mut Prng) -> $t {
            match rng.below(4) {
                0 => *rng.pick(&[<$t>::MIN, <$t>::MAX, 0 as $t, 1 as $t]),
                _ => rng.next_u64() as $t,
            }
        }
    };
}
small_int!(i8_value, i8);
small_int!(i16_value, i16);
small_int!(i32_value, i32);
small_int!(u8_value, u8);
small_int!(u16_value, u16);
small_int!(u32_value, u32);

pub fn f64_value(rng: &mut Prng) -> f64 {
    match rng.below(4) {
        0 => *rng.pick(&edges_f64()),
        1 => (rng.below(2_000_001) as f64 - 1_000_000.0) / 1000.0,
        _ => canonical_f64(f64::from_bits(rng.next_u64())),
    }
}
pub fn f32_value(rng: &mut Prng) -> f32 {
    match rng.below(4) {
        0 => *rng.pick(&edges_f32()),
        1 => (rng.below(20001) as f32 - 10000.0) / 8.0,
        _ => {
            let value = f32::from_bits(rng.next_u64() as u32);
            if value.is_nan() {
                f32::NAN
            } else {
                value
            }
        }
    }
}

/// A character from a mix of ranges: ASCII (escapes included), Latin, CJK, astral.
fn char_value(rng: &mut Prng) -> char {
    let code = match rng.below(6) {
        0 => rng.below(0x20) as u32,
        1 | 2 => 0x20 + rng.below(0x5f) as u32,
        3 => 0x80 + rng.below(0x780) as u32,
        4 => 0x3000 + rng.below(0x6000) as u32,
        _ => 0x1_0000 + rng.below(0x10_0000) as u32,
    };
    char::from_u32(code).unwrap_or('\u{fffd}')
}
pub fn string_value(rng: &mut Prng) -> String {
    if rng.one_in(5) {
        return rng.pick(&edges_string()).clone();
    }
    let len = rng.below(24);
    (0..len).map(|_| char_value(rng)).collect()
}
pub fn bytes_value(rng: &mut Prng) -> Vec<u8> {
    if rng.one_in(5) {
        return rng.pick(&edges_bytes()).clone();
    }
    let len = rng.below(48) as usize;
    (0..len).map(|_| rng.next_u64() as u8).collect()
}
/// One MiB of patterned bytes (every byte value, not a run of zeros).
pub fn mib_bytes(seed: u8) -> Vec<u8> {
    (0..MIB)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}
pub fn color_value(rng: &mut Prng) -> Color {
    *rng.pick(&[Color::Red, Color::Green, Color::Blue])
}
fn maybe<T>(rng: &mut Prng, make: impl FnOnce(&mut Prng) -> T) -> Option<T> {
    if rng.one_in(3) {
        None
    } else {
        Some(make(rng))
    }
}
fn list<T>(rng: &mut Prng, max: u64, mut make: impl FnMut(&mut Prng) -> T) -> Vec<T> {
    let len = rng.below(max + 1);
    (0..len).map(|_| make(rng)).collect()
}

pub fn maybe_string_value(rng: &mut Prng) -> Option<String> {
    maybe(rng, string_value)
}
pub fn string_map_value(rng: &mut Prng) -> BTreeMap<String, i64> {
    (0..rng.below(5))
        .map(|_| (string_value(rng), i64_value(rng)))
        .collect()
}
pub fn int_map_value(rng: &mut Prng) -> BTreeMap<u32, String> {
    (0..rng.below(5))
        .map(|_| (u32_value(rng), string_value(rng)))
        .collect()
}

pub fn scalars_value(rng: &mut Prng) -> Scalars {
    Scalars {
        flag: bool_value(rng),
        flag2: bool_value(rng),
        tiny: i8_value(rng),
        small: i16_value(rng),
        medium: i32_value(rng),
        large: i64_value(rng),
        utiny: u8_value(rng),
        usmall: u16_value(rng),
        umedium: u32_value(rng),
        ularge: u64_value(rng),
        single: f32_value(rng),
        double: f64_value(rng),
        num: f64_value(rng),
        text: string_value(rng),
        data: bytes_value(rng),
    }
}
pub fn point_value(rng: &mut Prng) -> Point {
    Point {
        x: f64_value(rng),
        y: f64_value(rng),
    }
}
/// Variant `variant % 4` (so consecutive indexes cover every variant), else random.
pub fn shape_variant(rng: &mut Prng, variant: u64) -> Shape {
    match variant % 4 {
        0 => Shape::Circle {
            center: point_value(rng),
            radius: f64_value(rng),
        },
        1 => Shape::Rect {
            top_left: point_value(rng),
            w: f64_value(rng),
            h: f64_value(rng),
        },
        2 => Shape::Polygon {
            points: list(rng, 4, point_value),
        },
        _ => Shape::Empty,
    }
}
pub fn shape_value(rng: &mut Prng) -> Shape {
    let variant = rng.below(4);
    shape_variant(rng, variant)
}
pub fn tree_value(rng: &mut Prng, depth: u32) -> Tree {
    let children = if depth == 0 {
        Vec::new()
    } else {
        list(rng, 3, |rng| tree_value(rng, depth - 1))
    };
    Tree {
        label: string_value(rng),
        value: maybe(rng, i64_value),
        children,
    }
}
pub fn expr_variant(rng: &mut Prng, variant: u64, depth: u32) -> Expr {
    let variant = if depth == 0 {
        variant % 2 * 4
    } else {
        variant % 5
    };
    match variant {
        0 => Expr::Literal {
            value: f64_value(rng),
        },
        1 => Expr::Variable {
            name: string_value(rng),
        },
        2 => Expr::Negate {
            inner: Box::new(expr_value(rng, depth - 1)),
        },
        3 => Expr::Sum {
            terms: list(rng, 3, |rng| expr_value(rng, depth - 1)),
        },
        _ => Expr::Nothing,
    }
}
pub fn expr_value(rng: &mut Prng, depth: u32) -> Expr {
    let variant = rng.below(5);
    expr_variant(rng, variant, depth)
}
/// `index` 0 has every optional absent, 1 every one present; others are random.
pub fn optionals_value(rng: &mut Prng, index: u64) -> Optionals {
    let present = |rng: &mut Prng| match index {
        0 => false,
        1 => true,
        _ => !rng.one_in(3),
    };
    Optionals {
        text: present(rng).then(|| string_value(rng)),
        nullable: present(rng).then(|| i64_value(rng)),
        color: present(rng).then(|| color_value(rng)),
        shapes: present(rng).then(|| list(rng, 3, shape_value)),
        list_of_maybes: list(rng, 4, |rng| maybe(rng, u64_value)),
        blobs: present(rng).then(|| {
            (0..rng.below(3))
                .map(|_| (string_value(rng), bytes_value(rng)))
                .collect()
        }),
        point: present(rng).then(|| point_value(rng)),
    }
}
pub fn nested_value(rng: &mut Prng, index: u64) -> Nested {
    Nested {
        shapes: if index == 0 {
            None
        } else {
            maybe(rng, |rng| list(rng, 4, |rng| maybe(rng, shape_value)))
        },
        blobs: (0..rng.below(3))
            .map(|_| (string_value(rng), bytes_value(rng)))
            .collect(),
        by_code: (0..rng.below(3))
            .map(|_| (i32_value(rng), list(rng, 2, shape_value)))
            .collect(),
        by_id: (0..rng.below(3))
            .map(|_| (u64_value(rng), maybe_string_value(rng)))
            .collect(),
        by_tiny: (0..rng.below(3))
            .map(|_| (i8_value(rng), bool_value(rng)))
            .collect(),
        by_wide: (0..rng.below(3))
            .map(|_| {
                let inner = (0..rng.below(3))
                    .map(|_| (u16_value(rng), list(rng, 2, string_value)))
                    .collect();
                (u64_value(rng), inner)
            })
            .collect(),
        grid: list(rng, 3, |rng| list(rng, 3, f64_value)),
        tree: tree_value(rng, 2),
        expr: expr_value(rng, 3),
        colors: list(rng, 3, color_value),
        maybe_scalars: if index == 1 {
            Some(scalars_value(rng))
        } else {
            maybe(rng, scalars_value)
        },
    }
}
