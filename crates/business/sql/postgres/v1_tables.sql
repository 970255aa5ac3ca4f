-- exsync business integration schema, version 1, PostgreSQL: tables.
-- Documented for vendors in docs/integration-schema.md. Applied once by `exsync business init`;
-- later versions add files, they never edit this one.

CREATE TABLE exsync_users (
    login        TEXT PRIMARY KEY CHECK (login <> ''),
    display_name TEXT,
    mailbox      TEXT,
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE exsync_appointments (
    id                TEXT PRIMARY KEY CHECK (id <> ''),
    owner_login       TEXT NOT NULL REFERENCES exsync_users (login) ON UPDATE CASCADE,
    subject           TEXT,
    location          TEXT,
    body              TEXT,
    body_format       TEXT DEFAULT 'text' CHECK (body_format IN ('text', 'html')),
    all_day           BOOLEAN NOT NULL DEFAULT FALSE,
    start_time        TEXT NOT NULL
        CHECK (start_time ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$'),
    start_zone        TEXT,
    end_time          TEXT NOT NULL
        CHECK (end_time ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$'),
    end_zone          TEXT,
    show_as           TEXT DEFAULT 'busy'
        CHECK (show_as IN ('free', 'tentative', 'busy', 'out_of_office', 'working_elsewhere')),
    sensitivity       TEXT DEFAULT 'normal'
        CHECK (sensitivity IN ('normal', 'personal', 'private', 'confidential')),
    importance        TEXT DEFAULT 'normal' CHECK (importance IN ('low', 'normal', 'high')),
    categories        TEXT,
    reminder_minutes  INTEGER CHECK (reminder_minutes BETWEEN 0 AND 20160),
    organizer_address TEXT,
    organizer_name    TEXT,
    attendees         TEXT,
    rrule             TEXT,
    recurrence_zone   TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT exsync_appointments_zone_required CHECK (start_zone IS NOT NULL OR all_day)
);

CREATE INDEX exsync_appointments_owner ON exsync_appointments (owner_login, start_time);

CREATE TABLE exsync_appointment_exceptions (
    appointment_id   TEXT NOT NULL
        REFERENCES exsync_appointments (id) ON DELETE CASCADE ON UPDATE CASCADE,
    original_start   TEXT NOT NULL
        CHECK (original_start ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$'),
    cancelled        BOOLEAN NOT NULL DEFAULT FALSE,
    all_day          BOOLEAN,
    start_time       TEXT
        CHECK (start_time ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$'),
    start_zone       TEXT,
    end_time         TEXT
        CHECK (end_time ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$'),
    end_zone         TEXT,
    subject          TEXT,
    location         TEXT,
    body             TEXT,
    body_format      TEXT CHECK (body_format IN ('text', 'html')),
    show_as          TEXT
        CHECK (show_as IN ('free', 'tentative', 'busy', 'out_of_office', 'working_elsewhere')),
    sensitivity      TEXT CHECK (sensitivity IN ('normal', 'personal', 'private', 'confidential')),
    importance       TEXT CHECK (importance IN ('low', 'normal', 'high')),
    categories       TEXT,
    reminder_minutes INTEGER CHECK (reminder_minutes BETWEEN 0 AND 20160),
    reminder_off     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (appointment_id, original_start)
);

CREATE TABLE exsync_tasks (
    id             TEXT PRIMARY KEY CHECK (id <> ''),
    owner_login    TEXT NOT NULL REFERENCES exsync_users (login) ON UPDATE CASCADE,
    subject        TEXT,
    body           TEXT,
    body_format    TEXT DEFAULT 'text' CHECK (body_format IN ('text', 'html')),
    start_time     TEXT
        CHECK (start_time ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$'),
    start_zone     TEXT,
    due_time       TEXT
        CHECK (due_time ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$'),
    due_zone       TEXT,
    completed_time TEXT
        CHECK (completed_time ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$'),
    completed_zone TEXT,
    status         TEXT DEFAULT 'not_started' CHECK (status IN
        ('not_started', 'in_progress', 'completed', 'waiting_on_others', 'deferred')),
    importance     TEXT DEFAULT 'normal' CHECK (importance IN ('low', 'normal', 'high')),
    reminder_time  TEXT
        CHECK (reminder_time ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$'),
    reminder_zone  TEXT,
    categories     TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT exsync_tasks_zones_required CHECK (
        (start_time IS NULL OR start_zone IS NOT NULL)
        AND (due_time IS NULL OR due_zone IS NOT NULL)
        AND (completed_time IS NULL OR completed_zone IS NOT NULL)
        AND (reminder_time IS NULL OR reminder_zone IS NOT NULL))
);

CREATE INDEX exsync_tasks_owner ON exsync_tasks (owner_login);

CREATE TABLE exsync_contacts (
    id                   TEXT PRIMARY KEY CHECK (id <> ''),
    title                TEXT,
    given_name           TEXT,
    middle_name          TEXT,
    surname              TEXT,
    suffix               TEXT,
    display_name         TEXT,
    company              TEXT,
    department           TEXT,
    job_title            TEXT,
    email1_address       TEXT,
    email1_name          TEXT,
    email2_address       TEXT,
    email2_name          TEXT,
    email3_address       TEXT,
    email3_name          TEXT,
    business_phones      TEXT,
    mobile_phone         TEXT,
    home_phones          TEXT,
    business_fax         TEXT,
    business_street      TEXT,
    business_city        TEXT,
    business_state       TEXT,
    business_postal_code TEXT,
    business_country     TEXT,
    home_street          TEXT,
    home_city            TEXT,
    home_state           TEXT,
    home_postal_code     TEXT,
    home_country         TEXT,
    other_street         TEXT,
    other_city           TEXT,
    other_state          TEXT,
    other_postal_code    TEXT,
    other_country        TEXT,
    website              TEXT,
    notes                TEXT,
    categories           TEXT,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);
