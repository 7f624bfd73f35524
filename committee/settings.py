"""Configurable values: environment first (for operators), then the settings table (for the
chair and admins, through the settings page), then the defaults here."""

import os
from zoneinfo import ZoneInfo, available_timezones

from sqlmodel import select

from committee.actor import Actor
from committee.errors import ValidationError
from committee.transaction import writing
from db.engine import read_session
from db.models import Setting

DEFAULTS: dict[str, object] = {
    # the line at the top of every page: the handling marking of the tool's contents
    "banner": "UNCLASSIFIED // DEMONSTRATION DATA — ILLUSTRATIVE ONLY",
    # the committee's home time zone: meetings default to it, dates are shown in it
    "timezone": "America/New_York",
    # regular meetings between reviews of a country, by tier
    "review_cadence": {"1": 1, "2": 2, "3": 3},
    # days within which an alert must be reviewed, by severity
    "alert_review_days": {"acute": 3, "serious": 14, "concern": 14},
    # days within which a signal from data must be reviewed, and decided: a regular meeting
    # comes every two months, so a signal's review falls due within one cycle
    "signal_days": {"review": 60, "decision": 90},
    "observers_may_file_alerts": False,
    "idle_timeout_minutes": 30,
}
ENVIRONMENT = {"banner": "APC_BANNER", "timezone": "APC_TIMEZONE"}


def get(key: str):
    """The value in force for ``key``."""
    if key not in DEFAULTS:
        raise KeyError(key)
    env_name = ENVIRONMENT.get(key)
    if env_name and os.environ.get(env_name):
        return os.environ[env_name]
    with read_session() as session:
        stored = session.get(Setting, key)
    return stored.value if stored is not None else DEFAULTS[key]


def all_values() -> dict[str, object]:
    with read_session() as session:
        stored = {s.key: s.value for s in session.exec(select(Setting))}
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


def validate(key: str, value) -> object:
    if key not in DEFAULTS:
        raise ValidationError(f"Unknown setting {key!r}.", field="key")
    if key == "timezone" and value not in available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone.", field=key)
    if key == "review_cadence":
        if set(value) != {"1", "2", "3"} or not all(
            isinstance(v, int) and 1 <= v <= 12 for v in value.values()
        ):
            raise ValidationError(
                "Give each tier a cadence of 1 to 12 regular meetings.", field=key
            )
    if key == "alert_review_days":
        if set(value) != {"acute", "serious", "concern"} or not all(
            isinstance(v, int) and 1 <= v <= 90 for v in value.values()
        ):
            raise ValidationError(
                "Give each severity a review deadline of 1 to 90 days.", field=key
            )
    if key == "signal_days":
        if set(value) != {"review", "decision"} or not all(
            isinstance(v, int) and 1 <= v <= 180 for v in value.values()
        ):
            raise ValidationError(
                "Give a signal 1 to 180 days to its review and to its decision.", field=key
            )
        if value["decision"] < value["review"]:
            raise ValidationError("A signal's decision cannot be due before its review.", field=key)
    if key == "idle_timeout_minutes" and not (isinstance(value, int) and 5 <= value <= 24 * 60):
        raise ValidationError("Idle time-out must be 5 to 1440 minutes.", field=key)
    if key == "banner" and (not isinstance(value, str) or not value.strip() or len(value) > 200):
        raise ValidationError("The banner needs 1 to 200 characters.", field=key)
    return value


def update(*, actor: Actor, key: str, value) -> None:
    value = validate(key, value)
    with writing(actor, "setting.update") as w:
        w.require("settings.edit")
        stored = w.session.get(Setting, key)
        before = {"value": stored.value if stored else DEFAULTS[key]}
        if stored is None:
            stored = Setting(key=key, value=value, updated_by_id=actor.id)
            w.session.add(stored)
        else:
            w.touch(stored, value=value, updated_by_id=actor.id)
        w.audit(stored, before=before, after={"value": value})


def zone() -> ZoneInfo:
    return ZoneInfo(get("timezone"))
