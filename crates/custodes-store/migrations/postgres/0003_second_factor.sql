-- An optional second factor: a TOTP secret (RFC 6238, base32) per user.
ALTER TABLE app_user ADD COLUMN totp_secret TEXT;
