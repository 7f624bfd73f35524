"""Signing in and out: ``/sign-in`` (the form, or single sign-on's button, or the trusted
proxy's name), ``/sign-out``, and ``/signed-out``.

A password travels only in the body of a POST to this server, never in an address. The form
carries an anti-forgery value that must match a cookie this page set (a page on another site
can set neither), so nobody can be signed in to someone else's account without knowing.
"""

import hmac
import secrets
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from committee import auth, links, people, sessions
from committee.errors import CommitteeError
from web import page, single_sign_on
from web.cookies import forget_session, is_https, keep_session, session_token

CHECK_COOKIE = "apc_sign_in_check"
FORGED = "This sign-in form had expired or did not come from APC Desk. Please sign in again."
SIGNED_OUT = "You have signed out of APC Desk."


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")


def signed_in_at(request: Request, target: str, new: sessions.NewSession) -> Response:
    """The browser goes on to where it was going, holding its new session."""
    response = RedirectResponse(target, status_code=303)
    keep_session(response, request, new.token)
    response.delete_cookie(CHECK_COOKIE, path="/sign-in")
    return response


def password_page(
    request: Request,
    *,
    target: str,
    email: str = "",
    notice: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    """The form, with a fresh anti-forgery value in it and in a cookie only /sign-in sees."""
    check = secrets.token_urlsafe(32)
    response = page.render(
        page.password_form(check=check, target=target, email=email),
        notice=notice,
        error=error,
        status_code=status_code,
    )
    response.set_cookie(
        CHECK_COOKIE,
        check,
        max_age=3600,
        path="/sign-in",
        secure=is_https(request),
        httponly=True,
        samesite="strict",
    )
    return response


def sign_in_page(request: Request) -> Response:
    """GET /sign-in?next=/meeting%3Fid%3D8&why=idle: sign in, then go on to ``next``."""
    target = links.local_target(request.query_params.get("next"))
    if sessions.resolve(session_token(request)).actor is not None:
        return RedirectResponse(target, status_code=303)  # signed in already
    notice = sessions.ENDED.get(request.query_params.get("why", ""), "")
    try:
        mode = auth.mode()
    except CommitteeError as error:
        return page.render("", error=f"Sign-in is not configured correctly: {error}")
    if mode == "oidc":
        start = "/sign-in/sso?" + urlencode({"next": target})
        return page.render(page.link_button("Sign in with single sign-on", start), notice=notice)
    if mode == "proxy":
        try:
            new = auth.sign_in_proxy(
                headers=request.headers,
                peer=request.client.host if request.client else None,
                user_agent=user_agent(request),
            )
        except CommitteeError as error:
            return page.render("", error=str(error), status_code=403)
        return signed_in_at(request, target, new)
    return password_page(request, target=target, notice=notice)


async def submit_password(request: Request) -> Response:
    """POST /sign-in: the form's email and password, checked with the lock-out's rules."""
    async with request.form(max_files=0, max_fields=8) as form:
        email = str(form.get("email", ""))[:320]
        password = str(form.get("password", ""))
        check = str(form.get("check", ""))
        target = links.local_target(str(form.get("next", "")))
    if await run_in_threadpool(auth.mode) != "local":
        return RedirectResponse(links.sign_in_path(target=target), status_code=303)
    expected = request.cookies.get(CHECK_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, check):
        return password_page(request, target=target, email=email, error=FORGED, status_code=403)
    try:
        new = await run_in_threadpool(
            people.sign_in, email=email, password=password, user_agent=user_agent(request)
        )
    except CommitteeError as error:
        return password_page(request, target=target, email=email, error=str(error), status_code=401)
    return signed_in_at(request, target, new)


async def sign_out(request: Request) -> Response:
    """POST /sign-out from the app's own button: end the session, forget the cookie, and
    show the sign-in page (under single sign-on, by way of the provider's own sign-out)."""
    async with request.form(max_files=0, max_fields=4) as form:
        check = str(form.get("check", ""))
    token = session_token(request)
    if not await run_in_threadpool(sessions.sign_out, token=token, check=check):
        return RedirectResponse("/", status_code=303)  # not from the app's page: nothing done
    mode = await run_in_threadpool(auth.mode)
    if mode == "proxy":  # the proxy would sign them straight in again at /sign-in
        response = RedirectResponse("/signed-out", status_code=303)
    elif mode == "oidc":
        response = await single_sign_on.sign_out_of_provider(request)
    else:
        response = RedirectResponse(links.sign_in_path(why="signed_out"), status_code=303)
    forget_session(response, request)
    return response


def signed_out(request: Request) -> Response:
    """GET /signed-out: said plainly, with the way back in."""
    return page.render(page.link_button("Sign in again", "/sign-in"), notice=SIGNED_OUT)
