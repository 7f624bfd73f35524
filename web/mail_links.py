"""The pages behind the links in mail that need no sign-in: an invitation's one-click answer
(``/reply/<token>``) and a digest's one-click unsubscribe (``/unsubscribe/<token>``). The
signed token is the authority; opening a link only asks, one button (a POST) does it, so that
mail scanners which open every link never answer for the person."""

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from committee import notices, replies


def reply(request: Request) -> Response:
    """An invitation's one-click answer. Opening the link shows what it records, with one
    button that records it: mail scanners that open every link in a message must not answer
    for the person. The token is the authority: signed, for this person, meeting and version."""
    token = request.path_params["token"]
    if request.method == "POST":
        found = replies.answer_by_link(token)
        done = not found.problem
    else:
        found, done = replies.check_link(token), False
    return HTMLResponse(
        _reply_page(found, done),
        status_code=400 if found.problem else 200,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def unsubscribe(request: Request) -> Response:
    """A digest's one-click "stop this by mail": asks, then one button stops it."""
    token = request.path_params["token"]
    if request.method == "POST":
        found = notices.unsubscribe(token)
        done = not found.problem
    else:
        found, done = notices.check_unsubscribe(token), False
    if found.problem:
        body = f"<p>{html.escape(found.problem)}</p>"
    elif done:
        body = (
            f"<p>Done, {html.escape(found.person)}: <b>{html.escape(found.kind)}</b> no longer "
            "comes by mail. It stays in your Inbox; My account turns it back on.</p>"
        )
    else:
        body = (
            f"<p>{html.escape(found.person)}, stop <b>{html.escape(found.kind)}</b> by mail?</p>"
            '<form method="post"><button type="submit">Stop it</button></form>'
        )
    return HTMLResponse(
        _page(body),
        status_code=400 if found.problem else 200,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _page(body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width">'
        "<title>APC Desk</title></head>"
        '<body style="font-family:sans-serif;max-width:40em;margin:3em auto">'
        f"<h1>APC Desk</h1>{body}</body></html>"
    )


def _reply_page(found: replies.LinkReply, done: bool) -> str:
    answer = replies.LABELS.get(found.answer, "").lower()
    if found.problem:
        body = f"<p>{html.escape(found.problem)}</p>"
    elif done:
        who = html.escape(found.person)
        body = f"<p>Thank you, {who}: your answer is recorded as <b>{answer}</b>.</p>"
    else:
        body = (
            f"<p>{html.escape(found.person)}, record your answer as <b>{answer}</b>?</p>"
            '<form method="post"><button type="submit">Record my answer</button></form>'
        )
    meeting = (
        f"<h2>{html.escape(found.meeting_title)}</h2><p>{html.escape(found.meeting_when)}</p>"
        if found.meeting_title
        else ""
    )
    return _page(meeting + body)
