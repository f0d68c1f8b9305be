-- The access model: compartments and memberships, sessions, personal access tokens,
-- sign-in throttling, and the first classified records: the actors of the sector map.

-- A compartment is a named need-to-know group: an agency, a committee, a sharing group.
CREATE TABLE compartment (
    id           TEXT PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('agency', 'committee', 'sharing_group')),
    description  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE compartment_member (
    compartment_id  TEXT NOT NULL REFERENCES compartment (id),
    user_id         TEXT NOT NULL REFERENCES app_user (id),
    PRIMARY KEY (compartment_id, user_id)
);

CREATE INDEX compartment_member_user ON compartment_member (user_id);

-- Sessions of signed-in users, kept in the database so that several server processes
-- share them. Only a hash of the session token is stored.
CREATE TABLE user_session (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES app_user (id),
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT ''
);

CREATE INDEX user_session_user ON user_session (user_id);

-- Personal access tokens for the API. Only a hash is stored; the token is shown once.
CREATE TABLE api_token (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES app_user (id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    scope         TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);

CREATE INDEX api_token_user ON api_token (user_id);

-- Failed sign-ins, by account and by address, for throttling.
CREATE TABLE sign_in_failure (
    subject  TEXT NOT NULL,
    at       TEXT NOT NULL
);

CREATE INDEX sign_in_failure_subject ON sign_in_failure (subject, at);

-- Actors of the security sector (the two pillars and around them). The first record
-- type that carries a classification.
CREATE TABLE actor (
    id             TEXT PRIMARY KEY,
    workspace_id   TEXT NOT NULL REFERENCES workspace (id),
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    mandate        TEXT NOT NULL DEFAULT '',
    legal_basis    TEXT NOT NULL DEFAULT '',
    personnel      BIGINT,
    budget         DOUBLE PRECISION,
    parent_id      TEXT REFERENCES actor (id),
    level          BIGINT NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 3),
    justification  TEXT,
    declassify_on  TEXT,
    declassify_to  BIGINT NOT NULL DEFAULT 0 CHECK (declassify_to BETWEEN 0 AND 3),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE INDEX actor_workspace ON actor (workspace_id, name);

-- The compartments a classified record is limited to; a reader must belong to all.
CREATE TABLE record_compartment (
    record_kind     TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    compartment_id  TEXT NOT NULL REFERENCES compartment (id),
    PRIMARY KEY (record_kind, record_id, compartment_id)
);
