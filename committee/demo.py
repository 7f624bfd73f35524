"""A realistic, deterministic demonstration record, loaded into an empty database.

Every text is labelled illustrative: the countries are real, the committee's judgements,
meetings, plans and actions are invented for demonstration. Dates are laid out around the day
of loading (the past year held, the next year scheduled), so the demo always looks current;
the same day gives the same record.

The whole load is one service call: one transaction, one audit event. Then, when the Early
Warning Project's public files are at hand (``APC_EWP_DIR``, or ``shared/data/ewp`` beside the
project), its newest forecast and its history are imported through the importer, each import
with its own audit event: the figures are the Project's, read from its files, never copied here.
The evidence review of policy tools is imported alike (``APC_TOOLS_DIR``).
"""

import os
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from committee import agenda, clock, statistical_risk, tools_evidence
from committee.actor import Actor
from committee.errors import ValidationError
from committee.people import hash_password
from committee.series import SeriesRule, occurrences
from committee.transaction import Writing, writing
from db.models import (
    ActionItem,
    ActionItemAgency,
    ActionUpdate,
    Agency,
    AgendaItem,
    Alert,
    Attendance,
    Clearance,
    Country,
    Decision,
    DueDateRequest,
    LineOfEffort,
    LineOfEffortAgency,
    LineOfEffortFactor,
    LineOfEffortRecommendation,
    Meeting,
    MeetingSeries,
    Minutes,
    MinutesRevision,
    Notification,
    Plan,
    PlanVersion,
    RiskAssessment,
    RiskFactorRating,
    TierChange,
    User,
    WatchlistEntry,
)

DEMO_PASSWORD = "apc-demo-2026"
ILLUSTRATIVE = "[Illustrative] "
UID_NAMESPACE = uuid.UUID("6f1c1a52-3d0b-4c55-9a7e-2a4f0c9b7d11")
ZONE = "America/New_York"

AGENCIES = [
    ("STATE", "Department of State"),
    ("USAID", "U.S. Agency for International Development"),
    ("DOD", "Department of Defense"),
    ("JS", "Joint Staff"),
    ("TREAS", "Department of the Treasury"),
    ("DOJ", "Department of Justice"),
    ("DHS", "Department of Homeland Security"),
    ("USUN", "U.S. Mission to the United Nations"),
    ("ODNI", "Office of the Director of National Intelligence"),
    ("CIA", "Central Intelligence Agency"),
    ("FBI", "Federal Bureau of Investigation"),
    ("NSC", "National Security Council staff"),
]
REP_NAMES = {
    "STATE": "Avery Collins",
    "USAID": "Jordan Patel",
    "DOD": "Morgan Reyes",
    "JS": "Casey Brooks",
    "TREAS": "Riley Chen",
    "DOJ": "Taylor Okafor",
    "DHS": "Jamie Novak",
    "USUN": "Quinn Alvarez",
    "ODNI": "Drew Hassan",
    "CIA": "Sam Whitaker",
    "FBI": "Alex Moreau",
    "NSC": "Robin Adeyemi",
}
# (ISO alpha-3, tier, reason) — the tiers are the demo's, not anyone's assessment.
WATCHLIST = [
    ("SDN", 1, "Large-scale attacks on civilians in Darfur and Kordofan reported."),
    ("MMR", 1, "Attacks on Rohingya and other minorities; armed conflict nationwide."),
    ("COD", 1, "Armed group offensives in North Kivu with identity-based killings."),
    ("SSD", 1, "Localised ethnic violence and a fragile peace agreement."),
    ("ETH", 2, "Conflict in Amhara and Oromia; history of mass atrocities in Tigray."),
    ("TCD", 2, "Spill-over from Sudan; intercommunal violence in the east."),
    ("NGA", 2, "Armed group attacks in the north-east and north-west."),
    ("MLI", 2, "Counter-insurgency operations with reported killings of civilians."),
    ("BFA", 2, "Reprisals against communities accused of supporting armed groups."),
    ("SOM", 2, "Insurgency and clan conflict."),
    ("AFG", 2, "Persecution of women, girls and minorities."),
    ("YEM", 2, "Protracted war and blockade."),
    ("NER", 3, "Insurgency on two borders after a change of government."),
    ("CAF", 3, "Armed groups and foreign forces active in the provinces."),
    ("PAK", 3, "Sectarian attacks and tensions in border provinces."),
    ("IRQ", 3, "Risk of renewed sectarian violence."),
    ("HTI", 3, "Gang violence with massacres in the capital region."),
    ("CMR", 3, "Anglophone crisis and insurgency in the Far North."),
    ("MOZ", 3, "Insurgency in Cabo Delgado."),
    ("VEN", 3, "Political repression after the disputed election."),
]
FACTOR_NAMES_SHORT = 14


