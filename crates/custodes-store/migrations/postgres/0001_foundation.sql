-- The foundation: workspaces, users and the audit chain.
-- Types are kept to the subset both backends share (TEXT, BIGINT, DOUBLE PRECISION,
-- BLOB/BYTEA): timestamps are RFC 3339 text in UTC, booleans are 0 or 1, ids are UUID text.

CREATE TABLE workspace (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('country', 'region')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE app_user (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL,
    clearance      BIGINT NOT NULL CHECK (clearance BETWEEN 0 AND 3),
    password_hash  TEXT NOT NULL,
    disabled       BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

-- The audit chain. No foreign keys: an entry outlives the record it describes.
CREATE TABLE audit_entry (
    seq           BIGINT PRIMARY KEY,
    at            TEXT NOT NULL,
    actor_id      TEXT,
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity_kind   TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    workspace_id  TEXT,
    state_digest  TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);

CREATE INDEX audit_entry_entity ON audit_entry (entity_kind, entity_id);
CREATE INDEX audit_entry_at ON audit_entry (at);

-- The head of the chain, kept apart from the entries so that a cut tail shows. Appending
-- an entry first updates this row, which also serialises concurrent writers.
CREATE TABLE audit_head (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
