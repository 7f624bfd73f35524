"""The server: the Streamlit app, and beside it on the same port the calendar feeds that
calendar programs subscribe to (``/feeds/<token>.ics``).

Run it with ``streamlit run server.py`` (Streamlit finds ``app`` and serves it with uvicorn)
or ``uvicorn server:app``. ``streamlit run streamlit_app.py`` still serves the app alone.
"""

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from committee import feeds
from exports import calendar

NOT_FOUND = "No calendar feed at this address. It may have been revoked.\n"


def calendar_feed(request: Request) -> Response:
    """A subscribed calendar's refresh. A wrong, revoked or disabled person's token gets the
    same plain 404, so the answer tells nothing about which tokens exist."""
    subscription = feeds.resolve(request.path_params["token"])
    if subscription is None:
        return Response(NOT_FOUND, status_code=404, media_type="text/plain")
    return Response(
        calendar.feed(subscription),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="apc-desk.ics"',
            # The feed is private to its token: no shared cache may keep it.
            "Cache-Control": "private, no-store",
        },
    )


app = st.App("streamlit_app.py", routes=[Route("/feeds/{token}.ics", calendar_feed)])
