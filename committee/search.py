"""Search the committee's record: meetings and their agendas, item notes, decisions, minutes,
plans, risk assessments, alerts, action items and countries, through one index
(``search_entry``, kept current by triggers: db/search_index.py) with full-text search on both
engines (SQLite FTS5, PostgreSQL tsvector).

A query is words (matched by stem: "sanction" finds "sanctions"), "phrases in quotes" and
-exclusions. Anything else a person may type (operators, stars, unbalanced quotes, SQL) is read
as words or refused with a message: it never reaches the database as syntax.

The read rules are applied inside the query, from the owner modules' own SQL conditions, so
what a person may not read is never returned, counted or quoted to them.

A search counts no further than CANDIDATES matches ("more than 1,000"), and ranks in one pass
the matches it counted when that is all of them, so what it does beyond the engine's own
matching and ranking stays the same however large the record.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, bindparam, func, literal_column, or_, select, text
from sqlalchemy.orm import aliased
from sqlalchemy.sql import column, table
from sqlmodel import Session

from committee import agenda, restricted_alerts, vocabulary
from committee.actor import Actor
from committee.errors import ValidationError
from db.engine import read_session
from db.models import Country, Meeting, SearchEntry

KINDS = {
    "meeting": "Meeting",
    "agenda_item": "Agenda item",
    "decision": "Decision",
    "minutes": "Minutes",
    "plan": "Plan",
    "assessment": "Risk assessment",
    "alert": "Alert",
    "action_item": "Action item",
    "country": "Country",
}
# The statuses a search may be narrowed to: of meetings, plans, action items and alerts.
STATUS_LABELS = {
    **vocabulary.MEETING_STATUS_LABELS,
    **vocabulary.PLAN_STATUS_LABELS,
    **vocabulary.ACTION_STATUS_LABELS,
    **vocabulary.ALERT_STATUS_LABELS,
}
LONGEST_QUERY = 500
# How far a search counts; on SQLite, how many of the most relevant it eases for age.
CANDIDATES = 1_000
# Words too common to tell records apart (SQLite's index keeps them; PostgreSQL's drops them).
STOP_WORDS = frozenset(
    "a an and are as at be but by for from has have in into is it its no not of on or such "
    "that the their then there these they this to was were will with".split()
)
MARK, UNMARK = "\x02", "\x03"  # around the matching words in a snippet
_CONFIG = literal_column("'english'::regconfig")
_TEXT = table("search_text", column("rowid"), column("search_text"))


@dataclass(frozen=True)
class Query:
    """What a person asked for: words all present, phrases as written, words left out."""

    words: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...]

    def fts5(self) -> str:
        """As an SQLite FTS5 expression: every term quoted, so nothing is read as syntax."""
        wanted = [f'"{word}"' for word in self.words] + [f'"{" ".join(p)}"' for p in self.phrases]
        return f"({' AND '.join(wanted)})" + "".join(f' NOT "{word}"' for word in self.excluded)

    def tsquery(self) -> str:
        """As a PostgreSQL tsquery: every lexeme quoted."""
        wanted = [f"'{word}'" for word in self.words]
        wanted += ["(" + " <-> ".join(f"'{word}'" for word in p) + ")" for p in self.phrases]
        return " & ".join(wanted + [f"!'{word}'" for word in self.excluded])


def _words(text: str) -> list[str]:
    return [word.lower() for word in re.findall(r"\w+", text)]


def parse(text: str) -> Query:
    """The query ``text`` as words, phrases and exclusions; ValidationError if it asks for
    nothing that could be found."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Type a word or a name to look for.", field="query")
    if len(text) > LONGEST_QUERY:
        raise ValidationError(
            f"Shorten the search to {LONGEST_QUERY} characters or fewer (it has {len(text):,}).",
            field="query",
        )
    if text.count('"') % 2:
        text += '"'  # an unbalanced quote: the phrase runs to the end
    words, phrases, excluded, common = [], [], [], []
    for phrase, minus, term in re.findall(r'"([^"]*)"|(-?)([^\s"]+)', text):
        found = _words(phrase or term)
        if minus:
            excluded += found
        elif phrase and len(found) > 1:
            phrases.append(tuple(found))
        else:
            words += [word for word in found if word not in STOP_WORDS]
            common += [word for word in found if word in STOP_WORDS]
    if not words and not phrases:
        if excluded:
            message = "Add a word to look for: a search cannot only leave words out."
        elif common:
            message = "Those words are too common to search for: add a more telling word."
        else:
            message = "Type a word or a name to look for (letters or digits)."
        raise ValidationError(message, field="query")
    return Query(tuple(dict.fromkeys(words)), tuple(phrases), tuple(dict.fromkeys(excluded)))


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    country: str | None = None
    agency_id: int | None = None
    since: date | None = None
    until: date | None = None
    status: str | None = None


