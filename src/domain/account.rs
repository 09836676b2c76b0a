//! Account inputs: email addresses, passwords, display names and roles.

use entity::enums::Role;

use crate::domain::text;
use crate::error::FieldErrors;

/// An email address, lowercased, with a plausible shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses an address; the error is a message for the person who typed it.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = text::normalize(input).to_lowercase();
        if value.is_empty() {
            return Err("required");
        }
        if value.chars().count() > 254 || value.chars().any(char::is_whitespace) {
            return Err("invalid_format");
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err("invalid_format");
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || local.contains('@') || !domain_ok {
            return Err("invalid_format");
        }
        Ok(Self(value))
    }

    /// The address as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password that meets the minimum rules (length counted in characters).
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Minimum length in characters.
    pub const MIN_CHARS: usize = 10;
    /// Maximum length in characters (argon2 accepts more; this bounds the work per request).
    pub const MAX_CHARS: usize = 256;

    /// Parses a password chosen by a person.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let count = input.chars().count();
        if count < Self::MIN_CHARS {
            return Err("too_short");
        }
        if count > Self::MAX_CHARS {
            return Err("too_long");
        }
        Ok(Self(input.to_owned()))
    }

    /// Parses a new password and refuses one that is easy to guess: a common password, a
    /// keyboard pattern, or one built from the person's own email or name (zxcvbn score < 2).
    pub fn parse_strong(input: &str, personal: &[&str]) -> Result<Self, &'static str> {
        let password = Self::parse(input)?;
        // zxcvbn matches whole inputs: add the email's local part and the name without marks
        // or spaces, which is how people build passwords from them.
        let mut inputs: Vec<String> = Vec::new();
        for item in personal {
            inputs.push(item.to_lowercase());
            if let Some((local, _)) = item.split_once('@') {
                inputs.push(local.to_lowercase());
            }
            let folded = text::fold(item);
            inputs.push(folded.replace(' ', ""));
            inputs.extend(folded.split_whitespace().map(ToOwned::to_owned));
        }
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let score: u8 = zxcvbn::zxcvbn(input, &inputs).score().into();
        if score < 2 {
            return Err("too_common");
        }
        Ok(password)
    }

    /// The password, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

/// A display name: 1 to 100 characters after normalization.
pub fn parse_display_name(input: &str) -> Result<String, &'static str> {
    let value = text::normalize(input);
    match text::char_len(&value) {
        0 => Err("required"),
        1..=100 => Ok(value),
        _ => Err("too_long"),
    }
}

/// Parses a role name as used on the command line and in the API.
pub fn parse_role(input: &str) -> Result<Role, &'static str> {
    match input.trim() {
        "resident" => Ok(Role::Resident),
        "organization_rep" => Ok(Role::OrganizationRep),
        "moderator" => Ok(Role::Moderator),
        "agency_officer" => Ok(Role::AgencyOfficer),
        "admin" => Ok(Role::Admin),
        _ => Err("unknown_role"),
    }
}

/// Collects the field errors of an account's basic fields.
pub fn check_account(
    errors: &mut FieldErrors,
    email: &str,
    password: &str,
    display_name: &str,
) -> Option<(Email, NewPassword, String)> {
    let email = Email::parse(email)
        .map_err(|code| errors.push("email", code, "Enter an email address like ten@vidu.vn"))
        .ok();
    let password = NewPassword::parse(password)
        .map_err(|code| errors.push("password", code, "Use a password of 10 to 256 characters"))
        .ok();
    let name = parse_display_name(display_name)
        .map_err(|code| errors.push("display_name", code, "Enter a name of 1 to 100 characters"))
        .ok();
    Some((email?, password?, name?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse(" Lan@VIDU.vn ").map(|e| e.0),
            Ok("lan@vidu.vn".to_owned())
        );
        assert!(Email::parse("lan@vidu").is_err());
        assert!(Email::parse("lan vidu@x.vn").is_err());
        assert!(Email::parse("@x.vn").is_err());
    }

    #[test]
    fn common_and_personal_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse_strong("password123", &[]).err(),
            Some("too_common")
        );
        assert_eq!(
            NewPassword::parse_strong("1234567890", &[]).err(),
            Some("too_common")
        );
        assert_eq!(
            NewPassword::parse_strong("qwertyuiop", &[]).err(),
            Some("too_common")
        );
        assert_eq!(
            NewPassword::parse_strong("nguyenvanan1", &["nguyenvanan@vidu.vn", "Nguyễn Văn An"])
                .err(),
            Some("too_common")
        );
        assert!(NewPassword::parse_strong("cầu Rạch Ngỗng lúc 5 giờ", &[]).is_ok());
    }

    #[test]
    fn passwords_are_counted_in_characters() {
        // Nine Vietnamese letters are 18+ bytes but still too short.
        assert_eq!(NewPassword::parse("đường phố").err(), Some("too_short"));
        assert!(NewPassword::parse("đường phố!").is_ok());
    }
}
