"""The committee's words for the values stored in the database, and the colours that stand for
them on every chart and document (one meaning, one colour, everywhere)."""

# The stored vocabularies themselves, for pages (which do not reach into db/).
from db.models.actions import ACTION_ORIGINS as ACTION_ORIGINS
from db.models.actions import ACTION_STATUSES as ACTION_STATUSES
from db.models.actions import PRIORITIES as PRIORITIES
from db.models.alerts import SEVERITIES as SEVERITIES
from db.models.people import ROLES as ROLES

TIER_LABELS = {1: "Tier 1 — acute", 2: "Tier 2 — high risk", 3: "Tier 3 — watch"}
TIER_SHORT = {1: "Acute", 2: "High risk", 3: "Watch"}
# Every colour here passes WCAG 2.1 AA (issue 25): as a shape (map, chart) 3:1 against white and
# against the map's grey; as text on white 4.5:1 (the status colours, OVERDUE_COLOR); as a cell's
# background, with the ink ``ink_on`` gives it, 4.5:1. tests/test_colours.py checks each.
TIER_COLORS = {1: "#a50026", 2: "#d95f02", 3: "#2166ac"}
OFF_WATCHLIST_COLOR = "#eeeeee"
# The statistical risk on the map, low to high. Plotly's "OrRd" starts near white (1.1:1): a
# country with a low risk vanished into the land. Every stop here stands 3:1 from the land and
# from white; the figures themselves are in the table beside the map.
RISK_SCALE = ["#d9661f", "#c0391b", "#99121b", "#67000d"]


# The statistical risk is stored as a probability and read by the committee as the Project
# publishes it: a percentage, its changes in percentage points, its charts on a percent axis.
def risk_percent(risk: float | None) -> str:
    """A statistical risk as text: "8.1%", or "—" when there is none."""
    return "—" if risk is None else f"{risk_on_axis(risk):.1f}%"


def risk_points(change: float | None) -> str:
    """A change of statistical risk as text: "-2.5 points", or "" when there is none."""
    return "" if change is None else f"{risk_on_axis(change):+.1f} points"


def risk_on_axis(risk: float) -> float:
    """A statistical risk where a chart or a table of figures puts it: in percent."""
    return 100 * risk


# UN Framework of Analysis for Atrocity Crimes (2014), risk factors 1-14.
RISK_FACTORS = {
    1: "Situations of armed conflict or other forms of instability",
    2: "Record of serious violations of international human rights and humanitarian law",
    3: "Weakness of State structures",
    4: "Motives or incentives",
    5: "Capacity to commit atrocity crimes",
    6: "Absence of mitigating factors",
    7: "Enabling circumstances or preparatory action",
    8: "Triggering factors",
    9: "Intergroup tensions or patterns of discrimination against protected groups",
    10: "Signs of an intent to destroy in whole or in part a protected group",
    11: "Signs of a widespread or systematic attack against any civilian population",
    12: "Signs of a plan or policy to attack any civilian population",
    13: "Serious threats to those protected under international humanitarian law",
    14: "Serious threats to humanitarian or peacekeeping operations",
}
FACTOR_RATING_LABELS = {
    "low": "Low",
    "moderate": "Moderate",
    "high": "High",
    "not_assessed": "Not assessed",
}
FACTOR_RATING_COLORS = {
    "low": "#1a9850",
    "moderate": "#fdae61",
    "high": "#d73027",
    "not_assessed": "#bdbdbd",
}
OVERALL_RATING_LABELS = {
    "low": "Low",
    "moderate": "Moderate",
    "high": "High",
    "very_high": "Very high",
}

MEETING_KIND_LABELS = {"regular": "Regular", "ad_hoc": "Ad hoc", "emergency": "Emergency"}
MEETING_STATUS_LABELS = {"scheduled": "Scheduled", "held": "Held", "cancelled": "Cancelled"}

PLAN_KIND_LABELS = {"prevention": "Prevention plan", "response": "Response plan"}
PLAN_STATUS_LABELS = {
    "draft": "Draft",
    "in_clearance": "In clearance",
    "approved": "In effect",
    "superseded": "Superseded",
    "archived": "Archived",
}
TOOLBOX_LABELS = {
    "early_prevention": "Early prevention",
    "preventive_diplomacy": "Preventive diplomacy",
    "military_options": "Military options",
    "international_action": "International action",
    "economic_measures": "Economic measures",
    "legal_measures": "Legal measures",
}
# The evidence review of policy tools (committee/tools_evidence.py).
STRATEGY_LABELS = {
    "dissuade": "Dissuade perpetrators",
    "degrade": "Degrade their capacity",
    "protect": "Protect civilians",
    "transition": "Facilitate a transition",
}
INSTRUMENT_LABELS = {
    "diplomatic": "Diplomatic",
    "informational": "Informational",
    "military": "Military",
    "economic": "Economic",
    "legal": "Legal",
}
STRENGTH_LABELS = {
    "stronger": "Stronger",
    "moderate": "Moderate",
    "weaker": "Weaker",
    "none_available": "None available",
    None: "—",
}
DIRECTION_LABELS = {
    "greater": "works better",
    "lesser": "works worse",
    "mixed": "no or mixed effect",
    None: "—",
}
FACTOR_MARK_LABELS = {"holds": "Holds", "does_not_hold": "Does not hold", "unknown": "Unknown"}
CLEARANCE_LABELS = {
    "pending": "Pending",
    "concur": "Concur",
    "concur_with_comments": "Concur with comments",
    "non_concur": "Non-concur",
}
CLEARANCE_COLORS = {
    "pending": "#bdbdbd",
    "concur": "#1a9850",
    "concur_with_comments": "#91cf60",
    "non_concur": "#d73027",
}

ACTION_STATUS_LABELS = {
    "open": "Open",
    "in_progress": "In progress",
    "blocked": "Blocked",
    "done": "Done",
    "cancelled": "Cancelled",
}
ACTION_STATUS_COLORS = {
    "open": "#1d5fa8",
    "in_progress": "#6a51a3",
    "blocked": "#a35200",
    "done": "#1a7f37",
    "cancelled": "#6b6b6b",
}
OVERDUE_COLOR = "#b2182b"
PRIORITY_LABELS = {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}
ORIGIN_LABELS = {
    "decision": "Meeting decision",
    "line_of_effort": "Plan line of effort",
    "alert": "Alert",
    "standalone": "On its own",
}

SEVERITY_LABELS = {
    "acute": "Acute — violence under way or imminent",
    "serious": "Serious",
    "concern": "Concern",
}
SEVERITY_COLORS = {"acute": "#a50026", "serious": "#d95f02", "concern": "#2166ac"}
ALERT_STATUS_LABELS = {
    "new": "New",
    "acknowledged": "Acknowledged",
    "under_review": "Under review",
    "closed": "Closed",
}

REVIEW_STATUS_LABELS = {
    "on_time": "Reviewed on time",
    "due": "Review due",
    "overdue": "Review overdue",
    "never": "Never reviewed",
}
REVIEW_STATUS_COLORS = {
    "on_time": "#1a9850",
    "due": "#a87900",
    "overdue": "#d73027",
    "never": "#7f7f7f",
}

DUE_SOON_COLOR = "#9a5b00"  # "due in the next 14 days", as text
INK = "#111111"  # text on a light background
INK_ON_DARK = "#ffffff"


def contrast(first: str, second: str) -> float:
    """The WCAG 2.1 contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def ink_on(background: str) -> str:
    """The text colour that reads best on ``background``: dark ink, or white."""
    return max((INK, INK_ON_DARK), key=lambda ink: contrast(ink, background))
