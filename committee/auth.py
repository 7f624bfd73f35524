"""How people prove who they are. The operator chooses one sign-in mode with ``AUTH_MODE``:

- ``local`` (the default): email and password, checked by ``people.sign_in``;
- ``oidc``: single sign-on with the organisation's OpenID Connect provider (configured in
  ``.streamlit/secrets.toml``, as for Streamlit's ``st.login``); the server's sign-in routes
  (web/single_sign_on.py) pass the identity the provider vouched for here;
- ``proxy``: a reverse proxy in front of the app has already signed the person in through the
  organisation's single sign-on and names them in a header (``APC_PROXY_HEADER``). The header
  is believed only from the proxy's own addresses (``APC_TRUSTED_PROXIES``): anyone else could
  type it.

Whatever the mode, an identity only opens a session (committee/sessions.py) for an active
account: the account holds the role and agency. An email nobody has is refused and audited,
and becomes at most an inactive observer awaiting an administrator's approval, who then
chooses the role.
"""

import importlib.util
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from pathlib import Path
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from committee import audit, clock, people, sessions
from committee.actor import Actor
from committee.errors import ValidationError
from committee.people import SignInFailed
from committee.transaction import writing
from db.engine import PROJECT_ROOT, read_session
from db.models import Agency, User

MODES = ("local", "oidc", "proxy")
DEFAULT_PROXY_HEADER = "X-Forwarded-Email"
# Streamlit reports a connection from this machine as no address at all.
LOOPBACK = "127.0.0.1"
SECRETS_FILES = (
    PROJECT_ROOT / ".streamlit" / "secrets.toml",
    Path.home() / ".streamlit/secrets.toml",
)

AWAITING = (
    "Your account is waiting for an administrator's approval. You will be able to sign in "
    "once it is approved."
)
DISABLED = "Your account is disabled. Ask an administrator if you need access."
NO_EMAIL = "Your single sign-on did not give a verified email address, so you cannot sign in."
EXPIRED = "Your single sign-on answer had expired. Please sign in again."
UNVERIFIED = (
    "Your single sign-on answer could not be verified (it may have expired). Please sign in again."
)
UNTRUSTED = "Sign-in through the proxy is refused: this connection does not come through it."
NOT_NAMED = (
    "The single sign-on in front of APC Desk did not say who you are. Reload the page; if this "
    "goes on, tell the operator."
)


def mode() -> str:
    """The sign-in mode in force. A misspelt mode signs nobody in (fail closed)."""
    value = os.environ.get("AUTH_MODE", "").strip().lower() or "local"
    if value not in MODES:
        raise ValidationError(
            f"AUTH_MODE is {value!r}; it must be one of {', '.join(MODES)}.", field="AUTH_MODE"
        )
    return value


def oidc_provider() -> str | None:
    """The ``[auth.<name>]`` section of secrets.toml to sign in with; none: the ``[auth]`` one."""
    return os.environ.get("APC_OIDC_PROVIDER", "").strip() or None


# --- single sign-on ---------------------------------------------------------------------


def sign_in_sso(
    *,
    email: str,
    name: str = "",
    method: str = "oidc",
    email_verified: bool = True,
    expires_at: datetime | None = None,
    user_agent: str = "",
) -> sessions.NewSession:
    """Open a session for the person a single sign-on identity belongs to (audited).

    The identity provider (or the trusted proxy) has proven who they are; this tool decides
    what they may do. Refused (``SignInFailed``, audited): an identity token past its expiry
    (``expires_at``), no usable email (or one the provider says it has not verified), a
    disabled account, an account still awaiting approval, and an unknown email, which is
    recorded as an inactive observer awaiting approval so that an administrator sees the
    request.
    """
    email = (email or "").strip().lower()
    if expires_at is not None and expires_at <= clock.now():
        _refuse(email, method, f"identity token expired at {expires_at.isoformat()}", EXPIRED)
    if not people.EMAIL_PATTERN.match(email):
        _refuse(email, method, "no usable email in the identity", NO_EMAIL)
    if not email_verified:
        _refuse(email, method, "the identity provider has not verified the email", NO_EMAIL)
    row = _account(User.email == email)
    if row is None:
        request_access(email=email, name=name, method=method)
        _refuse(email, method, "unknown email: recorded as awaiting approval", AWAITING)
    user, agency = row
    if user.awaiting_approval:
        _refuse(email, method, "account awaiting approval", AWAITING)
    if not user.active:
        _refuse(email, method, "account disabled", DISABLED)
    return people.record_sign_in(user=user, agency=agency, method=method, user_agent=user_agent)


def refuse_unverified(*, detail: str, method: str = "oidc") -> NoReturn:
    """The identity provider's answer failed its checks (signature, issuer, nonce, expiry, a
    state that does not match): nobody is signed in, and the refusal is audited."""
    _refuse("", method, f"answer not verified: {detail}", UNVERIFIED)


def _account(condition) -> tuple[User, Agency | None] | None:
    with read_session() as session:
        return session.execute(
            select(User, Agency)
            .join(Agency, User.agency_id == Agency.id, isouter=True)
            .where(condition)
        ).first()


def request_access(*, email: str, name: str, method: str) -> None:
    """Record an unknown email that signed in through single sign-on as an inactive observer
    awaiting approval: what an administrator sees as a request for access, and no more."""
    # The claimant is not anyone yet: an actor with no role, so no permission could pass.
    claimant = Actor(id=None, email=email, name=name or email, role="none")
    try:
        with writing(claimant, "user.request_access") as w:
            user = User(
                email=email,
                name=(name or email.split("@")[0]).strip()[:200],
                role="observer",
                active=False,
                awaiting_approval=True,
            )
            w.session.add(user)
            w.audit(user, detail=f"first sign-in through {method} by an email with no account")
    except IntegrityError:
        pass  # the same person's other tab recorded the request a moment ago


