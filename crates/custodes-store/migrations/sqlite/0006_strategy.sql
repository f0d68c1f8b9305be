-- Threat-first strategy (module M3): the threat register, goals derived from threats,
-- and strategy documents with their life cycle and consultation comments.

-- A threat carries a classification like an actor: level, justification, declassification,
-- and compartments in record_compartment with record_kind 'threat'.
CREATE TABLE threat (
    id             TEXT PRIMARY KEY,
    workspace_id   TEXT NOT NULL REFERENCES workspace (id),
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    origin         TEXT NOT NULL CHECK (origin IN ('external', 'internal', 'mixed')),
    scope          TEXT NOT NULL CHECK (scope IN ('global', 'regional', 'national', 'local')),
    targets        TEXT NOT NULL,
    source_kind    TEXT NOT NULL,
    likelihood     BIGINT NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    impact         BIGINT NOT NULL CHECK (impact BETWEEN 1 AND 5),
    trend          TEXT NOT NULL CHECK (trend IN ('rising', 'stable', 'falling')),
    review_on      TEXT,
    level          BIGINT NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 3),
    justification  TEXT,
    declassify_on  TEXT,
    declassify_to  BIGINT NOT NULL DEFAULT 0 CHECK (declassify_to BETWEEN 0 AND 3),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE INDEX threat_workspace ON threat (workspace_id, name);

-- A goal answers threats and closes deficits. Its weight is computed from its threats;
-- an override is stored with its reason, in thousandths.
CREATE TABLE goal (
    id               TEXT PRIMARY KEY,
    workspace_id     TEXT NOT NULL REFERENCES workspace (id),
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    weight_override  BIGINT CHECK (weight_override BETWEEN 0 AND 1000),
    override_reason  TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((weight_override IS NULL) = (override_reason IS NULL))
);

CREATE INDEX goal_workspace ON goal (workspace_id, title);

CREATE TABLE goal_threat (
    goal_id    TEXT NOT NULL REFERENCES goal (id),
    threat_id  TEXT NOT NULL REFERENCES threat (id),
    PRIMARY KEY (goal_id, threat_id)
);

CREATE INDEX goal_threat_threat ON goal_threat (threat_id);

-- A deficit is a text key: a source of deficit, or FRAMEWORK/INDICATOR.
CREATE TABLE goal_deficit (
    goal_id      TEXT NOT NULL REFERENCES goal (id),
    deficit_key  TEXT NOT NULL,
    PRIMARY KEY (goal_id, deficit_key)
);

CREATE TABLE strategy (
    id                      TEXT PRIMARY KEY,
    workspace_id            TEXT NOT NULL REFERENCES workspace (id),
    title                   TEXT NOT NULL,
    summary                 TEXT NOT NULL DEFAULT '',
    body                    TEXT NOT NULL DEFAULT '',
    status                  TEXT NOT NULL CHECK (status IN ('draft', 'consultation', 'debate', 'approved')),
    consultation_opens_on   TEXT,
    consultation_closes_on  TEXT,
    approved_on             TEXT,
    vote_reference          TEXT,
    review_years            BIGINT NOT NULL CHECK (review_years BETWEEN 1 AND 10),
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    CHECK (status <> 'approved' OR (approved_on IS NOT NULL AND vote_reference IS NOT NULL))
);

CREATE INDEX strategy_workspace ON strategy (workspace_id, title);

-- Comments made during public consultation. The author's name is kept as it was.
CREATE TABLE strategy_comment (
    id           TEXT PRIMARY KEY,
    strategy_id  TEXT NOT NULL REFERENCES strategy (id),
    author_id    TEXT REFERENCES app_user (id),
    author_name  TEXT NOT NULL,
    at           TEXT NOT NULL,
    body         TEXT NOT NULL
);

CREATE INDEX strategy_comment_strategy ON strategy_comment (strategy_id, at);
