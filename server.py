"""The server: the Streamlit app, and beside it on the same port the routes that are not the
app's pages: signing in and out (web/), the calendar feeds that calendar programs subscribe to
(``/feeds/<token>.ics``), the links in mail that need no sign-in (answers to invitations,
unsubscribes), and the health checks for the load balancer and monitoring (``/healthz``,
``/readyz``). A gate in front sends a signed-out page load to the sign-in page.

Run it with ``streamlit run server.py`` (Streamlit finds ``app`` and serves it with uvicorn)
or ``uvicorn server:app``. ``APC_BASE_URL`` must be set: links that leave the tool and the
single sign-on's return address are built from it.
"""

from contextlib import asynccontextmanager

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

from committee import feeds, health, links, logs
from exports import calendar
from pages import world
from web import mail_links, single_sign_on
from web import sign_in as signing
from web.gate import SignInGate
from web.headers import SecurityHeaders

logs.configure("app")

NOT_FOUND = "No calendar feed at this address. It may have been revoked.\n"


def calendar_feed(request: Request) -> Response:
    """A subscribed calendar's refresh. A wrong, revoked or disabled person's token gets the
    same plain 404, so the answer tells nothing about which tokens exist."""
    logs.path.set("/feeds/<token>.ics")  # the token is a secret: never in the log
    subscription = feeds.resolve(request.path_params["token"])
    if subscription is None:
        logs.event("feed_refused")
        return Response(NOT_FOUND, status_code=404, media_type="text/plain")
    logs.event("feed", feed_id=subscription.feed_id)
    return Response(
        calendar.feed(subscription),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="apc-desk.ics"',
            # The feed is private to its token: no shared cache may keep it.
            "Cache-Control": "private, no-store",
        },
    )


def world_map(request: Request) -> FileResponse:
    """The world map's base map, which the charts of the dashboard and the watchlist fetch
    (pages/world.py): public data, the same for everyone, kept by the browser for a day."""
    return FileResponse(
        world.WORLD,
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def _health_answer(report: health.Health) -> JSONResponse:
    """200 with each part "ok", or 503 naming the part that is not; never cached."""
    return JSONResponse(
        {"status": "ok" if report.ok else "failing", **report.parts},
        status_code=200 if report.ok else 503,
        headers={"Cache-Control": "no-store"},
    )


async def healthz(request: Request) -> JSONResponse:
    """Is this process sound: does the database answer, is its schema current?"""
    return _health_answer(await run_in_threadpool(health.check))


async def readyz(request: Request) -> JSONResponse:
    """May people be sent here: sound, and the migrations run since this process started?"""
    return _health_answer(await run_in_threadpool(health.ready))


@asynccontextmanager
async def lifespan(_app):
    logs.configure("app")  # again: uvicorn has set up its own logging since the import
    logs.event("server_starting")
    health.migrate_in_background()
    yield
    logs.event("server_stopping")


links.base_url()  # refuse to start without it, saying why, rather than hand out wrong links

# Until a script of the process has called st.navigation, Streamlit runs an address such as
# /meeting straight from the pages/ folder, without the entry script (its sign-in check, its
# menu), so a deep link opened first after a start would skip them. The entry script
# registers every page itself: there is no pages folder for Streamlit to run (what
# st.navigation itself sets on its first call).
PagesManager.uses_pages_directory = False

app = st.App(
    "streamlit_app.py",
    routes=[
        Route("/feeds/{token}.ics", calendar_feed),
        Route("/reply/{token}", mail_links.reply, methods=["GET", "POST"]),
        Route("/unsubscribe/{token}", mail_links.unsubscribe, methods=["GET", "POST"]),
        Route(world.MAP_ROUTE, world_map),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/sign-in", signing.sign_in_page, methods=["GET"]),
        Route("/sign-in", signing.submit_password, methods=["POST"]),
        Route("/sign-in/sso", single_sign_on.start, methods=["GET"]),
        Route(single_sign_on.CALLBACK, single_sign_on.callback, methods=["GET"]),
        Route("/sign-out", signing.sign_out, methods=["POST"]),
        Route("/signed-out", signing.signed_out, methods=["GET"]),
    ],
    middleware=[Middleware(SecurityHeaders), Middleware(SignInGate)],
    lifespan=lifespan,
)
