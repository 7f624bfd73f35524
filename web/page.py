"""The sign-in pages' HTML: plain, served by the app itself (no outside fonts or scripts), the
handling marking on top as on every page of the app. Every value put in is escaped."""

from html import escape

from starlette.responses import HTMLResponse

from committee import settings

# Nothing but this page's own inline styles; forms post only here; never inside a frame.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
}

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · APC Desk</title>
<style>
  /* The app's own theme (.streamlit/config.toml): every colour passes WCAG 2.1 AA on white. */
  body {{ margin: 0; font-family: "Source Sans Pro", "Segoe UI", system-ui, sans-serif;
         color: #141414; background: #fff; }}
  .banner {{ background: #1b5e20; color: #fff; text-align: center; font-weight: 600;
             letter-spacing: .05em; padding: 4px 8px; border-radius: 4px; font-size: .85rem;
             margin: 1rem; }}
  main {{ max-width: 26rem; margin: 3rem auto; padding: 0 1rem; }}
  h1 {{ font-size: 2.4rem; margin: 0 0 .2rem; }}
  .caption {{ color: #4f525c; margin: 0 0 1.5rem; }}
  form.box {{ border: 1px solid #e0e2e8; border-radius: .5rem; padding: 1rem 1rem .5rem; }}
  label {{ display: block; font-size: .9rem; margin-bottom: .25rem; }}
  input[type=email], input[type=password] {{ width: 100%; box-sizing: border-box;
      font: inherit; padding: .5rem .6rem; margin-bottom: 1rem; border-radius: .5rem;
      border: 1px solid #8a8d96; background: #f0f2f6; }}
  input:focus, .button:focus {{ outline: 3px solid #0b5cad; outline-offset: 2px;
      background: #fff; }}
  .button:focus {{ background: #0b5cad; }}
  .button {{ display: block; width: 100%; box-sizing: border-box; font: inherit;
             padding: .55rem; margin: .25rem 0 .75rem; border-radius: .5rem; cursor: pointer;
             border: 1px solid #0b5cad; background: #0b5cad; color: #fff; text-align: center;
             text-decoration: none; }}
  .button:hover {{ background: #084a8c; }}
  .notice, .error {{ border-radius: .5rem; padding: .75rem 1rem; margin-bottom: 1rem; }}
  .notice {{ background: #e8f1fb; color: #0b4a8b; }}
  .error {{ background: #fdecec; color: #7d1a1a; }}
</style>
</head>
<body>
<div class="banner">{banner}</div>
<main>
<h1>APC Desk</h1>
<p class="caption">The Atrocities Prevention Committee's working tool</p>
{body}
</main>
</body>
</html>
"""


def render(
    body: str, *, title: str = "Sign in", status_code: int = 200, notice: str = "", error: str = ""
) -> HTMLResponse:
    """A page of the sign-in family. ``body`` is HTML made by ``form`` or ``link_button``;
    ``notice`` and ``error`` are plain text."""
    messages = ""
    if notice:
        messages += f'<p class="notice" role="status">{escape(notice)}</p>'
    if error:
        messages += f'<p class="error" role="alert">{escape(error)}</p>'
    html = TEMPLATE.format(
        title=escape(title), banner=escape(str(settings.get("banner"))), body=messages + body
    )
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def link_button(label: str, href: str) -> str:
    return f'<a class="button" href="{escape(href)}">{escape(label)}</a>'


def password_form(*, check: str, target: str, email: str = "") -> str:
    """The email and password form. It posts to /sign-in with the anti-forgery value and the
    address to return to; the email typed is kept, the password never is."""
    return f"""<form class="box" method="post" action="/sign-in">
<input type="hidden" name="check" value="{escape(check)}">
<input type="hidden" name="next" value="{escape(target)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="320"
       value="{escape(email)}" {"" if email else "autofocus"}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required
       {"autofocus" if email else ""}>
<button class="button" type="submit">Sign in</button>
</form>"""
