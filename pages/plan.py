"""One plan: its versions, the text of each, editing the draft (every save a new version),
comparing versions, circulating for clearance, each agency's clearance, approval at a meeting,
and archiving. The plan comes from the address (?id=)."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from committee import access, clock, coverage, people, plans, settings, vocabulary
from committee.errors import Conflict, NotFound
from pages import downloads, ui

COUNTRY_PAGE = "pages/country.py"
MEETING_PAGE = "pages/meeting.py"
VERSION_STATUS_LABELS = {
    "draft": "Draft",
    "circulated": "In clearance",
    "approved": "Approved",
    "superseded": "Superseded",
    "withdrawn": "Withdrawn from clearance",
}
# The lines-of-effort editor's columns, in the committee's words.
CATEGORY, OBJECTIVE, LEAD, SUPPORTING = "Toolbox", "Objective", "Lead", "Supporting agencies"
RESOURCES, INDICATORS, CITED, FACTORS = (
    "Resources",
    "Indicators and triggers",
    "Blueprint",
    "Risk factors",
)

actor = ui.require("page.plan")
try:
    view = plans.get_plan(int(st.query_params.get("id", "")))
except (ValueError, NotFound):
    st.error("No such plan.", icon=":material/search_off:")
    st.page_link("pages/watchlist.py", label="The watchlist", icon=":material/arrow_back:")
    st.stop()
plan = view.plan
archived = plan.status == "archived"
VERSION_KEY = f"version_{plan.id}"
SHOW_NEWEST = f"show_newest_{plan.id}"  # after a change, the version picker shows the newest
shown_forms: set[str] = set()


@st.cache_data
def blueprint() -> dict[str, str]:
    """The Blueprint's recommendations by code: reference data, the same for everyone."""
    return {r.code: r.text for r in plans.recommendations()}


def seen_version(form: str, version: int) -> int:
    """The record's version when this form was first shown: the form saves over it, so a
    change by someone else meanwhile is a conflict, not a silent overwrite."""
    shown_forms.add(form)
    return st.session_state.setdefault(f"seen_{form}_{plan.id}", version)


def act(form: str, action, *, success: str, **kwargs):
    """Run a plan service from a form; after a save (or someone else's change) the form
    starts again from what is now stored."""
    st.session_state.pop("conflict", None)
    result = ui.attempt(action, actor=actor, success=success, **kwargs)
    if result is not None or "conflict" in st.session_state:
        st.session_state.pop(f"seen_{form}_{plan.id}", None)
    if result is not None:
        st.session_state[SHOW_NEWEST] = True
        st.rerun()
    return result


# --- header ---------------------------------------------------------------------------------

st.page_link(
    COUNTRY_PAGE,
    label=view.country_name,
    icon=":material/arrow_back:",
    query_params={"code": plan.country_code},
)
st.title(ui.plain(plan.title))
with st.container(horizontal=True):
    st.badge(vocabulary.PLAN_KIND_LABELS[plan.kind], color="blue")
    st.badge(
        vocabulary.PLAN_STATUS_LABELS[plan.status],
        color={"approved": "green", "in_clearance": "orange"}.get(plan.status, "gray"),
    )
    ui.tier_badge(view.tier)
    if view.effective:
        st.badge(f"Version {view.effective.number} in effect", color="green")
    if plan.review_by:
        st.badge(
            f"Review by {ui.day(plan.review_by)}",
            color="red" if plan.review_by < clock.today() else "gray",
            icon=":material/event:",
        )

numbers = [v.number for v in reversed(view.versions)]
if st.session_state.pop(SHOW_NEWEST, False):
    st.session_state[VERSION_KEY] = numbers[0]
chosen = st.selectbox(
    "Version",
    numbers,
    format_func=lambda n: (
        f"Version {n} · {VERSION_STATUS_LABELS[view.version(n).status]} · "
        f"{ui.day(view.version(n).created_at.date())}"
    ),
    key=VERSION_KEY,
)
version = view.version(chosen)
downloads.plan_downloads(actor, view.plan, version)
tabs = st.tabs(
    ["Plan", "Edit the draft", "Compare versions", "Clearance"], key="plan_tab", on_change="rerun"
)
text_tab, edit_tab, compare_tab, clearance_tab = tabs


# --- the plan as written --------------------------------------------------------------------


