"""What every page shares: who is signed in, the permission gate, messages for errors, and
formatting in the committee's words. Pages stay short scripts; the rules live in committee/."""

import html
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import streamlit as st

from committee import access, audit, links, sessions, settings, system, vocabulary
from committee.actor import Actor
from committee.errors import CommitteeError, Conflict, NotFound, PermissionDenied, ValidationError
from committee.markdown import plain  # the pages' one way to show a person's text

BUTTON_STYLE = (
    "width:100%;box-sizing:border-box;font:inherit;padding:.4rem .75rem;border-radius:.5rem;"
    "border:1px solid rgba(49,51,63,.2);cursor:pointer;"
)
# AppTest cannot send cookies, so its tests hand the token of a real session over here; a
# browser cannot write session state. Either way the token is only as good as its row.
TOKEN_KEY = "session_token"
DONE_KEY = "done_message"


@st.cache_resource(show_spinner="Preparing the database…")
def prepare() -> bool:
    """Migrate once per server process (Alembic owns the schema)."""
    system.prepare_database()
    return True


def session_token() -> str | None:
    cookie = st.context.cookies.get(sessions.COOKIE)
    if isinstance(cookie, str):  # AppTest's stand-in browser answers with a mock object
        return cookie
    return st.session_state.get(TOKEN_KEY)


def current() -> sessions.Current:
    """Who this browser's session stands for on this click, resolved against the database:
    an idle, expired, revoked or forged session is simply signed out, and a new role or
    agency applies at once."""
    return sessions.resolve(session_token())


def current_actor() -> Actor | None:
    return current().actor


def signed_out(session: sessions.Current, target: str) -> None:
    """Instead of the page: why the session ended, and the way back in to ``target`` (a link
    in this tab, where Streamlit's link buttons open a new one; our own markup)."""
    _, middle, _ = st.columns([1, 1.2, 1])
    with middle:
        st.title("APC Desk")
        st.info(
            sessions.ENDED.get(session.ended) or "You are not signed in.", icon=":material/logout:"
        )
        st.html(
            f'<a href="{html.escape(links.sign_in_path(target=target))}" style="{BUTTON_STYLE}'
            "display:block;text-align:center;text-decoration:none;background:#ff4b4b;"
            'color:#fff;border-color:#ff4b4b">Sign in</a>'
        )


def sign_out_button() -> None:
    """A form that posts to the server's /sign-out, which ends the session, forgets the
    cookie and shows the sign-in page. It carries the session's sign-out check, which only a
    page holding the session can make. Our own markup: no person's text in it."""
    token = session_token() or ""
    st.html(
        '<form method="post" action="/sign-out" style="margin:0">'
        f'<input type="hidden" name="check" value="{sessions.sign_out_check(token)}">'
        f'<button type="submit" style="{BUTTON_STYLE}background:#fff">Sign out</button></form>'
    )


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


def search_box() -> None:
    """The sidebar's search box, on every page: it opens the search page with the query in its
    address."""
    with st.form("sidebar_search", border=False, enter_to_submit=True):
        query = st.text_input(
            "Search the record", key="sidebar_query", placeholder='Words, "a phrase", -word'
        )
        if st.form_submit_button("Search", icon=":material/search:", width="stretch"):
            st.switch_page("pages/search.py", query_params={"q": query.strip()})


def banner() -> None:
    """The handling marking, at the top of every page. Escaped: it is configured text."""
    text = html.escape(str(settings.get("banner")))
    st.html(
        '<div style="background:#1b5e20;color:#fff;text-align:center;font-weight:600;'
        'letter-spacing:.05em;padding:4px 8px;border-radius:4px;font-size:0.85rem">'
        f"{text}</div>"
    )


def attempt(action: Callable, *, success: str = "", success_at: str = "page", **kwargs):
    """Call a service; turn the project's errors into messages. Returns the result, or None.
    ``success`` is said on the screen the action leads to, where ``say_done(success_at)`` is:
    the caller reruns or switches page (``say_next``).

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
            f"{plain(str(error))} Changed by {plain(error.changed_by) or 'someone else'}.",
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
        say_next(success, at=success_at)
    return result


def say_next(message: str, *, at: str = "page") -> None:
    """Keep ``message`` for the next screen (a message shown just before a rerun or a switch
    of page is lost with the old screen), where ``say_done(at)`` puts it."""
    st.session_state[DONE_KEY] = (at, message)


def say_done(at: str = "page") -> None:
    """Show what the last action did; the pages call it first thing, and a panel whose saves
    are confirmed beside its Save button calls it there with its own ``at``. A message that
    stays, not a toast that fades in seconds: focus goes to it (pages/accessibility.py), and
    someone who reads slowly or through a magnifier still finds it."""
    place, message = st.session_state.get(DONE_KEY, (None, None))
    if place == at:
        del st.session_state[DONE_KEY]
        st.success(message, icon=":material/check_circle:")


def file_upload(label: str, *, key: str, **options):
    """A file uploader that ``clear_upload(key)`` empties: once a file is imported, the screen
    shows what the import did, not the same file's preview again ("Nothing to import")."""
    round_ = st.session_state.get(f"{key}:round", 0)
    return st.file_uploader(label, key=f"{key}_{round_}", **options)


def clear_upload(key: str) -> None:
    st.session_state[f"{key}:round"] = st.session_state.get(f"{key}:round", 0) + 1


def keep_choice(key: str) -> None:
    """Give the keyed choice back by its value, before its widget is drawn. The browser holds
    a choice by its label, which a save can change (a name, a title, a status): it would drop
    the choice, and the next input typed with it, at the next click."""
    if st.session_state.get(key) is not None:
        st.session_state[key] = st.session_state[key]


def field_error(field: str) -> None:
    """Show the last validation message that belongs to ``field``, if any."""
    message = st.session_state.get("field_errors", {}).get(field)
    if message:
        # Its own markup, so that pages/accessibility.py ties it to the field above it.
        st.html(f'<p class="apc-field-error">Error: {html.escape(message)}</p>')


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


BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Android", "Android"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def browser_name(user_agent: str) -> str:
    """A browser as a person knows it ("Chrome on Windows"), from what it says of itself."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "A browser")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    return f"{browser} on {system}" if system else browser