def _refuse(email: str, method: str, detail: str, message: str) -> NoReturn:
    audit.record_alone(
        actor=None,
        action="signin.refused",
        outcome="refused",
        record_type="sign_in",
        record_id=email,
        detail=f"{method}: {detail}",
    )
    raise SignInFailed(message)


# --- the trusted reverse proxy ----------------------------------------------------------


@dataclass(frozen=True)
class ProxySetting:
    """Which header names the signed-in person, and the addresses allowed to send it."""

    header: str
    trusted: tuple[IPv4Network | IPv6Network, ...]


def proxy_setting() -> ProxySetting:
    """``APC_PROXY_HEADER`` and ``APC_TRUSTED_PROXIES`` (IP addresses or CIDR ranges,
    separated by commas or spaces)."""
    header = os.environ.get("APC_PROXY_HEADER", "").strip() or DEFAULT_PROXY_HEADER
    trusted = []
    for part in re.split(r"[,\s]+", os.environ.get("APC_TRUSTED_PROXIES", "")):
        if not part:
            continue
        try:
            trusted.append(ip_network(part, strict=False))
        except ValueError:
            raise ValidationError(
                f"{part!r} is not an IP address or CIDR range.", field="APC_TRUSTED_PROXIES"
            ) from None
    return ProxySetting(header=header, trusted=tuple(trusted))


def is_trusted_proxy(peer: str | None, setting: ProxySetting) -> bool:
    """Does this connection come from one of the configured proxy addresses?"""
    try:
        address = ip_address(peer or LOOPBACK)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:  # ::ffff:10.0.0.5 is 10.0.0.5
        address = address.ipv4_mapped
    return any(address in network for network in setting.trusted)


def sign_in_proxy(
    *, headers: Mapping[str, str], peer: str | None, user_agent: str = ""
) -> sessions.NewSession:
    """Open a session for the person the trusted proxy names in its header. ``headers``:
    those of the browser's request; ``peer``: the address it came from (None for this
    machine). Refused, and audited, when the mode is not ``proxy``, the address is not a
    configured proxy, or the header is missing."""
    if mode() != "proxy":
        _refuse("", "proxy", "proxy header sign-in is not enabled", UNTRUSTED)
    setting = proxy_setting()
    wanted = setting.header.lower()
    email = next((value for key, value in headers.items() if key.lower() == wanted), "")
    if not is_trusted_proxy(peer, setting):
        _refuse(
            email.strip().lower(),
            "proxy",
            f"{setting.header} header from untrusted address {peer or LOOPBACK}",
            UNTRUSTED,
        )
    if not email.strip():
        _refuse("", "proxy", f"no {setting.header} header", NOT_NAMED)
    return sign_in_sso(email=email, method="proxy", user_agent=user_agent)


# --- what the operator configured -------------------------------------------------------


def problems() -> list[str]:
    """What is wrong with the sign-in configuration, for ``python -m committee check``."""
    try:
        current = mode()
    except ValidationError as error:
        return [str(error)]
    if current == "proxy":
        try:
            setting = proxy_setting()
        except ValidationError as error:
            return [f"APC_TRUSTED_PROXIES: {error}"]
        if not setting.trusted:
            return ["AUTH_MODE=proxy needs APC_TRUSTED_PROXIES: the proxy's addresses"]
    if current == "oidc":
        return _oidc_problems()
    return []


def _oidc_problems() -> list[str]:
    """What single sign-on needs, checked before anyone tries to sign in."""
    found = [
        f"AUTH_MODE=oidc needs the {name} package: pip install -r requirements.txt"
        for name, module in (("Authlib", "authlib"), ("httpx", "httpx"))
        if importlib.util.find_spec(module) is None
    ]
    try:
        oidc_settings()
    except ValidationError as error:
        found.append(str(error))
    return found


@dataclass(frozen=True)
class OidcSettings:
    """The identity provider and this tool's registration with it."""

    name: str
    server_metadata_url: str
    client_id: str
    client_secret: str


# Each value from the environment, else from the [auth] (or [auth.<provider>]) section of
# .streamlit/secrets.toml, written as for Streamlit's st.login.
OIDC_ENVIRONMENT = {
    "server_metadata_url": "APC_OIDC_METADATA_URL",
    "client_id": "APC_OIDC_CLIENT_ID",
    "client_secret": "APC_OIDC_CLIENT_SECRET",
}


def oidc_settings() -> OidcSettings:
    """The single sign-on settings in force; a missing one is a ``ValidationError``."""
    auth = {}
    for path in SECRETS_FILES:
        if path.is_file():
            with path.open("rb") as file:
                auth = tomllib.load(file).get("auth", {}) | auth
    provider = oidc_provider()
    section = auth.get(provider, {}) if provider else auth
    values = {
        key: os.environ.get(variable, "").strip() or str(section.get(key, "")).strip()
        for key, variable in OIDC_ENVIRONMENT.items()
    }
    missing = [key for key, value in values.items() if not value]
    if missing:
        label = f"[auth.{provider}]" if provider else "[auth]"
        wanted = ", ".join(f"{OIDC_ENVIRONMENT[key]} (or {key} in {label})" for key in missing)
        raise ValidationError(
            f"AUTH_MODE=oidc needs {wanted} in .streamlit/secrets.toml", field="AUTH_MODE"
        )
    return OidcSettings(name=provider or "default", **values)
