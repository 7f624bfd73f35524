"""Alembic owns the schema: the migrations build exactly the models, on both engines."""

from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import new_postgresql_database
from sqlalchemy import func, inspect, select

from db import engine as db_engine
from db import migrate
from db.engine import read_session
from db.models import BlueprintRecommendation, Country, metadata
from db.search_index import is_engine_part


def test_migrations_match_the_models(db):
    with db_engine.get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": is_engine_part})
        differences = compare_metadata(context, metadata)
    assert differences == []
    assert migrate.current_revision() == migrate.head_revision()


def test_reference_data_is_loaded(db):
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Country)) == 249
        assert session.scalar(select(func.count()).select_from(BlueprintRecommendation)) == 34
        sudan = session.get(Country, "SDN")
        assert (sudan.name, sudan.un_region, sudan.cow_code) == ("Sudan", "Africa", 625)
        assert session.get(Country, "SRB").cow_code == 345
        assert session.get(BlueprintRecommendation, "2-4").text.startswith(
            "The national security advisor should create"
        )


def test_upgrade_twice_changes_nothing(db):
    migrate.upgrade()
    assert migrate.current_revision() == migrate.head_revision()


def test_a_fresh_sqlite_file_is_created_with_its_folder(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'committee.db'}"
    engine = db_engine.create_database_engine(url)
    migrate.upgrade(engine)
    assert (tmp_path / "new" / "committee.db").exists()
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_the_closing_rule_mends_older_rows_and_sqlite_keeps_its_foreign_keys(tmp_path):
    """0004 rebuilds the action item table on SQLite (its way to add a rule) with the foreign
    keys off, as SQLite asks, and on again after; rows closed without a time get one."""
    engine = db_engine.create_database_engine(f"sqlite:///{tmp_path / 'older.db'}")
    migrate.migrate_to("0003_actions", engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO agency (id, code, name, active, version, created_at, updated_at) "
            "VALUES (1, 'STATE', 'State', 1, 1, '2026-01-01', '2026-01-01')"
        )
        for id_, status in ((1, "done"), (2, "open")):
            connection.exec_driver_sql(
                "INSERT INTO action_item (id, title, description, owner_agency_id, origin, "
                "due_on, priority, status, status_reason, version, created_at, updated_at) "
                f"VALUES ({id_}, 'Item', '', 1, 'standalone', '2026-02-01', 'medium', "
                f"'{status}', 'x', 1, '2026-01-05', '2026-01-09 10:00:00.000000')"
            )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        closed = dict(connection.exec_driver_sql("SELECT id, closed_at FROM action_item").all())
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    assert closed[1].startswith("2026-01-09 10:00") and closed[2] is None
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


TRIGGERS = {
    "sqlite": "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal",
}


@contextmanager
def fresh_database(kind: str, tmp_path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        with new_postgresql_database("apc_migrate") as url:
            yield url


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_held_times_go_down_and_up_again_keeping_the_search_triggers(kind, tmp_path):
    """0012 adds and drops a meeting's held times, which SQLite does by copying the table."""
    with fresh_database(kind, tmp_path) as url:
        engine = db_engine.create_database_engine(url)
        migrate.upgrade(engine)
        with engine.connect() as connection:
            triggers = connection.exec_driver_sql(TRIGGERS[kind]).scalar()
        migrate.migrate_to("0011", engine, down=True)
        assert "held_from" not in {c["name"] for c in inspect(engine).get_columns("meeting")}
        migrate.upgrade(engine)
        assert {"held_from", "held_until"} <= {
            c["name"] for c in inspect(engine).get_columns("meeting")
        }
        with engine.connect() as connection:
            assert connection.exec_driver_sql(TRIGGERS[kind]).scalar() == triggers > 0
        engine.dispose()
