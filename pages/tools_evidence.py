"""Evidence on policy tools (chair): import the evidence review "Tools for Atrocity
Prevention", see what it would change, confirm; and read what is recorded, tool by tool."""

import pandas as pd
import streamlit as st

from committee import settings, tools_evidence, vocabulary
from pages import ui

actor = ui.require("page.tools_evidence")
st.title("Evidence on policy tools")
ui.say_done()
st.markdown(
    "The United States Holocaust Memorial Museum's Simon-Skjodt Center for the Prevention of "
    "Genocide reviewed the research on 23 atrocity prevention tools and interviewed "
    "practitioners: *Tools for Atrocity Prevention*. Import its factor table as published in "
    "the repository `ushmm/atrocity-prevention-data` (`all_factors_<n>.csv`). Lines of effort "
    "then name the tools they rely on, and plans show what the evidence says about them."
)

upload = ui.file_upload("The review's factor table (CSV)", type=["csv"], key="tools_upload")
edition = st.text_input(
    "Edition",
    value=tools_evidence.edition_of(upload.name) if upload is not None else "",
    help="Read from the file name (all_factors_3.csv is V3) unless you name it.",
    key="tools_edition",
)
ui.field_error("edition")
ui.field_error("file")
if upload is not None:
    preview = ui.attempt(
        tools_evidence.preview_file,
        content=upload.getvalue(),
        filename=upload.name,
        edition=edition,
    )
    if preview is not None:
        with st.container(border=True):
            st.subheader(f"Edition {preview.edition}")
            st.caption(
                f"{ui.plain(upload.name)} · {preview.rows} rows · SHA-256 {preview.sha256[:16]}…"
            )
            counts = st.columns(5)
            counts[0].metric("Tools", preview.tools)
            counts[1].metric("Factors", preview.factors)
            counts[2].metric("New tools", len(preview.tools_new))
            counts[3].metric("New factors", preview.factors_new)
            counts[4].metric("Changed factors", preview.factors_changed)
            if preview.not_reviewed:
                st.caption(
                    "No evidence review yet for: "
                    + ui.plain(", ".join(preview.not_reviewed))
                    + ". They are imported with their descriptions."
                )
            if not preview.has_changes:
                st.info(
                    "Nothing to import: this edition is already recorded as it is in the file.",
                    icon=":material/check_circle:",
                )
            elif st.button(
                f"Import {preview.tools} tools and {preview.factors} factors",
                type="primary",
                icon=":material/download:",
            ):
                done = ui.attempt(
                    tools_evidence.import_file,
                    actor=actor,
                    content=upload.getvalue(),
                    filename=upload.name,
                    edition=edition,
                    success=f"Imported: {preview.tools} tools and {preview.factors} factors.",
                )
                if done is not None:
                    ui.clear_upload("tools_upload")
                    st.rerun()

st.subheader("Imports so far")
past = tools_evidence.imports()
if not past:
    st.caption("Nothing imported yet.")
else:
    zone = settings.get("timezone")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "When": ui.local(r.record.created_at, zone),
                    "Edition": r.record.edition,
                    "File": r.record.filename,
                    "New tools": r.record.tools_new,
                    "New factors": r.record.factors_new,
                    "Changed factors": r.record.factors_changed,
                    "By": r.imported_by,
                }
                for r in past
            ]
        ),
        hide_index=True,
        width="stretch",
    )

recorded = tools_evidence.tools()
if recorded:
    st.subheader("The tools")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Tool": entry.tool.name,
                    "What it is": entry.tool.short_description,
                    "Strategies": ", ".join(
                        vocabulary.STRATEGY_LABELS[s] for s in entry.strategies
                    ),
                    "Instruments": ", ".join(
                        vocabulary.INSTRUMENT_LABELS[i] for i in entry.instruments
                    ),
                    "Factors": len(entry.factors)
                    if entry.tool.evidence_reviewed
                    else "No evidence review yet",
                    "Edition": entry.tool.edition,
                }
                for entry in recorded
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(f"Source: {tools_evidence.SOURCE}.")
