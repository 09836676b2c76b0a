//! Automatic screening of comment texts for moderators: personal data that must not be
//! published, abusive language, spam, and near-duplicate texts.
//!
//! Everything here is pure (no database, no I/O) and never panics on any input. Detectors
//! read the text folded to lowercase without diacritics, so text typed without marks ("so dien
//! thoai", "CAN CUOC") is screened like text with them, and they report byte ranges into the
//! text as given (gopy stores NFC text). [`char_range`] converts a range to characters for API
//! clients; [`redact`] hides ranges.
//!
//! Regular expressions are compiled once, on first use.

mod abuse;
mod address;
#[cfg(test)]
mod duplicate_tests;
mod duplicates;
#[cfg(test)]
mod evaluation;
mod folded;
mod numbers;
mod personal;
mod redact;
mod spam;
#[cfg(test)]
mod tests;

pub use abuse::AbuseList;
pub use duplicates::{NEAR_DUPLICATE_MAX_DISTANCE, fingerprint, group_near_duplicates, hamming};
pub use personal::personal_data;
pub use redact::{REDACTION_MARK, byte_range, char_range, redact};
pub use spam::{REPEAT_MIN, spam};

/// What a flag is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// A Vietnamese mobile or landline number.
    Phone,
    /// A citizen ID number (12-digit căn cước, or a 9-digit old ID card number).
    CitizenId,
    /// An e-mail address.
    Email,
    /// A bank account number next to a bank's name or "số tài khoản".
    BankAccount,
    /// A house address (a house number on a street or alley, or where the writer lives).
    Address,
    /// An abusive word or phrase.
    Abuse,
    /// A link to a web site.
    Link,
    /// One character typed many times in a row ("!!!!!!").
    RepeatedCharacters,
}

impl FlagKind {
    /// Every kind, in declaration order.
    pub const ALL: [FlagKind; 8] = [
        FlagKind::Phone,
        FlagKind::CitizenId,
        FlagKind::Email,
        FlagKind::BankAccount,
        FlagKind::Address,
        FlagKind::Abuse,
        FlagKind::Link,
        FlagKind::RepeatedCharacters,
    ];

    /// Whether the flag is about personal data (to hide before publishing), rather than about
    /// the tone or spam.
    pub fn is_personal_data(self) -> bool {
        matches!(
            self,
            FlagKind::Phone
                | FlagKind::CitizenId
                | FlagKind::Email
                | FlagKind::BankAccount
                | FlagKind::Address
        )
    }

    /// The stored name of the kind (the same as its serde name: "citizen_id").
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::Phone => "phone",
            FlagKind::CitizenId => "citizen_id",
            FlagKind::Email => "email",
            FlagKind::BankAccount => "bank_account",
            FlagKind::Address => "address",
            FlagKind::Abuse => "abuse",
            FlagKind::Link => "link",
            FlagKind::RepeatedCharacters => "repeated_characters",
        }
    }

    /// The kind stored as `name` (the inverse of [`FlagKind::as_str`]).
    pub fn parse(name: &str) -> Option<FlagKind> {
        FlagKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A span found in a text: byte range into the (NFC) text it was found in, plus the text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// What was found.
    pub kind: FlagKind,
    /// Byte offset of the first byte of the span.
    pub start: usize,
    /// Byte offset just past the span.
    pub end: usize,
    /// The text of the span (`&text[start..end]`).
    pub text: String,
}

/// What all detectors found in one text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Screening {
    /// Findings sorted by start (longest first on a tie). Personal data findings never overlap
    /// one another; a link, abuse or repeated-character finding may overlap others.
    pub findings: Vec<Finding>,
}

impl Screening {
    /// The personal data findings only.
    pub fn personal_data(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.kind.is_personal_data())
    }

    /// Whether anything was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// The text with every personal data span replaced by [`REDACTION_MARK`].
    pub fn redacted(&self, text: &str) -> String {
        let ranges: Vec<(usize, usize)> = self.personal_data().map(|f| (f.start, f.end)).collect();
        redact(text, &ranges)
    }
}

/// Runs every detector on `text`: personal data, `abuse`, links and repeated characters.
pub fn screen(text: &str, abuse: &AbuseList) -> Screening {
    let folded = folded::Folded::new(text);
    let mut findings = personal::find(&folded);
    findings.extend(abuse.find(text));
    let links: Vec<Finding> = spam::links(&folded)
        .into_iter()
        .filter(|link| {
            !findings
                .iter()
                .any(|f| f.kind == FlagKind::Email && overlaps(f, link))
        })
        .collect();
    findings.extend(links);
    findings.extend(spam::repeated(text));
    findings.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    Screening { findings }
}

fn overlaps(a: &Finding, b: &Finding) -> bool {
    a.start < b.end && b.start < a.end
}