def show_version(detail: plans.VersionDetail) -> None:
    v = detail.version
    st.caption(
        f"Version {v.number}, {VERSION_STATUS_LABELS[v.status].lower()}"
        + (f", by {ui.plain(detail.author)}" if detail.author else "")
        + (f" — {ui.plain(v.change_note)}" if v.change_note else "")
    )
    if detail.decision is not None:
        meeting = detail.decision_meeting
        where = f" at {ui.plain(meeting.title)}" if meeting else ""
        st.success(f"Approved{where}: {ui.plain(detail.decision.text)}", icon=":material/verified:")
        if detail.decision_meeting:
            st.page_link(
                MEETING_PAGE,
                label="The meeting",
                icon=":material/event:",
                query_params={"id": detail.decision_meeting.id},
            )
    if v.approval_override_reason:
        st.warning(
            "Approved without full clearance. The chair's reason: "
            + ui.plain(v.approval_override_reason),
            icon=":material/gavel:",
        )
    gaps = coverage.unaddressed_by_version(v.id)
    if gaps:
        st.warning(
            "Rated high in the latest assessment and addressed by no line of effort: "
            + "; ".join(f"{g.factor}. {g.name}" for g in gaps),
            icon=":material/target:",
        )
    left, right = st.columns(2)
    with left:
        st.subheader("Situation")
        st.markdown(ui.plain(v.situation_summary) or "_Not written yet._")
    with right:
        st.subheader("Objectives")
        st.markdown(ui.plain(v.objectives) or "_Not written yet._")
    st.subheader(f"Lines of effort ({len(detail.lines)})")
    if not detail.lines:
        st.caption("None yet.")
    recommendations = blueprint()
    for view_ in detail.lines:
        line = view_.line
        with st.container(border=True):
            st.markdown(
                f"**{line.position}. {vocabulary.TOOLBOX_LABELS[line.toolbox_category]}** — "
                f"{ui.plain(line.objective)}"
            )
            with st.container(horizontal=True):
                st.badge(f"Lead: {view_.lead}", color="blue", icon=":material/flag:")
                for code in view_.supporting:
                    st.badge(code, color="gray")
                for factor in view_.factors:
                    st.badge(
                        f"Factor {factor}", color="violet", help=vocabulary.RISK_FACTORS[factor]
                    )
            details = []
            if line.resources:
                details.append(f"**Resources:** {ui.plain(line.resources)}")
            if line.indicators:
                details.append(f"**Indicators and triggers:** {ui.plain(line.indicators)}")
            for code in view_.recommendations:
                details.append(f"**Blueprint {code}:** {ui.plain(recommendations.get(code, ''))}")
            if details:
                st.markdown("  \n".join(details))
    st.subheader("Escalation triggers")
    st.markdown(ui.plain(v.escalation_triggers) or "_None written._")
    st.caption(f"Review by {ui.day(v.review_by)}")


if text_tab.open:
    with text_tab:
        show_version(plans.version_detail(version.id))


# --- editing the draft ----------------------------------------------------------------------


def lines_frame(draft: plans.PlanDraft, codes: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                CATEGORY: vocabulary.TOOLBOX_LABELS[line.toolbox_category],
                OBJECTIVE: line.objective,
                LEAD: codes.get(line.lead_agency_id),
                SUPPORTING: [codes[a] for a in line.supporting_agency_ids],
                RESOURCES: line.resources,
                INDICATORS: line.indicators,
                CITED: list(line.recommendation_codes),
                FACTORS: [str(f) for f in line.factors],
            }
            for line in draft.lines
        ],
        columns=[CATEGORY, OBJECTIVE, LEAD, SUPPORTING, RESOURCES, INDICATORS, CITED, FACTORS],
    )


def drafted_lines(frame: pd.DataFrame, ids: dict[str, int]) -> tuple[plans.LineDraft, ...]:
    """The editor's rows as lines of effort; wholly empty rows are dropped."""
    categories = {label: key for key, label in vocabulary.TOOLBOX_LABELS.items()}

    def text(value) -> str:
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)

    def listed(value) -> list:
        return list(value) if isinstance(value, list | tuple) else []

    lines = []
    for row in frame.to_dict("records"):
        if not any(text(row[c]) for c in (CATEGORY, OBJECTIVE, LEAD, RESOURCES, INDICATORS)):
            continue
        lines.append(
            plans.LineDraft(
                toolbox_category=categories.get(text(row[CATEGORY]), ""),
                objective=text(row[OBJECTIVE]),
                lead_agency_id=ids.get(text(row[LEAD])),
                supporting_agency_ids=tuple(ids[c] for c in listed(row[SUPPORTING]) if c in ids),
                resources=text(row[RESOURCES]),
                indicators=text(row[INDICATORS]),
                recommendation_codes=tuple(listed(row[CITED])),
                factors=tuple(int(f) for f in listed(row[FACTORS])),
            )
        )
    return tuple(lines)


