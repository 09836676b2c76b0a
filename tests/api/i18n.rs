//! Both interface languages cover every text the templates and code ask for.

use std::collections::BTreeSet;

use gopy::i18n::{Lang, catalog};

fn keys(lang: Lang) -> BTreeSet<String> {
    catalog(lang).keys().cloned().collect()
}

#[test]
fn vietnamese_and_english_have_the_same_keys() {
    let vi = keys(Lang::Vi);
    let en = keys(Lang::En);
    assert!(vi.len() > 30, "the catalogs parse");
    assert_eq!(
        vi.difference(&en).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "missing in English"
    );
    assert_eq!(
        en.difference(&vi).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "missing in Vietnamese"
    );
}

/// Every literal key passed to `t.get("...")` in templates and Rust code exists.
#[test]
fn every_key_used_in_templates_and_code_exists() {
    let vi = keys(Lang::Vi);
    let mut missing = Vec::new();
    let roots = ["frontend/templates", "src"];
    for root in roots {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
        for path in walk(&dir) {
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("t.get(\"") {
                let rest = &text[i + 7..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                let looks_like_key = key.contains('.') && !key.contains('{') && !key.contains(' ');
                if looks_like_key && !vi.contains(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys without a translation: {missing:#?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
            out.push(path);
        }
    }
    out
}

#[test]
fn vietnamese_texts_are_composed_unicode() {
    use unicode_normalization::UnicodeNormalization;
    for (key, text) in catalog(Lang::Vi) {
        assert_eq!(text.nfc().collect::<String>(), *text, "{key} is not NFC");
    }
}
