"""PII tokenization: deterministic (HMAC-SHA256), format_preserving (FF1), deterministic_encrypt (AES-SIV), hash (SHA-256), encrypt (AES-GCM)."""
