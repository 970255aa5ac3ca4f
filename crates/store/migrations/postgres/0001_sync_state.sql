-- exsync sync state, PostgreSQL dialect.
--
-- Every table, index and constraint is prefixed `exsync_` because it may share the schema with
-- the business application's own tables. Identifier columns use the "C" collation: ids are
-- opaque byte strings, compared and ordered the same way as on SQLite.

-- One row per synced item: the identity on both sides and the last state both sides agreed on.
-- Every pass rewrites the bases of changed items while their keys stay: fillfactor 50 leaves room
-- in each page for the new versions, so these updates are HOT (no index writes), about twice as
-- fast as with full pages.
CREATE TABLE exsync_links (
    mailbox             TEXT COLLATE "C" NOT NULL,
    kind                TEXT COLLATE "C" NOT NULL
        CONSTRAINT exsync_links_kind CHECK (kind IN ('appointment', 'task', 'contact')),
    business_id         TEXT COLLATE "C" NOT NULL,
    exchange_id         TEXT COLLATE "C",
    exchange_change_key TEXT,
    base_snapshot       TEXT,
    base_fingerprint    BIGINT,
    updated_at          TIMESTAMPTZ NOT NULL,
    CONSTRAINT exsync_links_business_key PRIMARY KEY (mailbox, kind, business_id),
    -- Exchange id first: lookups always give all three columns, and comparing the most
    -- selective column first keeps index maintenance cheap.
    CONSTRAINT exsync_links_exchange_key UNIQUE (exchange_id, mailbox, kind),
    CONSTRAINT exsync_links_base_has_fingerprint
        CHECK ((base_snapshot IS NULL) = (base_fingerprint IS NULL))
) WITH (fillfactor = 50);

-- Positions in change feeds; owner is a mailbox address, or '' for global cursors.
CREATE TABLE exsync_cursors (
    owner      TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT exsync_cursors_key PRIMARY KEY (owner, name)
);

-- Writes waiting to be applied to one side. Identity ids are never reused.
CREATE TABLE exsync_outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY
        CONSTRAINT exsync_outbox_id PRIMARY KEY,
    idempotency_key TEXT COLLATE "C" NOT NULL
        CONSTRAINT exsync_outbox_idempotency_key UNIQUE,
    mailbox         TEXT COLLATE "C" NOT NULL,
    kind            TEXT COLLATE "C" NOT NULL
        CONSTRAINT exsync_outbox_kind CHECK (kind IN ('appointment', 'task', 'contact')),
    target          TEXT COLLATE "C" NOT NULL
        CONSTRAINT exsync_outbox_target CHECK (target IN ('business', 'exchange')),
    business_id     TEXT COLLATE "C" NOT NULL,
    payload         TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX exsync_outbox_due ON exsync_outbox (mailbox, next_attempt_at);

-- Time-limited ownership of a resource (e.g. a mailbox) by one exsync instance.
CREATE TABLE exsync_leases (
    resource    TEXT COLLATE "C" NOT NULL CONSTRAINT exsync_leases_resource PRIMARY KEY,
    holder      TEXT COLLATE "C" NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
