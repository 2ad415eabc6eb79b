//! Numbers as written: a threshold, an OKR value, a data value. Each keeps its exact
//! decimal value (when it has one: every number of up to 28 significant digits does) beside
//! its binary one, so that a verdict never hangs on binary rounding: a value computed as
//! `287 / 4100` percent *is* 7, at a warn threshold of 7, not past it; a value 0.2 from a
//! target is inside a band of 0.2. Arithmetic and comparisons use the exact values when both
//! sides have one, and fall back to `f64` otherwise (a number beyond `Decimal`'s range).

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::cmp::Ordering;
use std::fmt;

/// A number, exact where it can be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num {
    value: f64,
    exact: Option<Decimal>,
}

impl Num {
    /// Zero.
    pub const ZERO: Self = Self {
        value: 0.0,
        exact: Some(Decimal::ZERO),
    };

    /// A binary value with no exact decimal (NaN, infinities, computed values).
    #[must_use]
    pub fn float(value: f64) -> Self {
        Self { value, exact: None }
    }

    /// An integer.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn int(value: i64) -> Self {
        Self {
            value: value as f64,
            exact: Some(Decimal::from(value)),
        }
    }

    /// A number's text (`88.25`, `-3`, `1e3`): its binary value as the standard parser
    /// reads it, and its exact decimal value when it has one. `None` when it is no number.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let value: f64 = text.parse().ok()?;
        Some(Self {
            value,
            exact: exact_of(text),
        })
    }

    /// `mantissa / 10^scale`, whose binary value the caller computed (correctly rounded).
    #[must_use]
    pub fn decimal(mantissa: i64, scale: u32, value: f64) -> Self {
        Self {
            value,
            // `Decimal::new` is a few integer moves; it panics only past 28 places.
            exact: (scale <= 28).then(|| Decimal::new(mantissa, scale)),
        }
    }

    /// The exact value as (mantissa, decimal places) when it fits an `i64` once its
    /// trailing zeros are gone: every value that can equal a threshold of up to 18 digits
    /// does. A compact form for the windows of millions of series.
    #[must_use]
    pub fn parts(self) -> Option<(i64, u32)> {
        let e = self.exact?;
        // Normalising costs more than the rest of a row: only when the mantissa needs it.
        let e = if i64::try_from(e.mantissa()).is_ok() {
            e
        } else {
            e.normalize()
        };
        Some((i64::try_from(e.mantissa()).ok()?, e.scale()))
    }

    /// A number from its binary value and [`parts`](Self::parts).
    #[must_use]
    pub fn from_parts(value: f64, parts: Option<(i64, u32)>) -> Self {
        Self {
            value,
            // `Decimal::new` panics past 28 places: such parts have no exact value.
            exact: parts
                .filter(|&(_, s)| s <= 28)
                .map(|(m, s)| Decimal::new(m, s)),
        }
    }

    /// The binary value.
    #[must_use]
    pub fn value(self) -> f64 {
        self.value
    }

    /// The exact value, if it has one.
    #[must_use]
    pub fn exact(self) -> Option<Decimal> {
        self.exact
    }

    /// `self / other`, exactly when both are exact (to 28 significant digits); `None` for a
    /// zero divisor.
    #[must_use]
    pub fn divided_by(self, other: Self) -> Option<Self> {
        if other.value == 0.0 {
            return None;
        }
        Some(match (self.exact, other.exact) {
            (Some(a), Some(b)) => Self::from_exact(a.checked_div(b)?),
            _ => Self::float(self.value / other.value),
        })
    }

    /// An exact decimal, with its correctly rounded binary value: for most values (a
    /// mantissa below 2^53 over at most 22 places) one IEEE division of two exact values
    /// (Clinger's fast path), else read back from its digits.
    #[must_use]
    pub fn from_decimal(exact: Decimal) -> Self {
        let e = if i64::try_from(exact.mantissa()).is_ok() {
            exact
        } else {
            exact.normalize()
        };
        match (i64::try_from(e.mantissa()), POW10.get(e.scale() as usize)) {
            (Ok(m), Some(&power)) if m.unsigned_abs() < 1 << 53 => {
                #[allow(clippy::cast_precision_loss, reason = "below 2^53: exact")]
                let value = m as f64 / power;
                Self {
                    value,
                    exact: Some(exact),
                }
            }
            _ => Self::from_exact(exact),
        }
    }

    /// `self * factor`.
    #[must_use]
    pub fn times(self, factor: i64) -> Self {
        match self
            .exact
            .and_then(|a| a.checked_mul(Decimal::from(factor)))
        {
            Some(e) => Self::from_exact(e),
            #[allow(clippy::cast_precision_loss)]
            None => Self::float(self.value * factor as f64),
        }
    }

    /// `self - other`.
    #[must_use]
    pub fn minus(self, other: Self) -> Self {
        match (self.exact, other.exact) {
            (Some(a), Some(b)) => a
                .checked_sub(b)
                .map_or_else(|| Self::float(self.value - other.value), Self::from_exact),
            _ => Self::float(self.value - other.value),
        }
    }

    /// `self + other`.
    #[must_use]
    pub fn plus(self, other: Self) -> Self {
        match (self.exact, other.exact) {
            (Some(a), Some(b)) => a
                .checked_add(b)
                .map_or_else(|| Self::float(self.value + other.value), Self::from_exact),
            _ => Self::float(self.value + other.value),
        }
    }

    /// The absolute value.
    #[must_use]
    pub fn abs(self) -> Self {
        Self {
            value: self.value.abs(),
            exact: self.exact.map(|e| e.abs()),
        }
    }

    /// Orders two numbers: exactly when both are exact. Each binary value is its exact
    /// value correctly rounded, and rounding never reverses an order, so binary values that
    /// differ already order the exact ones: only equal ones need the decimals.
    #[must_use]
    pub fn compare(self, other: Self) -> Ordering {
        match (self.exact, other.exact) {
            (Some(a), Some(b)) if self.value == other.value => a.cmp(&b),
            _ => self.value.total_cmp(&other.value),
        }
    }

    /// Whether `self < other`.
    #[must_use]
    pub fn lt(self, other: Self) -> bool {
        self.compare(other) == Ordering::Less
    }

    /// Whether `self > other`.
    #[must_use]
    pub fn gt(self, other: Self) -> bool {
        self.compare(other) == Ordering::Greater
    }

    /// Whether the number is a whole number.
    #[must_use]
    pub fn is_integer(self) -> bool {
        match self.exact {
            Some(e) => e.fract().is_zero(),
            None => self.value.fract() == 0.0,
        }
    }

    /// An exact value, with its correctly rounded binary value (read back from its digits,
    /// which `Decimal`'s own conversion does not promise).
    fn from_exact(exact: Decimal) -> Self {
        let value = exact
            .normalize()
            .to_string()
            .parse()
            .unwrap_or_else(|_| exact.to_f64().unwrap_or(f64::NAN));
        Self {
            value,
            exact: Some(exact),
        }
    }
}

