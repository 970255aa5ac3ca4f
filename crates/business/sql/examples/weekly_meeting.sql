-- The user whose mailbox receives the appointment.
INSERT INTO exsync_users (login, display_name, mailbox)
VALUES ('eva', 'Eva Huber', 'eva.huber@example.com');

-- Every Monday 09:00-10:00 Berlin time, ten times, from 2 March 2026.
INSERT INTO exsync_appointments
    (id, owner_login, subject, location, body, start_time, start_zone, end_time, end_zone,
     show_as, categories, reminder_minutes, rrule)
VALUES
    ('APP-1001', 'eva', 'Team meeting', 'Room 1', 'Weekly planning.',
     '2026-03-02T09:00:00', 'Europe/Berlin', '2026-03-02T10:00:00', 'Europe/Berlin',
     'busy', 'Internal;Planning', 15, 'FREQ=WEEKLY;BYDAY=MO;COUNT=10');

-- The meeting of Monday 16 March moves to Tuesday 17 March, 14:00-15:00, in room 2.
-- Columns left NULL keep what the series says (subject, body, reminder, ...).
INSERT INTO exsync_appointment_exceptions
    (appointment_id, original_start, start_time, start_zone, end_time, end_zone, location)
VALUES
    ('APP-1001', '2026-03-16T09:00:00', '2026-03-17T14:00:00', 'Europe/Berlin',
     '2026-03-17T15:00:00', 'Europe/Berlin', 'Room 2');

-- Easter Monday, 6 April: no meeting.
INSERT INTO exsync_appointment_exceptions (appointment_id, original_start, cancelled)
VALUES ('APP-1001', '2026-04-06T09:00:00', TRUE);
