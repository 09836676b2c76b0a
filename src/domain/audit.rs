//! The audit chain's arithmetic: the canonical content of an event and the hash that links it
//! to the event before it. Pure functions, no database: `services::audit` stores and walks the
//! chain.
//!
//! An event's hash is `hex(sha256(prev_hash || "\n" || canonical))`, where `canonical` is the
//! JSON object of its content with keys sorted and no whitespace:
//!
//! ```text
//! {"action":"comment.submit","actor_id":"0192…","entity_id":"0193…","entity_type":"comment",
//!  "id":"0193…","occurred_at":"2026-11-25T08:30:00.123456Z","payload":{…}}
//! ```
//!
//! (one line in reality). Anyone holding the rows can recompute every hash with a few lines of
//! code in any language; nothing here depends on how a database or a JSON library happens to
//! order keys.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `prev_hash` of the first event of the chain: 64 zeros (a SHA-256 no content produces in
/// practice).
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an event's hash covers, besides the previous hash.
#[derive(Debug, Clone, Copy)]
pub struct EventContent<'a> {
    /// Public identifier of the event.
    pub id: Uuid,
    /// When it happened (written with microseconds, as the databases keep it).
    pub occurred_at: DateTime<Utc>,
    /// Who acted; `None` for the system.
    pub actor_id: Option<Uuid>,
    /// What was done, e.g. `comment.approve`.
    pub action: &'a str,
    /// Kind of object acted upon, e.g. `comment`.
    pub entity_type: &'a str,
    /// Identifier of that object.
    pub entity_id: &'a str,
    /// Details.
    pub payload: &'a Value,
}

/// Formats a time as the canonical form writes it: RFC 3339 in UTC with six decimals and `Z`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The canonical serialization of an event's content (keys sorted, no whitespace).
pub fn canonical(content: &EventContent<'_>) -> String {
    let object = serde_json::json!({
        "id": content.id.to_string(),
        "occurred_at": timestamp(content.occurred_at),
        "actor_id": content.actor_id.map(|id| id.to_string()),
        "action": content.action,
        "entity_type": content.entity_type,
        "entity_id": content.entity_id,
        "payload": content.payload,
    });
    canonical_json(&object)
}

/// A JSON value written with object keys sorted (by code point) at every level and no
/// whitespace. Strings use JSON's escapes as `serde_json` writes them; numbers are written as
/// parsed (payloads hold integers, strings, booleans and null: a float may come back from
/// PostgreSQL's `jsonb` in another spelling).
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(item) = map.get(key) {
                    write_canonical(item, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        // Scalars have one spelling in serde_json's compact output.
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The hash of an event: `hex(sha256(prev_hash || "\n" || canonical))`.
pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

/// The hash of an event with this content following `prev_hash`.
pub fn event_hash(prev_hash: &str, content: &EventContent<'_>) -> String {
    chain_hash(prev_hash, &canonical(content))
}

/// `hex(sha256(text))`: how a payload refers to a text it must not carry (a comment's body is
/// personal data; its digest proves later which text was sent without revealing it).
pub fn text_digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn sample(payload: &Value) -> EventContent<'_> {
        EventContent {
            id: Uuid::parse_str("0193a5b2-7c00-7000-8000-000000000001").unwrap(),
            occurred_at: Utc
                .with_ymd_and_hms(2026, 11, 25, 8, 30, 0)
                .unwrap()
                .checked_add_signed(chrono::TimeDelta::microseconds(123_456))
                .unwrap(),
            actor_id: Some(Uuid::parse_str("0193a5b2-7c00-7000-8000-0000000000aa").unwrap()),
            action: "comment.submit",
            entity_type: "comment",
            entity_id: "0193a5b2-7c00-7000-8000-0000000000cc",
            payload,
        }
    }

    #[test]
    fn canonical_form_is_sorted_compact_json() {
        let payload = json!({"stance": "support", "consent": "private", "n": 3});
        let text = canonical(&sample(&payload));
        assert_eq!(
            text,
            "{\"action\":\"comment.submit\",\"actor_id\":\"0193a5b2-7c00-7000-8000-0000000000aa\",\
             \"entity_id\":\"0193a5b2-7c00-7000-8000-0000000000cc\",\"entity_type\":\"comment\",\
             \"id\":\"0193a5b2-7c00-7000-8000-000000000001\",\
             \"occurred_at\":\"2026-11-25T08:30:00.123456Z\",\
             \"payload\":{\"consent\":\"private\",\"n\":3,\"stance\":\"support\"}}"
        );
    }

    #[test]
    fn canonical_form_does_not_depend_on_key_order() {
        let a: Value =
            serde_json::from_str(r#"{"b": 1, "a": {"y": [1, {"q": 1, "p": 2}], "x": null}}"#)
                .unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a": {"x": null, "y": [1, {"p": 2, "q": 1}]}, "b": 1}"#)
                .unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"x":null,"y":[1,{"p":2,"q":1}]},"b":1}"#
        );
        assert_eq!(
            event_hash(GENESIS_HASH, &sample(&a)),
            event_hash(GENESIS_HASH, &sample(&b))
        );
    }

    #[test]
    fn arrays_keep_their_order_and_strings_their_escapes() {
        assert_ne!(
            canonical_json(&json!([1, 2])),
            canonical_json(&json!([2, 1]))
        );
        assert_eq!(
            canonical_json(&json!({"t": "Góp ý \"x\"\n"})),
            "{\"t\":\"Góp ý \\\"x\\\"\\n\"}"
        );
    }

    #[test]
    fn the_hash_is_sha256_of_the_previous_hash_a_newline_and_the_content() {
        let payload = json!({});
        let content = sample(&payload);
        let expected = hex::encode(Sha256::digest(
            format!("{GENESIS_HASH}\n{}", canonical(&content)).as_bytes(),
        ));
        assert_eq!(event_hash(GENESIS_HASH, &content), expected);
        assert_eq!(expected.len(), 64);
    }

    #[test]
    fn any_change_changes_the_hash() {
        let payload = json!({"reason_code": "spam"});
        let base = sample(&payload);
        let original = event_hash(GENESIS_HASH, &base);
        let other_payload = json!({"reason_code": "other"});
        let other_id = Uuid::parse_str("0193a5b2-7c00-7000-8000-000000000002").unwrap();
        let variants = [
            EventContent {
                id: other_id,
                ..base
            },
            EventContent {
                occurred_at: base.occurred_at + chrono::TimeDelta::microseconds(1),
                ..base
            },
            EventContent {
                actor_id: None,
                ..base
            },
            EventContent {
                actor_id: Some(other_id),
                ..base
            },
            EventContent {
                action: "comment.reject",
                ..base
            },
            EventContent {
                entity_type: "consultation",
                ..base
            },
            EventContent {
                entity_id: "x",
                ..base
            },
            EventContent {
                payload: &other_payload,
                ..base
            },
        ];
        for variant in &variants {
            assert_ne!(event_hash(GENESIS_HASH, variant), original, "{variant:?}");
        }
        let other_prev = "1".repeat(64);
        assert_ne!(event_hash(&other_prev, &base), original);
    }

    #[test]
    fn text_digest_is_hex_sha256() {
        assert_eq!(
            text_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