def edit_form() -> None:
    latest = plans.version_detail(view.latest.id)
    base = latest.as_draft()
    agencies = people.list_agencies()
    codes = {a.id: a.code for a in agencies}
    recommendations = blueprint()
    seen = seen_version("edit", plan.version)
    mine_key = f"mine_{plan.id}"
    st.caption(
        f"You are editing version {view.latest.number}. Saving makes version "
        f"{view.latest.number + 1}"
        + (
            "; the version in effect stays in effect until the new one is approved."
            if view.effective
            else "."
        )
        + (
            " Saving withdraws the version now in clearance."
            if view.latest.status == "circulated"
            else ""
        )
    )
    with st.form(f"edit_plan_{plan.id}"):
        # Keyed, so that after a conflict the form keeps the person's text.
        title = st.text_input("Title", plan.title, key=f"title_{plan.id}")
        ui.field_error("title")
        summary = st.text_area(
            "Situation summary", base.situation_summary, height=140, key=f"summary_{plan.id}"
        )
        ui.field_error("situation_summary")
        objectives = st.text_area(
            "Objectives", base.objectives, height=100, key=f"objectives_{plan.id}"
        )
        st.markdown("**Lines of effort**")
        edited = st.data_editor(
            lines_frame(base, codes),
            num_rows="dynamic",
            width="stretch",
            hide_index=True,
            key=f"lines_{plan.id}",
            column_config={
                CATEGORY: st.column_config.SelectboxColumn(
                    options=list(vocabulary.TOOLBOX_LABELS.values()), required=True
                ),
                OBJECTIVE: st.column_config.TextColumn(width="large", required=True),
                LEAD: st.column_config.SelectboxColumn(options=list(codes.values()), required=True),
                SUPPORTING: st.column_config.MultiselectColumn(options=list(codes.values())),
                RESOURCES: st.column_config.TextColumn(),
                INDICATORS: st.column_config.TextColumn(),
                CITED: st.column_config.MultiselectColumn(
                    options=list(recommendations),
                    format_func=lambda c: f"{c} {recommendations[c][:60]}",
                ),
                FACTORS: st.column_config.MultiselectColumn(
                    options=[str(f) for f in vocabulary.RISK_FACTORS],
                    format_func=lambda f: f"{f}. {vocabulary.RISK_FACTORS[int(f)][:50]}",
                ),
            },
        )
        ui.field_error("lines")
        triggers = st.text_area(
            "Escalation triggers",
            base.escalation_triggers,
            help="What would move a prevention plan to a response plan.",
            key=f"triggers_{plan.id}",
        )
        review_col, note_col = st.columns([1, 2])
        review_by = review_col.date_input(
            "Review by", base.review_by, format="DD/MM/YYYY", key=f"review_by_{plan.id}"
        )
        ui.field_error("review_by")
        note = note_col.text_input("What this version changes", key=f"note_{plan.id}")
        saved = st.form_submit_button("Save as a new version", type="primary")
    if saved:
        draft = plans.PlanDraft(
            situation_summary=summary,
            objectives=objectives,
            escalation_triggers=triggers,
            review_by=review_by,
            lines=drafted_lines(edited, {code: id_ for id_, code in codes.items()}),
        )
        st.session_state.pop(mine_key, None)
        act(
            "edit",
            plans.save_draft,
            plan_id=plan.id,
            seen_version=seen,
            draft=draft,
            title=title,
            change_note=note,
            success="Saved as a new version.",
        )
        if isinstance(st.session_state.get("conflict"), Conflict):
            st.session_state[mine_key] = draft
    add_line_form(base, codes, recommendations, seen)
    mine = st.session_state.get(mine_key)
    if mine is not None:
        st.warning(
            "Your text is kept in the form above. Below: what the other person's newest version "
            "says, compared with yours ('-' theirs, '+' yours). Save again to make yours the "
            "next version.",
            icon=":material/sync_problem:",
        )
        show_diff(plans.diff_drafts(base, mine))


