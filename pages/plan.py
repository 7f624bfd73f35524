"""One plan: its versions, the text of each, editing the draft (every save a new version),
comparing versions, circulating for clearance, each agency's clearance, approval at a meeting,
and archiving. The plan comes from the address (?id=)."""

from dataclasses import replace
from typing import NoReturn

import pandas as pd
import streamlit as st

from committee import (
    access,
    clock,
    coverage,
    people,
    plans,
    settings,
    titles,
    tools_evidence,
    vocabulary,
)
from committee.errors import NotFound
from pages import downloads, editing, ui

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
RESOURCES, INDICATORS, CITED, FACTORS, TOOLS = (
    "Resources",
    "Indicators and triggers",
    "Blueprint",
    "Risk factors",
    "Evidence-review tools",
)
IN_THIS_COUNTRY = "In this country"

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


@st.cache_data
def blueprint() -> dict[str, str]:
    """The Blueprint's recommendations by code: reference data, the same for everyone."""
    return {r.code: r.text for r in plans.recommendations()}


CHANGES = {"title": "Title", "status": "Status", "position": "Position", "comments": "Comments"}


def hold(form: str, record) -> None:
    """Hold ``record`` as the person began ``form`` (``editing.held``), and say what someone
    else changed if a save of this form met their change."""
    editing.held(f"plan:{plan.id}:{form}", record)
    editing.conflict_notice(f"plan:{plan.id}:{form}", CHANGES, what="plan")


def act(form: str, action, *, success: str, **kwargs) -> None:
    """Run a plan service from ``form``, over the record as the form began it; after a change
    the version picker shows the newest version."""
    editing.save(
        f"plan:{plan.id}:{form}", action, actor=actor, success=success, done=show_newest, **kwargs
    )


def show_newest(message: str) -> NoReturn:
    st.session_state[SHOW_NEWEST] = True
    st.session_state.pop(f"mine_{plan.id}", None)
    editing.rerun_saying(message)


# --- header ---------------------------------------------------------------------------------

st.page_link(
    COUNTRY_PAGE,
    label=view.country_name,
    icon=":material/arrow_back:",
    query_params={"code": plan.country_code},
)
st.title(ui.plain(plan.title))
st.set_page_config(page_title=f"{plan.title} · Plan · APC Desk")  # the tab's name
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
ui.say_done()

numbers = [v.number for v in reversed(view.versions)]
if st.session_state.pop(SHOW_NEWEST, False):
    st.session_state[VERSION_KEY] = numbers[0]
ui.keep_choice(VERSION_KEY)  # circulating or approving changes its label
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


def against_evidence_notice(version_id: int) -> None:
    """Lines relying on a tool whose well-evidenced factors are marked the wrong way here."""
    against = coverage.against_the_evidence([version_id])
    if against:
        st.error(
            "**Tools used against the evidence.** "
            + " ".join(f"{ui.plain(flag.text)}." for flag in against),
            icon=":material/report:",
        )


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
    against_evidence_notice(v.id)
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
    markable = (
        v.id == view.latest.id
        and v.status == "draft"
        and not archived
        and access.can(actor, "plan.draft")
    )
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
            if view_.tool_ids:
                evidence_panel(detail, view_, markable)
    st.subheader("Escalation triggers")
    st.markdown(ui.plain(v.escalation_triggers) or "_None written._")
    st.caption(f"Review by {ui.day(v.review_by)}")


def factor_frame(entry: tools_evidence.ToolEvidence, marks: dict[int, str]) -> pd.DataFrame:
    def evidence(strength: str | None, direction: str | None) -> str:
        if strength in (None, "none_available"):
            return "—"
        return f"{vocabulary.STRENGTH_LABELS[strength]}: {vocabulary.DIRECTION_LABELS[direction]}"

    return pd.DataFrame(
        [
            {
                "Factor": f.name
                + (f" (practitioners: {f.practitioner_name})" if f.practitioner_name else ""),
                IN_THIS_COUNTRY: vocabulary.FACTOR_MARK_LABELS.get(marks.get(f.id), None),
                "Research": evidence(f.research_strength, f.research_direction),
                "Practitioners": evidence(f.practitioner_strength, f.practitioner_direction),
                "Kind": (f.kind or "").capitalize(),
                "What it means": f.description,
            }
            for f in entry.factors
        ],
        index=[f.id for f in entry.factors],
    )


