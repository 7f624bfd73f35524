"""The session cookie: set at sign-in, cleared at sign-out, the same on every route."""

from starlette.requests import Request
from starlette.responses import Response

from committee import links, sessions
from committee.errors import ValidationError


def is_https(request: Request) -> bool:
    """Served over https, here or (behind a proxy that ends TLS) at the deployment's address."""
    if request.url.scheme == "https":
        return True
    try:
        return links.base_url().startswith("https://")
    except ValidationError:
        return False


def session_token(request: Request) -> str | None:
    return request.cookies.get(sessions.COOKIE)


def keep_session(response: Response, request: Request, token: str) -> None:
    """Hand the browser its session token: never readable by scripts (HttpOnly), sent on
    links from other sites' pages but not on their forms or frames (SameSite=Lax), only over
    https when the tool is served so (Secure), and no longer than the session may last."""
    response.set_cookie(
        sessions.COOKIE,
        token,
        max_age=int(sessions.lifetime().total_seconds()),
        path="/",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )


def forget_session(response: Response, request: Request) -> None:
    response.delete_cookie(
        sessions.COOKIE, path="/", secure=is_https(request), httponly=True, samesite="lax"
    )
