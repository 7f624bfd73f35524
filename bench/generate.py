"""Synthetic committee records at three scales, for the benchmark.

This is a test fixture, not a user action: it writes straight into the tables with bulk inserts
(SQLAlchemy Core executemany on SQLite, COPY on PostgreSQL), without the services, their
permission checks or their audit events, into a fresh database that Alembic has just migrated.
Foreign keys are checked at the end rather than row by row (the test runs SQLite's
``foreign_key_check``); the tables' check and unique constraints hold throughout.

The same seed, scale and day give the same record. Dates are laid out around ``today`` like the
demo's: years of held meetings behind, the next year scheduled ahead. Every name and text is
synthetic; the statistical risk figures are random, labelled with a synthetic source.
"""

import json
import random
import time as timer
import uuid
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta, timezone
from itertools import islice
from pathlib import Path

from dateutil.relativedelta import relativedelta
from psycopg import sql
from sqlalchemy import JSON, Connection, Table, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from committee import clock, demo
from committee.people import hash_password
from committee.series import SeriesRule, occurrences
from db import migrate, search_index
from db.engine import create_database_engine
from db.models import (
    ActionItem,
    ActionItemAgency,
    ActionUpdate,
    Agency,
    AgendaItem,
    Alert,
    Attendance,
    AuditEvent,
    BlueprintRecommendation,
    Clearance,
    Country,
    Decision,
    DueDateRequest,
    LineOfEffort,
    LineOfEffortAgency,
    LineOfEffortFactor,
    LineOfEffortRecommendation,
    Meeting,
    MeetingSeries,
    Minutes,
    MinutesRevision,
    Notification,
    Plan,
    PlanVersion,
    RiskAssessment,
    RiskFactorRating,
    RiskImport,
    RiskObservation,
    TierChange,
    User,
    WatchlistEntry,
    metadata,
)
from db.models.plans import TOOLBOX_CATEGORIES

SEED = 2026
BATCH = 20_000
BENCH_DATABASE_PREFIX = "apc_bench_"  # the only PostgreSQL databases this module creates or drops
SYNTHETIC_SOURCE = "Synthetic (benchmark)"
UID_NAMESPACE = uuid.UUID("5d0c7f8e-93a4-4d1e-bb0a-1b9e4c2a6f90")
UTC = timezone.utc


@dataclass(frozen=True)
class Scale:
    """How much record to generate. Agencies, people and countries are the committee's
    structure; the rest is history that grows with the years."""

    name: str
    countries: int  # countries that appear in the record (of the ISO countries loaded)
    watchlist: int  # of them, on the watchlist now
    agencies: int
    people: int
    years: int  # of regular meetings: the last one of them is still scheduled ahead
    regular_meetings: int
    other_meetings: int  # ad hoc and emergency sessions, all held
    agenda_items: int  # on the held meetings' agendas
    plans: int
    plan_versions: int
    lines_of_effort: int
    action_items: int
    action_updates: int  # every item's history, its "created" entry included
    alerts: int
    audit_events: int

    def tenth(self, name: str, floor: "Scale") -> "Scale":
        """A tenth of this scale, never below ``floor`` (the committee never shrinks below
        the demo's size)."""
        values = {
            f.name: max(round(getattr(self, f.name) / 10), getattr(floor, f.name))
            for f in fields(self)
            if f.name != "name"
        }
        values["regular_meetings"] = 6 * values["years"]
        return replace(self, name=name, **values)


# The Early Warning Project's editions score this many countries (its 2025 edition: 168);
# the statistical risk is public data and as wide at every scale of the committee's record.
SCORED_COUNTRIES = 168

# The demo's size: its 20 countries of concern, 12 agencies, 16 people, two years of meetings.
SMALL = Scale(
    name="small",
    countries=20,
    watchlist=20,
    agencies=12,
    people=16,
    years=2,
    regular_meetings=12,
    other_meetings=1,
    agenda_items=80,
    plans=7,
    plan_versions=8,
    lines_of_effort=32,
    action_items=72,
    action_updates=130,
    alerts=4,
    audit_events=200,
)
# Fifteen years of a committee's record (issue 9).
LARGE = Scale(
    name="large",
    countries=190,
    watchlist=60,
    agencies=12,
    people=600,
    years=15,
    regular_meetings=90,
    other_meetings=60,
    agenda_items=3_000,
    plans=400,
    plan_versions=4_000,
    lines_of_effort=20_000,
    action_items=100_000,
    action_updates=500_000,
    alerts=5_000,
    audit_events=1_000_000,
)
MEDIUM = LARGE.tenth("medium", floor=SMALL)
SCALES = {scale.name: scale for scale in (SMALL, MEDIUM, LARGE)}


@dataclass
class Generated:
    """What one generation made: where, how long it took, and how many rows per table."""

    scale: str
    engine: str
    seconds: float
    rows: dict[str, int]
    today: str


# --- databases ------------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    """Drop and recreate the benchmark database at ``url``, then migrate it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    else:
        name = parsed.database or ""
        if not name.startswith(BENCH_DATABASE_PREFIX):
            raise ValueError(f"refusing to recreate {name!r}: not an {BENCH_DATABASE_PREFIX}*")
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            raw = connection.connection.driver_connection
            raw.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            raw.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        admin.dispose()
    engine = create_database_engine(url)
    migrate.upgrade(engine)
    engine.dispose()


