//! What a comment is made of, parsed from what people type.

use entity::enums::{Consent, Stance};

use crate::domain::text;

/// A comment's text: NFC-normalized, 10 to 5,000 characters (characters, not bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

impl CommentBody {
    /// Fewest characters accepted.
    pub const MIN_CHARS: usize = 10;
    /// Most characters accepted.
    pub const MAX_CHARS: usize = 5_000;

    /// Parses a comment's text; the error is a stable code.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = text::normalize(input);
        let length = text::char_len(&value);
        if length == 0 {
            Err("required")
        } else if length < Self::MIN_CHARS {
            Err("too_short")
        } else if length > Self::MAX_CHARS {
            Err("too_long")
        } else {
            Ok(Self(value))
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Parses a stance as sent by forms and the API.
pub fn parse_stance(input: &str) -> Result<Stance, &'static str> {
    match input.trim() {
        "support" => Ok(Stance::Support),
        "oppose" => Ok(Stance::Oppose),
        "suggest" => Ok(Stance::Suggest),
        "question" => Ok(Stance::Question),
        "" => Err("required"),
        _ => Err("unknown_value"),
    }
}

/// Parses a publication consent as sent by forms and the API.
pub fn parse_consent(input: &str) -> Result<Consent, &'static str> {
    match input.trim() {
        "public_named" => Ok(Consent::PublicNamed),
        "public_anonymous" => Ok(Consent::PublicAnonymous),
        "private" => Ok(Consent::Private),
        "" => Err("required"),
        _ => Err("unknown_value"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_counted_in_characters_after_normalization() {
        let letter = "ệ"; // 3 bytes in UTF-8
        assert!(CommentBody::parse(&letter.repeat(5_000)).is_ok());
        assert_eq!(
            CommentBody::parse(&letter.repeat(5_001)).err(),
            Some("too_long")
        );
        // Decomposed "ệ" (e + two combining marks) counts as one character once composed.
        let decomposed = "e\u{323}\u{302}".repeat(5_000);
        assert_eq!(
            CommentBody::parse(&decomposed).map(|b| b.as_str().chars().count()),
            Ok(5_000)
        );
        assert_eq!(CommentBody::parse("   ngắn   ").err(), Some("too_short"));
        assert_eq!(CommentBody::parse("   ").err(), Some("required"));
    }

    #[test]
    fn stances_and_consents_accept_only_known_values() {
        assert_eq!(parse_stance("suggest"), Ok(Stance::Suggest));
        assert_eq!(parse_stance("maybe"), Err("unknown_value"));
        assert_eq!(
            parse_consent("public_anonymous"),
            Ok(Consent::PublicAnonymous)
        );
        assert_eq!(parse_consent(""), Err("required"));
    }
}
