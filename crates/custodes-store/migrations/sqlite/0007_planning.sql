-- Capabilities-based planning (module M4): the horizon, capabilities, programmes with
-- their options and the rules between them, funding sources, minimum shares, budget
-- scenarios, and plans with the problem they were solved on and their outcome.
--
-- Yearly values are JSON arrays of numbers in TEXT columns: `required`, `current_levels`
-- and `ceilings` have one entry per year of the horizon; an option's `costs` is
-- [{"source": KEY, "per_year": [...]}] and its `contributions`
-- [{"capability": KEY, "per_year": [...]}], entry 0 being the option's first year.
-- Keys are the text ids of `custodes_core::plan` and are unique within a workspace.

CREATE TABLE planning_horizon (
    workspace_id   TEXT PRIMARY KEY REFERENCES workspace (id),
    first_year     BIGINT NOT NULL,
    years          BIGINT NOT NULL CHECK (years BETWEEN 1 AND 30),
    discount_rate  DOUBLE PRECISION NOT NULL,
    updated_at     TEXT NOT NULL
);

-- A capability a goal needs. Its current level is entered (current_levels) or read from
-- an assessment indicator (current_assessment_id, current_indicator).
CREATE TABLE capability (
    id                     TEXT PRIMARY KEY,
    workspace_id           TEXT NOT NULL REFERENCES workspace (id),
    key                    TEXT NOT NULL,
    goal_id                TEXT NOT NULL REFERENCES goal (id),
    name                   TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    required               TEXT NOT NULL,
    current_levels         TEXT,
    current_assessment_id  TEXT REFERENCES assessment (id),
    current_indicator      TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    UNIQUE (workspace_id, key),
    CHECK ((current_levels IS NULL) <> (current_assessment_id IS NULL))
);

CREATE TABLE funding_source (
    id               TEXT PRIMARY KEY,
    workspace_id     TEXT NOT NULL REFERENCES workspace (id),
    key              TEXT NOT NULL,
    name             TEXT NOT NULL,
    ceilings         TEXT NOT NULL,
    eligible_fields  TEXT NOT NULL DEFAULT '',
    carry_over       BIGINT NOT NULL DEFAULT 0 CHECK (carry_over IN (0, 1)),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (workspace_id, key)
);

-- A programme carries a classification like a threat: level, justification,
-- declassification, and compartments in record_compartment with record_kind 'programme'.
CREATE TABLE programme (
    id              TEXT PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspace (id),
    key             TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL CHECK (kind IN ('institutional', 'sectoral')),
    field           TEXT NOT NULL,
    lead_actor_id   TEXT REFERENCES actor (id),
    mandatory       BIGINT NOT NULL DEFAULT 0 CHECK (mandatory IN (0, 1)),
    earliest_start  BIGINT,
    latest_start    BIGINT,
    level           BIGINT NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 3),
    justification   TEXT,
    declassify_on   TEXT,
    declassify_to   BIGINT NOT NULL DEFAULT 0 CHECK (declassify_to BETWEEN 0 AND 3),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (workspace_id, key)
);

CREATE INDEX programme_workspace ON programme (workspace_id, name);

-- Partner actors and donors of a programme.
CREATE TABLE programme_actor (
    programme_id  TEXT NOT NULL REFERENCES programme (id),
    actor_id      TEXT NOT NULL REFERENCES actor (id),
    role          TEXT NOT NULL CHECK (role IN ('partner', 'donor')),
    PRIMARY KEY (programme_id, actor_id, role)
);

-- Funding sources that may fund a programme whatever its field.
CREATE TABLE source_programme (
    source_id     TEXT NOT NULL REFERENCES funding_source (id),
    programme_id  TEXT NOT NULL REFERENCES programme (id),
    PRIMARY KEY (source_id, programme_id)
);