def _loading_engine(url: str):
    """An engine for the load alone: foreign keys checked at the end, no fsync per batch."""
    engine = create_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _fast_sqlite(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA foreign_keys=OFF")
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    return engine


def bulk_insert(connection: Connection, table: Table, rows: Iterable[dict]) -> int:
    """Insert ``rows`` (dicts with the same keys) in batches; returns how many."""
    total = 0
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        if connection.dialect.name == "postgresql":
            _copy(connection, table, batch)
        else:
            connection.execute(table.insert(), batch)
        total += len(batch)
    return total


def _copy(connection: Connection, table: Table, rows: list[dict]) -> None:
    columns = list(rows[0])
    as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c]) if c in as_json and row[c] is not None else row[c]
                    for c in columns
                ]
            )


def _finish(connection: Connection) -> None:
    """Sequences past the ids given here, and fresh planner statistics (a live database
    would have had both from its own inserts and from autovacuum); on PostgreSQL the search
    index too, whose triggers the load turned off with the foreign keys' ones."""
    if connection.dialect.name == "postgresql":
        search_index.rebuild(connection)
        raw = connection.connection.driver_connection
        for table in metadata.sorted_tables:
            if "id" in table.columns:
                raw.execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 0) + 1,"
                        " false) FROM {}"
                    ).format(sql.Identifier(table.name)),
                    [table.name],
                )
    connection.execute(text("ANALYZE"))


def _settle(engine) -> None:
    """Leave the record as a long-lived database is, with nothing left to do after the load:
    SQLite's write-ahead log folded in, PostgreSQL's tables vacuumed (else autovacuum would
    do it in the middle of the measurements)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("VACUUM")
        else:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def generate(url: str, scale: Scale, *, today: date | None = None, seed: int = SEED) -> Generated:
    """A fresh database at ``url`` holding a record of ``scale``."""
    today = today or clock.today()
    started = timer.perf_counter()
    fresh_database(url)
    engine = _loading_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Foreign keys are enforced by triggers there; the check follows the load.
            connection.exec_driver_sql("SET session_replication_role = replica")
        rows = _Builder(connection, scale, today, seed).build()
        _finish(connection)
    _settle(engine)
    engine.dispose()
    return Generated(
        scale=scale.name,
        engine=make_url(url).get_backend_name(),
        seconds=round(timer.perf_counter() - started, 1),
        rows=rows,
        today=today.isoformat(),
    )


# --- the record -----------------------------------------------------------------------------

ACTION_TITLES = [
    "Brief partners on the latest atrocity risk findings",
    "Prepare options for targeted sanctions",
    "Fund local early-warning networks",
    "Coordinate messaging with the UN Secretariat",
    "Update the intelligence assessment",
    "Support documentation of violations for accountability",
    "Engage regional body on civilian protection",
    "Review security assistance for human-rights vetting",
    "Request access for humanitarian monitors",
    "Draft demarche to the government",
]
RECENT_STATUSES = ["open", "open", "in_progress", "in_progress", "blocked", "done", "done"]
STATUS_REASONS = {
    "blocked": "Waiting for host-government clearance.",
    "done": "Completed and reported to the committee.",
    "cancelled": "Overtaken by events.",
}
# (action, record type, share of the trail): what a committee's audit trail is made of.
AUDIT_MIX = [
    ("signin.ok", "sign_in", 30),
    ("action_item.update", "action_item", 25),
    ("action_item.note", "action_item", 15),
    ("plan.save_draft", "plan", 6),
    ("agenda.edit", "meeting", 6),
    ("meeting_room.note", "agenda_item", 6),
    ("alert.file", "alert", 2),
    ("watchlist.set_tier", "watchlist_entry", 2),
    ("signin.failed", "sign_in", 4),
    ("page.view", "page", 4),
]


def _spread(total: int, parts: int) -> list[int]:
    """``total`` split over ``parts`` as evenly as whole numbers allow."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


