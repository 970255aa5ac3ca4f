-- exsync business integration schema, version 1, PostgreSQL: change journal and origin marker.
--
-- Every insert, update and delete of the integration tables lands in exsync_journal through
-- the triggers below, and each entry is announced on the NOTIFY channel 'exsync_journal'.
-- The origin of a change is the transaction-local setting 'exsync.origin': exsync runs
-- SELECT set_config('exsync.origin', 'exsync', true) first in its own write transactions; any
-- other value (or none) means 'business'. Vendors never set it.
--
-- seq is assigned by exsync_journal_seal() (which exsync calls before reading), in an order
-- that can no longer change: only entries of transactions older than every running transaction
-- are numbered, so an entry can never appear behind a seq a reader has already passed.

CREATE TABLE exsync_journal (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq         BIGINT UNIQUE,
    entity_kind TEXT NOT NULL CHECK (entity_kind IN ('user', 'appointment', 'task', 'contact')),
    entity_id   TEXT NOT NULL,
    owner_login TEXT,
    operation   TEXT NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
    origin      TEXT NOT NULL CHECK (origin IN ('business', 'exsync')),
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    writer_xid  xid8 NOT NULL DEFAULT pg_current_xact_id()
);

CREATE INDEX exsync_journal_unsealed ON exsync_journal (id) WHERE seq IS NULL;

CREATE FUNCTION exsync_journal_add(p_schema TEXT, p_kind TEXT, p_id TEXT, p_owner TEXT, p_op TEXT)
RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_origin TEXT := CASE WHEN current_setting('exsync.origin', true) = 'exsync'
                          THEN 'exsync' ELSE 'business' END;
BEGIN
    INSERT INTO exsync_journal (entity_kind, entity_id, owner_login, operation, origin)
    VALUES (p_kind, p_id, p_owner, p_op, v_origin);
    -- Small, bounded payload: listeners read the journal for the details. Identical payloads
    -- within one transaction are delivered once.
    PERFORM pg_notify('exsync_journal', json_build_object(
        'schema', p_schema,
        'kind', p_kind,
        'owner', CASE WHEN length(p_owner) <= 200 THEN p_owner END,
        'origin', v_origin)::text);
END
$$;

CREATE FUNCTION exsync_journal_seal() RETURNS BIGINT
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_sealed BIGINT;
BEGIN
    -- One sealer at a time per journal table ('exsy' in the high half of the lock key).
    PERFORM pg_advisory_xact_lock(
        (x'65787379'::BIGINT << 32) | ('exsync_journal'::regclass)::oid::BIGINT);
    WITH horizon AS (
        SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin
    ), top AS (
        SELECT COALESCE(MAX(seq), 0) AS seq FROM exsync_journal
    ), ready AS (
        SELECT j.id, row_number() OVER (ORDER BY j.id) AS n
        FROM exsync_journal j, horizon h
        WHERE j.seq IS NULL AND j.writer_xid < h.xmin
    )
    UPDATE exsync_journal j SET seq = top.seq + ready.n
    FROM ready, top WHERE j.id = ready.id;
    GET DIAGNOSTICS v_sealed = ROW_COUNT;
    RETURN v_sealed;
END
$$;

-- Appointments and tasks (TG_ARGV[0] is the kind) ---------------------------------------------

CREATE FUNCTION exsync_owned_item_journal() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, TG_ARGV[0], NEW.id, NEW.owner_login, 'insert');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, TG_ARGV[0], OLD.id, OLD.owner_login, 'delete');
    ELSIF NEW.id IS DISTINCT FROM OLD.id OR NEW.owner_login IS DISTINCT FROM OLD.owner_login THEN
        -- A new id or owner: the item leaves one mailbox and appears in another.
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, TG_ARGV[0], OLD.id, OLD.owner_login, 'delete');
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, TG_ARGV[0], NEW.id, NEW.owner_login, 'insert');
    ELSE
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, TG_ARGV[0], NEW.id, NEW.owner_login, 'update');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER exsync_appointments_journal
AFTER INSERT OR UPDATE OR DELETE ON exsync_appointments
FOR EACH ROW EXECUTE FUNCTION exsync_owned_item_journal('appointment');

CREATE TRIGGER exsync_tasks_journal
AFTER INSERT OR UPDATE OR DELETE ON exsync_tasks
FOR EACH ROW EXECUTE FUNCTION exsync_owned_item_journal('task');

-- Exception rows: an update of their appointment (while it exists) ---------------------------

CREATE FUNCTION exsync_appointment_exceptions_journal() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'appointment', a.id, a.owner_login, 'update')
        FROM exsync_appointments a WHERE a.id = OLD.appointment_id;
    END IF;
    IF TG_OP = 'INSERT'
       OR (TG_OP = 'UPDATE' AND NEW.appointment_id IS DISTINCT FROM OLD.appointment_id) THEN
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'appointment', a.id, a.owner_login, 'update')
        FROM exsync_appointments a WHERE a.id = NEW.appointment_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER exsync_appointment_exceptions_journal
AFTER INSERT OR UPDATE OR DELETE ON exsync_appointment_exceptions
FOR EACH ROW EXECUTE FUNCTION exsync_appointment_exceptions_journal();

-- Contacts (company-wide: no owner) -----------------------------------------------------------

CREATE FUNCTION exsync_contacts_journal() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'contact', NEW.id, NULL, 'insert');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'contact', OLD.id, NULL, 'delete');
    ELSIF NEW.id IS DISTINCT FROM OLD.id THEN
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'contact', OLD.id, NULL, 'delete');
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'contact', NEW.id, NULL, 'insert');
    ELSE
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'contact', NEW.id, NULL, 'update');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER exsync_contacts_journal
AFTER INSERT OR UPDATE OR DELETE ON exsync_contacts
FOR EACH ROW EXECUTE FUNCTION exsync_contacts_journal();

-- Users ---------------------------------------------------------------------------------------

CREATE FUNCTION exsync_users_journal() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'user', NEW.login, NEW.login, 'insert');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'user', OLD.login, OLD.login, 'delete');
    ELSIF NEW.login IS DISTINCT FROM OLD.login THEN
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'user', OLD.login, OLD.login, 'delete');
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'user', NEW.login, NEW.login, 'insert');
    ELSE
        PERFORM exsync_journal_add(TG_TABLE_SCHEMA, 'user', NEW.login, NEW.login, 'update');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER exsync_users_journal
AFTER INSERT OR UPDATE OR DELETE ON exsync_users
FOR EACH ROW EXECUTE FUNCTION exsync_users_journal();
