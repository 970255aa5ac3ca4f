"""Drives the emulator's Graph endpoint with msgraph-sdk, Microsoft's own Python Graph client.

Reads GRAPH_URL, TOKEN_URL, CLIENT_ID, CLIENT_SECRET and GRAPH_MAILBOX from the environment
(never from arguments, so the secret does not show in a process list, and it is never printed).

The SDK's own credential path (azure-identity) accepts only an https authority, and the
emulator's token endpoint is plain http, so this script fetches the token from the emulator's token endpoint itself (client credentials,
form POST) and hands it to the SDK through kiota's `AccessTokenProvider` /
`BaseBearerTokenAuthenticationProvider`; everything after that is the SDK's request builders,
serialisation and parsing.

Scenario: create two single events and a weekly series, read one back, run a calendarView
delta round (paged, following @odata.nextLink) to its delta link, update one event and delete
the other, follow the delta link (the update is there, the deletion is `@removed`), and list
the series' instances. Exits non-zero with a message naming the failed step.
"""

import asyncio
import datetime
import os
import sys
import time
from urllib.parse import urlparse

import httpx
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.day_of_week import DayOfWeek
from msgraph.generated.models.event import Event
from msgraph.generated.models.event_type import EventType
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.location import Location
from msgraph.generated.models.patterned_recurrence import PatternedRecurrence
from msgraph.generated.models.recurrence_pattern import RecurrencePattern
from msgraph.generated.models.recurrence_pattern_type import RecurrencePatternType
from msgraph.generated.models.recurrence_range import RecurrenceRange
from msgraph.generated.models.recurrence_range_type import RecurrenceRangeType
from msgraph.generated.users.item.calendar_view.delta.delta_request_builder import (
    DeltaRequestBuilder,
)
from msgraph.generated.users.item.events.item.instances.instances_request_builder import (
    InstancesRequestBuilder,
)

ZONE = "W. Europe Standard Time"
WINDOW_START = "2026-09-01T00:00:00Z"
WINDOW_END = "2026-10-01T00:00:00Z"
# Items per delta page: small, so the first round (seven items with the series master) takes
# several pages.
PAGE = 2


class Failed(Exception):
    """A check of the scenario did not hold."""


def check(condition, message):
    if not condition:
        raise Failed(message)


class EmulatorTokenProvider(AccessTokenProvider):
    """Client-credentials tokens from the emulator's token endpoint, for its host only."""

    def __init__(self, token_url, client_id, client_secret, host):
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._validator = AllowedHostsValidator([host])
        self._token = None
        self._expires_at = 0.0
        self.fetched = 0

    async def get_authorization_token(self, uri, additional_authentication_context={}):
        if not self._validator.is_url_host_valid(uri):
            return ""
        if self._token is None or time.monotonic() > self._expires_at - 60:
            async with httpx.AsyncClient() as http:
                answer = await http.post(
                    self._token_url,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": self._client_id,
                        "client_secret": self._client_secret,
                        "scope": "https://graph.microsoft.com/.default",
                    },
                )
            check(
                answer.status_code == 200,
                f"token endpoint answered {answer.status_code}: {answer.text[:300]}",
            )
            body = answer.json()
            check(body.get("token_type") == "Bearer", f"token_type {body.get('token_type')!r}")
            self._token = body["access_token"]
            self._expires_at = time.monotonic() + float(body["expires_in"])
            self.fetched += 1
        return self._token

    def get_allowed_hosts_validator(self):
        return self._validator


def at(day, hour):
    return DateTimeTimeZone(date_time=f"2026-09-{day:02d}T{hour:02d}:00:00", time_zone=ZONE)


def utc_wall(value):
    """The wall-clock part of a dateTimeTimeZone Graph returned in UTC, to the second."""
    check(value is not None, "a dateTimeTimeZone is missing")
    check(value.time_zone == "UTC", f"expected times in UTC, got zone {value.time_zone!r}")
    return value.date_time[:19]


def removed_reason(event):
    data = event.additional_data or {}
    removed = data.get("@removed")
    if removed is None:
        return None
    if isinstance(removed, dict):
        return removed.get("reason")
    # Newer kiota versions may hand back an untyped node; read its value generically.
    value = getattr(removed, "value", None)
    if isinstance(value, dict):
        reason = value.get("reason")
        return getattr(reason, "value", reason)
    return str(removed)


def page_size(size):
    """`Prefer: odata.maxpagesize`; Graph wants it on every request of a round, links too."""
    config = RequestConfiguration()
    config.headers.add("Prefer", f"odata.maxpagesize={size}")
    return config


