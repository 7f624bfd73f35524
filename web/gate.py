"""The gate in front of the app's pages: a page load by someone not signed in goes to the
sign-in page, which then returns to exactly that address (path and query). The app itself
checks the session again on every click; this only spares a signed-out person the app's
start-up, and keeps the address they came for."""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from committee import links, sessions, system
from web.cookies import forget_session, session_token

# The server's own routes and Streamlit's: never pages of the app.
NOT_PAGES = (
    "/_stcore/",
    "/static/",
    "/media/",
    "/component/",
    "/app/static/",
    "/feeds/",
    "/reply/",
    "/unsubscribe/",
    "/healthz",
    "/readyz",
    "/auth/",
    "/oauth2callback",
    "/sign-in",
    "/sign-out",
    "/signed-out",
)


def is_page_load(request: Request) -> bool:
    """A browser opening an address of the app (not a file, a route, or a websocket)."""
    path = request.url.path
    return (
        request.method in ("GET", "HEAD")
        and "text/html" in request.headers.get("accept", "")
        and not path.startswith(NOT_PAGES)
        and "." not in path.rsplit("/", 1)[-1]  # favicon.png, manifest.json
    )


class SignInGate:
    """ASGI middleware (plain ASGI, so websockets pass untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not is_page_load(request):
            await self.app(scope, receive, send)
            return
        try:
            current = await run_in_threadpool(sessions.resolve, session_token(request))
        except system.OUTAGES:  # the app says so in words on its page
            await self.app(scope, receive, send)
            return
        if current.actor is not None:
            await self.app(scope, receive, send)
            return
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response = RedirectResponse(
            links.sign_in_path(target=target, why=current.ended), status_code=303
        )
        if session_token(request) is not None:
            forget_session(response, request)  # forged, ended or expired: of no use now
        await response(scope, receive, send)
