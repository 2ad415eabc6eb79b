//! Numbers in data rows: a fast, exact path for plain decimals, the standard parser for
//! the rest. Either way the number keeps its exact decimal value (see [`Num`]).

use crate::num::Num;

/// A data value as read: its binary value and its exact decimal in compact form
/// ([`Num::parts`]), without building a `Num` on the path every row takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reading {
    pub(crate) value: f64,
    pub(crate) parts: Option<(i64, u32)>,
}

impl Reading {
    pub(crate) fn num(self) -> Num {
        Num::from_parts(self.value, self.parts)
    }

    /// The reading times `10^exponent`, its decimal kept exact where it fits (at most 28
    /// places), and its binary value the one nearest that decimal: `0.57` scaled by 100 is
    /// `57`, not `56.99999999999999`.
    pub(crate) fn scaled(self, exponent: i32) -> Self {
        let parts = self.parts.and_then(|(mantissa, scale)| {
            let scale = i64::from(scale) - i64::from(exponent);
            if scale >= 0 {
                Some((mantissa, u32::try_from(scale).ok().filter(|&s| s <= 28)?))
            } else {
                let factor = 10i64.checked_pow(u32::try_from(-scale).ok()?)?;
                Some((mantissa.checked_mul(factor)?, 0))
            }
        });
        let value = match parts.and_then(|(m, s)| exact_f64(m, s)) {
            Some(v) => v,
            None if exponent < 0 => self.value / 10f64.powi(-exponent),
            None => self.value * 10f64.powi(exponent),
        };
        Self { value, parts }
    }
}

impl From<Num> for Reading {
    fn from(n: Num) -> Self {
        Self {
            value: n.value(),
            parts: n.parts(),
        }
    }
}

/// `mantissa / 10^scale` correctly rounded, when both are exact in an `f64` (below 2^53
/// and 10^22): one IEEE division (Clinger's fast path).
pub(super) fn exact_f64(mantissa: i64, scale: u32) -> Option<f64> {
    let power = crate::num::POW10.get(usize::try_from(scale).ok()?)?;
    #[allow(clippy::cast_precision_loss, reason = "below 2^53: exact")]
    (mantissa.unsigned_abs() < 1 << 53).then(|| mantissa as f64 / power)
}

/// A finite number, or `None`.
pub(crate) fn read_number(b: &[u8]) -> Option<Reading> {
    let b = b.trim_ascii();
    match simple_parts(b) {
        Some((mantissa, scale, value)) => Some(Reading {
            value,
            parts: Some((mantissa, scale)),
        }),
        None => Num::parse(std::str::from_utf8(b).ok()?)
            .filter(|n| n.value().is_finite())
            .map(Reading::from),
    }
}

/// A finite number, or `None`.
#[cfg(test)]
fn parse_number(b: &[u8]) -> Option<Num> {
    read_number(b).map(Reading::num)
}

/// A number as a spreadsheet may write it, as the number reader reads it, by the file's
/// delimiter: in a `,` file, thousands grouped with commas (`"1,234,567.5"`, which must be
/// quoted there); in a `;` file, a decimal comma (`97,5`) and thousands grouped with points
/// (`1.234.567,5`). A tab-separated file says nothing about its decimal mark, so nothing
/// is guessed there, and a first group of `0` is no thousands group (`0,125`). Anything
/// else is left as written, to be judged as written.
pub(crate) fn number_text<'a>(b: &'a [u8], delimiter: u8, buf: &'a mut Vec<u8>) -> &'a [u8] {
    let decimal_comma = match delimiter {
        b',' => false,
        b';' => true,
        _ => return b,
    };
    let (group, decimal) = if decimal_comma {
        (b'.', b',')
    } else {
        (b',', b'.')
    };
    if !b.contains(&b',') {
        return b;
    }
    let body = b
        .strip_prefix(b"-")
        .or_else(|| b.strip_prefix(b"+"))
        .unwrap_or(b);
    let (int, frac) = match body.iter().position(|&c| c == decimal) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    let groups: Vec<&[u8]> = int.split(|&c| c == group).collect();
    let grouped = groups.len() == 1 && digits(groups[0])
        || digits(groups[0])
            && groups[0].len() <= 3
            && groups[0][0] != b'0'
            && groups[1..].iter().all(|g| g.len() == 3 && digits(g));
    if !grouped || !frac.is_none_or(digits) || (!decimal_comma && groups.len() == 1) {
        return b;
    }
    buf.clear();
    buf.extend(
        b.iter()
            .filter(|&&c| c != group)
            .map(|&c| if c == decimal { b'.' } else { c }),
    );
    buf
}

/// The value of a plain decimal, or `None` (see [`simple_parts`]).
#[cfg(test)]
fn simple_decimal(b: &[u8]) -> Option<f64> {
    simple_parts(b).map(|(_, _, v)| v)
}