def add_line_form(
    base: plans.PlanDraft, codes: dict[int, str], recommendations: dict[str, str], seen: int
) -> None:
    """One line of effort at a time, with every field in view: saved as a new version."""
    st.markdown("**Add a line of effort**")
    with st.form(f"add_line_{plan.id}", clear_on_submit=True):
        left, right = st.columns(2)
        category = left.selectbox(
            "Toolbox category",
            list(vocabulary.TOOLBOX_LABELS),
            format_func=vocabulary.TOOLBOX_LABELS.get,
            index=None,
        )
        lead = right.selectbox("Lead agency", list(codes), format_func=codes.get, index=None)
        objective = st.text_area("Objective of the line", height=80)
        supporting = st.multiselect("Supporting agencies", list(codes), format_func=codes.get)
        left, right = st.columns(2)
        resources = left.text_input("Resources")
        indicators = right.text_input("Indicators and triggers to watch")
        cited = st.multiselect(
            "Blueprint recommendations it applies",
            list(recommendations),
            format_func=lambda c: f"{c} — {recommendations[c]}",
        )
        factors = st.multiselect(
            "Risk factors it addresses",
            list(vocabulary.RISK_FACTORS),
            format_func=lambda f: f"{f}. {vocabulary.RISK_FACTORS[f]}",
        )
        added = st.form_submit_button("Add the line (a new version)")
    if added:
        line = plans.LineDraft(
            toolbox_category=category or "",
            objective=objective,
            lead_agency_id=lead,
            supporting_agency_ids=tuple(supporting),
            resources=resources,
            indicators=indicators,
            recommendation_codes=tuple(cited),
            factors=tuple(factors),
        )
        act(
            "edit",
            plans.save_draft,
            plan_id=plan.id,
            seen_version=seen,
            draft=replace(base, lines=(*base.lines, line)),
            change_note=f"Line of effort added: {vocabulary.TOOLBOX_LABELS.get(category, '')}.",
            success="Line of effort added.",
        )


def show_diff(sections: list[plans.SectionDiff]) -> None:
    unchanged = [s.title for s in sections if not s.changed]
    for section in sections:
        if section.changed:
            st.markdown(f"**{section.title}**")
            st.code("\n".join(section.lines), language="diff", wrap_lines=True)
    if unchanged:
        st.caption("Unchanged: " + ", ".join(unchanged) + ".")


if edit_tab.open:
    with edit_tab:
        if archived:
            st.info("This plan is archived: it is not edited any more.")
        elif not access.can(actor, "plan.draft"):
            st.info("Observers read plans; the chair and agency representatives draft them.")
        else:
            edit_form()


# --- comparing versions ---------------------------------------------------------------------

if compare_tab.open:
    with compare_tab:
        if len(view.versions) < 2:
            st.info("There is one version so far: nothing to compare.")
        else:
            first_col, second_col = st.columns(2)
            # By default: the chosen version against the one before it (numbers: newest first).
            earlier = numbers[min(numbers.index(chosen) + 1, len(numbers) - 1)]
            first = first_col.selectbox(
                "From version", numbers, index=numbers.index(earlier), key="diff_from"
            )
            second = second_col.selectbox(
                "To version", numbers, index=numbers.index(chosen), key="diff_to"
            )
            show_diff(plans.compare_versions(plan_id=plan.id, first=first, second=second))


# --- clearance and approval ------------------------------------------------------------------


def clearance_grid(detail: plans.VersionDetail) -> None:
    zone = settings.get("timezone")  # once, not once a row
    counts = {p: detail.count(p) for p in vocabulary.CLEARANCE_LABELS}
    columns = st.columns(len(counts))
    for column, (position, count) in zip(columns, counts.items(), strict=True):
        column.metric(vocabulary.CLEARANCE_LABELS[position], count, border=True)
    frame = pd.DataFrame(
        [
            {
                "Agency": f"{row.agency_code} — {row.agency_name}",
                "Position": vocabulary.CLEARANCE_LABELS[row.clearance.position],
                "Comments or reasons": row.clearance.comments,
                "Cleared by": row.cleared_by or "",
                "When": ui.local(row.clearance.cleared_at, zone, fmt="%d %b %Y %H:%M")
                if row.clearance.cleared_at
                else "",
            }
            for row in detail.clearances
        ]
    )
    colours = {vocabulary.CLEARANCE_LABELS[k]: v for k, v in vocabulary.CLEARANCE_COLORS.items()}
    st.dataframe(
        frame.style.map(
            lambda p: f"background-color: {colours[p]}; color: #111; font-weight: 600",
            subset=["Position"],
        ),
        hide_index=True,
        width="stretch",
        column_config={"Position": st.column_config.TextColumn(width="medium")},
    )