/// Powers of ten that an `f64` holds exactly (the one table: `analyze::number` reads it
/// too).
pub(crate) const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl From<f64> for Num {
    fn from(value: f64) -> Self {
        Self::float(value)
    }
}

/// The exact decimal of a number's text, if it has one.
fn exact_of(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str_exact(text).ok()
    }
}

impl fmt::Display for Num {
    /// At most six decimals, no trailing zeros: a computed `110.00000000000001` reads
    /// `110` and `1.8333333333333333` reads `1.833333`, as [`float`] writes them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.exact {
            Some(e) if e.abs() < Decimal::from(1_000_000_000_000_000_i64) => {
                let rounded = e.round_dp(6).normalize();
                if rounded.is_zero() {
                    f.write_str("0") // not `-0`
                } else {
                    write!(f, "{rounded}")
                }
            }
            _ => f.write_str(&float(self.value)),
        }
    }
}

/// A number as written in messages: at most six decimals, no trailing zeros, so that a
/// computed `110.00000000000001` reads `110` and `1.8333333333333333` reads `1.833333`.
#[must_use]
pub fn float(v: f64) -> String {
    if !v.is_finite() || v.abs() >= 1e15 {
        return format!("{v}");
    }
    let rounded = (v * 1e6).round() / 1e6;
    if rounded == 0.0 {
        "0".to_owned() // not `-0`
    } else {
        format!("{rounded}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(float(95.0), "95");
        assert_eq!(float(97.5), "97.5");
        assert_eq!(float(110.000_000_000_000_01), "110");
        assert_eq!(float(11.0 / 6.0), "1.833333");
        assert_eq!(float(-0.000_000_1), "0");
        assert_eq!(float(-2.25), "-2.25");
        assert_eq!(float(1e20), "100000000000000000000");
    }

    fn n(text: &str) -> Num {
        Num::parse(text).unwrap()
    }

    #[test]
    fn a_ratio_at_a_threshold_is_at_it_not_past_it() {
        // 287 / 4100 as a percent is 7: binary arithmetic makes it 7.000000000000001.
        let pct = n("287").divided_by(n("4100")).unwrap().times(100);
        assert_eq!(pct.compare(n("7")), Ordering::Equal);
        assert_eq!(pct.to_string(), "7");
        assert_eq!(pct.value(), 7.0);
        let binary = |n: f64, d: f64| n / d * 100.0;
        assert!(binary(287.0, 4100.0) > 7.0, "the binary value is past it");
        let ratio = n("14").divided_by(n("100")).unwrap().times(100);
        assert_eq!(ratio.compare(n("14")), Ordering::Equal);
        // A band of 0.2 around 50.1: 49.9 is on its edge, not past it.
        let from_target = n("49.9").minus(n("50.1")).abs();
        assert_eq!(
            from_target.compare(n("50.3").minus(n("50.1")).abs()),
            Ordering::Equal
        );
        assert!(n("0").divided_by(n("0")).is_none());
    }

    #[test]
    fn a_decimal_gets_its_correctly_rounded_binary_value() {
        for text in [
            "7",
            "7.0000000000000000000000000",
            "0.1",
            "-2.25",
            "1.3936588407148276456266726",
            "0.3333333333333333333333333333",
            "123456789012345.678",
            "79228162514264337593543950335",
            "9007199254740993",
        ] {
            let d: Decimal = text.parse().unwrap();
            let n = Num::from_decimal(d);
            assert_eq!(
                n.value().to_bits(),
                text.parse::<f64>().unwrap().to_bits(),
                "{text}"
            );
            assert_eq!(n.exact(), Some(d));
        }
    }

    #[test]
    fn numbers_print_as_people_write_them() {
        assert_eq!(n("95").to_string(), "95");
        assert_eq!(n("97.50").to_string(), "97.5");
        assert_eq!(n("1e3").to_string(), "1000");
        assert_eq!(n("-0.0000001").to_string(), "0");
        assert_eq!(n("1").divided_by(n("3")).unwrap().to_string(), "0.333333");
        assert_eq!(Num::float(f64::NAN).to_string(), "NaN");
        assert_eq!(n("1e20").to_string(), "100000000000000000000");
        assert!(n("3.0").is_integer() && !n("3.5").is_integer());
    }
}
