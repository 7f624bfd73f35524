"""Every table of APC Desk. Importing this package registers them all on ``metadata``."""

from db.models.actions import ActionItem, ActionItemAgency, ActionUpdate, DueDateRequest
from db.models.alerts import Alert, Notification
from db.models.base import Edited, metadata
from db.models.countries import (
    Country,
    RiskAssessment,
    RiskFactorRating,
    RiskImport,
    RiskObservation,
    TierChange,
    WatchlistEntry,
)
from db.models.meetings import (
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingSeries,
    Minutes,
    MinutesRevision,
)
from db.models.people import Agency, CalendarFeed, User
from db.models.plans import (
    BlueprintRecommendation,
    Clearance,
    LineOfEffort,
    LineOfEffortAgency,
    LineOfEffortFactor,
    LineOfEffortRecommendation,
    Plan,
    PlanVersion,
)
from db.models.system import AuditEvent, Setting

__all__ = [
    "ActionItem",
    "ActionItemAgency",
    "ActionUpdate",
    "Agency",
    "AgendaItem",
    "Alert",
    "Attendance",
    "AuditEvent",
    "BlueprintRecommendation",
    "CalendarFeed",
    "Clearance",
    "Country",
    "Decision",
    "DueDateRequest",
    "Edited",
    "LineOfEffort",
    "LineOfEffortAgency",
    "LineOfEffortFactor",
    "LineOfEffortRecommendation",
    "Meeting",
    "MeetingSeries",
    "Minutes",
    "MinutesRevision",
    "Notification",
    "Plan",
    "PlanVersion",
    "RiskAssessment",
    "RiskFactorRating",
    "RiskImport",
    "RiskObservation",
    "Setting",
    "TierChange",
    "User",
    "WatchlistEntry",
    "metadata",
]
