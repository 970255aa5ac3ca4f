-- exsync business integration schema, version 1, SQLite: change journal and origin marker.
--
-- Every insert, update and delete of the integration tables lands in exsync_journal through
-- the triggers below. The origin of a change is read from the one-row table
-- exsync_write_origin: exsync sets it to 'exsync' as the first statement of its own write
-- transactions and back to 'business' before committing. SQLite runs one write transaction at
-- a time and nobody else sees uncommitted rows, so every other writer always reads 'business'.
-- Vendors never write exsync_write_origin.

CREATE TABLE exsync_write_origin (
    id     INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    origin TEXT NOT NULL DEFAULT 'business' CHECK (origin IN ('business', 'exsync'))
);

INSERT INTO exsync_write_origin (id, origin) VALUES (1, 'business');

CREATE TABLE exsync_journal (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_kind TEXT NOT NULL CHECK (entity_kind IN ('user', 'appointment', 'task', 'contact')),
    entity_id   TEXT NOT NULL,
    owner_login TEXT,
    operation   TEXT NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
    origin      TEXT NOT NULL CHECK (origin IN ('business', 'exsync')),
    changed_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Users ---------------------------------------------------------------------------------------

CREATE TRIGGER exsync_users_journal_insert AFTER INSERT ON exsync_users
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('user', NEW.login, NEW.login, 'insert',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

CREATE TRIGGER exsync_users_journal_update AFTER UPDATE ON exsync_users
WHEN NEW.login IS OLD.login
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('user', NEW.login, NEW.login, 'update',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

-- A renamed login is journaled as the old user gone and a new one come; the owner columns
-- follow the rename even on connections without PRAGMA foreign_keys.
CREATE TRIGGER exsync_users_journal_rename AFTER UPDATE ON exsync_users
WHEN NEW.login IS NOT OLD.login
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('user', OLD.login, OLD.login, 'delete',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('user', NEW.login, NEW.login, 'insert',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
    UPDATE exsync_appointments SET owner_login = NEW.login WHERE owner_login = OLD.login;
    UPDATE exsync_tasks SET owner_login = NEW.login WHERE owner_login = OLD.login;
END;

CREATE TRIGGER exsync_users_journal_delete AFTER DELETE ON exsync_users
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('user', OLD.login, OLD.login, 'delete',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

-- Appointments --------------------------------------------------------------------------------

CREATE TRIGGER exsync_appointments_journal_insert AFTER INSERT ON exsync_appointments
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('appointment', NEW.id, NEW.owner_login, 'insert',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

CREATE TRIGGER exsync_appointments_journal_update AFTER UPDATE ON exsync_appointments
WHEN NEW.id IS OLD.id AND NEW.owner_login IS OLD.owner_login
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('appointment', NEW.id, NEW.owner_login, 'update',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

-- A new id or a new owner: the item leaves one mailbox (delete) and appears in another (insert).
CREATE TRIGGER exsync_appointments_journal_move AFTER UPDATE ON exsync_appointments
WHEN NEW.id IS NOT OLD.id OR NEW.owner_login IS NOT OLD.owner_login
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('appointment', OLD.id, OLD.owner_login, 'delete',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('appointment', NEW.id, NEW.owner_login, 'insert',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
    UPDATE exsync_appointment_exceptions SET appointment_id = NEW.id
    WHERE appointment_id = OLD.id AND NEW.id IS NOT OLD.id;
END;

CREATE TRIGGER exsync_appointments_journal_delete AFTER DELETE ON exsync_appointments
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('appointment', OLD.id, OLD.owner_login, 'delete',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
    -- The exceptions go with their series even on connections without PRAGMA foreign_keys.
    DELETE FROM exsync_appointment_exceptions WHERE appointment_id = OLD.id;
END;

-- Exception rows are journaled as an update of their appointment (while it exists).

CREATE TRIGGER exsync_appointment_exceptions_journal_insert
AFTER INSERT ON exsync_appointment_exceptions
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    SELECT 'appointment', a.id, a.owner_login, 'update',
           COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business')
    FROM exsync_appointments a WHERE a.id = NEW.appointment_id;
END;

CREATE TRIGGER exsync_appointment_exceptions_journal_update
AFTER UPDATE ON exsync_appointment_exceptions
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    SELECT 'appointment', a.id, a.owner_login, 'update',
           COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business')
    FROM exsync_appointments a WHERE a.id IN (OLD.appointment_id, NEW.appointment_id);
END;

CREATE TRIGGER exsync_appointment_exceptions_journal_delete
AFTER DELETE ON exsync_appointment_exceptions
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    SELECT 'appointment', a.id, a.owner_login, 'update',
           COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business')
    FROM exsync_appointments a WHERE a.id = OLD.appointment_id;
END;

-- Tasks ---------------------------------------------------------------------------------------

CREATE TRIGGER exsync_tasks_journal_insert AFTER INSERT ON exsync_tasks
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('task', NEW.id, NEW.owner_login, 'insert',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

CREATE TRIGGER exsync_tasks_journal_update AFTER UPDATE ON exsync_tasks
WHEN NEW.id IS OLD.id AND NEW.owner_login IS OLD.owner_login
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('task', NEW.id, NEW.owner_login, 'update',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

CREATE TRIGGER exsync_tasks_journal_move AFTER UPDATE ON exsync_tasks
WHEN NEW.id IS NOT OLD.id OR NEW.owner_login IS NOT OLD.owner_login
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('task', OLD.id, OLD.owner_login, 'delete',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('task', NEW.id, NEW.owner_login, 'insert',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

CREATE TRIGGER exsync_tasks_journal_delete AFTER DELETE ON exsync_tasks
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('task', OLD.id, OLD.owner_login, 'delete',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

-- Contacts (company-wide: no owner) -----------------------------------------------------------

CREATE TRIGGER exsync_contacts_journal_insert AFTER INSERT ON exsync_contacts
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('contact', NEW.id, NULL, 'insert',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

CREATE TRIGGER exsync_contacts_journal_update AFTER UPDATE ON exsync_contacts
WHEN NEW.id IS OLD.id
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('contact', NEW.id, NULL, 'update',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

CREATE TRIGGER exsync_contacts_journal_move AFTER UPDATE ON exsync_contacts
WHEN NEW.id IS NOT OLD.id
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('contact', OLD.id, NULL, 'delete',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('contact', NEW.id, NULL, 'insert',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;

CREATE TRIGGER exsync_contacts_journal_delete AFTER DELETE ON exsync_contacts
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES ('contact', OLD.id, NULL, 'delete',
            COALESCE((SELECT origin FROM exsync_write_origin WHERE id = 1), 'business'));
END;
