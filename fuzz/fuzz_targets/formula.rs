//! Derived KPIs' formulas: any text parses into a formula whose names are where it says,
//! or into an error located inside the text; a parsed formula evaluates, for any values,
//! to a value or a reason it has none. The input also draws a graph of derived metrics,
//! which is ordered operands first, each circle named once. Never a panic, never a deep
//! stack.
#![no_main]

use kpilint::formula::{Node, order, parse};
use kpilint::num::Num;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    graph(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text) {
        Ok(expr) => {
            assert!(!expr.names().is_empty(), "{text:?}");
            for name in expr.names() {
                assert_eq!(text.get(name.at.clone()), Some(name.id.as_str()), "{text:?}");
            }
            let values: Vec<Num> = (0..expr.names().len())
                .map(|i| match i % 5 {
                    0 => Num::ZERO,
                    1 => Num::int(i64::try_from(i).unwrap_or(0)),
                    2 => Num::float(1e300),
                    3 => Num::float(-0.1),
                    _ => Num::parse("79228162514264337593543950335").unwrap_or(Num::ZERO),
                })
                .collect();
            if let Ok(v) = expr.eval(&values) {
                assert!(v.value().is_finite(), "{text:?}");
            }
        }
        Err(e) => assert!(e.at.start <= e.at.end && e.at.end <= text.len(), "{text:?}"),
    }
});

/// Reads bytes as derived metrics naming others, orders them, and checks that every step
/// comes after the derived metrics it names and that no member of a circle is a step.
fn graph(data: &[u8]) {
    let n = data.len().min(64);
    if n == 0 {
        return;
    }
    let nodes: Vec<Node> = data[..n]
        .iter()
        .zip(data.iter().skip(n).chain(std::iter::repeat(&0)))
        .map(|(&a, &b)| match a % 4 {
            0 => Node::Plain,
            1 => Node::Broken,
            _ => Node::Derived(vec![u32::from(a) % 64, u32::from(b) % 64]),
        })
        .collect();
    let o = order(&nodes);
    let mut done = vec![false; n];
    for &s in &o.steps {
        let Node::Derived(ops) = &nodes[s as usize] else {
            panic!("a step is derived");
        };
        for &op in ops {
            let op = op as usize;
            assert!(op >= n || nodes[op] == Node::Plain || done[op], "{nodes:?}");
        }
        done[s as usize] = true;
    }
    for circle in &o.cycles {
        assert!(circle.iter().all(|&m| !done[m as usize]), "{nodes:?}");
    }
}
