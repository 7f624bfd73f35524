"""The core work by keyboard alone, in the real app in Chromium (issue 25): only Tab, Shift+Tab,
Enter, Space, the arrows and Escape move and act (text is typed where a person writes it).
Every Tab stop on the way is visible and shows a focus indicator of at least 3:1 against the
background, and after each action focus is on its confirmation or its error."""

import re

import pytest
from playwright.sync_api import expect

from committee import vocabulary

pytestmark = pytest.mark.browser

PASSWORD = "apc-demo-2026"
FOCUS_CONTRAST = 3.0
MAX_STOPS = 80  # a page with more Tab stops than this between two controls is a finding too

FOCUS_STYLE = r"""() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const shown = [e, e.closest('label'),
        e.closest('[data-baseweb="input"], [data-baseweb="textarea"], [data-baseweb="select"]')];
    let outline = null;
    for (const c of shown.filter(Boolean)) {
        const s = getComputedStyle(c);
        if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) {
            outline = s.outlineColor; break;
        }
    }
    // What the ring (drawn 2px outside the element) sits on: the backgrounds around the
    // element, laid over white.
    const layers = [];
    for (let back = e.parentElement; back; back = back.parentElement) {
        const colour = getComputedStyle(back).backgroundColor;
        const [r, g, b, a = 1] = colour.match(/[\d.]+/g).map(Number);
        if (a > 0) layers.unshift([r, g, b, a]);
        if (a === 1) break;
    }
    const mixed = layers.reduce(([R, G, B], [r, g, b, a]) =>
        [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)], [255, 255, 255]);
    const background = `rgb(${mixed.map(Math.round).join(', ')})`;
    const box = e.getBoundingClientRect();
    return {outline, background, visible: box.width > 0 && box.height > 0,
            text: (e.getAttribute('aria-label') || e.innerText || e.value || '').slice(0, 60)};
}"""