@dataclass(frozen=True)
class Result:
    kind: str
    record_key: str
    title: str
    country: str | None  # its name
    meeting_id: int | None
    happened_at: datetime | None
    status: str
    snippet: tuple[tuple[str, bool], ...]  # (text, is a matching word)
    opens: str  # meeting, plan, alert, action_item or country: the page that shows it
    params: dict[str, str]  # the page's address parameters

    @property
    def what(self) -> str:
        return KINDS[self.kind]


def how_many(count: int) -> str:
    """A count as shown: past CANDIDATES, counting stops and says so."""
    return f"more than {CANDIDATES:,}" if count > CANDIDATES else f"{count:,}"


@dataclass(frozen=True)
class Found:
    query: Query
    results: list[Result]
    counts: dict[str, int]  # per kind, before the kind filter, of the first CANDIDATES + 1
    total: int  # of the kinds asked for, up to CANDIDATES + 1: see how_many
    kinds: tuple[str, ...] = ()  # the kinds asked for; none: every kind

    @property
    def counted_all(self) -> bool:
        """Whether every match was counted; else each kind's count is the least there are."""
        return sum(self.counts.values()) <= CANDIDATES

    def count_of(self, kind: str) -> str:
        """The count of one kind as shown: "12+" where counting stopped before the end."""
        count = self.counts.get(kind, 0)
        return how_many(count) if self.counted_all or count > CANDIDATES else f"{count:,}+"


def readable_by(actor: Actor | None):
    """The index rows ``actor`` may read, as SQL: the read rules of the records they come from
    (alerts', for anything from or quoting an alert; agendas', for what sits on one). Needs
    Meeting outer-joined on the row's meeting."""
    return and_(
        restricted_alerts.derived_readable_by(actor, SearchEntry.alert_id),
        or_(~SearchEntry.on_agenda, agenda.readable_by(actor)),
    )


def search(
    *, actor: Actor | None, query: str, filters: Filters = Filters(), limit: int = 50
) -> Found:
    """The records ``actor`` may read that match ``query``, best and most recent first, with
    the count of each kind (up to CANDIDATES + 1: see ``how_many``)."""
    asked = parse(query)
    unknown = set(filters.kinds) - set(KINDS)
    if unknown:
        raise ValidationError(f"No such kind of record: {', '.join(sorted(unknown))}.", "kinds")
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationError("The start of the date range is after its end.", field="since")
    limit = min(limit, CANDIDATES)
    wanted = set(filters.kinds or KINDS)
    with read_session() as session:
        engine = _Engine.of(session, asked)
        first = engine.first(session, actor, filters)
        counts = Counter(kind for _, kind, _ in first)
        total = sum(n for kind, n in counts.items() if kind in wanted)
        if len(first) <= CANDIDATES:  # every match: ranked here, without asking again
            ranked = sorted((eased, id) for id, kind, eased in first if kind in wanted)
            ids = [id for _, id in ranked[:limit]]
        else:
            if filters.kinds:  # the kinds asked for may be few of the first counted
                total = len(engine.first(session, actor, filters, kinds=filters.kinds))
            ids = engine.best(session, actor, filters, limit=limit)
        results = _results(session, engine, ids)
    counts = {kind: counts[kind] for kind in KINDS if kind in counts}
    return Found(asked, results, counts, total, filters.kinds)


