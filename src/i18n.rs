//! Interface languages: Vietnamese first, English switchable.
//!
//! Texts live in `frontend/i18n/<lang>.toml` (flat `"key" = "text"` tables), compiled into the
//! binary and parsed once.

use std::collections::HashMap;
use std::sync::OnceLock;

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Vietnamese, the default.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// BCP 47 code, as used in `<html lang>` and the `lang` cookie.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }

    /// Parses a language code; anything unknown is `None`.
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "vi" => Some(Self::Vi),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The language a switch link offers.
    pub fn other(&self) -> Self {
        match self {
            Self::Vi => Self::En,
            Self::En => Self::Vi,
        }
    }

    /// The translator for this language.
    pub fn tr(&self) -> Tr {
        Tr(*self)
    }
}

/// Looks texts up in one language's catalog.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    /// The text for `key`, or the key itself when the catalog lacks it (visible, never a crash).
    pub fn get(&self, key: &str) -> &'static str {
        let catalog = catalog(self.0);
        match catalog.get_key_value(key) {
            Some((_, text)) => text,
            None => {
                tracing::warn!(key, lang = self.0.code(), "missing translation");
                leak_key(key)
            }
        }
    }

    /// Whether the catalog has `key`.
    pub fn has(&self, key: &str) -> bool {
        catalog(self.0).contains_key(key)
    }
}

type Catalog = HashMap<String, &'static str>;

const VI: &str = include_str!("../frontend/i18n/vi.toml");
const EN: &str = include_str!("../frontend/i18n/en.toml");

/// The catalog of one language, parsed on first use.
pub fn catalog(lang: Lang) -> &'static Catalog {
    static VI_CATALOG: OnceLock<Catalog> = OnceLock::new();
    static EN_CATALOG: OnceLock<Catalog> = OnceLock::new();
    match lang {
        Lang::Vi => VI_CATALOG.get_or_init(|| parse(VI, "vi")),
        Lang::En => EN_CATALOG.get_or_init(|| parse(EN, "en")),
    }
}

fn parse(source: &'static str, name: &str) -> Catalog {
    let table: toml::Table = match toml::from_str(source) {
        Ok(table) => table,
        Err(e) => {
            tracing::error!(lang = name, error = %e, "translation catalog does not parse");
            return Catalog::new();
        }
    };
    let mut catalog = Catalog::with_capacity(table.len());
    for (key, value) in table {
        if let toml::Value::String(text) = value {
            catalog.insert(key, &*Box::leak(text.into_boxed_str()));
        }
    }
    catalog
}

/// Missing keys are rare (a test asserts both catalogs cover every key), so leaking is bounded.
fn leak_key(key: &str) -> &'static str {
    static MISSING: OnceLock<std::sync::Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let map = MISSING.get_or_init(Default::default);
    let mut guard = match map.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    guard
        .entry(key.to_owned())
        .or_insert_with(|| Box::leak(key.to_owned().into_boxed_str()))
}
