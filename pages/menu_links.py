"""The menu, drawn by the app itself: under each section's name, one link per page the person
may see.

Streamlit's own menu puts each section's name inside its list, which screen readers announce
as a broken list (axe's `list` and `listitem` rules, issue 25). These are plain links. The page
on screen is marked three ways: its label in bold, a bar beside it, and `aria-current="page"`
for screen readers (the last two by pages/accessibility.py)."""

import streamlit as st


def draw(menu: dict[str, list], current) -> None:
    """``menu``: the pages by section ("" first, no name), as given to ``st.navigation``;
    ``current``: the page it chose. Its title, with the tool's name, names the browser tab."""
    st.set_page_config(page_title=f"{current.title} · APC Desk")
    with st.sidebar.container(key="menu"):
        for section, pages in menu.items():
            if section:
                st.markdown(f"**{section}**")
            for page in pages:
                if page.visibility == "visible":
                    st.page_link(page, width="stretch")