@dataclass
class _Engine:
    """The engine's own full-text part of a search."""

    dialect: str
    asked: Query

    @classmethod
    def of(cls, session: Session, asked: Query) -> "_Engine":
        return cls(session.get_bind().dialect.name, asked)

    def _tsquery(self):
        return func.to_tsquery(_CONFIG, bindparam("tsquery", self.asked.tsquery()))

    def _document(self):
        return literal_column("search_entry.document")

    def _matches(self):
        if self.dialect == "sqlite":
            return _TEXT.c.search_text.op("MATCH")(bindparam("fts", self.asked.fts5()))
        return self._document().op("@@")(self._tsquery())

    def matching(self, query, actor: Actor | None, filters: Filters, *, kinds=()):
        query = query.select_from(SearchEntry)
        if self.dialect == "sqlite":
            query = query.join(_TEXT, _TEXT.c.rowid == SearchEntry.id)
        query = query.where(self._matches())
        if self.dialect == "sqlite" and filters.country:
            # The country's ids, from its index alone, checked before each match's row is read:
            # FTS5 hands over every match, and reading their rows is the cost (10,000: 17 ms
            # against 2).
            same = aliased(SearchEntry)
            country = select(same.id).where(same.country_code == filters.country)
            query = query.where(SearchEntry.id.in_(country))
        query = query.outerjoin(Meeting, Meeting.id == SearchEntry.meeting_id).where(
            readable_by(actor), *_conditions(filters)
        )
        return query.where(SearchEntry.kind.in_(kinds)) if kinds else query

    def first(self, session: Session, actor: Actor | None, filters: Filters, *, kinds=()):
        """(id, kind, relevance eased for age) of the first CANDIDATES + 1 matches ``actor``
        may read, in the engine's own order: it stops there, where counting on would cost as
        much as the record is large. Most searches match fewer, and are ranked from these."""
        score = self._eased(self._score(), SearchEntry.happened_at)
        query = self.matching(
            select(SearchEntry.id, SearchEntry.kind, score), actor, filters, kinds=kinds
        )
        if self.dialect == "postgresql":
            # Told of the LIMIT, PostgreSQL reads the table in order until it has enough, as
            # if matches were spread evenly: a word only in the newest rows would be read for
            # through the whole table. The index finds them all at once (10,000: 2 ms).
            session.execute(text("SET LOCAL enable_seqscan = off"))
        return session.execute(query.limit(CANDIDATES + 1)).all()

    def best(self, session: Session, actor: Actor | None, filters: Filters, *, limit: int):
        """The ids of the best ``limit`` of more than CANDIDATES matches ``actor`` may read,
        by relevance eased for age.

        On SQLite, FTS5 ranks its own matches far faster alone than joined to the index rows
        (10,000 matches: 10 ms against 50), so an unfiltered search eases for age only FTS5's
        CANDIDATES most relevant (the newest first where they tie), then applies the read
        rules. A person who may not read many of those would miss theirs further down: short
        of ``limit`` (there are more than CANDIDATES they may read), the search is made again
        with the read rules inside the ranking, as it always is when filtered (few of the best
        matches would pass a filter) and on PostgreSQL (which reads every match's row to rank
        it either way)."""
        if self.dialect == "sqlite" and filters == Filters():
            score = self._score().label("score")
            fts = select(_TEXT.c.rowid.label("id"), score).where(self._matches())
            fts = fts.order_by(literal_column("score"), _TEXT.c.rowid.desc()).limit(CANDIDATES)
            best = fts.subquery()
            ids = list(
                session.scalars(
                    select(SearchEntry.id)
                    .join(best, best.c.id == SearchEntry.id)
                    .outerjoin(Meeting, Meeting.id == SearchEntry.meeting_id)
                    .where(readable_by(actor))
                    .order_by(self._eased(best.c.score, SearchEntry.happened_at), SearchEntry.id)
                    .limit(limit)
                )
            )
            if len(ids) == limit:
                return ids
        ranked = self.matching(select(SearchEntry.id), actor, filters, kinds=filters.kinds)
        eased = self._eased(self._score(), SearchEntry.happened_at)
        return list(session.scalars(ranked.order_by(eased, SearchEntry.id).limit(limit)))

    def _score(self):
        """The engine's own relevance, titles weighing most; lower is better."""
        if self.dialect == "sqlite":
            return func.bm25(literal_column("search_text"), 10.0, 1.0)
        return -func.ts_rank_cd(self._document(), self._tsquery())

    def _eased(self, score, happened_at):
        """Relevance eased for age: a match from five years ago counts half as much as one of
        today."""
        if self.dialect == "sqlite":
            years = (func.julianday("now") - func.julianday(happened_at)) / 365.25
        else:
            years = func.extract("epoch", func.now() - happened_at) / (365.25 * 86400)
        return score / (1 + func.coalesce(years, 0) / 5)

    def snippets(self, session: Session, ids: list[int]) -> dict[int, str]:
        if self.dialect == "sqlite":
            snippet = func.snippet(literal_column("search_text"), -1, MARK, UNMARK, "…", 24)
            # Joined: FTS5 reads its matches once (1 ms), where `rowid IN` seeks each (20 ms).
            query = (
                select(SearchEntry.id, snippet)
                .join(_TEXT, _TEXT.c.rowid == SearchEntry.id)
                .where(self._matches(), SearchEntry.id.in_(ids))
            )
        else:
            options = f"StartSel={MARK}, StopSel={UNMARK}, MaxWords=30, MinWords=12"
            headline = func.ts_headline(
                _CONFIG, SearchEntry.title + " — " + SearchEntry.body, self._tsquery(), options
            )
            query = select(SearchEntry.id, headline).where(SearchEntry.id.in_(ids))
        return dict(session.execute(query).all())