async def delta_round(calendar_view, first_config, delta_link=None):
    """All items of one delta round and the delta link that ends it; counts the pages."""
    if delta_link is None:
        page = await calendar_view.delta.get(request_configuration=first_config)
    else:
        page = await calendar_view.delta.with_url(delta_link).get(
            request_configuration=page_size(PAGE)
        )
    items, pages = [], 0
    while True:
        check(page is not None, "a delta page came back empty")
        pages += 1
        items.extend(page.value or [])
        if page.odata_next_link:
            check(
                page.odata_delta_link is None,
                "a delta page carries both @odata.nextLink and @odata.deltaLink",
            )
            check(pages < 100, "delta paging does not end")
            page = await calendar_view.delta.with_url(page.odata_next_link).get(
                request_configuration=page_size(PAGE)
            )
            continue
        check(page.odata_delta_link, "the last delta page has no @odata.deltaLink")
        return items, page.odata_delta_link, pages


async def scenario():
    graph_url = os.environ["GRAPH_URL"]
    host = urlparse(graph_url).hostname
    tokens = EmulatorTokenProvider(
        os.environ["TOKEN_URL"], os.environ["CLIENT_ID"], os.environ["CLIENT_SECRET"], host
    )
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(tokens))
    adapter.base_url = graph_url
    client = GraphServiceClient(request_adapter=adapter)
    user = client.users.by_user_id(os.environ["GRAPH_MAILBOX"])

    # Create: two single events and a weekly series (Mondays, four occurrences).
    kept = await user.events.post(
        Event(
            subject="msgraph kept",
            body=ItemBody(content_type=BodyType.Text, content="hello from msgraph-sdk"),
            start=at(2, 10),
            end=at(2, 11),
            location=Location(display_name="Room 7"),
            categories=["exsync"],
        )
    )
    check(kept is not None and kept.id, "POST events returned no id")
    check(kept.subject == "msgraph kept", f"created subject {kept.subject!r}")
    dropped = await user.events.post(
        Event(subject="msgraph dropped", start=at(3, 14), end=at(3, 15))
    )
    check(dropped is not None and dropped.id, "POST events (second) returned no id")
    series = await user.events.post(
        Event(
            subject="msgraph weekly",
            start=at(7, 9),
            end=at(7, 10),
            recurrence=PatternedRecurrence(
                pattern=RecurrencePattern(
                    type=RecurrencePatternType.Weekly,
                    interval=1,
                    days_of_week=[DayOfWeek.Monday],
                    first_day_of_week=DayOfWeek.Monday,
                ),
                range=RecurrenceRange(
                    type=RecurrenceRangeType.Numbered,
                    start_date=datetime.date(2026, 9, 7),
                    number_of_occurrences=4,
                    recurrence_time_zone=ZONE,
                ),
            ),
        )
    )
    check(series is not None and series.id, "POST events (series) returned no id")
    check(series.type == EventType.SeriesMaster, f"series type {series.type!r}")
    check(series.recurrence is not None, "the series came back without its recurrence")
    check(
        series.recurrence.pattern.type == RecurrencePatternType.Weekly
        and series.recurrence.pattern.days_of_week == [DayOfWeek.Monday],
        f"series pattern {series.recurrence.pattern!r}",
    )
    check(
        series.recurrence.range.type == RecurrenceRangeType.Numbered
        and series.recurrence.range.number_of_occurrences == 4
        and series.recurrence.range.start_date == datetime.date(2026, 9, 7),
        f"series range {series.recurrence.range!r}",
    )
    print("created two events and a weekly series")

    # Read one back.
    read = await user.events.by_event_id(kept.id).get()
    check(read is not None, "GET events/{id} returned nothing")
    check(read.id == kept.id, f"GET returned id {read.id!r}")
    check(read.subject == "msgraph kept", f"GET subject {read.subject!r}")
    check(read.body is not None and read.body.content_type == BodyType.Text,
          f"GET body {read.body!r}")
    check(read.body.content == "hello from msgraph-sdk", f"GET body content {read.body.content!r}")
    check(read.location is not None and read.location.display_name == "Room 7",
          f"GET location {read.location!r}")
    check(read.categories == ["exsync"], f"GET categories {read.categories!r}")
    # 10:00 in Berlin in September (CEST) is 08:00 UTC.
    check(utc_wall(read.start) == "2026-09-02T08:00:00", f"GET start {read.start!r}")
    check(utc_wall(read.end) == "2026-09-02T09:00:00", f"GET end {read.end!r}")
    check(read.type == EventType.SingleInstance, f"GET type {read.type!r}")
    check(read.original_start_time_zone == ZONE,
          f"GET originalStartTimeZone {read.original_start_time_zone!r}")
    check(read.change_key, "GET returned no changeKey")
    check(read.created_date_time is not None and read.last_modified_date_time is not None,
          "GET returned no created/lastModified dateTime")
    print("read the event back")

    # calendarView delta, first round, PAGE items per page.
    first = RequestConfiguration(
        query_parameters=DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
            start_date_time=WINDOW_START, end_date_time=WINDOW_END
        )
    )
    first.headers.add("Prefer", f"odata.maxpagesize={PAGE}")
    items, delta_link, pages = await delta_round(user.calendar_view, first)
    by_id = {e.id: e for e in items}
    check(len(by_id) == len(items), "the first delta round repeats an id")
    check(kept.id in by_id and dropped.id in by_id,
          "the first delta round misses a single event")
    check(by_id[kept.id].subject == "msgraph kept",
          f"delta subject {by_id[kept.id].subject!r}")
    # Exchange Online sends the series master along and its occurrences bare (id, type,
    # seriesMasterId, start, end): the SDK must read both.
    check(series.id in by_id and by_id[series.id].type == EventType.SeriesMaster,
          "the first delta round lacks the series master")
    check(by_id[series.id].subject == "msgraph weekly",
          f"delta master subject {by_id[series.id].subject!r}")
    weekly = sorted(
        (e for e in items if e.series_master_id == series.id), key=lambda e: e.start.date_time
    )
    check(all(e.subject is None for e in weekly), "delta occurrences are not bare")
    check(len(weekly) == 4, f"the first delta round has {len(weekly)} occurrences, expected 4")
    check(all(e.type == EventType.Occurrence for e in weekly),
          f"occurrence types {[e.type for e in weekly]!r}")
    check(
        [utc_wall(e.start) for e in weekly]
        == [f"2026-09-{d:02d}T07:00:00" for d in (7, 14, 21, 28)],
        f"occurrence starts {[e.start.date_time for e in weekly]!r}",
    )
    check(pages >= 7 // PAGE, f"seven items at {PAGE} per page came in {pages} page(s)")
    print(f"first delta round: {len(items)} items in {pages} pages")

    # Update one event, delete the other.
    await user.events.by_event_id(kept.id).patch(
        Event(subject="msgraph kept, moved", start=at(4, 16), end=at(4, 17))
    )
    after_patch = await user.events.by_event_id(kept.id).get()
    check(after_patch.subject == "msgraph kept, moved", f"PATCH subject {after_patch.subject!r}")
    check(after_patch.location is not None and after_patch.location.display_name == "Room 7",
          "PATCH dropped a property it was not sent")
    check(after_patch.change_key != read.change_key, "PATCH kept the old changeKey")
    await user.events.by_event_id(dropped.id).delete()
    print("updated one event and deleted the other")

    # Follow the delta link: the update and the deletion, nothing else of ours.
    changes, next_delta, _ = await delta_round(user.calendar_view, None, delta_link)
    changed = {e.id: e for e in changes}
    check(kept.id in changed, "the delta link does not report the updated event")
    check(removed_reason(changed[kept.id]) is None, "the updated event is reported as removed")
    check(changed[kept.id].subject == "msgraph kept, moved",
          f"delta reports subject {changed[kept.id].subject!r}")
    check(utc_wall(changed[kept.id].start) == "2026-09-04T14:00:00",
          f"delta reports start {changed[kept.id].start!r}")
    check(dropped.id in changed, "the delta link does not report the deleted event")
    check(removed_reason(changed[dropped.id]) == "deleted",
          f"the deleted event comes back as {changed[dropped.id]!r}")
    check(not any(e.series_master_id == series.id or e.id == series.id for e in changes),
          "the delta link reports the unchanged series")
    check(next_delta, "the second round has no delta link")
    print(f"delta link: {len(changes)} changes, update and removal reported")

    # The series' instances in September.
    instances = await user.events.by_event_id(series.id).instances.get(
        request_configuration=RequestConfiguration(
            query_parameters=InstancesRequestBuilder.InstancesRequestBuilderGetQueryParameters(
                start_date_time=WINDOW_START, end_date_time=WINDOW_END
            )
        )
    )
    check(instances is not None and instances.value is not None, "instances returned nothing")
    occurrences = sorted(instances.value, key=lambda e: e.start.date_time)
    check(len(occurrences) == 4, f"instances returned {len(occurrences)} items, expected 4")
    check(all(e.series_master_id == series.id for e in occurrences),
          "an instance names another series master")
    check(all(e.type == EventType.Occurrence for e in occurrences),
          f"instance types {[e.type for e in occurrences]!r}")
    check(all(e.subject == "msgraph weekly" for e in occurrences), "an instance lost the subject")
    check(
        [utc_wall(e.start) for e in occurrences]
        == [f"2026-09-{d:02d}T07:00:00" for d in (7, 14, 21, 28)],
        f"instance starts {[e.start.date_time for e in occurrences]!r}",
    )
    one = await user.events.by_event_id(occurrences[1].id).get()
    check(one is not None and one.id == occurrences[1].id, "GET of an occurrence id failed")
    check(one.type == EventType.Occurrence, f"GET occurrence type {one.type!r}")
    print("instances: four Monday occurrences")

    check(tokens.fetched == 1, f"fetched {tokens.fetched} tokens, expected one")


def main():
    try:
        asyncio.run(scenario())
    except Failed as failure:
        print(f"msgraph-sdk scenario FAILED: {failure}", file=sys.stderr)
        return 1
    print("msgraph-sdk scenario passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
