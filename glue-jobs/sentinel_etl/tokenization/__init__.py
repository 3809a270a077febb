"""PII tokenization: deterministic (HMAC-SHA256), format-preserving (FF3-1), hash (SHA-256), encrypt (AES-GCM)."""
