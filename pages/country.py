"""One country: its tier and history, statistical risk over time, the committee's assessments,
plans, action items, reviews and decisions, and alerts. The country comes from the address
(?code=SDN); the watchlist, its map and its table link here."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from committee import (
    access,
    assessments,
    briefs,
    clock,
    coverage,
    plans,
    rotation,
    settings,
    titles,
    vocabulary,
    watchlist,
)
from committee.errors import NotFound
from pages import editing, risk_chart, ui

PLAN_PAGE = "pages/plan.py"
DEFAULT_REVIEW_DAYS = 180  # a new plan's review-by date, six months out, until edited
MEETING_PAGE = "pages/meeting.py"
PLAN_STATUS_COLORS = {
    "draft": "gray",
    "in_clearance": "orange",
    "approved": "green",
    "superseded": "gray",
    "archived": "gray",
}
DIRECTION = {"up": "▲ higher", "down": "▼ lower", "same": "", "": "changed"}

actor = ui.require("page.country")
ui.say_done()
code = st.query_params.get("code", "").strip().upper()
SHOWN = f"history_shown_{code}"  # how many of its reviews and decisions are shown
history = st.session_state.setdefault(SHOWN, briefs.HISTORY_SHOWN)
try:
    brief = briefs.country_brief(code, actor=actor, history=history)
except NotFound:
    st.error("No such country.", icon=":material/search_off:")
    st.page_link("pages/watchlist.py", label="The watchlist", icon=":material/arrow_back:")
    st.stop()
country, entry = brief.country, brief.entry
watched = entry is not None and entry.on_watchlist
risk = brief.statistical_risk


WATCH = f"watchlist_entry:{country.code}"  # the entry the chair's edits are based on


def save(action, **kwargs) -> None:
    """Save a watchlist edit over the entry as the chair began it (``editing.save``)."""
    editing.save(WATCH, action, actor=actor, country_code=country.code, **kwargs)


def watch_forms() -> None:
    """The chair's edits: change the tier or take the country off; or put it on."""
    tier_options = list(vocabulary.TIER_LABELS)
    if not watched:
        with st.form("add_country"):
            tier = st.radio(
                "Tier", tier_options, format_func=vocabulary.TIER_LABELS.get, horizontal=True
            )
            reason = st.text_area("Why it is watched at this tier")
            ui.field_error("reason")
            added = st.form_submit_button("Add to the watchlist", type="primary")
        if added and ui.attempt(
            watchlist.add_country, actor=actor, country_code=country.code, tier=tier, reason=reason
        ):
            editing.rerun_saying("Added to the watchlist.")
        return
    editing.held(WATCH, entry)
    editing.conflict_notice(
        WATCH,
        {
            "tier": "Tier",
            "reason": "Reason",
            "on_watchlist": "On the watchlist",
            "review_cadence_override": "Review cadence",
        },
        what="watchlist entry",
    )
    with st.expander(":material/edit: Change the tier or the review cadence, or take off"):
        with st.form("set_tier"):
            tier = st.radio(
                "New tier",
                tier_options,
                index=tier_options.index(entry.tier),
                format_func=vocabulary.TIER_LABELS.get,
                horizontal=True,
            )
            ui.field_error("tier")
            reason = st.text_area("Reason for the change")
            ui.field_error("reason")
            changed = st.form_submit_button("Change the tier", type="primary")
        if changed:
            save(
                watchlist.set_tier,
                tier=tier,
                reason=reason,
                success="Tier changed.",
            )
        with st.form("take_off"):
            why = st.text_input("Why it comes off the watchlist")
            off = st.form_submit_button("Take off the watchlist")
        if off:
            save(
                watchlist.take_off,
                reason=why,
                success="Taken off the watchlist.",
            )
        with st.form("review_cadence"):
            every = st.number_input(
                f"Review every N regular meetings (0: the tier's default, "
                f"{rotation.cadence(entry.tier, None)})",
                min_value=0,
                max_value=12,
                value=entry.review_cadence_override or 0,
            )
            ui.field_error("cadence")
            cadence_set = st.form_submit_button("Set the review cadence")
        if cadence_set:
            save(watchlist.set_review_cadence, meetings=every or None, success="Cadence set.")


