//! Tracking codes printed on the receipt of every accepted comment, such as `GY-7K3F-9QXMZ`.
//!
//! Residents type these back on phones, copy them from e-mails and read them aloud over the
//! phone, so the codes are short, unambiguous and forgiving to enter, yet hard to guess.
//!
//! # Format
//!
//! `GY-` + 4 symbols + `-` + 4 symbols + 1 check symbol, the check symbol appended to the last
//! group: `GY-7K3F-9QXMZ`. Keeping the check symbol inside the last group (instead of a lone
//! fifth group) keeps the code at three groups that are easy to read aloud, and residents never
//! need to know which symbol is the check.
//!
//! - **Alphabet**: Crockford base32, `0-9 A-Z` without `I L O U` (32 symbols). The 8 payload
//!   symbols carry 40 bits from the operating system's CSPRNG (via `rand`'s thread RNG, a
//!   ChaCha-based CSPRNG seeded from the OS), so guessing a valid code for someone else's
//!   comment is a one-in-a-trillion shot.
//! - **Forgiving input** (as Crockford intends): case-insensitive; spaces, tabs and hyphens
//!   (including the Unicode dashes phones substitute) are ignored; the `GY` prefix may be left
//!   out; `O` reads as `0` and `I`/`L` read as `1`. `U` and any other character are rejected.
//!
//! # Check symbol
//!
//! Crockford's own check symbol is the value mod 37, which needs five extra symbols
//! (`* ~ $ = U`) that are awkward to type on a phone and to say aloud. gopy instead keeps the
//! check symbol inside the 32-symbol alphabet. A plain weighted sum mod 32 cannot do that
//! job: catching every single substitution needs every weight to be odd (invertible mod 32),
//! and catching every adjacent transposition needs the difference of neighbouring weights to
//! be odd, which two odd weights never have.
//!
//! So the check works in the finite field GF(32) = GF(2)\[x\]/(x⁵ + x² + 1), where every
//! symbol value 0..32 is a field element: with α = x (a primitive element) and the 9 symbols
//! `s₀ … s₈` (s₈ being the check symbol), a code is valid when
//!
//! ```text
//! α¹·s₀ + α²·s₁ + … + α⁸·s₇ + α⁰·s₈ = 0      (field addition is XOR)
//! ```
//!
//! The weights α⁰ … α⁸ are distinct and non-zero (α has order 31), and the check is linear,
//! so:
//! - a single substitution `a → b` at position `i` changes the sum by `wᵢ·(a − b) ≠ 0`;
//! - swapping two different symbols `a, b` at positions `i ≠ j` (adjacent or not) changes it by
//!   `(wᵢ − wⱼ)·(a − b) ≠ 0`, as a field has no zero divisors.
//!
//! Every single-symbol error and every transposition is therefore detected; the unit tests
//! check this exhaustively for all positions and symbol pairs, and on sampled codes.

use std::fmt;
use std::str::FromStr;

/// Crockford base32 symbols, indexed by value.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Prefix of every canonical code.
const PREFIX: &str = "GY";

/// Random symbols in a code (40 bits).
const PAYLOAD_LEN: usize = 8;

/// Payload plus check symbol.
const BODY_LEN: usize = PAYLOAD_LEN + 1;

/// Symbols in the first group; the rest (payload and check symbol) form the second group.
const FIRST_GROUP_LEN: usize = 4;

/// Reduction polynomial of GF(32): x⁵ + x² + 1.
const GF32_POLY: u8 = 0b10_0101;

/// A comment's tracking code, always held in canonical form (`GY-7K3F-9QXMZ`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackingCode(String);

/// Why a typed tracking code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackingCodeError {
    /// A character outside the Crockford alphabet (such as `U`, `*` or a Vietnamese letter).
    #[error("invalid character {0:?} in tracking code")]
    InvalidCharacter(char),
    /// Not the right number of symbols once spaces and hyphens are removed.
    #[error("tracking code has {found} symbols, expected {BODY_LEN} (after the GY prefix)")]
    WrongLength {
        /// Symbols found after removing separators and the prefix.
        found: usize,
    },
    /// Eleven symbols that do not start with `GY`.
    #[error("tracking code must start with GY")]
    WrongPrefix,
    /// The check symbol does not match: a typo, a swapped pair or a made-up code.
    #[error("tracking code check symbol does not match")]
    WrongCheck,
}

