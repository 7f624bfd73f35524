"""The benchmark's floor (issue 24): the least a page of this app can be, a title and a
10-row table, with a button that only reruns. ``bench/browser.py`` measures it beside every
page, in the same run and the same way, and reports every page as a multiple of it. The app
registers it only when ``APC_BENCH_FLOOR`` is set (the benchmark's server)."""

import pandas as pd
import streamlit as st

st.title("Floor")
st.dataframe(pd.DataFrame({"Row": range(1, 11), "Square": [n * n for n in range(1, 11)]}))
st.button("Rerun")
