"""What Streamlit leaves undone for people who use a keyboard or a screen reader, done once for
every page (issue 25; README's "Accessibility" says what was tested and what remains).

- A focus indicator of at least 3:1 on every control (Streamlit's is a faint tint, 1.1:1).
- No "Link to heading" Tab stop beside every heading.
- The menu's current page: a bar beside it, and `aria-current="page"` for screen readers.
- After an action (a button pressed, a form sent), focus goes to the message it brought: the
  confirmation or the error. Streamlit leaves focus on the pressed button, or on nothing when
  the rerun removed it.
- A form error (``ui.field_error``) is tied to the field above it: the field is marked invalid and
  described by the message, so a screen reader reads both together.

The script is the app's own and holds no one's text; it watches the page, since Streamlit
redraws parts of it at every run.
"""

from pathlib import Path

import streamlit as st

ASSETS = Path(__file__).parent / "assets"
STYLE = ASSETS / "accessibility.css"
SCRIPT = (ASSETS / "accessibility.js").read_text()


def install() -> None:
    """Put the style and the script on the page; call it once per run, before the page."""
    st.html(STYLE)
    with st.container(key="accessibility"):
        st.html(f"<script>{SCRIPT}</script>", unsafe_allow_javascript=True)