impl TrackingCodeError {
    /// Stable machine-readable code for API responses and translations.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidCharacter(_) => "invalid_character",
            Self::WrongLength { .. } => "wrong_length",
            Self::WrongPrefix => "wrong_prefix",
            Self::WrongCheck => "wrong_check",
        }
    }
}

impl TrackingCode {
    /// Draws a new code: 40 random bits from a CSPRNG plus the check symbol.
    pub fn generate() -> Self {
        let random = rand::random::<[u8; 5]>();
        let bits = random
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let mut values = [0u8; BODY_LEN];
        for (i, value) in values.iter_mut().take(PAYLOAD_LEN).enumerate() {
            let shift = 5 * (PAYLOAD_LEN - 1 - i);
            // Masked to 5 bits, so the cast is lossless.
            *value = ((bits >> shift) & 0x1F) as u8;
        }
        values[PAYLOAD_LEN] = check_value(&values[..PAYLOAD_LEN]);
        Self::from_values(&values)
    }

    /// Parses a code as a resident typed it, forgiving case, separators, a missing `GY`
    /// prefix and the `O`/`0`, `I`/`L`/`1` confusions; returns it in canonical form.
    pub fn parse(input: &str) -> Result<Self, TrackingCodeError> {
        let mut symbols = Vec::with_capacity(PREFIX.len() + BODY_LEN);
        for c in input.chars() {
            if c.is_whitespace() || is_dash(c) {
                continue;
            }
            symbols.push(c.to_ascii_uppercase());
        }
        let has_prefix = symbols.len() > BODY_LEN && symbols.starts_with(&['G', 'Y']);
        if symbols.len() == PREFIX.len() + BODY_LEN && !has_prefix {
            return Err(
                match symbols.iter().find(|c| decode_symbol(**c).is_none()) {
                    Some(c) => TrackingCodeError::InvalidCharacter(*c),
                    None => TrackingCodeError::WrongPrefix,
                },
            );
        }
        let body = if has_prefix {
            &symbols[PREFIX.len()..]
        } else {
            &symbols[..]
        };
        let mut values = [0u8; BODY_LEN];
        for (i, c) in body.iter().enumerate() {
            let value = decode_symbol(*c).ok_or(TrackingCodeError::InvalidCharacter(*c))?;
            if let Some(slot) = values.get_mut(i) {
                *slot = value;
            }
        }
        if body.len() != BODY_LEN {
            return Err(TrackingCodeError::WrongLength { found: body.len() });
        }
        if !is_valid(&values) {
            return Err(TrackingCodeError::WrongCheck);
        }
        Ok(Self::from_values(&values))
    }

    /// The canonical form, such as `GY-7K3F-9QXMZ`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Builds the canonical string from 9 symbol values (each below 32).
    fn from_values(values: &[u8; BODY_LEN]) -> Self {
        let mut s = String::with_capacity(PREFIX.len() + BODY_LEN + 2);
        s.push_str(PREFIX);
        for (i, value) in values.iter().enumerate() {
            if i % FIRST_GROUP_LEN == 0 && i < PAYLOAD_LEN {
                s.push('-');
            }
            s.push(char::from(ALPHABET[usize::from(*value & 0x1F)]));
        }
        Self(s)
    }
}

/// Dashes that phone keyboards and word processors put in place of `-`.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// Value of an (uppercased) symbol, with Crockford's confusable letters folded.
fn decode_symbol(c: char) -> Option<u8> {
    let c = match c {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    let byte = u8::try_from(c).ok()?;
    ALPHABET
        .iter()
        .position(|s| *s == byte)
        .and_then(|p| u8::try_from(p).ok())
}

/// Multiplication in GF(32) modulo x⁵ + x² + 1.
fn gf32_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0x20 != 0 {
            a ^= GF32_POLY;
        }
    }
    product
}

/// Weight of position `i` (0..9): α^(i+1) for the payload, α⁰ = 1 for the check symbol.
fn weight(i: usize) -> u8 {
    let exponent = if i < PAYLOAD_LEN { i + 1 } else { 0 };
    (0..exponent).fold(1, |w, _| gf32_mul(w, 2))
}

/// Check symbol value for a payload: the weighted payload sum (the check weight is 1 and
/// addition is XOR, so the full sum then comes to zero).
fn check_value(payload: &[u8]) -> u8 {
    payload
        .iter()
        .enumerate()
        .fold(0, |acc, (i, s)| acc ^ gf32_mul(weight(i), *s))
}

