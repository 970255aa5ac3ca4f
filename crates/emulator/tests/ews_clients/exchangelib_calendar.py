"""Drives the emulator's EWS endpoint with exchangelib, an independent EWS client.

Reads EWS_URL, EWS_USERNAME, EWS_PASSWORD and EWS_MAILBOX from the environment (never from
arguments, so the password does not show in a process list). Creates, reads, updates and deletes
a single calendar item and a weekly series, moves one occurrence and deletes another, follows
a pull subscription's events, creates and finds a calendar folder, and checks what exchangelib
reads back. Exits non-zero (with a traceback) on the first mismatch.
"""

import datetime
import os
import sys

from exchangelib import (
    BASIC,
    IMPERSONATION,
    Account,
    CalendarItem,
    Configuration,
    Credentials,
    EWSDateTime,
    EWSTimeZone,
)
from exchangelib.folders import Calendar as CalendarFolder
from exchangelib.folders import FolderCollection
from exchangelib.queryset import Q
from exchangelib.items import SEND_TO_NONE
from exchangelib.recurrence import Recurrence, WeeklyPattern
from exchangelib.services import CreateFolder
from exchangelib.version import EXCHANGE_2016, Version

TZ = EWSTimeZone("Europe/Berlin")


def at(day, hour, minute=0):
    return EWSDateTime(2026, 8, day, hour, minute, tzinfo=TZ)


def ours(items, subject):
    return [i for i in items if i.subject == subject]


def main():
    config = Configuration(
        service_endpoint=os.environ["EWS_URL"],
        credentials=Credentials(os.environ["EWS_USERNAME"], os.environ["EWS_PASSWORD"]),
        auth_type=BASIC,
        version=Version(build=EXCHANGE_2016),
    )
    account = Account(
        primary_smtp_address=os.environ["EWS_MAILBOX"],
        config=config,
        autodiscover=False,
        access_type=IMPERSONATION,
        default_timezone=TZ,
    )
    calendar = account.calendar

    # A single item: create, read, update, delete.
    single = CalendarItem(
        account=account,
        folder=calendar,
        subject="exchangelib single",
        body="hello",
        location="Room 7",
        categories=["Blue"],
        start=at(3, 9),
        end=at(3, 10),
    )
    single.save(send_meeting_invitations=SEND_TO_NONE)
    (read,) = account.fetch(ids=[single])
    assert read.subject == "exchangelib single", read.subject
    assert read.location == "Room 7", read.location
    assert read.start == at(3, 9), read.start
    assert read.categories == ["Blue"], read.categories
    read.subject = "exchangelib single renamed"
    read.save(update_fields=["subject"], send_meeting_invitations=SEND_TO_NONE)
    (read,) = account.fetch(ids=[read])
    assert read.subject == "exchangelib single renamed", read.subject

    # A weekly series of five Mondays.
    series = CalendarItem(
        account=account,
        folder=calendar,
        subject="exchangelib weekly",
        start=at(3, 14),
        end=at(3, 15),
        recurrence=Recurrence(
            pattern=WeeklyPattern(interval=1, weekdays=[1]),
            start=datetime.date(2026, 8, 3),
            number=5,
        ),
    )
    series.save(send_meeting_invitations=SEND_TO_NONE)
    window = dict(start=at(1, 0), end=EWSDateTime(2026, 9, 30, 0, 0, tzinfo=TZ))
    occurrences = ours(calendar.view(**window), "exchangelib weekly")
    assert len(occurrences) == 5, occurrences
    assert [o.start.day for o in occurrences] == [3, 10, 17, 24, 31], occurrences

    # Move the second occurrence two hours later, then delete the third.
    second = occurrences[1]
    second.start = at(10, 16)
    second.end = at(10, 17)
    second.save(update_fields=["start", "end"], send_meeting_invitations=SEND_TO_NONE)
    occurrences = ours(calendar.view(**window), "exchangelib weekly")
    occurrences[2].delete(send_meeting_cancellations=SEND_TO_NONE)

    occurrences = ours(calendar.view(**window), "exchangelib weekly")
    assert [o.start.day for o in occurrences] == [3, 10, 24, 31], occurrences
    moved = occurrences[1]
    assert moved.start == at(10, 16), moved.start
    assert moved.type == "Exception", moved.type
    (master,) = account.fetch(ids=[series])
    assert master.type == "RecurringMaster", master.type
    assert len(master.modified_occurrences) == 1, master.modified_occurrences
    assert len(master.deleted_occurrences) == 1, master.deleted_occurrences
    assert master.recurrence.boundary.number == 5, master.recurrence

    # Clean up: nothing of ours is left.
    account.bulk_delete(ids=[read, master], send_meeting_cancellations=SEND_TO_NONE)
    left = [i for i in calendar.view(**window) if i.subject.startswith("exchangelib")]
    assert not left, left

    # Pull notifications: subscribe to the calendar, create and delete an item, read the
    # events (exchangelib polls GetEvents while MoreEvents), unsubscribe.
    subscription_id, watermark = calendar.subscribe_to_pull(timeout=10)
    notified = CalendarItem(
        account=account,
        folder=calendar,
        subject="exchangelib notified",
        start=at(4, 9),
        end=at(4, 10),
    )
    notified.save(send_meeting_invitations=SEND_TO_NONE)
    events = [e for n in calendar.get_events(subscription_id, watermark) for e in n.events]
    created = [e.item_id.id for e in events if type(e).__name__ == "CreatedEvent"]
    assert created == [notified.id], events
    last = events[-1].watermark
    notified_id = notified.id  # exchangelib forgets the id on delete
    notified.delete(send_meeting_cancellations=SEND_TO_NONE)
    events = [e for n in calendar.get_events(subscription_id, last) for e in n.events]
    deleted = [e.item_id.id for e in events if type(e).__name__ == "DeletedEvent"]
    assert deleted == [notified_id], events
    calendar.unsubscribe(subscription_id)

    # Folders: exchangelib creates a calendar folder under the calendar (CreateFolder) and finds
    # it again with FindFolder and a restriction on its name. (Not calendar.walk(), which probes
    # distinguished folder names newer than the schema in shared/conformance.)
    # The CreateFolder service is called directly: Folder.save() also fills exchangelib's folder
    # cache, which probes every distinguished folder name, some newer than that schema.
    created = CalendarFolder(parent=calendar, name="exchangelib sub-calendar")
    made = CreateFolder(account=account).get(parent_folder=calendar, folders=[created])
    created._id = made._id
    below = FolderCollection(account=account, folders=[calendar])
    found = list(below.find_folders(q=Q(name="exchangelib sub-calendar")))
    assert [f.id for f in found] == [created.id], found
    assert [f.name for f in below.find_folders()] == ["exchangelib sub-calendar"]
    print("exchangelib scenario passed")


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001 - report anything, fail the test
        import traceback

        traceback.print_exc()
        sys.exit(1)