@dataclass
class DemoSummary:
    agencies: int
    people: int
    countries: int
    meetings: int
    plans: int
    action_items: int
    alerts: int


def load_demo(*, actor: Actor, today: date | None = None) -> DemoSummary:
    """Load the demo into an empty database (refused when any person exists)."""
    today = today or clock.today()
    with writing(actor, "demo.load") as w:
        w.require("users.manage")
        if w.session.scalar(select(func.count()).select_from(User)):
            raise ValidationError(
                "The database is not empty: the demo loads only into an empty one."
            )
        builder = _DemoBuilder(w, today)
        summary = builder.build()
        w.audit(
            record_type="demo",
            record_id=today.isoformat(),
            after=summary.__dict__,
            detail="demonstration data loaded",
        )
    _import_statistical_risk(actor)
    _import_tools_evidence(actor)
    return summary


def _import_statistical_risk(actor: Actor) -> None:
    folder = Path(
        os.environ.get("APC_EWP_DIR") or Path(__file__).resolve().parents[2] / "shared/data/ewp"
    )
    if folder.is_dir():
        for path in statistical_risk.files_to_load(folder):
            statistical_risk.import_file(actor=actor, content=path.read_bytes(), filename=path.name)


def _import_tools_evidence(actor: Actor) -> None:
    """The evidence review of policy tools, when its public file is at hand (``APC_TOOLS_DIR``,
    or ``shared/data/ushmm-tools`` beside the project): the plan editor offers its tools."""
    folder = Path(
        os.environ.get("APC_TOOLS_DIR")
        or Path(__file__).resolve().parents[2] / "shared/data/ushmm-tools"
    )
    for path in sorted(folder.glob("all_factors_*.csv"))[-1:]:
        tools_evidence.import_file(actor=actor, content=path.read_bytes(), filename=path.name)


