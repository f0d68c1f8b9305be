-- The actors that must respond to a threat (module M3). A link is shown only to those who
-- may read the actor; an editor who cannot read it keeps it when saving the threat.
CREATE TABLE threat_responder (
    threat_id  TEXT NOT NULL REFERENCES threat (id),
    actor_id   TEXT NOT NULL REFERENCES actor (id),
    PRIMARY KEY (threat_id, actor_id)
);

CREATE INDEX threat_responder_actor ON threat_responder (actor_id);
