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
from db.models.evidence import EvidenceFactor, EvidenceTool, ToolsEvidenceImport
from db.models.mail import Invitation, NoticePreference, OutboxMessage
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
    LineOfEffortEvidenceMark,
    LineOfEffortFactor,
    LineOfEffortRecommendation,
    LineOfEffortTool,
    Plan,
    PlanVersion,
)
from db.models.search import SearchEntry
from db.models.sessions import SignInSession
from db.models.signals import Signal, SignalRule
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
    "EvidenceFactor",
    "EvidenceTool",
    "Invitation",
    "LineOfEffort",
    "LineOfEffortAgency",
    "LineOfEffortEvidenceMark",
    "LineOfEffortFactor",
    "LineOfEffortRecommendation",
    "LineOfEffortTool",
    "Meeting",
    "MeetingSeries",
    "Minutes",
    "MinutesRevision",
    "NoticePreference",
    "Notification",
    "OutboxMessage",
    "Plan",
    "PlanVersion",
    "RiskAssessment",
    "RiskFactorRating",
    "RiskImport",
    "RiskObservation",
    "SearchEntry",
    "Setting",
    "Signal",
    "SignalRule",
    "SignInSession",
    "TierChange",
    "ToolsEvidenceImport",
    "User",
    "WatchlistEntry",
    "metadata",
]