HOME_ZONE = settings.get("timezone")  # read once: every date on the page is shown in it


def on(moment, zone: str | None = None) -> str:
    """The day of a moment, in the meeting's or the committee's time zone."""
    return ui.day(moment.astimezone(ZoneInfo(zone or HOME_ZONE)).date())


def rating_style(value: str) -> str:
    colours = {
        vocabulary.FACTOR_RATING_LABELS[k]: v for k, v in vocabulary.FACTOR_RATING_COLORS.items()
    }
    colour = colours.get(value)
    if not colour:
        return ""
    return f"background-color: {colour}; color: {vocabulary.ink_on(colour)}; font-weight: 600"


# --- header ---------------------------------------------------------------------------------

st.page_link("pages/watchlist.py", label="Watchlist", icon=":material/arrow_back:")
st.title(country.name)
st.set_page_config(page_title=f"{country.name} · Country · APC Desk")  # the tab's name
badges = st.container(horizontal=True)
with badges:
    if watched:
        ui.tier_badge(entry.tier)
        st.badge(f"On the watchlist since {ui.day(entry.since)}", color="gray")
    else:
        st.badge("Not on the watchlist", color="gray")
    if country.un_subregion:
        st.badge(country.un_subregion, color="blue", icon=":material/public:")
    for alert in brief.open_alerts:
        st.badge(
            f"Alert {alert.reference}: {vocabulary.ALERT_STATUS_LABELS[alert.status].lower()}",
            color="red",
            icon=":material/notification_important:",
        )
if watched and entry.reason:
    st.markdown(ui.plain(entry.reason))

in_effect = [p for p in brief.plans if p.plan.status == "approved"]
risk_col, rank_col, review_col, plan_col = st.columns(4)
if risk is not None:
    risk_col.metric(
        f"Statistical risk {risk.period.replace('-', '–')}",
        vocabulary.risk_percent(risk.risk),
        delta=None if risk.change is None else vocabulary.risk_points(risk.change),
        delta_color="inverse",
        delta_description="vs last edition",
        border=True,
    )
    moved = bool(risk.previous_rank and risk.rank and risk.previous_rank != risk.rank)
    rank_col.metric(
        "Rank (1 = highest risk)",
        risk.rank or "—",
        delta=f"{risk.previous_rank - risk.rank:+d} places" if moved else None,
        delta_color="inverse",
        delta_description="vs last edition" if moved else None,
        border=True,
    )
else:
    risk_col.metric("Statistical risk", "—", border=True)
    rank_col.metric("Rank", "—", border=True)
review_col.metric(
    "Last review",
    ui.day(entry.last_reviewed_on) if watched else "—",
    border=True,
)
plan_col.metric(
    "Plans in effect",
    len(in_effect),
    delta="gap: none in effect" if watched and entry.tier <= 2 and not in_effect else None,
    delta_color="inverse",
    delta_arrow="off",
    border=True,
)

tabs = st.tabs(
    ["Risk", "Assessments", "Plans", "Action items", "Reviews and decisions", "Alerts"],
    key="country_tab",
    on_change="rerun",
)
risk_tab, assessment_tab, plan_tab, action_tab, review_tab, alert_tab = tabs


# --- risk: the statistical trend, the tier and its history ------------------------------------


if risk_tab.open:
    with risk_tab:
        chart_col, tier_col = st.columns([3, 2])
        with chart_col:
            st.subheader("Statistical risk over time")
            if brief.risk_trend or brief.forecasts:
                risk_chart.show(brief)
                source = risk.source if risk else "Early Warning Project"
                st.caption(
                    f"Source: {source}, United States Holocaust Memorial Museum: estimated risk "
                    "that a new mass killing begins. The line is each year's forecast made the "
                    "year before, up to the edition cited above; diamonds are the published "
                    "editions' two-year forecasts."
                )
            else:
                st.info("No statistical risk has been imported for this country.")
        with tier_col:
            st.subheader("Tier history")
            for change in reversed(brief.tier_history):
                if change.old_tier is None:
                    what = f"Added at tier {change.new_tier}"
                elif change.new_tier is None:
                    what = f"Taken off (was tier {change.old_tier})"
                else:
                    what = f"Tier {change.old_tier} → {change.new_tier}"
                st.markdown(
                    f"**{on(change.changed_at)}** · {what}  \n:gray[{ui.plain(change.reason)}]"
                )
            if not brief.tier_history:
                st.caption("Never on the watchlist.")
            if access.can(actor, "watchlist.edit"):
                watch_forms()