def evidence_panel(detail: plans.VersionDetail, view_: plans.LineView, markable: bool) -> None:
    """For each tool the line relies on: what it is, its theory of change, the factors with
    which it works better or worse and how strong the evidence is; on the newest draft, the
    drafter marks which factors hold in this country (saved as a new version)."""
    entries = tools_evidence.tools(view_.tool_ids)
    with st.container(horizontal=True):
        for entry in entries:
            st.badge(f"Relies on: {entry.tool.name}", color="orange", icon=":material/build:")
    edited: dict[int, pd.DataFrame] = {}
    for entry in entries:
        tool = entry.tool
        with st.expander(
            f":material/library_books: {ui.plain(tool.name)} — what the evidence says"
        ):
            st.markdown(f"**{ui.plain(tool.short_description)}.** {ui.plain(tool.description)}")
            st.markdown(f"**Theory of change.** {ui.plain(tool.theory_of_change)}")
            st.caption(
                "Strategies: "
                + ", ".join(vocabulary.STRATEGY_LABELS[s] for s in entry.strategies)
                + " · Instruments: "
                + ", ".join(vocabulary.INSTRUMENT_LABELS[i] for i in entry.instruments)
            )
            if not tool.evidence_reviewed:
                st.info("No evidence review yet for this tool.", icon=":material/hourglass:")
                continue
            frame = factor_frame(entry, view_.evidence_marks)
            labels = list(vocabulary.FACTOR_MARK_LABELS.values())
            if markable:
                edited[tool.id] = st.data_editor(
                    frame,
                    hide_index=True,
                    width="stretch",
                    disabled=[c for c in frame.columns if c != IN_THIS_COUNTRY],
                    column_config={
                        IN_THIS_COUNTRY: st.column_config.SelectboxColumn(options=labels),
                        "What it means": st.column_config.TextColumn(width="medium"),
                    },
                    key=f"marks_{detail.version.id}_{view_.line.id}_{tool.id}",
                )
            else:
                st.dataframe(frame, hide_index=True, width="stretch")
            st.caption(
                "Strength of evidence as the review rates it: research by its vote count of "
                "findings, practitioners by the share who cite the factor. "
                f"{tools_evidence.SOURCE}."
            )
    if edited:
        hold("marks", plan)  # the plan as the drafter saw it, for the save's version check
    if edited and st.button(
        "Save the marks for this country (a new version)",
        key=f"save_marks_{view_.line.id}",
        icon=":material/save:",
    ):
        by_label = {label: key for key, label in vocabulary.FACTOR_MARK_LABELS.items()}
        marks = dict(view_.evidence_marks)
        for frame in edited.values():
            for factor_id, label in frame[IN_THIS_COUNTRY].items():
                if label in by_label:
                    marks[int(factor_id)] = by_label[label]
                else:
                    marks.pop(int(factor_id), None)
        base = detail.as_draft()
        lines = list(base.lines)
        position = view_.line.position - 1
        lines[position] = replace(lines[position], evidence_marks=tuple(sorted(marks.items())))
        act(
            "marks",
            plans.save_draft,
            plan_id=plan.id,
            draft=replace(base, lines=tuple(lines)),
            change_note=f"Evidence marked for line of effort {view_.line.position}.",
            success="Marks saved as a new version.",
        )


if text_tab.open:
    with text_tab:
        show_version(plans.version_detail(version.id))


# --- editing the draft ----------------------------------------------------------------------


def lines_frame(
    draft: plans.PlanDraft, codes: dict[int, str], tool_names: dict[int, str]
) -> pd.DataFrame:
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
                TOOLS: [tool_names[t] for t in line.tool_ids if t in tool_names],
            }
            for line in draft.lines
        ],
        columns=[
            CATEGORY,
            OBJECTIVE,
            LEAD,
            SUPPORTING,
            RESOURCES,
            INDICATORS,
            CITED,
            FACTORS,
            TOOLS,
        ],
    )


def drafted_lines(
    frame: pd.DataFrame,
    ids: dict[str, int],
    base: plans.PlanDraft,
    tools: list[tools_evidence.ToolEvidence],
) -> tuple[plans.LineDraft, ...]:
    """The editor's rows as lines of effort; wholly empty rows are dropped. A row keeps the
    evidence marks of the line it was for the tools it still names: rows keep their index
    through the editor (a deleted row takes its own away, an added one has none), so marks
    follow the line, not the place it is now in."""
    tool_ids = {entry.tool.name: entry.tool.id for entry in tools}
    tool_of = {f.id: entry.tool.id for entry in tools for f in entry.factors}
    categories = {label: key for key, label in vocabulary.TOOLBOX_LABELS.items()}

    def text(value) -> str:
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)

    def listed(value) -> list:
        return list(value) if isinstance(value, list | tuple) else []

    lines = []
    for number, row in zip(frame.index, frame.to_dict("records"), strict=True):
        if not any(text(row[c]) for c in (CATEGORY, OBJECTIVE, LEAD, RESOURCES, INDICATORS)):
            continue
        named = tuple(tool_ids[t] for t in listed(row[TOOLS]) if t in tool_ids)
        before = base.lines[number].evidence_marks if 0 <= number < len(base.lines) else ()
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
                tool_ids=named,
                evidence_marks=tuple((f, m) for f, m in before if tool_of.get(f) in named),
            )
        )
    return tuple(lines)