/// A plain decimal such as `-88.25` with at most 15 digits as (signed mantissa, decimal
/// places, value), or `None` for anything else (which the standard parser then reads).
/// The value is exact: the digits make an integer below 2^53 and the divisor a power of
/// ten below 2^53, both represented exactly, and one IEEE division rounds correctly
/// (Clinger's fast path). Most data values look like this, and it is several times faster
/// than the general parser.
fn simple_parts(b: &[u8]) -> Option<(i64, u32, f64)> {
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, b),
    };
    let (mut mantissa, mut count, mut frac) = (0u64, 0usize, None::<usize>);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                count += 1;
                if count > 15 {
                    return None;
                }
            }
            b'.' if frac.is_none() => frac = Some(count),
            _ => return None,
        }
    }
    let frac_digits = frac.map_or(0, |at| count - at);
    if count == 0 || (frac.is_some() && (frac == Some(count) || frac == Some(0))) {
        return None; // "", "-", "5.", ".5": leave the edge cases to the standard parser
    }
    let signed = i64::try_from(mantissa).ok()?;
    let scale = u32::try_from(frac_digits).ok()?;
    let v = exact_f64(signed, scale)?;
    Some(if negative {
        (-signed, scale, -v)
    } else {
        (signed, scale, v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `scale` keeps the decimal exact and the binary value nearest it, and never builds a
    /// decimal of more than 28 places (which would panic).
    #[test]
    fn scaling_is_exact_and_bounded() {
        let r = read_number(b"0.57").unwrap().scaled(2);
        assert_eq!(r.value, 57.0);
        assert_eq!(r.num().to_string(), "57");
        let r = read_number(b"95").unwrap().scaled(-3);
        assert_eq!(r.value, 0.095);
        let tiny = read_number(b"1e-28").unwrap().scaled(-3);
        assert!(tiny.parts.is_none());
        let _ = tiny.num();
        let big = read_number(b"9223372036854775807").unwrap().scaled(6);
        assert!(big.parts.is_none());
        assert!((big.value - 9.223_372_036_854_776e24).abs() < 1e12);
    }

    #[test]
    fn separators_are_read_where_unambiguous() {
        let read = |s: &str, semicolon: bool| {
            let mut buf = Vec::new();
            let delimiter = if semicolon { b';' } else { b',' };
            String::from_utf8(number_text(s.as_bytes(), delimiter, &mut buf).to_vec()).unwrap()
        };
        assert_eq!(read("1,234,567.5", false), "1234567.5");
        assert_eq!(read("-1,234", false), "-1234");
        assert_eq!(
            read("12,5", false),
            "12,5",
            "a decimal comma in a comma file is not guessed"
        );
        assert_eq!(read("1,2345", false), "1,2345");
        assert_eq!(read("97,5", true), "97.5");
        assert_eq!(read("1.234.567,25", true), "1234567.25");
        assert_eq!(read("-0,5", true), "-0.5");
        assert_eq!(read("1.234", true), "1.234", "no comma: read as written");
        assert_eq!(read("12.34,5", true), "12.34,5");
        assert_eq!(
            read("0,125", false),
            "0,125",
            "a leading 0 is no thousands group"
        );
        assert_eq!(read("0.125,5", true), "0.125,5");
        let mut buf = Vec::new();
        assert_eq!(
            number_text(b"1,250", b'\t', &mut buf),
            b"1,250",
            "a tab file guesses nothing"
        );
    }

    #[test]
    fn simple_decimals_match_the_standard_parser() {
        for text in [
            "0",
            "1",
            "-1",
            "+2",
            "80.7",
            "99.95",
            "-0.001",
            "123456789012345",
            "0.12345678901234",
            "12345678.9012345",
            "007.50",
            "3.0",
            "-0",
        ] {
            let expected: f64 = text.parse().unwrap();
            let got = simple_decimal(text.as_bytes()).unwrap();
            assert_eq!(got.to_bits(), expected.to_bits(), "{text}");
        }
        // Left to the standard parser, which gives the same answer or rejects them.
        for text in [
            "",
            "-",
            ".5",
            "5.",
            "1e3",
            "1.2.3",
            "1234567890123456",
            "nan",
            "1,5",
        ] {
            assert_eq!(simple_decimal(text.as_bytes()), None, "{text}");
        }
        let value = |b: &[u8]| parse_number(b).map(Num::value);
        assert_eq!(value(b" .5 "), Some(0.5));
        assert_eq!(value(b"1e3"), Some(1000.0));
        assert_eq!(
            value(b"1234567890123456789"),
            Some(1_234_567_890_123_456_789.0)
        );
        assert_eq!(value(b"inf"), None);
        assert_eq!(value(b"1,5"), None);
        // The exact value is kept on both paths.
        let exact = |b: &[u8]| parse_number(b).and_then(Num::exact).map(|d| d.to_string());
        assert_eq!(exact(b"-88.25").as_deref(), Some("-88.25"));
        assert_eq!(exact(b"0.1e1").as_deref(), Some("1"));
    }

    proptest::proptest! {
        /// The fast path either declines or agrees with the standard parser to the bit.
        #[test]
        fn simple_decimal_agrees_with_the_standard_parser(
            sign in "[-+]?", int in "[0-9]{0,12}", frac in proptest::option::of("[0-9]{0,8}")
        ) {
            let text = match &frac {
                Some(f) => format!("{sign}{int}.{f}"),
                None => format!("{sign}{int}"),
            };
            if let Some(fast) = simple_decimal(text.as_bytes()) {
                let std: f64 = text.parse().unwrap();
                proptest::prop_assert_eq!(fast.to_bits(), std.to_bits(), "{}", text);
            }
        }
    }
}
