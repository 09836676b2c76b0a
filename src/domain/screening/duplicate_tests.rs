//! Tests of near-duplicate grouping, on generated comments that share template sentences.

use std::path::Path;

use super::*;
use crate::domain::text::fold;

/// The bodies of the generated comments of the fixture, in file order.
fn generated_bodies() -> Vec<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/screening/corpus-sample.jsonl");
    let text = std::fs::read_to_string(&path).expect("fixture");
    text.lines()
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).expect("json line");
            row["body"].as_str().expect("body").to_owned()
        })
        .collect()
}

/// Removes diacritics but keeps letter case ("Đường" → "Duong").
fn without_diacritics(text: &str) -> String {
    text.chars()
        .map(|c| {
            let folded = fold(&c.to_string());
            let mut letters = folded.chars();
            match (letters.next(), letters.next()) {
                (Some(f), None) if c.is_uppercase() => f.to_ascii_uppercase(),
                (Some(f), None) => f,
                _ => c,
            }
        })
        .collect()
}

/// Twenty variants of a signed form letter: another name, the last sentence dropped, no
/// diacritics, other punctuation, and mixes of these.
fn variants(body: &str) -> Vec<String> {
    let names = [
        "Trần Thị Bích",
        "Lê Hoàng Nam",
        "Phạm Minh Tú",
        "Võ Thị Sáu",
        "Huỳnh Văn Bé",
    ];
    let sentences: Vec<&str> = body.split_inclusive(". ").collect();
    let shorter = sentences[..sentences.len() - 1].concat();
    let mut out = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let signed = format!("{body} Người góp ý: {name}.");
        let signed_shorter = format!("{} Người góp ý: {name}.", shorter.trim_end());
        out.push(match k % 2 {
            0 => signed.clone(),
            _ => signed.replace(',', "").replace(". ", "! "),
        });
        out.push(signed_shorter.clone());
        out.push(without_diacritics(&signed));
        out.push(
            without_diacritics(&signed_shorter)
                .to_lowercase()
                .replace(", ", " , "),
        );
    }
    out
}

#[test]
fn form_letter_variants_group_together_and_other_comments_stay_out() {
    let bodies = generated_bodies();
    // A long comment (seven sentences or more), typed with diacritics.
    let (base_at, base) = bodies
        .iter()
        .enumerate()
        .find(|(_, b)| b.split(". ").count() >= 7 && !b.is_ascii())
        .expect("a long generated comment");
    let original = format!("{base} Người góp ý: Nguyễn Văn An.");
    let mut items: Vec<(usize, u64)> = vec![(0, fingerprint(&original))];
    for (k, variant) in variants(base).iter().enumerate() {
        items.push((k + 1, fingerprint(variant)));
    }
    assert_eq!(items.len(), 21);
    let others: Vec<&String> = bodies
        .iter()
        .enumerate()
        .filter(|&(at, _)| at != base_at)
        .map(|(_, b)| b)
        .take(200)
        .collect();
    for (k, other) in others.iter().enumerate() {
        items.push((1000 + k, fingerprint(other)));
    }
    let groups = group_near_duplicates(&items);
    let with_original = groups
        .iter()
        .find(|g| g.contains(&0))
        .expect("a group for the letter");
    let expected: Vec<usize> = (0..21).collect();
    assert_eq!(with_original, &expected, "variants {base:?}");
    let nearest_other = others
        .iter()
        .map(|o| hamming(items[0].1, fingerprint(o)))
        .min()
        .unwrap_or(64);
    println!("nearest other comment: {nearest_other} bits");
}

#[test]
fn near_duplicate_distance_separates_variants_from_other_comments() {
    let bodies = generated_bodies();
    let prints: Vec<u64> = bodies.iter().map(|b| fingerprint(b)).collect();
    let n = prints.len().min(1500);
    let mut close_pairs = 0;
    for i in 0..n {
        for j in i + 1..n {
            if bodies[i] != bodies[j]
                && hamming(prints[i], prints[j]) <= NEAR_DUPLICATE_MAX_DISTANCE
            {
                close_pairs += 1;
            }
        }
    }
    let mut within = 0;
    let mut total = 0;
    for body in bodies
        .iter()
        .filter(|b| b.split(". ").count() >= 7 && !b.is_ascii())
        .take(100)
    {
        let print = fingerprint(body);
        for variant in variants(body) {
            total += 1;
            if hamming(print, fingerprint(&variant)) <= NEAR_DUPLICATE_MAX_DISTANCE {
                within += 1;
            }
        }
    }
    println!(
        "at {NEAR_DUPLICATE_MAX_DISTANCE} bits: {close_pairs} close pairs of distinct comments among {n}; \
         {within}/{total} variants within reach of their original"
    );
    assert!(
        close_pairs <= n / 100,
        "{close_pairs} pairs of distinct comments would group"
    );
    assert!(
        within * 100 >= total * 75,
        "only {within}/{total} variants within reach"
    );
}

#[test]
fn unrelated_texts_and_empty_texts_do_not_group() {
    let items = [
        (
            1,
            fingerprint("Đề nghị nâng cấp đường Mậu Thân vì thường xuyên ngập."),
        ),
        (
            2,
            fingerprint("Tôi ủng hộ xây dựng công viên ven sông Hậu cho trẻ em."),
        ),
        (3, fingerprint("")),
        (4, fingerprint("🙂")),
    ];
    assert_eq!(fingerprint(""), 0);
    let groups = group_near_duplicates(&items);
    // Texts without words share the fingerprint 0: they group, the others do not.
    assert_eq!(groups, vec![vec![3, 4]]);
}

#[test]
fn grouping_is_transitive_and_keeps_input_order() {
    let a = 0u64;
    let b = a ^ 0b1111_1111; // 8 bits from a
    let c = b ^ (0b1111_1111 << 8); // 8 bits from b, 16 from a
    let far = u64::MAX;
    let groups = group_near_duplicates(&[("c", c), ("far", far), ("a", a), ("b", b), ("a2", a)]);
    assert_eq!(groups, vec![vec!["c", "a", "b", "a2"]]);
}

#[test]
fn ten_thousand_texts_group_quickly() {
    let bodies = generated_bodies();
    let items: Vec<(usize, u64)> = (0..10_000)
        .map(|k| (k, fingerprint(&format!("{} {k}", bodies[k % bodies.len()]))))
        .collect();
    let started = std::time::Instant::now();
    let groups = group_near_duplicates(&items);
    let took = started.elapsed();
    println!(
        "grouped 10,000 texts into {} groups in {took:?}",
        groups.len()
    );
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    // Each fixture body appears two or three times (with a different number at the end).
    assert!(groups.len() >= bodies.len() / 2);
}