CREATE TABLE programme_option (
    id             TEXT PRIMARY KEY,
    programme_id   TEXT NOT NULL REFERENCES programme (id),
    key            TEXT NOT NULL,
    name           TEXT NOT NULL,
    duration       BIGINT NOT NULL CHECK (duration >= 1),
    costs          TEXT NOT NULL,
    contributions  TEXT NOT NULL,
    position       BIGINT NOT NULL,
    UNIQUE (programme_id, key)
);

-- `after` cannot start before `before` has finished. A gate is the same rule for an
-- integrity programme (`before`) and the programme behind it (`after`).
CREATE TABLE programme_link (
    before_id  TEXT NOT NULL REFERENCES programme (id),
    after_id   TEXT NOT NULL REFERENCES programme (id),
    kind       TEXT NOT NULL CHECK (kind IN ('dependency', 'gate')),
    PRIMARY KEY (before_id, after_id, kind),
    CHECK (before_id <> after_id)
);

-- Sets of programmes of which at most one may be chosen.
CREATE TABLE programme_exclusion (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL REFERENCES workspace (id),
    name          TEXT NOT NULL
);

CREATE TABLE programme_exclusion_member (
    exclusion_id  TEXT NOT NULL REFERENCES programme_exclusion (id),
    programme_id  TEXT NOT NULL REFERENCES programme (id),
    PRIMARY KEY (exclusion_id, programme_id)
);

-- How many programmes a lead actor can run at once.
CREATE TABLE lead_capacity (
    workspace_id  TEXT NOT NULL REFERENCES workspace (id),
    actor_id      TEXT NOT NULL REFERENCES actor (id),
    max_running   BIGINT NOT NULL CHECK (max_running >= 0),
    PRIMARY KEY (workspace_id, actor_id)
);

-- A minimum share of the total spend for a reform field ('field', its name) or a goal
-- ('goal', its id).
CREATE TABLE minimum_share (
    workspace_id  TEXT NOT NULL REFERENCES workspace (id),
    of_kind       TEXT NOT NULL CHECK (of_kind IN ('field', 'goal')),
    of_value      TEXT NOT NULL,
    share         DOUBLE PRECISION NOT NULL CHECK (share >= 0 AND share <= 1),
    PRIMARY KEY (workspace_id, of_kind, of_value)
);

-- Named budget assumptions, as JSON (see `custodes_core::planning::Assumption`).
CREATE TABLE planning_scenario (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL REFERENCES workspace (id),
    key           TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    assumptions   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (workspace_id, key)
);

-- A plan keeps the problem it was solved on (`problem`, a `custodes_core::plan::PlanProblem`
-- as JSON) and the optimiser's outcome (`outcome`, JSON), so that it reads the same after
-- the portfolio changes. `choices` is the plan itself (a `custodes_core::plan::Plan`),
-- `report` the solve's explanations in words (`custodes_core::planning::SolveReport`)
-- and `outcome` the optimiser's whole answer, for the API. It is classified at the highest level of its programmes, with
-- their compartments in record_compartment (record_kind 'plan').
CREATE TABLE plan (
    id                  TEXT PRIMARY KEY,
    workspace_id        TEXT NOT NULL REFERENCES workspace (id),
    name                TEXT NOT NULL,
    scenario_id         TEXT REFERENCES planning_scenario (id),
    scenario            TEXT NOT NULL,
    settings            TEXT NOT NULL,
    problem             TEXT NOT NULL,
    choices             TEXT NOT NULL,
    report              TEXT NOT NULL,
    outcome             TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'superseded')),
    submitted_on        TEXT,
    approved_on         TEXT,
    approval_reference  TEXT,
    superseded_on       TEXT,
    level               BIGINT NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 3),
    justification       TEXT,
    declassify_on       TEXT,
    declassify_to       BIGINT NOT NULL DEFAULT 0 CHECK (declassify_to BETWEEN 0 AND 3),
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CHECK (status NOT IN ('approved', 'superseded') OR (approved_on IS NOT NULL AND approval_reference IS NOT NULL))
);

CREATE INDEX plan_workspace ON plan (workspace_id, created_at);
