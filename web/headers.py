"""The app server's own security headers, on every answer it gives (the pages, Streamlit's
files, the sign-in, the feeds), so that a deployment without the reverse proxy is protected
too: no sniffing of content types, no framing by another site, no address sent to another
site, and a Content-Security-Policy that lets the page load and connect to nothing but this
server."""

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import streamlit
from starlette.types import ASGIApp, Message, Receive, Scope, Send

INLINE_SCRIPTS = [
    Path(streamlit.__file__).parent / "static" / "index.html",  # Streamlit's page
    Path(__file__).parent.parent / "pages" / "assets" / "accessibility.js",  # ours, st.html
]


def _script_hashes() -> str:
    """The inline scripts the pages run, as CSP hash sources: these run, and no other inline
    script (one a person's text might smuggle in) would."""
    sources = []
    for path in INLINE_SCRIPTS:
        text = path.read_text()
        found = (
            re.findall(r"<script>(.*?)</script>", text, re.DOTALL)
            if path.suffix == ".html"
            else [text]
        )
        sources += [
            "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
            for script in found
        ]
    return " ".join(sources)


def _identity_provider() -> str:
    """The single sign-on provider's origin, where signing out sends the browser on (a form's
    post that redirects elsewhere is held to form-action); "" without single sign-on."""
    from committee import auth
    from committee.errors import ValidationError

    try:
        if auth.mode() != "oidc":
            return ""
        address = urlsplit(auth.oidc_settings().server_metadata_url)
    except ValidationError:  # misconfigured: `apc check` and the sign-in page say so
        return ""
    return f" {address.scheme}://{address.netloc}"


# What Streamlit needs, and no more: its styles are written inline by its components
# (emotion); its scripts are its own files, and the two inline scripts above; plotly reads the
# world map from a data: address; charts draw into blob: and data: images. Everything else
# is this server's (and, under single sign-on, the provider's sign-out).
POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {_script_hashes()}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' data:",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "media-src 'self' blob: data:",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action 'self'{_identity_provider()}",
        "frame-ancestors 'none'",
    ]
)
HEADERS = [
    (b"content-security-policy", POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
# Set here, whatever the app below said; and the server's name is nobody's business.
REPLACED = {name for name, _ in HEADERS} | {b"server"}


class SecurityHeaders:
    """ASGI middleware (plain ASGI, so websockets pass untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in REPLACED
                ]
                message = {**message, "headers": kept + HEADERS}
            await send(message)

        await self.app(scope, receive, with_headers)


def serve(*, port: int, address: str) -> None:
    """Run the app server in this process (``apc serve``), so that a service manager watches
    Streamlit itself, without uvicorn's name on its answers."""
    from streamlit.web import cli as streamlit

    _without_server_name()
    streamlit.main(
        ["run", "server.py", "--server.port", str(port), "--server.address", address],
        prog_name="streamlit",
    )


def _without_server_name() -> None:
    """uvicorn names itself (``Server: uvicorn``) on every answer, before any middleware sees
    it. Streamlit builds uvicorn's settings with no way to turn that off, so it is turned off
    where Streamlit gathers them; called before Streamlit starts uvicorn (``apc serve``)."""
    from streamlit.web.server.starlette import starlette_server

    gather = starlette_server._get_uvicorn_config_kwargs
    starlette_server._get_uvicorn_config_kwargs = lambda: {**gather(), "server_header": False}