class _Builder:
    def __init__(self, connection: Connection, scale: Scale, today: date, seed: int):
        self.c = connection
        self.scale = scale
        self.rng = random.Random(seed)
        self.now = datetime.combine(today, time(14, 0), tzinfo=UTC)
        self.rows: Counter[str] = Counter()
        self.decisions: list[dict] = []

    def insert(self, model, rows: Iterable[dict]) -> None:
        table = model.__table__
        self.rows[table.name] += bulk_insert(self.c, table, rows)

    def edited(self, at: datetime, version: int = 1) -> dict:
        return {"version": version, "created_at": at, "updated_at": at}

    def moment(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    def uid(self, key: str) -> str:
        return f"{uuid.uuid5(UID_NAMESPACE, key)}@apc-desk"

    def build(self) -> dict[str, int]:
        self.agencies_and_people()
        self.countries()
        self.meetings()
        self.watchlist()
        self.statistical_risk()
        self.assessments()
        self.plans()
        self.alerts()
        self.insert(Decision, self.decisions)
        self.action_items()
        self.audit_trail()
        return dict(sorted(self.rows.items()))

    # -- structure -----------------------------------------------------------------------------

    def agencies_and_people(self) -> None:
        agencies = demo.AGENCIES[: self.scale.agencies]
        self.agency_ids = list(range(1, len(agencies) + 1))
        self.insert(
            Agency,
            (
                {"id": i, "code": code, "name": name, "active": True, **self.edited(self.now)}
                for i, (code, name) in enumerate(agencies, start=1)
            ),
        )
        password = hash_password(demo.DEMO_PASSWORD)  # one hash: argon2 is slow on purpose
        # The demo's accounts first, so the benchmark signs in as the demo's people.
        people = [
            ("admin@apc.example", "Pat Morgan (administrator)", "admin", None),
            ("chair@apc.example", "Dana Whitfield (chair)", "chair", None),
            ("secretariat@apc.example", "Lee Harmon (secretariat)", "chair", None),
            *(
                (f"rep.{code.lower()}@apc.example", demo.REP_NAMES[code], "agency_rep", i)
                for i, (code, _) in enumerate(agencies, start=1)
            ),
            ("observer@apc.example", "Kim Ellis (observer)", "observer", None),
        ]
        for n in range(len(people), self.scale.people):
            role = ("agency_rep", "agency_rep", "agency_rep", "agency_rep", "observer")[n % 5]
            agency = self.agency_ids[n % len(self.agency_ids)] if role == "agency_rep" else None
            people.append((f"person{n:04d}@apc.example", f"Person {n:04d}", role, agency))
        self.users = list(range(1, len(people) + 1))
        self.emails = {i: email for i, (email, _, _, _) in enumerate(people, start=1)}
        self.chairs = [i for i, p in enumerate(people, start=1) if p[2] == "chair"]
        self.reps: dict[int, list[int]] = {a: [] for a in self.agency_ids}
        for i, (_, _, role, agency) in enumerate(people, start=1):
            if role == "agency_rep":
                self.reps[agency].append(i)
        self.insert(
            User,
            (
                {
                    "id": i,
                    "email": email,
                    "name": name,
                    "role": role,
                    "agency_id": agency,
                    "password_hash": password,
                    "active": True,
                    "awaiting_approval": False,
                    "last_signed_in_at": None,
                    **self.edited(self.now),
                }
                for i, (email, name, role, agency) in enumerate(people, start=1)
            ),
        )

    def countries(self) -> None:
        """The demo's countries of concern first, then sovereign states (those with a
        Correlates of War code), in code order."""
        known = dict(self.c.execute(select(Country.code, Country.name)).all())
        with_cow = self.c.scalars(
            select(Country.code).where(Country.cow_code.is_not(None)).order_by(Country.code)
        )
        demo_codes = [code for code, _, _ in demo.WATCHLIST]
        ordered = demo_codes + [code for code in with_cow if code not in demo_codes]
        self.country_codes = ordered[: self.scale.countries]
        # Public statistical risk covers the world at every scale, as the demo's does.
        self.scored_codes = ordered[:SCORED_COUNTRIES]
        self.country_names = {code: known[code] for code in self.country_codes}
        self.watched = self.country_codes[: self.scale.watchlist]
        demo_tiers = {code: tier for code, tier, _ in demo.WATCHLIST}
        self.tiers = {
            code: demo_tiers.get(code, (1, 2, 2, 3, 3)[i % 5])
            for i, code in enumerate(self.watched)
        }
        self.recommendations = list(
            self.c.scalars(
                select(BlueprintRecommendation.code).order_by(BlueprintRecommendation.code)
            )
        )

    # -- meetings ------------------------------------------------------------------------------

    def meetings(self) -> None:
        scale = self.scale
        rule = SeriesRule(2, 1, 1, 2, time(10, 0), 120, demo.ZONE)
        self.insert(
            MeetingSeries,
            [
                {
                    "id": 1,
                    "name": "Atrocities Prevention Committee",
                    "interval_months": 2,
                    "first_month": 1,
                    "weekday": 1,
                    "week_of_month": 2,
                    "start_time": time(10, 0),
                    "duration_minutes": 120,
                    "timezone": demo.ZONE,
                    "location": "Room 5A, Eisenhower Executive Office Building",
                    "video_link": "https://video.example.gov/apc-regular",
                    "active": True,
                    **self.edited(self.now),
                }
            ],
        )
        slots = occurrences(
            rule, self.now - relativedelta(years=scale.years + 1), self.now + relativedelta(years=2)
        )
        ahead = min(6, scale.regular_meetings // 2)
        past = [s for s in slots if s[0] < self.now][-(scale.regular_meetings - ahead) :]
        future = [s for s in slots if s[0] >= self.now][:ahead]
        self.history_start = past[0][0]
        planned = [("regular", starts, ends) for starts, ends in past + future]
        for n in range(scale.other_meetings):
            kind = "emergency" if n % 2 == 0 else "ad_hoc"
            starts = self.moment(self.history_start, self.now - timedelta(days=3)).replace(
                minute=0, second=0, microsecond=0
            )
            planned.append((kind, starts, starts + timedelta(hours=1)))
        planned.sort(key=lambda m: m[1])

        meetings, self.held = [], []
        for meeting_id, (kind, starts, ends) in enumerate(planned, start=1):
            held = starts < self.now
            called_for = self.rng.choice(self.watched) if kind == "emergency" else None
            if kind == "regular":
                title = f"Regular meeting — {starts:%B %Y}"
            elif called_for:
                title = f"Emergency session — {self.country_names[called_for]}"
            else:
                title = f"Ad hoc meeting — {starts:%B %Y}"
            meeting = {
                "id": meeting_id,
                "kind": kind,
                "series_id": 1 if kind == "regular" else None,
                "series_occurrence": starts if kind == "regular" else None,
                "title": title,
                "starts_at": starts,
                "ends_at": ends,
                "timezone": demo.ZONE,
                "location": "Room 5A, Eisenhower Executive Office Building"
                if kind == "regular"
                else "Secure video conference",
                "video_link": "https://video.example.gov/apc-regular" if kind == "regular" else "",
                "status": "held" if held else "scheduled",
                "reason": "" if kind == "regular" else "Synthetic: called between meetings.",
                "change_reason": "",
                "edited_by_hand": False,
                "agenda_status": "published" if held else "draft",
                "agenda_published_at": starts - timedelta(days=7) if held else None,
                "called_for_country": called_for,
                "called_for_alert_id": None,
                "calendar_uid": self.uid(f"meeting-{meeting_id}"),
                "calendar_sequence": 0,
                "created_by_id": self.chairs[0],
                **self.edited(starts - timedelta(days=30)),
            }
            meetings.append(meeting)
            if held:
                self.held.append(meeting)
        self.next_meeting = next(m for m in meetings if m["status"] == "scheduled")
        self.insert(Meeting, meetings)
        self.held_starts = [m["starts_at"] for m in self.held]
        self.agendas_attendance_minutes()

    def held_before(self, moment: datetime) -> dict | None:
        index = bisect_right(self.held_starts, moment)
        return self.held[index - 1] if index else None

    def agendas_attendance_minutes(self) -> None:
        """Agendas of the held meetings and the draft agenda of the next one (what its
        read-ahead covers); attendance, decisions and minutes of the held ones."""
        items, attendance, minutes, revisions = [], [], [], []
        self.last_review: dict[str, tuple[date, int]] = {}
        rotation = 0
        with_agenda = self.held + [self.next_meeting]
        per_meeting = _spread(self.scale.agenda_items, len(with_agenda))
        for number, (meeting, count) in enumerate(zip(with_agenda, per_meeting, strict=True)):
            starts, meeting_id = meeting["starts_at"], meeting["id"]
            held = meeting["status"] == "held"
            reviewed = [meeting["called_for_country"]] if meeting["called_for_country"] else []
            while len(reviewed) < min(count - 1, len(self.watched)):
                code = self.watched[rotation % len(self.watched)]
                rotation += 1
                if code not in reviewed:
                    reviewed.append(code)
            for position in range(1, count + 1):
                item_id = len(items) + 1
                code = reviewed[position - 2] if 2 <= position <= len(reviewed) + 1 else None
                kind = (
                    "minutes_approval" if position == 1 else "country_review" if code else "other"
                )
                title = {
                    "minutes_approval": "Approval of the minutes of the last meeting",
                    "country_review": f"Review: {self.country_names.get(code, code)}",
                    "other": "Any other business",
                }[kind]
                items.append(
                    {
                        "id": item_id,
                        "meeting_id": meeting_id,
                        "position": position,
                        "kind": kind,
                        "title": title,
                        "country_code": code,
                        "plan_id": None,
                        "alert_id": None,
                        "presenter_agency_id": self.agency_ids[position % len(self.agency_ids)]
                        if code
                        else None,
                        "minutes_allotted": 10 if position > 1 else 5,
                        "minutes_used": 8 + position % 5 if held else None,
                        "started_at": starts + timedelta(minutes=10 * (position - 1))
                        if held
                        else None,
                        "notes": "Synthetic: briefing on the situation; discussion of options."
                        if held
                        else "",
                        "review_done": held,
                        **self.edited(starts - timedelta(days=10)),
                    }
                )
                if code and held:
                    self.last_review[code] = (starts.date(), meeting_id)
                    self.decision(
                        meeting_id=meeting_id,
                        agenda_item_id=item_id,
                        country_code=code,
                        text="Synthetic: maintain tier; agencies to report at the next review.",
                        at=meeting["ends_at"],
                    )
            if not held:
                continue
            for agency_id in self.agency_ids:
                status = "present" if self.rng.random() > 0.1 else "absent"
                attendance.append(
                    {
                        "id": len(attendance) + 1,
                        "meeting_id": meeting_id,
                        "agency_id": agency_id,
                        "status": status,
                        "attendees": "" if status == "absent" else "Synthetic attendee",
                        "represented_by": "",
                        **self.edited(meeting["ends_at"]),
                    }
                )
            latest = number == len(self.held) - 1
            minutes.append(
                {
                    "id": number + 1,
                    "meeting_id": meeting_id,
                    "status": "circulated" if latest else "approved",
                    "approved_by_id": None if latest else self.chairs[0],
                    "approved_at": None if latest else meeting["ends_at"] + timedelta(days=10),
                    "approved_at_meeting_id": None,
                    **self.edited(meeting["ends_at"]),
                }
            )
            revisions.append(
                {
                    "id": number + 1,
                    "minutes_id": number + 1,
                    "number": 1,
                    "body": f"# Minutes — {meeting['title']}\n\nSynthetic minutes.\n",
                    "reason": "",
                    "created_by_id": self.chairs[0],
                    **self.edited(meeting["ends_at"]),
                }
            )
        self.insert(AgendaItem, items)
        self.insert(Attendance, attendance)
        self.insert(Minutes, minutes)
        self.insert(MinutesRevision, revisions)

    def decision(self, *, at: datetime, kind: str = "general", **links) -> int:
        decision_id = len(self.decisions) + 1
        self.decisions.append(
            {
                "id": decision_id,
                "kind": kind,
                "meeting_id": links.get("meeting_id"),
                "agenda_item_id": links.get("agenda_item_id"),
                "country_code": links.get("country_code"),
                "alert_id": links.get("alert_id"),
                "plan_version_id": links.get("plan_version_id"),
                "text": links["text"],
                "decided_by_id": self.chairs[0],
                "decided_at": at,
                **self.edited(at),
            }
        )
        return decision_id

    # -- countries of concern ------------------------------------------------------------------

    def watchlist(self) -> None:
        entries, changes = [], []
        once_watched = self.country_codes[self.scale.watchlist :][::3]
        for code in self.watched + once_watched:
            watched = code in self.tiers
            tier = self.tiers.get(code, 3)
            since = self.moment(self.history_start - timedelta(days=400), self.history_start)
            history = [(None, min(3, tier + 1) if self.rng.random() < 0.5 else tier, since)]
            if history[0][1] != tier:
                history.append((history[0][1], tier, self.moment(since, self.now)))
            if not watched:
                history.append((tier, None, self.moment(history[-1][2], self.now)))
            for old, new, at in history:
                changes.append(
                    {
                        "id": len(changes) + 1,
                        "country_code": code,
                        "old_tier": old,
                        "new_tier": new,
                        "reason": "Synthetic: "
                        + (
                            "added." if old is None else "taken off." if new is None else "changed."
                        ),
                        "changed_by_id": self.chairs[0],
                        "changed_at": at,
                        "agenda_item_id": None,
                        **self.edited(at),
                    }
                )
            reviewed_on, meeting_id = self.last_review.get(code, (None, None))
            entries.append(
                {
                    "id": len(entries) + 1,
                    "country_code": code,
                    "tier": tier,
                    "on_watchlist": watched,
                    "since": since.date(),
                    "reason": "Synthetic: why the country is watched at this tier.",
                    "review_cadence_override": None,
                    "last_reviewed_on": reviewed_on,
                    "last_review_meeting_id": meeting_id,
                    **self.edited(since),
                }
            )
        self.insert(WatchlistEntry, entries)
        self.insert(TierChange, changes)

    def statistical_risk(self) -> None:
        """Two editions of forecasts and thirty years of history for as many countries as the
        Early Warning Project scores: random figures under a synthetic source, never its own."""
        first_edition = self.now.year - 2
        imports = [
            (1, str(first_edition), "forecast"),
            (2, str(first_edition + 1), "forecast"),
            (3, str(first_edition + 1), "history"),
        ]
        self.insert(
            RiskImport,
            (
                {
                    "id": import_id,
                    "source": SYNTHETIC_SOURCE,
                    "edition": edition,
                    "kind": kind,
                    "filename": f"synthetic-{edition}-{kind}.csv",
                    "sha256": f"{import_id:064d}",
                    "rows_new": len(self.scored_codes),
                    "rows_changed": 0,
                    "rows_unmatched": 0,
                    "imported_by_id": self.chairs[0],
                    **self.edited(self.now - timedelta(days=400 * (3 - import_id))),
                }
                for import_id, edition, kind in imports
            ),
        )
        base = {code: self.rng.betavariate(1, 20) for code in self.scored_codes}
        observations = []
        previous: dict[str, tuple[float, int]] = {}
        for import_id, edition, kind in imports:
            years = (
                [int(edition) - 1] if kind == "forecast" else range(int(edition) - 30, int(edition))
            )
            for year in years:
                risks = {code: min(1.0, base[code] * self.rng.uniform(0.6, 1.4)) for code in base}
                ranks = {
                    code: r for r, code in enumerate(sorted(risks, key=risks.get, reverse=True), 1)
                }
                for code, risk in risks.items():
                    before = previous.get(code) if kind == "forecast" else None
                    observations.append(
                        {
                            "id": len(observations) + 1,
                            "source": SYNTHETIC_SOURCE,
                            "edition": edition,
                            "kind": kind,
                            "country_code": code,
                            "data_year": year,
                            "period": f"{year + 1}-{year + 2}" if kind == "forecast" else str(year),
                            "risk": round(risk, 4),
                            "rank": ranks[code],
                            "previous_risk": before[0] if before else None,
                            "previous_rank": before[1] if before else None,
                            "mass_killing_onset": (self.rng.random() < 0.01)
                            if kind == "history"
                            else None,
                            "import_id": import_id,
                            **self.edited(self.now),
                        }
                    )
                    if kind == "forecast":
                        previous[code] = (round(risk, 4), ranks[code])
        self.insert(RiskObservation, observations)

    def assessments(self) -> None:
        """One assessment a year for each country of concern, the 14 factors rated."""
        assessments, ratings = [], []
        levels = ("low", "moderate", "high")
        for code in self.watched:
            for year in range(self.scale.years):
                on = (self.now - relativedelta(years=year, days=40)).date()
                meeting = self.held_before(datetime.combine(on, time(23), tzinfo=UTC))
                assessment_id = len(assessments) + 1
                assessments.append(
                    {
                        "id": assessment_id,
                        "country_code": code,
                        "assessed_on": on,
                        "meeting_id": meeting["id"] if meeting else None,
                        "assessed_by_id": self.chairs[0],
                        "overall_rating": ("very_high", "high", "moderate")[self.tiers[code] - 1],
                        "overall_judgement": "Synthetic: judged against the UN Framework.",
                        **self.edited(datetime.combine(on, time(15), tzinfo=UTC)),
                    }
                )
                for factor in range(1, 15):
                    ratings.append(
                        {
                            "id": len(ratings) + 1,
                            "assessment_id": assessment_id,
                            "factor": factor,
                            "rating": self.rng.choice(levels),
                            "note": "Synthetic: evidence summarised by the analysts.",
                            **self.edited(datetime.combine(on, time(15), tzinfo=UTC)),
                        }
                    )
        self.insert(RiskAssessment, assessments)
        self.insert(RiskFactorRating, ratings)

    def plans(self) -> None:
        """Plans round the countries of concern; for each country and kind only the newest
        plan is current (in effect, in clearance or a draft), the older ones superseded."""
        scale = self.scale
        plans, versions, lines = [], [], []
        line_agencies, line_recs, line_factors, clearances = [], [], [], []
        groups: dict[tuple[str, str], list[int]] = {}
        for n in range(scale.plans):
            code = self.watched[n % len(self.watched)]
            kind = "response" if self.tiers[code] == 1 else "prevention"
            groups.setdefault((code, kind), []).append(n + 1)
        current = {members[-1]: index for index, members in enumerate(groups.values())}
        version_counts = _spread(scale.plan_versions, scale.plans)
        line_counts = _spread(scale.lines_of_effort, scale.plan_versions)
        span = self.now - self.history_start
        self.line_ids: list[int] = []
        for (code, kind), members in groups.items():
            for order, plan_id in enumerate(members):
                created = self.history_start + span * (order / len(members))
                if plan_id in current:
                    status = (
                        "approved",
                        "approved",
                        "approved",
                        "approved",
                        "in_clearance",
                        "draft",
                    )[current[plan_id] % 6]
                else:
                    status = "archived" if order % 3 == 2 else "superseded"
                last_status = {
                    "approved": "approved",
                    "in_clearance": "circulated",
                    "draft": "draft",
                }.get(status, "superseded")
                count = version_counts[plan_id - 1]
                effective_id = review_by = None
                for number in range(1, count + 1):
                    version_id = len(versions) + 1
                    v_status = last_status if number == count else "superseded"
                    at = created + timedelta(days=20 * number)
                    approval_id = None
                    if v_status == "approved":
                        effective_id = version_id
                        review_by = (self.now + timedelta(days=self.rng.randint(-60, 300))).date()
                        meeting = self.held_before(self.now) or self.held[-1]
                        approval_id = self.decision(
                            kind="plan_approval",
                            meeting_id=meeting["id"],
                            country_code=code,
                            plan_version_id=version_id,
                            text=f"Synthetic: the committee approves version {number}.",
                            at=meeting["ends_at"],
                        )
                    versions.append(
                        {
                            "id": version_id,
                            "plan_id": plan_id,
                            "number": number,
                            "status": v_status,
                            "situation_summary": f"Synthetic: situation summary for {code}.",
                            "objectives": "Synthetic: protect civilians; deter escalation.",
                            "escalation_triggers": "Synthetic: mass displacement.",
                            "review_by": review_by if v_status == "approved" else None,
                            "change_note": f"Synthetic: version {number}.",
                            "created_by_id": self.chairs[0],
                            "circulated_at": None if v_status == "draft" else at,
                            "approved_at": at if v_status in ("approved", "superseded") else None,
                            "approval_decision_id": approval_id,
                            "approval_override_reason": "",
                            **self.edited(at),
                        }
                    )
                    for position in range(1, line_counts[version_id - 1] + 1):
                        line_id = len(lines) + 1
                        self.line_ids.append(line_id)
                        category = TOOLBOX_CATEGORIES[(line_id + number) % len(TOOLBOX_CATEGORIES)]
                        lead = self.agency_ids[line_id % len(self.agency_ids)]
                        lines.append(
                            {
                                "id": line_id,
                                "plan_version_id": version_id,
                                "position": position,
                                "toolbox_category": category,
                                "objective": f"Synthetic: objective {position} of the plan.",
                                "lead_agency_id": lead,
                                "resources": "Existing programme funds",
                                "indicators": "Monthly reporting",
                                **self.edited(at),
                            }
                        )
                        line_agencies.append(
                            {
                                "line_of_effort_id": line_id,
                                "agency_id": self.agency_ids[(line_id + 1) % len(self.agency_ids)],
                            }
                        )
                        line_recs.append(
                            {
                                "line_of_effort_id": line_id,
                                "recommendation_code": self.recommendations[
                                    line_id % len(self.recommendations)
                                ],
                            }
                        )
                        line_factors.append(
                            {"line_of_effort_id": line_id, "factor": 1 + line_id % 14}
                        )
                    if v_status != "draft":
                        for agency_id in self.agency_ids[:6]:
                            pending = v_status == "circulated" and agency_id in (3, 5)
                            position = (
                                "pending"
                                if pending
                                else ("concur", "concur_with_comments")[agency_id % 2]
                            )
                            clearances.append(
                                {
                                    "id": len(clearances) + 1,
                                    "plan_version_id": version_id,
                                    "agency_id": agency_id,
                                    "position": position,
                                    "comments": "Synthetic: add access benchmarks."
                                    if position == "concur_with_comments"
                                    else "",
                                    "cleared_by_id": None if pending else self.reps[agency_id][0],
                                    "cleared_at": None if pending else at + timedelta(days=9),
                                    **self.edited(at),
                                }
                            )
                plans.append(
                    {
                        "id": plan_id,
                        "country_code": code,
                        "kind": kind,
                        "title": f"{'Response' if kind == 'response' else 'Prevention'} plan — "
                        f"{self.country_names[code]}",
                        "status": status,
                        "effective_version_id": effective_id,
                        "review_by": review_by,
                        "created_by_id": self.chairs[0],
                        **self.edited(created, version=count),
                    }
                )
        self.insert(Plan, sorted(plans, key=lambda p: p["id"]))
        self.insert(PlanVersion, versions)
        self.insert(LineOfEffort, lines)
        self.insert(LineOfEffortAgency, line_agencies)
        self.insert(LineOfEffortRecommendation, line_recs)
        self.insert(LineOfEffortFactor, line_factors)
        self.insert(Clearance, clearances)

    # -- alerts --------------------------------------------------------------------------------

    def alerts(self) -> None:
        """Alerts over the years, all closed with a decision but the last few."""
        alerts, notifications = [], []
        filed_times = sorted(
            self.moment(self.history_start, self.now - timedelta(days=1))
            for _ in range(self.scale.alerts)
        )
        open_from = len(filed_times) - min(6, len(filed_times))
        per_year: Counter[int] = Counter()
        self.alert_times: list[datetime] = []
        self.alert_countries: list[str] = []
        for n, filed in enumerate(filed_times):
            alert_id = n + 1
            severity = ("acute", "serious", "concern")[n % 3]
            code = self.rng.choice(self.watched if n % 4 else self.country_codes)
            filer = self.rng.choice(self.reps[self.agency_ids[n % len(self.agency_ids)]])
            per_year[filed.year] += 1
            status = "closed" if n < open_from else ("new", "acknowledged", "under_review")[n % 3]
            closing_id = None
            closed_at = reviewed_at = None
            if status == "closed":
                reviewed_at = closed_at = filed + timedelta(days=self.rng.randint(1, 10))
                closing_id = self.decision(
                    kind="alert_closure",
                    alert_id=alert_id,
                    country_code=code,
                    text="Synthetic: reviewed; plan updated; alert closed.",
                    at=closed_at,
                )
            alerts.append(
                {
                    "id": alert_id,
                    "reference": f"ALR-{filed.year}-{per_year[filed.year]:04d}",
                    "country_code": code,
                    "severity": severity,
                    "summary": "Synthetic: reports of attacks on civilians.",
                    "happening_since": filed.date() - timedelta(days=2),
                    "sources": "Synthetic: embassy reporting.",
                    "handling_marking": "SENSITIVE BUT UNCLASSIFIED",
                    "restricted": n % 10 == 0,
                    "filed_by_id": filer,
                    "filing_agency_id": self.agency_ids[n % len(self.agency_ids)],
                    "filed_at": filed,
                    "status": status,
                    "review_deadline": filed + timedelta(days=3 if severity == "acute" else 14),
                    "acknowledged_at": None if status == "new" else filed + timedelta(hours=5),
                    "acknowledged_by_id": None if status == "new" else self.chairs[0],
                    "review_meeting_id": self.next_meeting["id"]
                    if status == "under_review"
                    else None,
                    "reviewed_at": reviewed_at,
                    "emergency_session_proposed": False,
                    "closed_at": closed_at,
                    "closing_decision_id": closing_id,
                    **self.edited(filed),
                }
            )
            self.alert_times.append(filed)
            self.alert_countries.append(code)
            if filed > self.now - timedelta(days=60):
                for chair in self.chairs:
                    notifications.append(
                        {
                            "id": len(notifications) + 1,
                            "user_id": chair,
                            "kind": "alert.filed",
                            "text": f"New {severity} alert on {code}.",
                            "alert_id": alert_id,
                            "meeting_id": None,
                            "created_at": filed,
                            "read_at": None if status == "new" else filed + timedelta(hours=5),
                        }
                    )
        self.insert(Alert, alerts)
        self.insert(Notification, notifications)

    # -- action items --------------------------------------------------------------------------

    def action_items(self) -> None:
        """Items over the years, a tenth of them the first agency's (the representative the
        benchmark signs in as); those of the last four months in every status, older ones
        done or cancelled."""
        scale = self.scale
        decision_times = [d["decided_at"] for d in self.decisions if d["meeting_id"]]
        decisions = [d for d in self.decisions if d["meeting_id"]]
        decision_order = sorted(range(len(decisions)), key=lambda i: decision_times[i])
        decision_times = [decision_times[i] for i in decision_order]
        decisions = [decisions[i] for i in decision_order]
        update_counts = _spread(scale.action_updates, scale.action_items)
        span = self.now - self.history_start
        items, supporting, updates, requests = [], [], [], []

        def flush() -> None:
            self.insert(ActionItem, items)
            self.insert(ActionItemAgency, supporting)
            self.insert(ActionUpdate, updates)
            self.insert(DueDateRequest, requests)
            for batch in (items, supporting, updates, requests):
                batch.clear()

        update_id = 0
        others = self.agency_ids[1:]
        for n in range(scale.action_items):
            item_id = n + 1
            created = self.history_start + span * ((n + self.rng.random()) / scale.action_items)
            owner = self.agency_ids[0] if n % 10 == 0 else others[n % len(others)]
            if self.now - created < timedelta(days=120):
                status = RECENT_STATUSES[n % len(RECENT_STATUSES)]
            else:
                # A committee closes or cancels its old items; one in two hundred is left open.
                r = self.rng.random()
                status = "done" if r < 0.93 else "cancelled" if r < 0.995 else "open"
            due = created.date() + timedelta(days=self.rng.randint(14, 120))
            closed_at = None
            if status in ("done", "cancelled"):
                closed_at = min(
                    datetime.combine(due, time(16), tzinfo=UTC)
                    + timedelta(days=self.rng.randint(-10, 20)),
                    self.now,
                )
                closed_at = max(closed_at, created + timedelta(hours=1))
            origin, decision_id, line_id, alert_id, meeting_id = (
                "standalone",
                None,
                None,
                None,
                None,
            )
            code = self.rng.choice(self.watched) if self.rng.random() < 0.8 else None
            pick = self.rng.random()
            if pick < 0.3 and decisions:
                index = max(0, bisect_right(decision_times, created) - 1)
                decision = decisions[index]
                origin, decision_id, meeting_id = "decision", decision["id"], decision["meeting_id"]
                code = decision["country_code"] or code
            elif pick < 0.55 and self.line_ids:
                origin, line_id = "line_of_effort", self.rng.choice(self.line_ids)
            elif pick < 0.6 and self.alert_times:
                index = max(0, bisect_right(self.alert_times, created) - 1)
                origin, alert_id, code = "alert", index + 1, self.alert_countries[index]
            reps = self.reps[owner]
            count = update_counts[n]
            items.append(
                {
                    "id": item_id,
                    "title": f"{ACTION_TITLES[n % len(ACTION_TITLES)]} ({code or 'general'})",
                    "description": "Synthetic action item.",
                    "country_code": code,
                    "owner_agency_id": owner,
                    "assignee_id": self.rng.choice(reps) if n % 2 and reps else None,
                    "origin": origin,
                    "decision_id": decision_id,
                    "line_of_effort_id": line_id,
                    "alert_id": alert_id,
                    "meeting_id": meeting_id,
                    "due_on": due,
                    "priority": ("low", "medium", "high", "critical")[n % 4],
                    "status": status,
                    "status_reason": STATUS_REASONS.get(status, ""),
                    "closed_at": closed_at,
                    "created_by_id": self.chairs[0],
                    "version": max(1, count),
                    "created_at": created,
                    "updated_at": closed_at or created,
                }
            )
            if n % 2 == 0:
                supporting.append(
                    {"action_item_id": item_id, "agency_id": others[(n + 5) % len(others)]}
                )
            last = closed_at or min(self.now, created + timedelta(days=60))
            for k in range(count):
                update_id += 1
                at = created + (last - created) * (k / max(1, count - 1))
                final = k == count - 1 and status != "open"
                kind = "created" if k == 0 else "status" if final else ("note", "edited")[k % 2]
                updates.append(
                    {
                        "id": update_id,
                        "action_item_id": item_id,
                        "at": at,
                        "by_id": self.chairs[0] if k == 0 else self.rng.choice(reps or self.chairs),
                        "kind": kind,
                        "changes": {"status": ["open", status]} if kind == "status" else {},
                        "note": STATUS_REASONS.get(status, "Work under way.")
                        if kind == "status"
                        else "Synthetic progress note.",
                    }
                )
            if n % 97 == 0 and reps:
                pending = status not in ("done", "cancelled")
                requests.append(
                    {
                        "id": n // 97 + 1,
                        "action_item_id": item_id,
                        "requested_by_id": reps[0],
                        "requested_due_on": due + timedelta(days=30),
                        "reason": "Synthetic: partner consultations take longer.",
                        "status": "pending" if pending else "granted",
                        "decided_by_id": None if pending else self.chairs[0],
                        "decided_at": None if pending else created + timedelta(days=5),
                        "decision_note": "",
                        **self.edited(created + timedelta(days=3)),
                    }
                )
            if len(updates) >= BATCH:
                flush()
        flush()

    # -- the audit trail -----------------------------------------------------------------------

    def audit_trail(self) -> None:
        weights = [share for _, _, share in AUDIT_MIX]
        total = self.scale.audit_events
        span = self.now - self.history_start

        def events() -> Iterator[dict]:
            kinds = self.rng.choices(AUDIT_MIX, weights=weights, k=total)
            for n, (action, record_type, _) in enumerate(kinds):
                actor = self.rng.choice(self.users)
                outcome = (
                    "failed"
                    if action == "signin.failed"
                    else ("refused" if action == "page.view" else "ok")
                )
                changed = record_type in ("action_item", "plan", "meeting", "watchlist_entry")
                yield {
                    "id": n + 1,
                    "at": self.history_start + span * (n / total),
                    "actor_id": actor,
                    "actor_label": self.emails[actor],
                    "action": action,
                    "outcome": outcome,
                    "record_type": record_type,
                    "record_id": str(self.rng.randint(1, max(1, self.scale.action_items))),
                    "before": {"status": "open", "version": 1} if changed else None,
                    "after": {"status": "in_progress", "version": 2} if changed else None,
                    "detail": "permission refused" if outcome == "refused" else "",
                }

        self.insert(AuditEvent, events())