def hex_colour(css: str) -> str:
    red, green, blue = (int(n) for n in re.findall(r"\d+", css)[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def settle(page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()
    page.wait_for_function(  # the app's focus style, which comes with its first run
        "() => [...document.querySelectorAll('style')].some(s => s.textContent.includes('apc-'))"
    )


def check_focus_shown(page) -> None:
    """The focused element is visible and outlined at 3:1 or more against its background."""
    style = page.evaluate(FOCUS_STYLE)
    if style is None:
        return
    assert style["visible"], f"a Tab stop that cannot be seen: {style['text']!r}"
    assert style["outline"], f"no focus indicator on {style['text']!r}"
    ratio = vocabulary.contrast(hex_colour(style["outline"]), hex_colour(style["background"]))
    assert ratio >= FOCUS_CONTRAST, f"focus on {style['text']!r} shows at {ratio:.2f}:1"


def tab_to(page, target, *, back: bool = False) -> int:
    """Press Tab (Shift+Tab with ``back``) until ``target`` has focus; return how many presses.
    Each stop on the way must show its focus."""
    for presses in range(1, MAX_STOPS + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        check_focus_shown(page)
        if target.evaluate(
            "e => e === document.activeElement || e.contains(document.activeElement)"
        ):
            return presses
    raise AssertionError(f"{target} not reached in {MAX_STOPS} Tab presses")


def focused(page):
    return page.locator(":focus")


def sign_in(page, base_url: str, email: str) -> None:
    """On the server's sign-in page (not a Streamlit run): the cursor starts in Email."""
    page.goto(base_url)
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    check_focus_shown(page)
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Good day"))).to_be_visible()
    settle(page)


def open_from_menu(page, label: str) -> None:
    link = page.locator(".st-key-menu").get_by_role("link", name=label, exact=True)
    tab_to(page, link)
    page.keyboard.press("Enter")
    settle(page)
    expect(link).to_have_attribute("aria-current", "page")


def arrow_to(page, group, target) -> None:
    """Tab into a group of radios or tabs (focus lands on the chosen one), then arrow to
    ``target``."""
    tab_to(page, group)
    for _ in range(8):
        if target.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("ArrowRight")
    raise AssertionError(f"{target} not reached by the arrows")


def choose_tab(page, name: str) -> None:
    """Tab into the tab list (focus lands on the chosen tab), then arrow to ``name``."""
    tab = page.get_by_role("tab", name=name)
    arrow_to(page, page.locator("[role='tab'][aria-selected='true']").first, tab)
    page.keyboard.press("Enter")
    settle(page)
    expect(tab).to_have_attribute("aria-selected", "true")


def test_signing_in_by_keyboard_and_the_menu_marks_the_current_page(served_app, page):
    sign_in(page, served_app["url"], "chair@apc.example")
    menu = page.locator(".st-key-menu")
    expect(menu.get_by_role("link", name="Home", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    open_from_menu(page, "Watchlist")
    expect(page).to_have_title("Watchlist · APC Desk")
    expect(menu.locator("[aria-current='page']")).to_have_count(1)
    # Back up the menu with Shift+Tab.
    home = menu.get_by_role("link", name="Home", exact=True)
    tab_to(page, home, back=True)
    page.keyboard.press("Enter")
    settle(page)
    expect(home).to_have_attribute("aria-current", "page")
    # No heading carries a "Link to heading" stop.
    expect(page.get_by_role("link", name="Link to heading")).to_have_count(0)


def test_a_representative_updates_an_item_by_keyboard(served_app, page):
    sign_in(page, served_app["url"], "rep.state@apc.example")
    open_from_menu(page, "My agency's desk")
    tab_to(page, page.get_by_role("combobox", name="Item", exact=True))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    settle(page)
    form = page.get_by_test_id("stMain").get_by_test_id("stForm").first
    chosen = form.get_by_role("radio", name="In progress", exact=True)
    arrow_to(page, chosen.locator("xpath=.."), chosen)
    page.keyboard.press("Space")
    tab_to(page, form.get_by_role("textbox", name="Reason or closing note"))
    page.keyboard.type("Started with the embassy.")
    tab_to(page, form.get_by_role("textbox", name="Progress note"))
    page.keyboard.type("Drafting the brief now.")
    tab_to(page, form.get_by_role("button", name="Save update"))
    page.keyboard.press("Enter")
    expect(focused(page)).to_contain_text(re.compile(r"Item #\d+ updated\."))


def test_filing_an_alert_by_keyboard_errors_then_confirmation(served_app, page):
    sign_in(page, served_app["url"], "rep.state@apc.example")
    open_from_menu(page, "Alerts")
    choose_tab(page, "File an alert")
    # Sent empty: focus goes to the error, and the field says it is invalid.
    send = page.get_by_role("button", name="File the alert")
    tab_to(page, send)
    page.keyboard.press("Enter")
    expect(focused(page)).to_contain_text(re.compile("country", re.IGNORECASE))
    country = page.get_by_role("combobox", name="Country")
    expect(country).to_have_attribute("aria-invalid", "true")
    described = country.get_attribute("aria-describedby")
    expect(page.locator(f"[id='{described}']")).to_contain_text("Error:")
    # Filled in, then sent.
    tab_to(page, country, back=True)
    page.keyboard.type("Chad")
    page.keyboard.press("Enter")  # the first option that matches is the one highlighted
    tab_to(page, page.get_by_label("What is happening"))
    page.keyboard.type("Armed groups are massing near Abéché; local leaders report threats.")
    tab_to(page, page.get_by_label("Sources"))
    page.keyboard.type("Field reporting")
    tab_to(page, send)
    page.keyboard.press("Enter")
    expect(focused(page)).to_contain_text(re.compile(r"Alert ALR-\d{4}-\d{4} filed on Chad"))


def test_opening_a_country_from_the_watchlist_by_keyboard(served_app, page):
    sign_in(page, served_app["url"], "observer@apc.example")
    open_from_menu(page, "Watchlist")
    tab_to(page, page.get_by_role("combobox", name="Open a country"))
    page.keyboard.type("Sudan")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sudan", exact=True)).to_be_visible()
    expect(page).to_have_title("Sudan · Country · APC Desk")


def test_the_chair_moves_a_meeting_by_keyboard(served_app, page):
    sign_in(page, served_app["url"], "chair@apc.example")
    open_from_menu(page, "Meetings")
    tab_to(page, page.get_by_role("link", name="Open").first)
    page.keyboard.press("Enter")
    settle(page)
    tab_to(page, page.get_by_role("button", name="Move", exact=True))
    page.keyboard.press("Enter")
    place = page.get_by_label("Place")
    tab_to(page, place)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Room 2B, Harry S Truman Building")
    tab_to(page, page.get_by_label("Why it moves"))
    page.keyboard.type("Room 5A is under repair.")
    tab_to(page, page.get_by_role("button", name="Move the meeting"))
    page.keyboard.press("Enter")
    expect(focused(page)).to_contain_text("Meeting moved to ")
    expect(page.get_by_text("Room 2B, Harry S Truman Building").first).to_be_visible()


def test_the_chair_records_attendance_by_keyboard(served_app, page):
    sign_in(page, served_app["url"], "chair@apc.example")
    open_from_menu(page, "Meeting room")
    choose_tab(page, "Attendance")
    tab_to(page, page.get_by_role("button", name="Everyone not yet recorded is present"))
    page.keyboard.press("Enter")
    expect(focused(page)).to_contain_text("Attendance saved.")
