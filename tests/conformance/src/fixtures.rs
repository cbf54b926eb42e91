//! Fixed values both backends agree on (the TS twins are in `ts/src/fixtures.ts`): what `emit`
//! pushes, so a client in either language can check notifications from a host in either.

use std::collections::BTreeMap;

use crate::generated::{Color, Expr, Nested, Point, Scalars, Shape, Tree};

/// The first `shape` notification of `emit` (its `note` is the call's label).
pub fn emitted_shape() -> Shape {
    Shape::Circle {
        center: Point {
            x: -0.0,
            y: f64::NAN,
        },
        radius: f64::INFINITY,
    }
}

/// The `sample` notification of `emit`: one value of every kind, with edge values.
pub fn emitted_sample() -> Nested {
    Nested {
        shapes: Some(vec![
            Some(Shape::Polygon {
                points: vec![Point { x: 1.5, y: -2.0 }],
            }),
            None,
            Some(Shape::Empty),
        ]),
        blobs: BTreeMap::from([
            (String::new(), vec![]),
            ("bin".to_string(), vec![0, 255, 128]),
        ]),
        by_code: BTreeMap::from([(
            -1,
            vec![Shape::Rect {
                top_left: Point { x: 0.0, y: 0.0 },
                w: 1e300,
                h: 5e-324,
            }],
        )]),
        by_id: BTreeMap::from([(u64::MAX, Some("max".to_string())), (0, None)]),
        by_tiny: BTreeMap::from([(-128, true), (127, false)]),
        by_wide: BTreeMap::from([(
            u64::MAX,
            BTreeMap::from([(65535, vec!["a".to_string(), "😀".to_string()])]),
        )]),
        grid: vec![vec![], vec![f64::NEG_INFINITY, -0.0]],
        tree: Tree {
            label: "root".into(),
            value: Some(i64::MIN),
            children: vec![Tree {
                label: "leaf".into(),
                value: None,
                children: vec![],
            }],
        },
        expr: Expr::Negate {
            inner: Box::new(Expr::Sum {
                terms: vec![
                    Expr::Literal { value: 1.0 },
                    Expr::Variable { name: "x".into() },
                    Expr::Nothing,
                ],
            }),
        },
        colors: vec![Color::Blue, Color::Red],
        maybe_scalars: Some(Scalars {
            flag: true,
            flag2: false,
            tiny: -128,
            small: 32767,
            medium: i32::MIN,
            large: i64::MAX,
            utiny: 255,
            usmall: 0,
            umedium: u32::MAX,
            ularge: u64::MAX,
            single: 0.1,
            double: -0.0,
            num: f64::NAN,
            text: "𝄞\u{0}".into(),
            data: vec![1, 2, 3],
        }),
    }
}