class _DemoBuilder:
    def __init__(self, w: Writing, today: date):
        self.w = w  # for the services' own in-transaction helpers (agenda.append_item)
        self.s = w.session
        self.today = today
        self.now = datetime.combine(today, time(14, 0), tzinfo=timezone.utc)
        self.rng = random.Random(2026)
        self.zone = ZoneInfo(ZONE)

    # -- helpers -------------------------------------------------------------------------

    def add(self, record):
        self.s.add(record)
        self.s.flush()
        return record

    def at(self, day: date, hour: int = 15) -> datetime:
        return datetime.combine(day, time(hour, 0), tzinfo=timezone.utc)

    def uid(self, key: str) -> str:
        return f"{uuid.uuid5(UID_NAMESPACE, key)}@apc-desk"

    # -- the record ----------------------------------------------------------------------

    def build(self) -> DemoSummary:
        self.people()
        self.watchlist()
        self.meetings()
        self.assessments()
        self.plans()
        self.actions()
        self.alerts()
        return DemoSummary(
            agencies=len(self.agencies),
            people=len(self.users),
            countries=len(WATCHLIST),
            meetings=len(self.all_meetings),
            plans=len(self.plan_records),
            action_items=len(self.action_items),
            alerts=len(self.alert_records),
        )

    def people(self) -> None:
        self.agencies = {code: self.add(Agency(code=code, name=name)) for code, name in AGENCIES}
        password = hash_password(DEMO_PASSWORD)  # one hash: argon2 is slow on purpose
        self.users: dict[str, User] = {}

        def person(key, email, name, role, agency=None):
            self.users[key] = self.add(
                User(
                    email=email,
                    name=name,
                    role=role,
                    password_hash=password,
                    agency_id=self.agencies[agency].id if agency else None,
                )
            )

        person("admin", "admin@apc.example", "Pat Morgan (administrator)", "admin")
        person("chair", "chair@apc.example", "Dana Whitfield (chair)", "chair")
        person("secretariat", "secretariat@apc.example", "Lee Harmon (secretariat)", "chair")
        for code in self.agencies:
            person(
                f"rep:{code}",
                f"rep.{code.lower()}@apc.example",
                REP_NAMES[code],
                "agency_rep",
                code,
            )
        person("observer", "observer@apc.example", "Kim Ellis (observer)", "observer")
        self.chair = self.users["chair"]

    def watchlist(self) -> None:
        self.entries: dict[str, WatchlistEntry] = {}
        for index, (code, tier, reason) in enumerate(WATCHLIST):
            since = self.today - timedelta(days=900 - index * 20)
            first_tier = min(3, tier + 1) if index % 4 == 0 else tier
            self.add(
                TierChange(
                    country_code=code,
                    old_tier=None,
                    new_tier=first_tier,
                    reason=ILLUSTRATIVE + "Added to the watchlist. " + reason,
                    changed_by_id=self.chair.id,
                    changed_at=self.at(since),
                )
            )
            if first_tier != tier:
                changed = since + timedelta(days=400)
                self.add(
                    TierChange(
                        country_code=code,
                        old_tier=first_tier,
                        new_tier=tier,
                        reason=ILLUSTRATIVE + "Escalation after new reporting.",
                        changed_by_id=self.chair.id,
                        changed_at=self.at(changed),
                    )
                )
            self.entries[code] = self.add(
                WatchlistEntry(
                    country_code=code,
                    tier=tier,
                    since=since,
                    reason=ILLUSTRATIVE + reason,
                )
            )

    def meetings(self) -> None:
        rule = SeriesRule(
            interval_months=2,
            first_month=1,
            weekday=1,
            week_of_month=2,
            start_time=time(10, 0),
            duration_minutes=120,
            timezone=ZONE,
        )
        self.series = self.add(
            MeetingSeries(
                name="Atrocities Prevention Committee",
                interval_months=2,
                first_month=1,
                weekday=1,
                week_of_month=2,
                start_time=time(10, 0),
                duration_minutes=120,
                timezone=ZONE,
                location="Room 5A, Eisenhower Executive Office Building",
                video_link="https://video.example.gov/apc-regular",
            )
        )
        window_start = self.at(self.today - timedelta(days=365))
        window_end = self.at(self.today + timedelta(days=365))
        self.all_meetings: list[Meeting] = []
        self.held: list[Meeting] = []
        for starts, ends in occurrences(rule, window_start, window_end):
            held = starts < self.now
            meeting = self.add(
                Meeting(
                    kind="regular",
                    series_id=self.series.id,
                    series_occurrence=starts,
                    title=f"Regular meeting — {starts:%B %Y}",
                    starts_at=starts,
                    ends_at=ends,
                    timezone=ZONE,
                    location=self.series.location,
                    video_link=self.series.video_link,
                    status="held" if held else "scheduled",
                    agenda_status="published" if held else "draft",
                    agenda_published_at=starts - timedelta(days=7) if held else None,
                    calendar_uid=self.uid(f"regular-{starts:%Y-%m}"),
                    created_by_id=self.chair.id,
                )
            )
            self.all_meetings.append(meeting)
            if held:
                self.held.append(meeting)
        upcoming = [m for m in self.all_meetings if m.status == "scheduled"]
        self.next_meeting = upcoming[0]
        # One future meeting moved on its own, to show the series surviving it.
        moved = upcoming[2]
        moved.starts_at += timedelta(days=1)
        moved.ends_at += timedelta(days=1)
        moved.edited_by_hand = True
        moved.calendar_sequence = 1
        moved.change_reason = ILLUSTRATIVE + "Moved one day for a ministerial visit."
        # An emergency session held between regular meetings.
        emergency_day = self.held[-2].starts_at + timedelta(days=25)
        emergency = self.add(
            Meeting(
                kind="emergency",
                title="Emergency session — Sudan",
                starts_at=emergency_day,
                ends_at=emergency_day + timedelta(hours=1),
                timezone=ZONE,
                location="Secure video conference",
                status="held",
                reason=ILLUSTRATIVE + "Reports of an imminent assault on a besieged city.",
                agenda_status="published",
                agenda_published_at=emergency_day - timedelta(hours=20),
                called_for_country="SDN",
                calendar_uid=self.uid("emergency-sdn"),
                created_by_id=self.chair.id,
            )
        )
        self.all_meetings.append(emergency)
        self.held.append(emergency)
        self.held.sort(key=lambda m: m.starts_at)
        for meeting in self.held:
            self.hold(meeting)

    def hold(self, meeting: Meeting) -> None:
        """Agenda, attendance, reviews, decisions and minutes of a held meeting."""
        regular_index = (
            [m for m in self.held if m.kind == "regular"].index(meeting)
            if meeting.kind == "regular"
            else None
        )
        items = []
        position = 1
        items.append(
            self.add(
                AgendaItem(
                    meeting_id=meeting.id,
                    position=position,
                    kind="minutes_approval",
                    title="Approval of the minutes of the last meeting",
                    minutes_allotted=5,
                    minutes_used=4,
                    review_done=True,
                )
            )
        )
        if regular_index is None:
            reviewed = ["SDN"]
        else:
            reviewed = [
                code
                for code, tier, _ in WATCHLIST
                if regular_index % tier == 0 and code not in ("SOM", "IRQ", "VEN")
            ]
        for code in reviewed:
            position += 1
            presenter = self.agencies["STATE" if position % 2 else "ODNI"]
            items.append(
                self.add(
                    AgendaItem(
                        meeting_id=meeting.id,
                        position=position,
                        kind="country_review",
                        title=f"Review: {self.s.get(Country, code).name}",
                        country_code=code,
                        presenter_agency_id=presenter.id,
                        minutes_allotted=10,
                        minutes_used=8 + position % 5,
                        notes=ILLUSTRATIVE + "Briefing on the situation; discussion of options.",
                        review_done=True,
                    )
                )
            )
            entry = self.entries[code]
            entry.last_reviewed_on = meeting.starts_at.date()
            entry.last_review_meeting_id = meeting.id
        self.decisions = getattr(self, "decisions", [])
        for item in items[1:]:
            self.decisions.append(
                self.add(
                    Decision(
                        meeting_id=meeting.id,
                        agenda_item_id=item.id,
                        country_code=item.country_code,
                        text=ILLUSTRATIVE
                        + f"Maintain tier; agencies to report on {item.country_code} "
                        "engagement at the next review.",
                        decided_by_id=self.chair.id,
                        decided_at=meeting.ends_at,
                    )
                )
            )
        for code, agency in self.agencies.items():
            status = "present"
            if self.rng.random() < 0.12:
                status = "absent" if self.rng.random() < 0.5 else "represented"
            self.add(
                Attendance(
                    meeting_id=meeting.id,
                    agency_id=agency.id,
                    status=status,
                    attendees="" if status == "absent" else REP_NAMES[code],
                    represented_by="State" if status == "represented" else "",
                )
            )
        is_latest = meeting is self.held[-1]
        minutes = self.add(
            Minutes(
                meeting_id=meeting.id,
                status="circulated" if is_latest else "approved",
                approved_by_id=None if is_latest else self.chair.id,
                approved_at=None if is_latest else meeting.ends_at + timedelta(days=10),
            )
        )
        body = [f"# Minutes — {meeting.title}", "", ILLUSTRATIVE + "Demonstration minutes.", ""]
        body += [f"- {item.title}" for item in items]
        self.add(
            MinutesRevision(
                minutes_id=minutes.id, number=1, body="\n".join(body), created_by_id=self.chair.id
            )
        )

    def assessments(self) -> None:
        ratings = ("low", "moderate", "high")
        for code, tier, _ in WATCHLIST[:10]:
            rounds = 2 if tier == 1 else 1
            for round_ in range(rounds):
                assessed_on = self.today - timedelta(days=40 + 180 * (rounds - 1 - round_))
                meeting = max(
                    (m for m in self.held if m.starts_at.date() <= assessed_on),
                    key=lambda m: m.starts_at,
                    default=None,
                )
                assessment = self.add(
                    RiskAssessment(
                        country_code=code,
                        assessed_on=assessed_on,
                        meeting_id=meeting.id if meeting else None,
                        assessed_by_id=self.chair.id,
                        overall_rating=("very_high", "high", "moderate")[tier - 1]
                        if round_ == rounds - 1
                        else "high",
                        overall_judgement=ILLUSTRATIVE + "Risk of atrocity crimes judged "
                        "against the UN Framework of Analysis.",
                    )
                )
                for factor in range(1, FACTOR_NAMES_SHORT + 1):
                    level = ratings[
                        min(
                            2, max(0, 3 - tier - (factor > 9) + round_ % 2 - self.rng.randint(0, 1))
                        )
                    ]
                    self.add(
                        RiskFactorRating(
                            assessment_id=assessment.id,
                            factor=factor,
                            rating=level,
                            note=ILLUSTRATIVE + "Evidence summarised by the analysts.",
                        )
                    )

    def plans(self) -> None:
        self.plan_records: list[Plan] = []
        self.lines: list[LineOfEffort] = []
        specs = [
            ("SDN", "response", "approved", 2, 120),
            ("MMR", "response", "in_clearance", 1, None),
            ("COD", "response", "draft", 1, None),
            ("ETH", "prevention", "approved", 1, -20),  # past its review-by date
            ("NGA", "prevention", "approved", 1, 200),
            ("TCD", "prevention", "draft", 1, None),
            ("MLI", "prevention", "archived", 1, None),
        ]
        categories = (
            "preventive_diplomacy",
            "early_prevention",
            "economic_measures",
            "international_action",
            "legal_measures",
            "military_options",
        )
        leads = ("STATE", "USAID", "TREAS", "USUN", "DOJ", "DOD")
        recs = ("4-3", "3-2", "3-1", "6-3", "3-2", "5-1")
        for code, kind, status, versions, review_days in specs:
            plan = self.add(
                Plan(
                    country_code=code,
                    kind=kind,
                    status=status,
                    # As the country page titles a new plan: the country by its name.
                    title=f"{'Response' if kind == 'response' else 'Prevention'} plan — "
                    f"{self.s.get(Country, code).name}",
                    created_by_id=self.chair.id,
                )
            )
            self.plan_records.append(plan)
            for number in range(1, versions + 1):
                last = number == versions
                if status == "approved":
                    v_status = "approved" if last else "superseded"
                elif status == "in_clearance":
                    v_status = "circulated"
                elif status == "archived":
                    v_status = "superseded"
                else:
                    v_status = "draft"
                created = self.today - timedelta(days=300 - number * 90)
                review_by = self.today + timedelta(days=review_days) if review_days else None
                version = self.add(
                    PlanVersion(
                        plan_id=plan.id,
                        number=number,
                        status=v_status,
                        situation_summary=ILLUSTRATIVE + f"Situation summary for {code}.",
                        objectives=ILLUSTRATIVE + "Protect civilians; deter escalation; "
                        "support accountability.",
                        escalation_triggers=ILLUSTRATIVE + "Mass displacement; attacks on "
                        "protected sites; hate speech by officials.",
                        review_by=review_by,
                        created_by_id=self.chair.id,
                        created_at=self.at(created),
                        updated_at=self.at(created),
                        circulated_at=self.at(created + timedelta(days=5))
                        if v_status != "draft"
                        else None,
                        approved_at=self.at(created + timedelta(days=20))
                        if v_status in ("approved", "superseded")
                        else None,
                    )
                )
                for position in range(1, 5):
                    index = (position + number + len(code)) % len(categories)
                    line = self.add(
                        LineOfEffort(
                            plan_version_id=version.id,
                            position=position,
                            toolbox_category=categories[index],
                            objective=ILLUSTRATIVE + f"Objective {position} of the {kind} plan.",
                            lead_agency_id=self.agencies[leads[index]].id,
                            resources="Existing programme funds",
                            indicators="Monthly reporting",
                        )
                    )
                    self.lines.append(line)
                    self.add(
                        LineOfEffortAgency(
                            line_of_effort_id=line.id, agency_id=self.agencies["NSC"].id
                        )
                    )
                    self.add(
                        LineOfEffortRecommendation(
                            line_of_effort_id=line.id, recommendation_code=recs[index]
                        )
                    )
                    self.add(LineOfEffortFactor(line_of_effort_id=line.id, factor=position * 3))
                if v_status != "draft":
                    for agency_code in ("STATE", "USAID", "DOD", "TREAS", "USUN", "NSC"):
                        agency = self.agencies[agency_code]
                        pending = v_status == "circulated" and agency_code in ("DOD", "TREAS")
                        position_ = (
                            "pending"
                            if pending
                            else ("concur_with_comments" if agency_code == "USAID" else "concur")
                        )
                        self.add(
                            Clearance(
                                plan_version_id=version.id,
                                agency_id=agency.id,
                                position=position_,
                                comments=""
                                if position_ != "concur_with_comments"
                                else ILLUSTRATIVE + "Add humanitarian access benchmarks.",
                                cleared_by_id=None
                                if pending
                                else self.users[f"rep:{agency_code}"].id,
                                cleared_at=None
                                if pending
                                else self.at(created + timedelta(days=9)),
                            )
                        )
                if v_status == "approved":
                    plan.effective_version_id = version.id
                    plan.review_by = review_by
                    decision = self.add(
                        Decision(
                            kind="plan_approval",
                            meeting_id=self.held[-1].id,
                            country_code=code,
                            plan_version_id=version.id,
                            text=ILLUSTRATIVE + f"The committee approves version {number}.",
                            decided_by_id=self.chair.id,
                            decided_at=self.held[-1].ends_at,
                        )
                    )
                    version.approval_decision_id = decision.id

    def actions(self) -> None:
        self.action_items: list[ActionItem] = []
        titles = [
            "Brief partners on the latest atrocity risk findings",
            "Prepare options for targeted sanctions",
            "Fund local early-warning networks",
            "Coordinate messaging with the UN Secretariat",
            "Update the intelligence assessment",
            "Support documentation of violations for accountability",
            "Engage regional body on civilian protection",
            "Review security assistance for human-rights vetting",
            "Request access for humanitarian monitors",
            "Draft demarche to the government",
        ]
        statuses = [
            "open",
            "open",
            "in_progress",
            "in_progress",
            "blocked",
            "done",
            "done",
            "cancelled",
            "open",
            "in_progress",
        ]
        countries = [code for code, _, _ in WATCHLIST]
        agency_codes = list(self.agencies)
        for number in range(72):
            code = countries[number % len(countries)]
            agency_code = agency_codes[(number * 5) % len(agency_codes)]
            agency = self.agencies[agency_code]
            status = statuses[number % len(statuses)]
            created = self.today - timedelta(days=20 + (number * 7) % 200)
            if status in ("done", "cancelled"):
                due = created + timedelta(days=30 + (number * 11) % 60)
            elif number % 7 == 3:
                due = self.today - timedelta(days=3 + number % 20)  # overdue
            else:
                due = self.today + timedelta(days=2 + (number * 11) % 80)
            origin, decision_id, line_id = "standalone", None, None
            meeting_id = None
            if number % 3 == 0 and self.decisions:
                decision = self.decisions[number % len(self.decisions)]
                origin, decision_id, meeting_id = "decision", decision.id, decision.meeting_id
                code = decision.country_code or code
            elif number % 3 == 1 and self.lines:
                origin, line_id = "line_of_effort", self.lines[number % len(self.lines)].id
            reasons = {
                "blocked": "Waiting for host-government clearance.",
                "done": "Completed and reported to the committee.",
                "cancelled": "Overtaken by events.",
            }
            item = self.add(
                ActionItem(
                    title=titles[number % len(titles)] + f" ({code})",
                    description=ILLUSTRATIVE + "Demonstration action item.",
                    country_code=code,
                    owner_agency_id=agency.id,
                    assignee_id=self.users[f"rep:{agency_code}"].id if number % 2 else None,
                    origin=origin,
                    decision_id=decision_id,
                    line_of_effort_id=line_id,
                    meeting_id=meeting_id,
                    due_on=due,
                    priority=("low", "medium", "high", "critical")[number % 4],
                    status=status,
                    status_reason=ILLUSTRATIVE + reasons[status] if status in reasons else "",
                    closed_at=self.at(min(due, self.today))
                    if status in ("done", "cancelled")
                    else None,
                    created_by_id=self.chair.id,
                    created_at=self.at(created),
                    updated_at=self.at(created),
                )
            )
            self.action_items.append(item)
            supporting = self.agencies[agency_codes[(number * 5 + 1) % len(agency_codes)]]
            self.add(ActionItemAgency(action_item_id=item.id, agency_id=supporting.id))
            self.add(
                ActionUpdate(
                    action_item_id=item.id,
                    at=self.at(created),
                    by_id=self.chair.id,
                    kind="created",
                    note=ILLUSTRATIVE + "Created.",
                )
            )
            if status != "open":
                self.add(
                    ActionUpdate(
                        action_item_id=item.id,
                        at=self.at(created + timedelta(days=5)),
                        by_id=self.users[f"rep:{agency_code}"].id,
                        kind="status",
                        changes={"status": ["open", status]},
                        note=ILLUSTRATIVE + reasons.get(status, "Work under way."),
                    )
                )
        waiting = next(i for i in self.action_items if i.status == "in_progress")
        self.add(
            DueDateRequest(
                action_item_id=waiting.id,
                requested_by_id=self.users["rep:STATE"].id,
                requested_due_on=waiting.due_on + timedelta(days=30),
                reason=ILLUSTRATIVE + "Partner consultations take longer than planned.",
            )
        )

    def alerts(self) -> None:
        self.alert_records: list[Alert] = []
        specs = [
            ("SDN", "acute", "new", 1, "Reports of massing forces around a displacement camp."),
            ("ETH", "serious", "acknowledged", 16, "Reports of drone strikes on markets."),
            (
                "HTI",
                "serious",
                "under_review",
                10,
                "Gang attack on a neighbourhood; dozens killed.",
            ),
            ("MMR", "acute", "closed", 80, "Village burnings in Rakhine reported."),
        ]
        for number, (code, severity, status, days_ago, summary) in enumerate(specs, start=1):
            filed = self.now - timedelta(days=days_ago, hours=3)
            deadline = filed + timedelta(days=3 if severity == "acute" else 14)
            rep = self.users["rep:STATE" if number % 2 else "rep:USAID"]
            alert = self.add(
                Alert(
                    reference=f"ALR-{filed.year}-{number:04d}",
                    country_code=code,
                    severity=severity,
                    summary=ILLUSTRATIVE + summary,
                    happening_since=filed.date() - timedelta(days=2),
                    sources=ILLUSTRATIVE + "Embassy reporting; NGO partners.",
                    handling_marking="SENSITIVE BUT UNCLASSIFIED",
                    restricted=number == 2,
                    filed_by_id=rep.id,
                    filing_agency_id=rep.agency_id,
                    filed_at=filed,
                    status=status,
                    review_deadline=deadline,
                    acknowledged_at=filed + timedelta(hours=5) if status != "new" else None,
                    acknowledged_by_id=self.chair.id if status != "new" else None,
                )
            )
            self.alert_records.append(alert)
            if status == "under_review":
                alert.review_meeting_id = self.next_meeting.id
                # The agenda's own way: a restricted alert's item names neither its country
                # nor the alert (it named the country's code).
                agenda.append_item(
                    self.w, self.next_meeting, kind="alert_review", alert=alert, minutes=10
                )
            if status == "closed":
                alert.reviewed_at = filed + timedelta(days=2)
                decision = self.add(
                    Decision(
                        kind="alert_closure",
                        alert_id=alert.id,
                        country_code=code,
                        text=ILLUSTRATIVE + "Reviewed; response plan updated; alert closed.",
                        decided_by_id=self.chair.id,
                        decided_at=filed + timedelta(days=2),
                    )
                )
                alert.closing_decision_id = decision.id
                alert.closed_at = decision.decided_at
            if status == "new":
                for chair in (self.users["chair"], self.users["secretariat"]):
                    self.add(
                        Notification(
                            user_id=chair.id,
                            kind="alert.filed",
                            alert_id=alert.id,
                            text=f"New {severity} alert {alert.reference} on {code}.",
                            link=f"alerts?alert={alert.id}",
                            created_at=filed,
                        )
                    )