def circulate_form(detail: plans.VersionDetail) -> None:
    participants = {view_.lead for view_ in detail.lines} | {
        code for view_ in detail.lines for code in view_.supporting
    }
    others = [a for a in people.list_agencies() if a.code not in participants]
    st.write(
        "Circulating asks each participating agency to clear this version: "
        + (", ".join(sorted(participants)) or "none yet (add lines of effort)")
        + "."
    )
    seen = seen_version("circulate", plan.version)
    with st.form(f"circulate_{plan.id}"):
        extra = st.multiselect(
            "Also ask",
            others,
            format_func=lambda a: f"{a.code} — {a.name}",
        )
        ui.field_error("agencies")
        go = st.form_submit_button("Circulate for clearance", type="primary")
    ui.field_error("situation_summary")
    ui.field_error("review_by")
    ui.field_error("lines")
    if go:
        act(
            "circulate",
            plans.circulate,
            plan_id=plan.id,
            seen_version=seen,
            extra_agency_ids=tuple(a.id for a in extra),
            success="Circulated for clearance.",
        )


def my_clearance_form(row: plans.ClearanceRow) -> None:
    st.subheader(f"Clear for {row.agency_code}")
    positions = ["concur", "concur_with_comments", "non_concur"]
    seen = seen_version("clear", row.clearance.version)
    with st.form(f"clear_{version.id}"):
        position = st.radio(
            "Your agency's position",
            positions,
            index=positions.index(row.clearance.position)
            if row.clearance.position in positions
            else 0,
            format_func=vocabulary.CLEARANCE_LABELS.get,
            horizontal=True,
        )
        ui.field_error("position")
        comments = st.text_area(
            "Comments (required with comments; reasons required for a non-concurrence)",
            row.clearance.comments,
        )
        ui.field_error("comments")
        cleared = st.form_submit_button("Record our position", type="primary")
    if cleared:
        act(
            "clear",
            plans.record_clearance,
            version_id=version.id,
            agency_id=row.clearance.agency_id,
            position=position,
            comments=comments,
            seen_version=seen,
            success=f"{row.agency_code}'s position recorded.",
        )


def approve_form(detail: plans.VersionDetail) -> None:
    st.subheader("Approve at a meeting")
    meetings = plans.recent_meetings()
    if not meetings:
        st.info("No meeting has begun yet: a plan is approved at a meeting.")
        return
    if not detail.fully_cleared:
        st.warning(
            "Not every agency has concurred. The committee may still approve it, with the "
            "chair's reason for doing so recorded on the plan and in the decision.",
            icon=":material/gavel:",
        )
    with st.form(f"approve_{version.id}"):
        meeting = st.selectbox(
            "Meeting",
            meetings,
            format_func=lambda m: f"{m.title} ({ui.day(m.starts_at.date())})",
        )
        ui.field_error("meeting")
        text = st.text_area("Decision (optional)", placeholder="The committee approves …")
        reason = st.text_area(
            "Reason for approving without full clearance",
            disabled=detail.fully_cleared,
        )
        ui.field_error("override_reason")
        approved = st.form_submit_button("Approve this version", type="primary")
    if approved:
        act(
            "approve",
            plans.approve,
            version_id=version.id,
            meeting_id=meeting.id,
            decision_text=text,
            override_reason="" if detail.fully_cleared else reason,
            success="Approved: this version is now in effect.",
        )


if clearance_tab.open:
    with clearance_tab:
        detail = plans.version_detail(version.id)
        if version.status == "draft":
            st.info("This version is a draft: it has not been circulated.")
            if (
                version.id == view.latest.id
                and not archived
                and access.can(actor, "plan.circulate")
            ):
                circulate_form(detail)
        else:
            if version.circulated_at:
                st.caption(
                    f"Circulated {ui.local(version.circulated_at, settings.get('timezone'))}."
                )
            clearance_grid(detail)
            if version.status == "circulated":
                mine = next(
                    (r for r in detail.clearances if r.clearance.agency_id == actor.agency_id),
                    None,
                )
                if mine is not None and access.can(
                    actor, "plan.clear", agency_id=mine.clearance.agency_id
                ):
                    my_clearance_form(mine)
                if access.can(actor, "plan.approve") and not archived:
                    approve_form(detail)

if access.can(actor, "plan.archive") and not archived:
    with st.expander(":material/archive: Archive this plan"):
        seen = seen_version("archive", plan.version)
        with st.form(f"archive_{plan.id}"):
            reason = st.text_input("Why the plan no longer serves")
            ui.field_error("reason")
            gone = st.form_submit_button("Archive the plan")
        if gone:
            act(
                "archive",
                plans.archive,
                plan_id=plan.id,
                reason=reason,
                seen_version=seen,
                success="Plan archived.",
            )

# A form not shown in this run starts afresh from what is stored when it is shown again.
for form in {"edit", "circulate", "clear", "archive"} - shown_forms:
    st.session_state.pop(f"seen_{form}_{plan.id}", None)
