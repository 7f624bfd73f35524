"""Settings (chair and administrators): review cadences, alert deadlines, the banner, the time
zone, whether observers may file alerts, and when an idle session ends. Each change is saved
and audited on its own; values the operator fixed in the environment are shown, not edited."""

import os
from zoneinfo import available_timezones

import streamlit as st

from committee import settings, signals, vocabulary
from pages import editing, ui

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


st.title("Settings")
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

    st.subheader("Signals from data")
    st.caption("Days from a signal's opening to its review, and to the decision that closes it.")
    columns = st.columns(3)
    signal_days = {
        clock: columns[i].number_input(
            label, min_value=1, max_value=180, value=int(stored["signal_days"][clock])
        )
        for i, (clock, label) in enumerate(
            (("review", "Review within (days)"), ("decision", "Decision within (days)"))
        )
    }
    ui.field_error("signal_days")

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
        "signal_days": {clock: int(value) for clock, value in signal_days.items()},
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


# --- rules for signals from data (Blueprint 2-5) ----------------------------------------------

st.subheader("Rules for signals from data")
st.caption(
    "Importing an edition of the Early Warning Project's statistical risk evaluates every active "
    "rule on it; each rule that fires for a country opens a signal (see Signals from data)."
)
rules = signals.rules()
if rules:
    st.dataframe(
        [
            {
                "Rule": r.name,
                "Fires when a country": signals.describe_rule(
                    r.kind, r.threshold, r.second_threshold
                ),
                "Active": "Yes" if r.active else "Paused",
            }
            for r in rules
        ],
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("No rules yet: data triggers nothing until the chair sets one.")

THRESHOLDS = {
    "risk_rise": ("Rise of at least (percentage points)", 1.0, None),
    "enters_top": ("Enters the top (N countries)", 10.0, None),
    "above_off_watchlist": ("Not on the watchlist, with a risk of at least (%)", 5.0, None),
    "tier_rank_divergence": (
        "Tier 3 or off the watchlist but ranked in the top",
        10.0,
        ("Tier 1 but ranked below", 60.0),
    ),
}
KIND_LABELS = {
    "risk_rise": "The two-year risk rises between editions",
    "enters_top": "A country enters the top N",
    "above_off_watchlist": "A country off the watchlist has a high risk",
    "tier_rank_divergence": "The committee's tier and the statistical rank diverge",
}
with st.container(border=True):
    st.markdown("**Add a rule**")
    kind = st.selectbox(
        "What the rule watches for", list(KIND_LABELS), format_func=KIND_LABELS.get, key="rule_kind"
    )
    ui.field_error("kind")
    label, default, second = THRESHOLDS[kind]
    with st.form("add_rule"):
        name = st.text_input("Name of the rule", max_chars=signals.NAME_LIMIT, key="rule_name")
        ui.field_error("name")
        threshold = st.number_input(label, value=default, step=1.0, key=f"rule_threshold_{kind}")
        ui.field_error("threshold")
        below = None
        if second is not None:
            below = st.number_input(second[0], value=second[1], step=1.0, key="rule_below")
            ui.field_error("second_threshold")
        added = st.form_submit_button("Add the rule", type="primary")
    if added and ui.attempt(
        signals.save_rule,
        actor=actor,
        name=name,
        kind=kind,
        threshold=threshold,
        second_threshold=below,
    ):
        st.session_state["rule_added"] = name
        st.rerun()
    if added_name := st.session_state.pop("rule_added", None):
        st.success(f"Rule added: {ui.plain(added_name)}.", icon=":material/check_circle:")

if rules:
    with st.container(border=True):
        st.markdown("**Pause or resume a rule**")
        by_id = {r.id: r for r in rules}
        chosen = st.selectbox(
            "Rule",
            list(by_id),
            format_func=lambda i: by_id[i].name + ("" if by_id[i].active else " (paused)"),
            key="rule_chosen",
        )
        rule = by_id[chosen]
        seen = editing.seen_version(f"rule:{rule.id}", rule.version)  # as shown when clicked
        if st.button("Pause the rule" if rule.active else "Resume the rule", key="rule_toggle"):
            if ui.attempt(
                signals.set_rule_active,
                actor=actor,
                rule_id=rule.id,
                active=not rule.active,
                seen_version=seen,
            ):
                st.rerun()
