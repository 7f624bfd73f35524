"""What every page shares: who is signed in, the permission gate, messages for errors, and
formatting in the committee's words. Pages stay short scripts; the rules live in committee/."""

import html
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import streamlit as st

from committee import access, audit, auth, clock, people, settings, system, vocabulary
from committee.actor import Actor
from committee.errors import CommitteeError, Conflict, NotFound, PermissionDenied, ValidationError

ACTOR_KEY = "actor"
LAST_SEEN_KEY = "last_seen"
SIGNED_OUT_KEY = "signed_out"
IDLE = "Your session ended after a period without activity. Please sign in again."
DISABLED = "Your account was disabled, so your session ended."


@st.cache_resource(show_spinner="Preparing the database…")
def prepare() -> bool:
    """Migrate once per server process (Alembic owns the schema)."""
    system.prepare_database()
    return True


def current_actor() -> Actor | None:
    """The signed-in person, or None. An idle session ends after the configured time; an
    account disabled meanwhile ends its sessions at their next click, and a new role or
    agency applies from then on."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None:
        return None
    now = clock.now()
    last_seen = st.session_state.get(LAST_SEEN_KEY, now)
    if (now - last_seen).total_seconds() > 60 * int(settings.get("idle_timeout_minutes")):
        sign_out(reason=IDLE)
        return None
    actor = auth.session_actor(actor)
    if actor is None:
        sign_out(reason=DISABLED)
        return None
    st.session_state[ACTOR_KEY] = actor
    st.session_state[LAST_SEEN_KEY] = now
    return actor


def sign_in_as(actor: Actor) -> None:
    st.session_state[ACTOR_KEY] = actor
    st.session_state[LAST_SEEN_KEY] = clock.now()


def sign_out(reason: str = "") -> None:
    """End the session: by the person's choice (audited), or for ``reason``. Under single
    sign-on the provider's session ends too, else the next page would sign them straight in."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is not None and not reason:
        people.sign_out(actor=actor)
    st.session_state.clear()
    st.session_state[SIGNED_OUT_KEY] = True
    if reason:
        st.session_state["sign_in_notice"] = reason
    if auth.mode() == "oidc" and st.user.get("is_logged_in"):
        st.logout()


def require(permission: str) -> Actor:
    """The page's gate: the signed-in person if they may see this page, else a refusal."""
    actor = current_actor()
    if actor is None or not access.can(actor, permission):
        if actor is not None:
            audit.record_alone(
                actor=actor,
                action="page.view",
                outcome="refused",
                record_type="page",
                record_id=permission,
                detail=f"permission {permission} refused",
            )
        st.error("You do not have access to this page.", icon=":material/block:")
        st.stop()
    return actor


def banner() -> None:
    """The handling marking, at the top of every page. Escaped: it is configured text."""
    text = html.escape(str(settings.get("banner")))
    st.html(
        '<div style="background:#1b5e20;color:#fff;text-align:center;font-weight:600;'
        'letter-spacing:.05em;padding:4px 8px;border-radius:4px;font-size:0.85rem">'
        f"{text}</div>"
    )


def attempt(action: Callable, *, success: str = "", **kwargs):
    """Call a service; turn the project's errors into messages. Returns the result, or None.

    ``ValidationError`` is also kept in ``st.session_state['field_errors']`` under its field, so
    a form can show it beside the right input (see ``field_error``)."""
    st.session_state["field_errors"] = {}
    try:
        result = action(**kwargs)
    except ValidationError as error:
        st.session_state["field_errors"] = {error.field: str(error)}
        st.error(str(error), icon=":material/error:")
        return None
    except Conflict as error:
        st.session_state["conflict"] = error
        st.warning(
            f"{error} Changed by {error.changed_by or 'someone else'}.",
            icon=":material/sync_problem:",
        )
        return None
    except PermissionDenied as error:
        st.error(str(error), icon=":material/block:")
        return None
    except (NotFound, CommitteeError) as error:
        st.error(str(error), icon=":material/error:")
        return None
    if success:
        st.toast(success, icon=":material/check_circle:")
    return result


def field_error(field: str) -> None:
    """Show the last validation message that belongs to ``field``, if any."""
    message = st.session_state.get("field_errors", {}).get(field)
    if message:
        st.caption(f":red[{message}]")


# --- formatting -----------------------------------------------------------------------------


@st.cache_data(ttl=60, show_spinner=False)
def home_zone() -> str:
    """The committee's time zone. One setting for everyone, so a shared cache is safe; read at
    most once a minute rather than once per date shown (a list of 50 rows was 50 queries)."""
    return settings.get("timezone")


def local(moment: datetime | None, zone: str | None = None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    if moment is None:
        return "—"
    tz = ZoneInfo(zone or home_zone())
    return f"{moment.astimezone(tz):{fmt}} {moment.astimezone(tz).tzname()}"


def day(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else "—"


def tier_badge(tier: int | None) -> None:
    if tier:
        st.badge(vocabulary.TIER_LABELS[tier], color={1: "red", 2: "orange", 3: "yellow"}[tier])


def plain(text: str | None) -> str:
    """User text for Markdown: characters Markdown would interpret are escaped."""
    if not text:
        return ""
    for char in "\\`*_{}[]<>()#+-.!|~$":
        text = text.replace(char, "\\" + char)
    return text
