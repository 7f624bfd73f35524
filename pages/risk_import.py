"""Statistical risk import (chair): upload an Early Warning Project file, see what it would
change, confirm. A malformed or foreign file is refused whole, saying what was expected."""

import pandas as pd
import streamlit as st

from committee import settings, statistical_risk
from pages import editing, ui

actor = ui.require("page.risk_import")
st.title("Statistical risk import")
ui.say_done()
st.markdown(
    "The Early Warning Project (United States Holocaust Memorial Museum) publishes each year "
    "the estimated risk that a new mass killing begins in each country. Import its files as "
    "published in its repositories `<year>-Statistical-Risk-Assessment`, folder `3.Modeling`: "
    "the yearly forecast (`final_forecasts_data_….csv`) or the history "
    "(`FOOSforecasts_….csv`). Countries are matched by their Correlates of War code."
)

upload = ui.file_upload("The Project's CSV file", type=["csv"], key="ewp_upload")
if upload is not None:
    preview = ui.attempt(statistical_risk.preview_file, content=upload, filename=upload.name)
    if preview is not None:
        with st.container(border=True):
            st.subheader(preview.description)
            st.caption(
                f"{ui.plain(upload.name)} · {preview.rows} rows · SHA-256 {preview.sha256[:16]}…"
            )
            counts = st.columns(5)
            counts[0].metric("New", len(preview.new))
            counts[1].metric("Changed", len(preview.changed))
            counts[2].metric("Unchanged", preview.unchanged)
            counts[3].metric("Unmatched", len(preview.unmatched))
            counts[4].metric("No figure (NA)", len(preview.without_figure))
            if preview.unmatched:
                st.warning(
                    "These rows match no ISO 3166 country by their Correlates of War code and "
                    "are left out:",
                    icon=":material/help:",
                )
                st.dataframe(
                    pd.DataFrame(
                        [
                            {"Line": u.line, "Name in the file": u.ewp_name, "COW code": u.ccode}
                            for u in preview.unmatched
                        ]
                    ),
                    hide_index=True,
                )
            if preview.changed:
                st.markdown("**Changed figures**")
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                "Line": c.figure.line,
                                "Country": c.figure.country_name,
                                "Period": c.figure.period,
                                "Risk % before": round(100 * c.before["risk"], 2),
                                "Risk % now": round(100 * c.figure.risk, 2),
                                "Rank before": c.before["rank"],
                                "Rank now": c.figure.rank,
                            }
                            for c in preview.changed
                        ]
                    ),
                    hide_index=True,
                    width="stretch",
                )
            if preview.new:
                with st.expander(f"New figures ({len(preview.new)})"):
                    st.dataframe(
                        pd.DataFrame(
                            [
                                {
                                    "Line": f.line,
                                    "Country": f.country_name,
                                    "Period": f.period,
                                    "Risk %": round(100 * f.risk, 2),
                                    "Rank": f.rank,
                                }
                                for f in preview.new
                            ]
                        ),
                        hide_index=True,
                        width="stretch",
                    )
            if not preview.has_changes:
                st.info(
                    "Nothing to import: every figure in this file is already recorded.",
                    icon=":material/check_circle:",
                )
                if preview.kind == "forecast" and st.button(
                    "Evaluate the rules for signals on this edition",
                    icon=":material/sensors:",
                ):
                    done = ui.attempt(
                        statistical_risk.import_file,
                        actor=actor,
                        content=upload.getvalue(),
                        filename=upload.name,
                    )
                    if done is not None:
                        ui.clear_upload("ewp_upload")
                        editing.rerun_saying(
                            f"The rules for signals from data opened {done.signals} new "
                            f"signals on the {done.edition} edition."
                        )
            elif st.button(
                f"Import {len(preview.new)} new and {len(preview.changed)} changed figures",
                type="primary",
                icon=":material/download:",
            ):
                done = ui.attempt(
                    statistical_risk.import_file,
                    actor=actor,
                    content=upload,
                    filename=upload.name,
                )
                if done is not None:
                    ui.clear_upload("ewp_upload")
                    fired = (
                        f" The rules for signals from data opened {done.signals} signals."
                        if done.kind == "forecast"
                        else ""
                    )
                    editing.rerun_saying(f"Imported: {done.summary}.{fired}")

st.subheader("Imports so far")
past = statistical_risk.imports()
if not past:
    st.caption("Nothing imported yet.")
else:
    zone = settings.get("timezone")  # once, not once a row
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "When": ui.local(r.record.created_at, zone),
                    "Edition": r.record.edition,
                    "Kind": "Forecast" if r.record.kind == "forecast" else "History",
                    "File": r.record.filename,
                    "New": r.record.rows_new,
                    "Changed": r.record.rows_changed,
                    "Unmatched": r.record.rows_unmatched,
                    "By": r.imported_by,
                }
                for r in past
            ]
        ),
        hide_index=True,
        width="stretch",
    )

st.page_link("pages/signals.py", label="Signals from data", icon=":material/sensors:")
