"""Single sign-on (``AUTH_MODE=oidc``) with the organisation's OpenID Connect provider, through
Authlib, the library Streamlit's own ``st.login`` uses (its ``auth`` extra: Authlib and httpx).

The flow is served here rather than by ``st.login`` because a session must be the server's:
``st.login`` keeps the identity in a cookie of its own for 30 days, which this tool can neither
end nor check against its sessions, and it always returns to the home page. Here the
provider's answer (checked by Authlib: signature, issuer, audience, nonce, expiry, with PKCE)
opens a session like a password does, and the browser returns to the page it asked for.

``/sign-in/sso?next=...`` sends the browser to the provider; the provider sends it back to
``/sign-in/callback`` (register ``<APC_BASE_URL>/sign-in/callback`` with it). The state of the
round trip rides in Streamlit's signed session cookie (``STREAMLIT_SERVER_COOKIE_SECRET``).
"""

import logging
from datetime import datetime, timezone
from functools import lru_cache

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from committee import auth, links
from committee.errors import CommitteeError
from web import page
from web.cookies import keep_session

NEXT_KEY = "apc_sign_in_next"
CALLBACK = "/sign-in/callback"
TRY_AGAIN = "Sign in with single sign-on"
log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _client(setting: auth.OidcSettings):
    """One client per provider setting; it reads the provider's metadata once. (Authlib loads
    here, when single sign-on is first used: a server signing people in by password never
    needs it, and its import warns on stderr before the server's JSON logs are set up.)"""
    from authlib.integrations.starlette_client import OAuth

    registry = OAuth()
    registry.register(
        setting.name,
        client_id=setting.client_id,
        client_secret=setting.client_secret,
        server_metadata_url=setting.server_metadata_url,
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    return registry.create_client(setting.name)


async def client():
    return _client(await run_in_threadpool(auth.oidc_settings))


async def start(request: Request) -> Response:
    """GET /sign-in/sso: off to the provider, remembering where to come back to."""
    target = links.local_target(request.query_params.get("next"))
    try:
        provider = await client()
        request.session[NEXT_KEY] = target
        return await provider.authorize_redirect(request, links.link(CALLBACK))
    except CommitteeError as error:
        return page.render("", error=f"Single sign-on is not configured correctly: {error}")


async def callback(request: Request) -> Response:
    """GET /sign-in/callback: the provider's answer. Checked, then a session for the person
    whose verified email it names, or the reason why not (audited either way)."""
    target = links.local_target(request.session.pop(NEXT_KEY, "/"))
    again = page.link_button(TRY_AGAIN, "/sign-in/sso?next=" + target)
    agent = request.headers.get("user-agent", "")
    try:
        answer = await (await client()).authorize_access_token(request)
    except Exception as error:  # whatever the provider or its answer got wrong: not signed in
        log.warning("single sign-on answer refused: %r", error)
        try:
            await run_in_threadpool(auth.refuse_unverified, detail=type(error).__name__)
        except CommitteeError as refusal:
            return page.render(again, error=str(refusal), status_code=403)
    claims = answer.get("userinfo") or {}
    expires = claims.get("exp")
    try:
        new = await run_in_threadpool(
            auth.sign_in_sso,
            email=str(claims.get("email") or ""),
            name=str(claims.get("name") or ""),
            email_verified=claims.get("email_verified") is not False,
            expires_at=datetime.fromtimestamp(expires, timezone.utc) if expires else None,
            user_agent=agent,
        )
    except CommitteeError as error:
        return page.render(again, error=str(error), status_code=403)
    response = RedirectResponse(target, status_code=303)
    keep_session(response, request, new.token)
    return response


async def sign_out_of_provider(request: Request) -> Response:
    """After the session here has ended: the provider's own sign-out, where it offers one,
    which then returns the browser to the sign-in page."""
    back = links.link(links.sign_in_path(why="signed_out"))
    try:
        return await (await client()).logout_redirect(request, post_logout_redirect_uri=back)
    except Exception as error:  # no end-session endpoint, or the provider unreachable
        log.warning("single sign-on sign-out not offered: %r", error)
        return RedirectResponse(back, status_code=303)
