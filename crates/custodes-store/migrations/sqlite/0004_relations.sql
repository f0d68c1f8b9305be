-- Relations between actors of the sector map: who oversees, reports to, coordinates with
-- or funds whom. A relation is shown only to viewers who may read both of its actors.
CREATE TABLE actor_relation (
    id              TEXT PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspace (id),
    from_actor      TEXT NOT NULL REFERENCES actor (id),
    to_actor        TEXT NOT NULL REFERENCES actor (id),
    kind            TEXT NOT NULL CHECK (kind IN ('oversees', 'reports_to', 'coordinates_with', 'funds')),
    oversight       TEXT CHECK (oversight IN ('budgetary', 'legislative', 'judicial', 'executive', 'independent')),
    note            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    CHECK ((kind = 'oversees') = (oversight IS NOT NULL)),
    CHECK (from_actor <> to_actor),
    UNIQUE (from_actor, to_actor, kind, oversight)
);

CREATE INDEX actor_relation_from ON actor_relation (from_actor);
CREATE INDEX actor_relation_to ON actor_relation (to_actor);
