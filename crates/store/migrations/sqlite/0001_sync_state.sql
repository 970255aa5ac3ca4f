-- exsync sync state, SQLite dialect.
--
-- Every table is prefixed `exsync_` because it may share the database with the business
-- application's own tables. Timestamps are fixed-width RFC 3339 UTC text
-- (`YYYY-MM-DDTHH:MM:SS.ffffffZ`) so that comparing the text compares the instants.

-- One row per synced item: the identity on both sides and the last state both sides agreed on.
CREATE TABLE exsync_links (
    mailbox             TEXT    NOT NULL,
    kind                TEXT    NOT NULL CHECK (kind IN ('appointment', 'task', 'contact')),
    business_id         TEXT    NOT NULL,
    exchange_id         TEXT,
    exchange_change_key TEXT,
    base_snapshot       TEXT,
    base_fingerprint    INTEGER,
    updated_at          TEXT    NOT NULL,
    CONSTRAINT exsync_links_base_has_fingerprint
        CHECK ((base_snapshot IS NULL) = (base_fingerprint IS NULL))
);
CREATE UNIQUE INDEX exsync_links_business_key ON exsync_links (mailbox, kind, business_id);
-- Exchange id first: lookups always give all three columns, and comparing the most selective
-- column first keeps index maintenance cheap.
CREATE UNIQUE INDEX exsync_links_exchange_key ON exsync_links (exchange_id, mailbox, kind);

-- Positions in change feeds; owner is a mailbox address, or '' for global cursors.
CREATE TABLE exsync_cursors (
    owner      TEXT NOT NULL,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (owner, name)
);

-- Writes waiting to be applied to one side. AUTOINCREMENT: an id is never reused, so a stale id
-- held by a worker can never complete somebody else's entry.
CREATE TABLE exsync_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT    NOT NULL UNIQUE,
    mailbox         TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('appointment', 'task', 'contact')),
    target          TEXT    NOT NULL CHECK (target IN ('business', 'exchange')),
    business_id     TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
);
CREATE INDEX exsync_outbox_due ON exsync_outbox (mailbox, next_attempt_at);

-- Time-limited ownership of a resource (e.g. a mailbox) by one exsync instance.
CREATE TABLE exsync_leases (
    resource    TEXT NOT NULL PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
