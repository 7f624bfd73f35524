# ruff: noqa: S608  (SQL built from the constants below, never from anyone's input)
"""The search index's machinery: which records are searched and how, as SQL, and the triggers
that keep ``search_entry`` current in the transaction of every write, on both engines.

Each kind of record is one SELECT that yields its ``search_entry`` row; each table a kind reads
from has a trigger that deletes the rows it may have changed and selects them again. So the
index needs nothing from the write path, and a record changed is found by its new words only.
The migration that made the index installs these and builds it for the records already held.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection

COLUMNS = (
    "kind, record_key, country_code, meeting_id, alert_id, plan_id, agency_id, on_agenda, "
    "happened_at, status, title, body"
)


def _key(column: str) -> str:
    return f"CAST({column} AS VARCHAR(20))"


# kind: the SELECT of its rows ({agg} joins texts: group_concat or string_agg)
SOURCES = {
    "country": """
        SELECT 'country', c.code, c.code, NULL, NULL, NULL, NULL, FALSE, NULL, '',
               c.name, c.code || ' ' || c.alpha2
        FROM country c""",
    "meeting": f"""
        SELECT 'meeting', {_key("m.id")}, m.called_for_country, m.id, m.called_for_alert_id,
               NULL, NULL, FALSE, m.starts_at, m.status, m.title,
               m.reason || ' ' || m.location || ' ' || m.change_reason
        FROM meeting m""",
    "agenda_item": f"""
        SELECT 'agenda_item', {_key("a.id")}, a.country_code, a.meeting_id, a.alert_id, a.plan_id,
               a.presenter_agency_id, TRUE, m.starts_at, m.agenda_status, a.title, a.notes
        FROM agenda_item a JOIN meeting m ON m.id = a.meeting_id""",
    "decision": f"""
        SELECT 'decision', {_key("d.id")}, COALESCE(d.country_code, a.country_code), d.meeting_id,
               COALESCE(d.alert_id, a.alert_id), NULL, NULL, d.agenda_item_id IS NOT NULL,
               d.decided_at, d.kind, COALESCE(a.title, m.title, ''), d.text
        FROM decision d LEFT JOIN agenda_item a ON a.id = d.agenda_item_id
             LEFT JOIN meeting m ON m.id = d.meeting_id""",
    "minutes": f"""
        SELECT 'minutes', {_key("n.id")}, m.called_for_country, n.meeting_id,
               m.called_for_alert_id, NULL, NULL, FALSE, m.starts_at, n.status, m.title,
               COALESCE((SELECT r.body FROM minutes_revision r WHERE r.minutes_id = n.id
                         ORDER BY r.number DESC LIMIT 1), '') || ' ' ||
               COALESCE((SELECT {{agg}}(r.reason, ' ') FROM minutes_revision r
                         WHERE r.minutes_id = n.id), '')
        FROM minutes n JOIN meeting m ON m.id = n.meeting_id""",
    "plan": f"""
        SELECT 'plan', {_key("v.id")}, p.country_code, NULL, NULL, p.id, NULL, FALSE,
               v.created_at, v.status, p.title,
               v.situation_summary || ' ' || v.objectives || ' ' || v.escalation_triggers || ' '
               || v.change_note || ' ' ||
               COALESCE((SELECT {{agg}}(l.objective || ' ' || l.resources || ' ' || l.indicators,
                                       ' ')
                         FROM line_of_effort l WHERE l.plan_version_id = v.id), '')
        FROM plan_version v JOIN plan p ON p.id = v.plan_id""",
    "assessment": f"""
        SELECT 'assessment', {_key("s.id")}, s.country_code, s.meeting_id, NULL, NULL, NULL,
               FALSE, s.created_at, s.overall_rating, 'Risk assessment',
               s.overall_judgement || ' ' ||
               COALESCE((SELECT {{agg}}(f.note, ' ') FROM risk_factor_rating f
                         WHERE f.assessment_id = s.id), '')
        FROM risk_assessment s""",
    "alert": f"""
        SELECT 'alert', {_key("al.id")}, al.country_code, al.review_meeting_id, al.id, NULL,
               al.filing_agency_id, FALSE, al.filed_at, al.status, al.reference,
               al.summary || ' ' || al.sources
        FROM alert al""",
    "action_item": f"""
        SELECT 'action_item', {_key("t.id")}, t.country_code, COALESCE(t.meeting_id, d.meeting_id),
               COALESCE(t.alert_id, d.alert_id, a.alert_id), NULL, t.owner_agency_id, FALSE,
               t.created_at, t.status, t.title,
               t.description || ' ' || t.status_reason || ' ' ||
               COALESCE((SELECT {{agg}}(u.note, ' ') FROM action_update u
                         WHERE u.action_item_id = t.id), '')
        FROM action_item t LEFT JOIN decision d ON d.id = t.decision_id
             LEFT JOIN agenda_item a ON a.id = d.agenda_item_id""",
}

# (table, kind, the kind's index rows the table's row ``r`` may change, the same in its SELECT)
DEPENDENCIES = (
    ("country", "country", "record_key = r.code", "c.code = r.code"),
    ("meeting", "meeting", f"record_key = {_key('r.id')}", "m.id = r.id"),
    ("meeting", "agenda_item", "meeting_id = r.id", "a.meeting_id = r.id"),
    ("meeting", "minutes", "meeting_id = r.id", "n.meeting_id = r.id"),
    ("agenda_item", "agenda_item", f"record_key = {_key('r.id')}", "a.id = r.id"),
    (
        "agenda_item",
        "decision",
        f"record_key IN (SELECT {_key('id')} FROM decision WHERE agenda_item_id = r.id)",
        "d.agenda_item_id = r.id",
    ),
    ("decision", "decision", f"record_key = {_key('r.id')}", "d.id = r.id"),
    (
        "decision",
        "action_item",
        f"record_key IN (SELECT {_key('id')} FROM action_item WHERE decision_id = r.id)",
        "t.decision_id = r.id",
    ),
    ("minutes", "minutes", f"record_key = {_key('r.id')}", "n.id = r.id"),
    ("minutes_revision", "minutes", f"record_key = {_key('r.minutes_id')}", "n.id = r.minutes_id"),
    ("plan", "plan", "plan_id = r.id", "p.id = r.id"),
    ("plan_version", "plan", f"record_key = {_key('r.id')}", "v.id = r.id"),
    (
        "line_of_effort",
        "plan",
        f"record_key = {_key('r.plan_version_id')}",
        "v.id = r.plan_version_id",
    ),
    ("risk_assessment", "assessment", f"record_key = {_key('r.id')}", "s.id = r.id"),
    (
        "risk_factor_rating",
        "assessment",
        f"record_key = {_key('r.assessment_id')}",
        "s.id = r.assessment_id",
    ),
    ("alert", "alert", f"record_key = {_key('r.id')}", "al.id = r.id"),
    ("action_item", "action_item", f"record_key = {_key('r.id')}", "t.id = r.id"),
    (
        "action_update",
        "action_item",
        f"record_key = {_key('r.action_item_id')}",
        "t.id = r.action_item_id",
    ),
)

_AGGREGATE = {"sqlite": "group_concat", "postgresql": "string_agg"}

_SQLITE_TEXT = """
CREATE VIRTUAL TABLE search_text USING fts5(
    title, body, content='search_entry', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
)"""
_SQLITE_TEXT_TRIGGERS = (
    """CREATE TRIGGER search_text_insert AFTER INSERT ON search_entry BEGIN
        INSERT INTO search_text (rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_text_delete AFTER DELETE ON search_entry BEGIN
        INSERT INTO search_text (search_text, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
)
# English stemming (title weighs more than body); the english parser splits any script's words.
_POSTGRESQL_TEXT = (
    """ALTER TABLE search_entry ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, body), 'B')) STORED""",
    "CREATE INDEX search_document ON search_entry USING gin (document)",
)


def _refresh(dialect: str, kind: str, entry_condition: str, source_condition: str) -> str:
    select = SOURCES[kind].format(agg=_AGGREGATE[dialect])
    return (
        f"DELETE FROM search_entry WHERE kind = '{kind}' AND {entry_condition};\n"
        f"INSERT INTO search_entry ({COLUMNS}) {select} WHERE {source_condition};\n"
    )


def _row(condition: str, row: str) -> str:
    """The condition with the trigger's row (``r.`` in DEPENDENCIES) named the engine's way."""
    return re.sub(r"\br\.", f"{row}.", condition)


def _triggers(dialect: str) -> list[str]:
    tables = dict.fromkeys(table for table, *_ in DEPENDENCIES)
    statements = []
    for table in tables:
        refreshes = [dependency[1:] for dependency in DEPENDENCIES if dependency[0] == table]
        if dialect == "sqlite":
            for event, row in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
                body = "".join(
                    _refresh(dialect, kind, *(_row(c, row) for c in conditions))
                    for kind, *conditions in refreshes
                )
                statements.append(
                    f"CREATE TRIGGER search_{table}_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN\n{body}END"
                )
        else:
            body = "".join(
                _refresh(dialect, kind, *(_row(c, "changed") for c in conditions))
                for kind, *conditions in refreshes
            )
            statements.append(
                f"""CREATE FUNCTION search_refresh_{table}() RETURNS trigger
                LANGUAGE plpgsql AS $$
                DECLARE changed RECORD;
                BEGIN
                    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
                    {body}
                    RETURN NULL;
                END $$"""
            )
            statements.append(
                f"CREATE TRIGGER search_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION search_refresh_{table}()"
            )
    return statements


def install(connection: Connection) -> None:
    """The full-text part of the index and the triggers that keep it current."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        statements = [_SQLITE_TEXT, *_SQLITE_TEXT_TRIGGERS]
    else:
        statements = list(_POSTGRESQL_TEXT)
    for statement in [*statements, *_triggers(dialect)]:
        connection.execute(text(statement))


def uninstall(connection: Connection) -> None:
    _drop_record_triggers(connection)
    if connection.dialect.name == "sqlite":
        for event in ("insert", "delete"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS search_text_{event}"))
        connection.execute(text("DROP TABLE IF EXISTS search_text"))


@contextmanager
def triggers_set_aside(connection: Connection) -> Iterator[None]:
    """For a migration that copies a record's table (SQLite's batch mode renames the copy,
    which fails while a trigger names the table): the records' triggers are dropped for the
    time and made again. The index itself is untouched, as the rows are."""
    _drop_record_triggers(connection)
    yield
    for statement in _triggers(connection.dialect.name):
        connection.execute(text(statement))


def _drop_record_triggers(connection: Connection) -> None:
    dialect = connection.dialect.name
    for table in dict.fromkeys(table for table, *_ in DEPENDENCIES):
        if dialect == "sqlite":
            for event in ("insert", "update", "delete"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS search_{table}_{event}"))
        else:
            connection.execute(text(f"DROP TRIGGER IF EXISTS search_{table} ON {table}"))
            connection.execute(text(f"DROP FUNCTION IF EXISTS search_refresh_{table}()"))


def rebuild(connection: Connection) -> None:
    """Index every record held, afresh."""
    dialect = connection.dialect.name
    connection.execute(text("DELETE FROM search_entry"))
    for source in SOURCES.values():
        select = source.format(agg=_AGGREGATE[dialect])
        connection.execute(text(f"INSERT INTO search_entry ({COLUMNS}) {select}"))


def is_engine_part(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ARG001
    """For Alembic's comparison: the index's engine-specific parts are not in the models."""
    engine_part = (name or "").startswith("search_text") or name in ("document", "search_document")
    return not engine_part
