"""Alembic owns the schema: the migrations build exactly the models, on both engines."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from db import engine as db_engine
from db import migrate
from db.engine import read_session
from db.models import BlueprintRecommendation, Country, metadata


def test_migrations_match_the_models(db):
    with db_engine.get_engine().connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
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