# --- assessments ----------------------------------------------------------------------------


def ratings_over_time() -> pd.DataFrame:
    shown = list(reversed(brief.assessments[:6]))  # the six newest, oldest on the left
    return pd.DataFrame(
        {
            f"{a.record.assessed_on:%d %b %Y}": [
                vocabulary.FACTOR_RATING_LABELS[
                    a.ratings[f].rating if f in a.ratings else "not_assessed"
                ]
                for f in vocabulary.RISK_FACTORS
            ]
            for a in shown
        },
        index=[f"{n}. {name}" for n, name in vocabulary.RISK_FACTORS.items()],
    )


def comparison_table(comparison: assessments.Comparison):
    frame = pd.DataFrame(
        [
            {
                "Factor": f"{change.factor}. {change.name}",
                "Before": vocabulary.FACTOR_RATING_LABELS[
                    change.before.rating if change.before else "not_assessed"
                ],
                "After": vocabulary.FACTOR_RATING_LABELS[
                    change.after.rating if change.after else "not_assessed"
                ],
                "Change": DIRECTION[change.direction]
                if change.direction != "same"
                else ("note changed" if change.changed else ""),
                "Note now": change.after.note if change.after else "",
            }
            for change in comparison.factors
        ]
    )
    changed = [c.changed for c in comparison.factors]
    return frame.style.map(rating_style, subset=["Before", "After"]).apply(
        lambda column: [
            "background-color: #fff3bf; font-weight: 600" if flag else "" for flag in changed
        ],
        subset=["Factor", "Change"],
    )


def record_assessment_form() -> None:
    latest = brief.latest_assessment
    meetings = plans.recent_meetings()
    with st.form("record_assessment"):
        when, at = st.columns(2)
        assessed_on = when.date_input("Assessed on", clock.today(), max_value=clock.today())
        meeting = at.selectbox(
            "At the meeting",
            [None, *meetings],
            format_func=lambda m: (
                "— none —" if m is None else f"{m.title} ({ui.day(m.starts_at.date())})"
            ),
        )
        st.caption("Ratings start from the latest assessment; change what the committee judged.")
        given = {}
        for factor, name in vocabulary.RISK_FACTORS.items():
            before = latest.ratings.get(factor) if latest else None
            left, right = st.columns([2, 3])
            rating = left.selectbox(
                f"{factor}. {name}",
                list(vocabulary.FACTOR_RATING_LABELS),
                index=list(vocabulary.FACTOR_RATING_LABELS).index(
                    before.rating if before else "not_assessed"
                ),
                format_func=vocabulary.FACTOR_RATING_LABELS.get,
                key=f"factor_{factor}",
            )
            note = right.text_input(
                "Note",
                before.note if before else "",
                key=f"note_{factor}",
                label_visibility="hidden",
            )
            given[factor] = assessments.Rating(rating, note)
        ui.field_error("ratings")
        overall = st.selectbox(
            "Overall rating",
            list(vocabulary.OVERALL_RATING_LABELS),
            format_func=vocabulary.OVERALL_RATING_LABELS.get,
            index=2,
        )
        judgement = st.text_area("Overall judgement")
        ui.field_error("overall_judgement")
        recorded = st.form_submit_button("Record the assessment", type="primary")
    if recorded and ui.attempt(
        assessments.record_assessment,
        actor=actor,
        country_code=country.code,
        assessed_on=assessed_on,
        overall_rating=overall,
        overall_judgement=judgement,
        ratings=given,
        meeting_id=meeting.id if meeting else None,
        success="Assessment recorded.",
        success_at="assessment",
    ):
        st.rerun()
    ui.say_done("assessment")


