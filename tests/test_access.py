"""The policy: deny by default, and a representative's rights end at their own agency."""

import pytest

from committee import access
from committee.actor import Actor

ADMIN = Actor(1, "a@x", "A", "admin")
CHAIR = Actor(2, "c@x", "C", "chair")
REP = Actor(3, "r@x", "R", "agency_rep", agency_id=10, agency_code="STATE")
OBSERVER = Actor(4, "o@x", "O", "observer")
OPERATOR = Actor.operator("ops")


def test_unknown_permissions_and_nobody_are_refused():
    assert not access.can(CHAIR, "no.such.thing")
    assert not access.can(OPERATOR, "no.such.thing")
    assert not access.can(None, "page.home")


@pytest.mark.parametrize("actor", [ADMIN, CHAIR, REP, OBSERVER])
def test_every_member_sees_home_and_account(actor):
    assert access.can(actor, "page.home") and access.can(actor, "page.account")


def test_a_representative_changes_only_their_own_agencys_items():
    assert access.can(REP, "action.update", agency_id=10)
    assert not access.can(REP, "action.update", agency_id=11)
    assert not access.can(REP, "action.update")  # no agency named: refused
    assert access.can(CHAIR, "action.update", agency_id=11)
    assert not access.can(OBSERVER, "action.update", agency_id=10)


def test_supporting_agencies_may_add_notes_only():
    assert access.can(REP, "action.note", agency_id=11, agency_ids=[10])
    assert not access.can(REP, "action.update", agency_id=11, agency_ids=[10])


def test_only_the_agencys_representative_clears_for_it():
    assert access.can(REP, "plan.clear", agency_id=10)
    assert not access.can(REP, "plan.clear", agency_id=11)
    assert not access.can(CHAIR, "plan.clear", agency_id=10)


def test_restricted_alerts_are_for_chairs_and_the_filing_agency():
    assert access.can(CHAIR, "alert.read", restricted=True, agency_id=11)
    assert access.can(REP, "alert.read", restricted=True, agency_id=10)
    assert not access.can(REP, "alert.read", restricted=True, agency_id=11)
    assert not access.can(OBSERVER, "alert.read", restricted=True, agency_id=10)
    assert access.can(OBSERVER, "alert.read", restricted=False, agency_id=11)


def test_observers_file_alerts_only_when_the_settings_allow():
    assert not access.can(OBSERVER, "alert.file")
    assert access.can(OBSERVER, "alert.file", observers_allowed=True)
    assert access.can(REP, "alert.file")


def test_administration_is_for_admins():
    assert access.can(ADMIN, "users.manage") and access.can(ADMIN, "page.users")
    for actor in (CHAIR, REP, OBSERVER):
        assert not access.can(actor, "users.manage")
        assert not access.can(actor, "page.users")


def test_the_operator_holds_every_known_permission():
    assert all(access.can(OPERATOR, permission) for permission in access.PERMISSIONS)