def _conditions(filters: Filters) -> list:
    conditions = []
    if filters.country:
        conditions.append(SearchEntry.country_code == filters.country)
    if filters.agency_id is not None:
        conditions.append(SearchEntry.agency_id == filters.agency_id)
    if filters.since:
        conditions.append(SearchEntry.happened_at >= _moment(filters.since))
    if filters.until:
        conditions.append(SearchEntry.happened_at < _moment(filters.until, next_day=True))
    if filters.status:
        conditions.append(SearchEntry.status == filters.status)
    return conditions


def _moment(day: date, *, next_day: bool = False) -> datetime:
    return datetime.combine(day + timedelta(days=int(next_day)), time(), tzinfo=timezone.utc)


def _results(session: Session, engine: _Engine, ids: list[int]) -> list[Result]:
    if not ids:
        return []
    snippets = engine.snippets(session, ids)
    rows = session.execute(
        select(SearchEntry, Country.name)
        .outerjoin(Country, Country.code == SearchEntry.country_code)
        .where(SearchEntry.id.in_(ids))
    ).all()
    by_id = {entry.id: (entry, country) for entry, country in rows}
    return [_result(*by_id[i], snippets.get(i, "")) for i in ids if i in by_id]


def _result(entry: SearchEntry, country: str | None, snippet: str) -> Result:
    opens, params = _opens(entry)
    return Result(
        kind=entry.kind,
        record_key=entry.record_key,
        title=entry.title,
        country=country,
        meeting_id=entry.meeting_id,
        happened_at=entry.happened_at,
        status=entry.status,
        snippet=marked(snippet),
        opens=opens,
        params=params,
    )


def _opens(entry: SearchEntry) -> tuple[str, dict[str, str]]:
    """The page that shows the record, and its address parameters."""
    if entry.kind in ("meeting", "agenda_item", "decision", "minutes") and entry.meeting_id:
        return "meeting", {"id": str(entry.meeting_id)}
    if entry.kind == "plan":
        return "plan", {"id": str(entry.plan_id)}
    if entry.kind == "alert":
        return "alert", {"alert": entry.record_key}
    if entry.kind == "action_item":
        return "action_item", {"item": entry.record_key}
    return "country", {"code": entry.country_code or ""}


def marked(snippet: str) -> tuple[tuple[str, bool], ...]:
    """A snippet as (text, is a matching word) parts."""
    parts = re.split(f"({MARK}[^{UNMARK}]*{UNMARK})", snippet)
    return tuple((part.strip(MARK + UNMARK), part.startswith(MARK)) for part in parts if part)
