"""Settings (chair and administrators): review cadences, alert deadlines, the banner, the time
zone, whether observers may file alerts, and when an idle session ends. Each change is saved
and audited on its own; values the operator fixed in the environment are shown, not edited."""

import os
from zoneinfo import available_timezones

import streamlit as st

from committee import settings, vocabulary
from pages import ui

actor = ui.require("page.settings")
stored = settings.all_values()


def fixed_by_operator(key: str) -> str | None:
    """The environment variable that overrides ``key``, if the operator set it."""
    name = settings.ENVIRONMENT.get(key)
    return name if name and os.environ.get(name) else None


def save(changed: dict) -> int:
    """Each setting is its own audited change; the first refused one stops the rest."""
    for key, value in changed.items():
        settings.update(actor=actor, key=key, value=value)
    return len(changed)


def operator_note(key: str) -> None:
    name = fixed_by_operator(key)
    if name:
        st.caption(f"Set by the operator in {name}: {ui.plain(os.environ[name])}")
    ui.field_error(key)


st.title(":material/settings: Settings")
st.caption("Changes apply at once, for everyone, and are recorded in the audit trail.")
saved_count = st.session_state.pop("settings_saved", None)
if saved_count is not None:
    st.success(
        f"{saved_count} setting(s) saved." if saved_count else "Nothing was changed.",
        icon=":material/check_circle:",
    )

with st.form("settings"):
    st.subheader("Country reviews")
    st.caption("How many regular meetings may pass between two reviews of a country, by tier.")
    columns = st.columns(3)
    cadence = {
        tier: columns[int(tier) - 1].number_input(
            vocabulary.TIER_LABELS[int(tier)],
            min_value=1,
            max_value=12,
            value=int(stored["review_cadence"][tier]),
        )
        for tier in ("1", "2", "3")
    }
    ui.field_error("review_cadence")

    st.subheader("Alerts")
    st.caption("Days within which the committee must review an alert, by severity.")
    columns = st.columns(3)
    deadlines = {
        severity: columns[i].number_input(
            vocabulary.SEVERITY_LABELS[severity],
            min_value=1,
            max_value=90,
            value=int(stored["alert_review_days"][severity]),
        )
        for i, severity in enumerate(vocabulary.SEVERITIES)
    }
    ui.field_error("alert_review_days")
    observers = st.toggle(
        "Observers may file alerts", value=bool(stored["observers_may_file_alerts"])
    )

    st.subheader("The tool")
    banner = st.text_input(
        "Banner (the handling marking at the top of every page)",
        value=str(stored["banner"]),
        max_chars=200,
        disabled=fixed_by_operator("banner") is not None,
    )
    operator_note("banner")
    zones = sorted(available_timezones())
    timezone = st.selectbox(
        "The committee's time zone",
        zones,
        index=zones.index(stored["timezone"]) if stored["timezone"] in zones else None,
        disabled=fixed_by_operator("timezone") is not None,
    )
    operator_note("timezone")
    idle = st.number_input(
        "End a session after this many minutes without activity",
        min_value=5,
        max_value=24 * 60,
        value=int(stored["idle_timeout_minutes"]),
    )
    ui.field_error("idle_timeout_minutes")
    saved = st.form_submit_button("Save settings", type="primary")

if saved:
    wanted = {
        "review_cadence": {tier: int(value) for tier, value in cadence.items()},
        "alert_review_days": {severity: int(value) for severity, value in deadlines.items()},
        "observers_may_file_alerts": observers,
        "banner": banner,
        "timezone": timezone,
        "idle_timeout_minutes": int(idle),
    }
    changed = {
        key: value
        for key, value in wanted.items()
        if value != stored[key] and not fixed_by_operator(key)
    }
    if ui.attempt(save, changed=changed) is not None:
        ui.home_zone.clear()  # a new time zone shows at once, not within the minute
        st.session_state["settings_saved"] = len(changed)
        st.rerun()
