-- Frameworks and assessments (module M2).

-- Frameworks imported into this instance. The built-in frameworks ship in the binary and
-- are not stored; an imported one keeps the text of its file, from which it is read again.
CREATE TABLE framework (
    id           TEXT PRIMARY KEY,
    key          TEXT NOT NULL,
    version      TEXT NOT NULL,
    name         TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    source       TEXT NOT NULL,
    imported_by  TEXT REFERENCES app_user (id),
    imported_at  TEXT NOT NULL,
    UNIQUE (key, version)
);

-- One framework version applied to one workspace for one period. Classified like actors.
-- A correction of a published assessment is a new row whose `corrects` names it.
CREATE TABLE assessment (
    id                  TEXT PRIMARY KEY,
    workspace_id        TEXT NOT NULL REFERENCES workspace (id),
    framework_key       TEXT NOT NULL,
    framework_version   TEXT NOT NULL,
    title               TEXT NOT NULL,
    period              TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'in_review', 'validated', 'published')),
    version             BIGINT NOT NULL DEFAULT 1,
    corrects            TEXT REFERENCES assessment (id),
    review_round        BIGINT NOT NULL DEFAULT 1,
    required_reviewers  BIGINT NOT NULL DEFAULT 1 CHECK (required_reviewers >= 1),
    level               BIGINT NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 3),
    justification       TEXT,
    declassify_on       TEXT,
    declassify_to       BIGINT NOT NULL DEFAULT 0 CHECK (declassify_to BETWEEN 0 AND 3),
    created_by          TEXT REFERENCES app_user (id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    published_at        TEXT
);

CREATE INDEX assessment_workspace ON assessment (workspace_id, period);

-- The actors an assessment is limited to, when it is not about the whole sector.
CREATE TABLE assessment_actor (
    assessment_id  TEXT NOT NULL REFERENCES assessment (id),
    actor_id       TEXT NOT NULL REFERENCES actor (id),
    PRIMARY KEY (assessment_id, actor_id)
);

-- Who answers and who reviews.
CREATE TABLE assessment_member (
    assessment_id  TEXT NOT NULL REFERENCES assessment (id),
    user_id        TEXT NOT NULL REFERENCES app_user (id),
    role           TEXT NOT NULL CHECK (role IN ('assessor', 'reviewer')),
    PRIMARY KEY (assessment_id, user_id, role)
);

-- The current answer to each indicator: a level or a missing state.
CREATE TABLE answer (
    assessment_id  TEXT NOT NULL REFERENCES assessment (id),
    indicator      TEXT NOT NULL,
    level_id       TEXT,
    missing        TEXT CHECK (missing IN ('not_applicable', 'not_enough_information', 'not_scored')),
    explanation    TEXT NOT NULL DEFAULT '',
    actor_id       TEXT REFERENCES actor (id),
    updated_by     TEXT REFERENCES app_user (id),
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (assessment_id, indicator),
    CHECK ((level_id IS NULL) <> (missing IS NULL))
);

-- Every change of an answer: who, when, before and after (JSON).
CREATE TABLE answer_change (
    id             TEXT PRIMARY KEY,
    assessment_id  TEXT NOT NULL REFERENCES assessment (id),
    indicator      TEXT NOT NULL,
    changed_by     TEXT REFERENCES app_user (id),
    changed_at     TEXT NOT NULL,
    before_state   TEXT,
    after_state    TEXT NOT NULL
);

CREATE INDEX answer_change_indicator ON answer_change (assessment_id, indicator, changed_at);

-- The evidence behind an answer: links and documents, each with its own classification.
CREATE TABLE answer_source (
    id             TEXT PRIMARY KEY,
    assessment_id  TEXT NOT NULL REFERENCES assessment (id),
    indicator      TEXT NOT NULL,
    title          TEXT NOT NULL,
    url            TEXT NOT NULL DEFAULT '',
    level          BIGINT NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 3),
    justification  TEXT,
    declassify_on  TEXT,
    declassify_to  BIGINT NOT NULL DEFAULT 0 CHECK (declassify_to BETWEEN 0 AND 3),
    added_by       TEXT REFERENCES app_user (id),
    added_at       TEXT NOT NULL
);

CREATE INDEX answer_source_indicator ON answer_source (assessment_id, indicator);

-- Reviewers' comments, per indicator (or on the whole assessment when `indicator` is
-- NULL), in the review round they were made in.
CREATE TABLE review_comment (
    id             TEXT PRIMARY KEY,
    assessment_id  TEXT NOT NULL REFERENCES assessment (id),
    indicator      TEXT,
    round          BIGINT NOT NULL,
    author_id      TEXT REFERENCES app_user (id),
    body           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

CREATE INDEX review_comment_assessment ON review_comment (assessment_id, indicator);

-- Reviewers' decisions, one per reviewer and round at most.
CREATE TABLE review_decision (
    id             TEXT PRIMARY KEY,
    assessment_id  TEXT NOT NULL REFERENCES assessment (id),
    round          BIGINT NOT NULL,
    reviewer_id    TEXT NOT NULL REFERENCES app_user (id),
    decision       TEXT NOT NULL CHECK (decision IN ('approve', 'request_changes')),
    comment        TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    UNIQUE (assessment_id, round, reviewer_id)
);