def edit_form() -> None:
    latest = plans.version_detail(view.latest.id)
    base = latest.as_draft()
    agencies = people.list_agencies()
    codes = {a.id: a.code for a in agencies}
    recommendations = blueprint()
    tools = tools_evidence.tools()
    tool_names = {entry.tool.id: entry.tool.name for entry in tools}
    editing.held(f"plan:{plan.id}:edit", plan)
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
        title = st.text_input("Title", plan.title, max_chars=titles.LONGEST, key=f"title_{plan.id}")
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
            lines_frame(base, codes, tool_names),
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
                TOOLS: st.column_config.MultiselectColumn(options=list(tool_names.values())),
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
            lines=drafted_lines(edited, {code: id_ for id_, code in codes.items()}, base, tools),
        )
        # Kept for the comparison shown if someone else saved first; dropped once it lands.
        st.session_state[mine_key] = draft
        act(
            "edit",
            plans.save_draft,
            plan_id=plan.id,
            draft=draft,
            title=title,
            change_note=note,
            success="Saved as a new version.",
        )
        if not editing.in_conflict(f"plan:{plan.id}:edit"):
            st.session_state.pop(mine_key, None)  # refused at a field: nothing to compare
    add_line_form(base, codes, recommendations, tools)
    mine = st.session_state.get(mine_key)
    if mine is not None:
        st.warning(
            "Your text is kept in the form above. Below: what the other person's newest version "
            "says, compared with yours ('-' theirs, '+' yours). Save again to make yours the "
            "next version.",
            icon=":material/sync_problem:",
        )
        show_diff(plans.diff_drafts(base, mine))


def tool_label(entry: tools_evidence.ToolEvidence) -> str:
    return (
        f"{entry.tool.name} — "
        + ", ".join(vocabulary.STRATEGY_LABELS[s].lower() for s in entry.strategies)
        + " · "
        + ", ".join(vocabulary.INSTRUMENT_LABELS[i].lower() for i in entry.instruments)
    )


def add_line_form(
    base: plans.PlanDraft,
    codes: dict[int, str],
    recommendations: dict[str, str],
    tools: list[tools_evidence.ToolEvidence],
) -> None:
    """One line of effort at a time, with every field in view: saved as a new version."""
    st.markdown("**Add a line of effort**")
    if tools:
        # Outside the form, so that choosing narrows the tools offered at once.
        left, right = st.columns(2)
        strategy = left.selectbox(
            "Offer tools that serve the strategy",
            list(vocabulary.STRATEGY_LABELS),
            format_func=vocabulary.STRATEGY_LABELS.get,
            index=None,
            placeholder="Any strategy",
        )
        instrument = right.selectbox(
            "… through the instrument",
            list(vocabulary.INSTRUMENT_LABELS),
            format_func=vocabulary.INSTRUMENT_LABELS.get,
            index=None,
            placeholder="Any instrument",
        )
        tools = [
            e
            for e in tools
            if (strategy is None or strategy in e.strategies)
            and (instrument is None or instrument in e.instruments)
        ]
    labels = {entry.tool.id: tool_label(entry) for entry in tools}
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
        chosen_tools = st.multiselect(
            "Tools of the evidence review it relies on",
            list(labels),
            format_func=labels.get,
            help="After saving, the plan shows what the evidence says about each tool, and "
            "asks which of its factors hold in this country.",
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
            tool_ids=tuple(chosen_tools),
        )
        act(
            "edit",
            plans.save_draft,
            plan_id=plan.id,
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
            lambda p: (
                f"background-color: {colours[p]}; color: {vocabulary.ink_on(colours[p])}; "
                "font-weight: 600"
            ),
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
    hold("circulate", plan)
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
            extra_agency_ids=tuple(a.id for a in extra),
            success="Circulated for clearance.",
        )


def my_clearance_form(row: plans.ClearanceRow) -> None:
    st.subheader(f"Clear for {row.agency_code}")
    positions = ["concur", "concur_with_comments", "non_concur"]
    hold("clear", row.clearance)
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
    if approved and ui.attempt(
        plans.approve,
        actor=actor,
        version_id=version.id,
        meeting_id=meeting.id,
        decision_text=text,
        override_reason="" if detail.fully_cleared else reason,
    ):
        show_newest("Approved: this version is now in effect.")


if clearance_tab.open:
    with clearance_tab:
        detail = plans.version_detail(version.id)
        against_evidence_notice(version.id)
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
        hold("archive", plan)
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
                success="Plan archived.",
            )
