//! Delivery signatures, as the Standard Webhooks specification writes them
//! (<https://www.standardwebhooks.com>), so receivers can use its libraries:
//!
//! - `webhook-id`: the delivery's id, the same on every retry;
//! - `webhook-timestamp`: seconds since the epoch, when it was sent;
//! - `webhook-signature`: `v1,` and the base64 of HMAC-SHA256 over
//!   `{id}.{timestamp}.{body}`, keyed with the base64-decoded part of the
//!   webhook's `whsec_...` secret.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "whsec_";

/// A new secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!("{PREFIX}{}", STANDARD.encode(key))
}

fn key(secret: &str) -> Vec<u8> {
    let encoded = secret.strip_prefix(PREFIX).unwrap_or(secret);
    // A secret that is not base64 (typed by hand) is used as its bytes.
    STANDARD
        .decode(encoded)
        .unwrap_or_else(|_| encoded.as_bytes().to_vec())
}

/// The `webhook-signature` header's value.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes keys of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key(secret)) else {
        return String::new();
    };
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Whether `header` (space-separated `v1,...` signatures) holds one that
/// matches, checked in constant time: what a receiver does.
pub fn verify(secret: &str, id: &str, timestamp: i64, body: &str, header: &str) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key(secret)) else {
        return false;
    };
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    header
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .any(|given| mac.clone().verify_slice(&given).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_webhooks_example_signature_is_reproduced() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        let sig = signature(secret, id, 1614265330, body);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(verify(
            secret,
            id,
            1614265330,
            body,
            &format!("v1,bm9wZQ== {sig}")
        ));
        assert!(!verify(secret, id, 1614265331, body, &sig), "another time");
        assert!(!verify(secret, id, 1614265330, "{}", &sig), "another body");
    }

    #[test]
    fn new_secrets_differ_and_sign() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_") && a.len() > 40);
        let sig = signature(&a, "msg_1", 1, "{}");
        assert!(verify(&a, "msg_1", 1, "{}", &sig));
        assert!(!verify(&b, "msg_1", 1, "{}", &sig));
    }
}