if assessment_tab.open:
    with assessment_tab:
        # Beside the risk factors no line addresses: where the plans go against the evidence.
        against = coverage.against_the_evidence([p.plan.effective_version_id for p in in_effect])
        if against:
            st.warning(
                "Tools used against the evidence by a plan in effect: "
                + "; ".join(ui.plain(flag.text) for flag in against),
                icon=":material/report:",
            )
        latest = brief.latest_assessment
        if latest is None:
            st.info("The committee has not assessed this country yet.")
        else:
            record = latest.record
            st.subheader(
                f"Latest: {vocabulary.OVERALL_RATING_LABELS[record.overall_rating]} risk "
                f"({ui.day(record.assessed_on)})"
            )
            st.markdown(ui.plain(record.overall_judgement))
            gaps = coverage.unaddressed(
                assessment=latest,
                version_ids=[p.plan.effective_version_id for p in in_effect],
            )
            if gaps:
                st.warning(
                    "Rated high and not addressed by any line of effort of a plan in effect: "
                    + "; ".join(f"{g.factor}. {g.name}" for g in gaps),
                    icon=":material/target:",
                )
            st.dataframe(
                ratings_over_time().style.map(rating_style),
                width="stretch",
                height=38 + 35 * len(vocabulary.RISK_FACTORS),
            )
            if len(brief.assessments) >= 2:
                st.subheader("Compare two assessments")
                labels = {
                    a.record.id: f"{ui.day(a.record.assessed_on)} — "
                    f"{vocabulary.OVERALL_RATING_LABELS[a.record.overall_rating]}"
                    for a in brief.assessments
                }
                by_id = {a.record.id: a for a in brief.assessments}
                first_col, second_col = st.columns(2)
                first = first_col.selectbox(
                    "Earlier", list(labels), index=1, format_func=labels.get, key="compare_first"
                )
                second = second_col.selectbox(
                    "Later", list(labels), index=0, format_func=labels.get, key="compare_second"
                )
                comparison = assessments.compare(first=by_id[first], second=by_id[second])
                changed = sum(1 for c in comparison.factors if c.changed)
                overall = [
                    vocabulary.OVERALL_RATING_LABELS[a.record.overall_rating]
                    for a in (comparison.earlier, comparison.later)
                ]
                st.caption(f"{changed} of 14 factors changed; overall {overall[0]} → {overall[1]}.")
                st.dataframe(
                    comparison_table(comparison),
                    hide_index=True,
                    width="stretch",
                    height=38 + 35 * len(vocabulary.RISK_FACTORS),
                )
        if access.can(actor, "assessment.record"):
            with st.expander(":material/add: Record an assessment"):
                record_assessment_form()


# --- plans ----------------------------------------------------------------------------------

if plan_tab.open:
    with plan_tab:
        if not brief.plans:
            st.info("No plan for this country yet.")
        for summary in brief.plans:
            plan = summary.plan
            with st.container(border=True):
                title_col, link_col = st.columns([4, 1], vertical_alignment="center")
                title_col.markdown(f"**{ui.plain(plan.title)}**")
                link_col.page_link(
                    PLAN_PAGE,
                    label="Open the plan",
                    icon=":material/open_in_new:",
                    query_params={"id": plan.id},
                )
                line = st.container(horizontal=True)
                with line:
                    st.badge(vocabulary.PLAN_KIND_LABELS[plan.kind], color="blue")
                    st.badge(
                        vocabulary.PLAN_STATUS_LABELS[plan.status],
                        color=PLAN_STATUS_COLORS[plan.status],
                    )
                    if summary.effective:
                        st.badge(f"Version {summary.effective.number} in effect", color="green")
                    if summary.latest and summary.latest is not summary.effective:
                        st.badge(
                            f"Version {summary.latest.number}: {summary.latest.status}",
                            color="gray",
                        )
                    if plan.review_by:
                        st.badge(
                            f"Review by {ui.day(plan.review_by)}",
                            color="red" if summary.past_review else "gray",
                            icon=":material/event:",
                        )
        if access.can(actor, "plan.draft") and watched:
            with st.expander(":material/add: Start a plan"):
                with st.form("new_plan"):
                    kind = st.radio(
                        "Kind",
                        list(vocabulary.PLAN_KIND_LABELS),
                        format_func=vocabulary.PLAN_KIND_LABELS.get,
                        index=list(vocabulary.PLAN_KIND_LABELS).index(
                            "response" if entry.tier == 1 else "prevention"
                        ),
                        horizontal=True,
                        help="A response plan for an acute situation (tier 1); a prevention plan "
                        "otherwise.",
                    )
                    title = st.text_input(
                        "Title",
                        f"{'Response' if entry.tier == 1 else 'Prevention'} plan — {country.name}",
                        max_chars=titles.LONGEST,
                    )
                    ui.field_error("title")
                    summary = st.text_area("Situation summary")
                    review_by = st.date_input(
                        "Review by",
                        clock.today() + timedelta(days=DEFAULT_REVIEW_DAYS),
                        min_value=clock.today(),
                        format="DD/MM/YYYY",
                    )
                    started = st.form_submit_button("Start the draft", type="primary")
                if started:
                    plan = ui.attempt(
                        plans.create_plan,
                        actor=actor,
                        country_code=country.code,
                        kind=kind,
                        title=title,
                        draft=plans.PlanDraft(situation_summary=summary, review_by=review_by),
                        success=f"Plan started as a draft: {ui.plain(title)}.",
                    )
                    if plan is not None:
                        st.switch_page(PLAN_PAGE, query_params={"id": plan.id})


