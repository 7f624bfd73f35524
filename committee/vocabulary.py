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
TIER_COLORS = {1: "#b2182b", 2: "#ef8a62", 3: "#f6c85f"}
OFF_WATCHLIST_COLOR = "#e0e0e0"

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
    "open": "#4575b4",
    "in_progress": "#74add1",
    "blocked": "#f46d43",
    "done": "#1a9850",
    "cancelled": "#bdbdbd",
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
SEVERITY_COLORS = {"acute": "#b2182b", "serious": "#ef8a62", "concern": "#f6c85f"}
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
    "due": "#fdae61",
    "overdue": "#d73027",
    "never": "#7f7f7f",
}