/// Whether the weighted sum of all 9 symbols is zero.
fn is_valid(values: &[u8; BODY_LEN]) -> bool {
    values
        .iter()
        .enumerate()
        .fold(0, |acc, (i, s)| acc ^ gf32_mul(weight(i), *s))
        == 0
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TrackingCode {
    type Err = TrackingCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for TrackingCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for TrackingCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for TrackingCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The body symbols (payload + check) of a canonical code.
    fn body(code: &TrackingCode) -> Vec<u8> {
        code.as_str()
            .bytes()
            .skip(2)
            .filter(|b| *b != b'-')
            .collect()
    }

    fn from_body(body: &[u8]) -> String {
        format!("GY{}", String::from_utf8_lossy(body))
    }

    /// A fixed, valid code for the forgiving-input tests: payload `7K3F9QXM`.
    fn sample() -> TrackingCode {
        let payload: Vec<u8> = "7K3F9QXM"
            .chars()
            .map(|c| decode_symbol(c).expect("valid symbol"))
            .collect();
        let mut values = [0u8; BODY_LEN];
        values[..PAYLOAD_LEN].copy_from_slice(&payload);
        values[PAYLOAD_LEN] = check_value(&payload);
        TrackingCode::from_values(&values)
    }

    #[test]
    fn canonical_format() {
        let code = TrackingCode::generate();
        let s = code.as_str();
        assert_eq!(s.len(), 13, "{s}");
        assert!(s.starts_with("GY-"));
        assert_eq!(&s[7..8], "-");
        assert!(
            s.bytes()
                .enumerate()
                .all(|(i, b)| i < 3 || i == 7 || ALPHABET.contains(&b))
        );
        assert_eq!(code.to_string(), s);
        assert!(sample().as_str().starts_with("GY-7K3F-9QXM"));
    }

    #[test]
    fn ten_thousand_codes_parse_back_and_are_distinct() {
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let code = TrackingCode::generate();
            assert_eq!(TrackingCode::parse(code.as_str()), Ok(code.clone()));
            assert!(seen.insert(code.0), "duplicate code");
        }
    }

    #[test]
    fn forgiving_inputs_parse_to_the_canonical_code() {
        let code = sample();
        let canonical = code.as_str().to_owned();
        let compact: String = canonical.chars().filter(|c| *c != '-').collect();
        let tail = &canonical[3..];
        let inputs = [
            canonical.to_lowercase(),
            format!("gy {}", tail.replace('-', " ").to_lowercase()),
            format!(" Gy-{} ", tail.to_lowercase()),
            compact.clone(),
            compact[2..].to_owned(),
            tail.to_owned(),
            tail.to_lowercase(),
            format!("GY\u{2013}{}", tail.replace('-', "\u{2013}")),
            format!("GY - {}", tail.replace('-', "  -  ")),
            format!("gy\t{}", tail),
        ];
        for input in &inputs {
            assert_eq!(TrackingCode::parse(input).as_ref(), Ok(&code), "{input:?}");
        }
        assert_eq!(canonical.parse::<TrackingCode>(), Ok(code));
    }

    #[test]
    fn confusable_letters_are_folded() {
        // Build codes that contain 0 and 1 so the confusions can be exercised.
        for payload in ["10K3F01M", "0000000A", "111LL0IO"] {
            let values: Vec<u8> = payload
                .chars()
                .map(|c| decode_symbol(c).expect("valid"))
                .collect();
            let mut all = [0u8; BODY_LEN];
            all[..PAYLOAD_LEN].copy_from_slice(&values);
            all[PAYLOAD_LEN] = check_value(&values);
            let code = TrackingCode::from_values(&all);
            let typed = code
                .as_str()
                .replace('0', "O")
                .replacen('1', "I", 1)
                .replace('1', "l");
            assert_ne!(typed, code.as_str());
            assert_eq!(TrackingCode::parse(&typed), Ok(code.clone()), "{typed}");
            let lower = code.as_str().replace('0', "o").to_lowercase();
            assert_eq!(TrackingCode::parse(&lower), Ok(code));
        }
    }

    #[test]
    fn rejects_bad_characters_lengths_and_prefixes() {
        let code = sample();
        let tail = code.as_str()[3..].to_owned();
        // U is excluded from Crockford's alphabet and not folded.
        let with_u = format!("GY-U{}", &tail[1..]);
        assert_eq!(
            TrackingCode::parse(&with_u),
            Err(TrackingCodeError::InvalidCharacter('U'))
        );
        assert_eq!(
            TrackingCode::parse(&with_u.to_lowercase()),
            Err(TrackingCodeError::InvalidCharacter('U'))
        );
        for bad in [
            "GY-7K3F-9QX*Z",
            "GY_7K3F_9QXMZ",
            "GY-7K3F-9QXĐZ",
            "GY.7K3F.9QXMZ",
        ] {
            assert!(
                matches!(
                    TrackingCode::parse(bad),
                    Err(TrackingCodeError::InvalidCharacter(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(
            TrackingCode::parse(""),
            Err(TrackingCodeError::WrongLength { found: 0 })
        );
        assert_eq!(
            TrackingCode::parse(&code.as_str()[..12]),
            Err(TrackingCodeError::WrongLength { found: 8 })
        );
        assert_eq!(
            TrackingCode::parse(&format!("{}7", code.as_str())),
            Err(TrackingCodeError::WrongLength { found: 10 })
        );
        assert_eq!(
            TrackingCode::parse(&format!("GX-{tail}")),
            Err(TrackingCodeError::WrongPrefix)
        );
        assert_eq!(
            TrackingCode::parse(&format!("GU-{tail}")),
            Err(TrackingCodeError::InvalidCharacter('U'))
        );
        let errors = [
            TrackingCodeError::InvalidCharacter('U'),
            TrackingCodeError::WrongLength { found: 1 },
            TrackingCodeError::WrongPrefix,
            TrackingCodeError::WrongCheck,
        ];
        let codes: HashSet<_> = errors.iter().map(TrackingCodeError::code).collect();
        assert_eq!(codes.len(), errors.len());
    }

    #[test]
    fn every_substitution_and_adjacent_transposition_is_rejected() {
        let mut samples: Vec<TrackingCode> = (0..300).map(|_| TrackingCode::generate()).collect();
        samples.push(sample());
        for code in &samples {
            let original = body(code);
            for i in 0..BODY_LEN {
                for &symbol in ALPHABET {
                    if symbol == original[i] {
                        continue;
                    }
                    let mut typo = original.clone();
                    typo[i] = symbol;
                    assert_eq!(
                        TrackingCode::parse(&from_body(&typo)),
                        Err(TrackingCodeError::WrongCheck),
                        "substitution at {i} of {code}"
                    );
                }
            }
            for i in 0..BODY_LEN - 1 {
                if original[i] == original[i + 1] {
                    continue;
                }
                let mut swapped = original.clone();
                swapped.swap(i, i + 1);
                assert_eq!(
                    TrackingCode::parse(&from_body(&swapped)),
                    Err(TrackingCodeError::WrongCheck),
                    "transposition at {i} of {code}"
                );
            }
        }
    }

    /// The check is linear, so whether an error is caught does not depend on the rest of the
    /// code: checking every position and every pair of symbol values covers all codes.
    #[test]
    fn check_detects_all_single_errors_and_transpositions_exhaustively() {
        let weights: Vec<u8> = (0..BODY_LEN).map(weight).collect();
        let distinct: HashSet<_> = weights.iter().collect();
        assert_eq!(distinct.len(), BODY_LEN);
        assert!(weights.iter().all(|w| *w != 0));
        for a in 0..32u8 {
            for b in 0..32u8 {
                if a == b {
                    continue;
                }
                for i in 0..BODY_LEN {
                    assert_ne!(gf32_mul(weights[i], a), gf32_mul(weights[i], b));
                    for j in i + 1..BODY_LEN {
                        let before = gf32_mul(weights[i], a) ^ gf32_mul(weights[j], b);
                        let after = gf32_mul(weights[i], b) ^ gf32_mul(weights[j], a);
                        assert_ne!(before, after, "swap {i},{j} of {a},{b}");
                    }
                }
            }
        }
        // GF(32) sanity: α = 2 has order 31, so x⁵ + x² + 1 is primitive.
        let mut power = 1u8;
        for k in 1..=31 {
            power = gf32_mul(power, 2);
            assert_eq!(power == 1, k == 31, "alpha^{k}");
        }
    }

    #[test]
    fn serde_as_string() {
        let code = sample();
        let json = serde_json::to_string(&code).expect("serialize");
        assert_eq!(json, format!("\"{}\"", code.as_str()));
        let back: TrackingCode = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, code);
        let forgiving = format!("\"{}\"", code.as_str().to_lowercase().replace('-', " "));
        let back: TrackingCode = serde_json::from_str(&forgiving).expect("deserialize");
        assert_eq!(back, code);
        assert!(serde_json::from_str::<TrackingCode>("\"GY-0000-0000U\"").is_err());
    }
}
