//! Helpers for HTML forms: field errors in the reader's language, ready for the error summary
//! and the fields' own messages.

use serde::Deserialize;

use crate::error::FieldErrors;
use crate::i18n::Tr;

/// The errors of a form sent back to its author: the summary list, in field order, and a
/// message per field.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    /// `(field id, message)` pairs for the error summary.
    pub list: Vec<(String, String)>,
}

impl FormErrors {
    /// Translates the field errors of a service. The message is the catalog's
    /// `field.<field>.<code>`, else `field.<field>.invalid`, else the service's own text.
    pub fn from_fields(t: Tr, fields: &FieldErrors) -> Self {
        let mut errors = Self::default();
        for error in &fields.0 {
            let specific = format!("field.{}.{}", error.field, error.code);
            let general = format!("field.{}.invalid", error.field);
            let message = if t.has(&specific) {
                t.get(&specific).to_owned()
            } else if t.has(&general) {
                t.get(&general).to_owned()
            } else {
                error.message.clone()
            };
            errors.push(&error.field, message);
        }
        errors
    }

    /// Adds an error for one field (the first error of a field is the one shown).
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        if self.list.iter().all(|(f, _)| f != field) {
            self.list.push((field.to_owned(), message.into()));
        }
    }

    /// The message for `field`, or `""` when it has none (what the field macros expect).
    pub fn get(&self, field: &str) -> &str {
        self.list
            .iter()
            .find(|(f, _)| f == field)
            .map_or("", |(_, message)| message.as_str())
    }

    /// Whether the form has no errors.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// A form with no field of its own (a button): only the CSRF token is sent.
#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// A link's `token` parameter (verification, reset), also sent back as a hidden field.
#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    /// The single-use token.
    #[serde(default)]
    pub token: String,
}

/// Whether an HTML checkbox was ticked (browsers send `on`, or the `value` attribute).
pub fn ticked(value: Option<&str>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn first_error_per_field_is_kept_in_order() {
        let mut errors = FormErrors::default();
        errors.push("email", "a");
        errors.push("password", "b");
        errors.push("email", "c");
        assert_eq!(errors.get("email"), "a");
        assert_eq!(errors.get("name"), "");
        assert_eq!(errors.list.len(), 2);
    }

    #[test]
    fn unknown_codes_fall_back_to_the_service_message() {
        let mut fields = FieldErrors::default();
        fields.push("nothing_like_this", "odd", "Thông báo của dịch vụ");
        let errors = FormErrors::from_fields(Lang::En.tr(), &fields);
        assert_eq!(errors.get("nothing_like_this"), "Thông báo của dịch vụ");
    }
}