# --- action items, reviews, alerts ----------------------------------------------------------

if action_tab.open:
    with action_tab:
        if not brief.open_actions:
            st.info("No open action items on this country.")
        else:
            st.caption(
                f"{len(brief.open_actions)} open, {len(brief.overdue_actions)} overdue "
                "(earliest due first)."
            )
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "Action item": a.item.title,
                            "Agency": a.agency_code,
                            "Due": a.item.due_on,
                            "Overdue": "Overdue" if a.overdue else "",
                            "Status": vocabulary.ACTION_STATUS_LABELS[a.item.status],
                            "Priority": vocabulary.PRIORITY_LABELS[a.item.priority],
                        }
                        for a in brief.open_actions
                    ]
                ).style.map(
                    lambda v: f"color: {vocabulary.OVERDUE_COLOR}; font-weight: 600" if v else "",
                    subset=["Overdue"],
                ),
                hide_index=True,
                width="stretch",
                column_config={"Due": st.column_config.DateColumn(format="D MMM YYYY")},
            )

if review_tab.open:
    with review_tab:
        if not brief.reviews and not brief.other_decisions:
            st.info("The committee has not reviewed this country yet.")
        for review in brief.reviews:
            with st.container(border=True):
                head, link = st.columns([4, 1], vertical_alignment="center")
                head.markdown(
                    f"**{on(review.meeting.starts_at, review.meeting.timezone)}** · "
                    f"{ui.plain(review.meeting.title)}"
                )
                link.page_link(
                    MEETING_PAGE,
                    label="The meeting",
                    icon=":material/event:",
                    query_params={"id": review.meeting.id},
                )
                if review.item.notes:
                    st.caption(ui.plain(review.item.notes))
                for decision in review.decisions:
                    st.markdown(f"- {ui.plain(decision.text)}")
        if brief.other_decisions:
            st.subheader("Other decisions on this country")
            for decision in brief.other_decisions:
                st.markdown(f"- **{on(decision.decided_at)}** · {ui.plain(decision.text)}")
        older = brief.review_count - len(brief.reviews)
        older += brief.other_decision_count - len(brief.other_decisions)
        if older:
            st.caption(
                f"The newest {len(brief.reviews)} of {brief.review_count} reviews and "
                f"{len(brief.other_decisions)} of {brief.other_decision_count} other decisions."
            )
            if st.button("Show older ones", icon=":material/history:", key="older_history"):
                st.session_state[SHOWN] = history + briefs.HISTORY_SHOWN
                st.rerun()

if alert_tab.open:
    with alert_tab:
        if not brief.open_alerts:
            st.info("No open alert on this country.")
        for alert in brief.open_alerts:
            with st.container(border=True):
                st.markdown(
                    f"**{alert.reference}** · {vocabulary.SEVERITY_LABELS[alert.severity]} · "
                    f"{vocabulary.ALERT_STATUS_LABELS[alert.status]}"
                )
                st.markdown(ui.plain(alert.summary))
                st.caption(
                    f"Filed {ui.local(alert.filed_at, HOME_ZONE)} · review due by "
                    f"{ui.local(alert.review_deadline, HOME_ZONE)}"
                )

# The tier forms, when shown again, start afresh from what is stored.
