"""Acceptance deadline: 72 working hours, then until midnight, Paris time."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from rakuten_connector.deadlines import accept_deadline, last_day, message_deadline, payout_due, ship_deadline

PARIS = ZoneInfo('Europe/Paris')


@pytest.mark.parametrize('bought, deadline', [
    (datetime(2026, 11, 20, 14, 0), datetime(2026, 11, 26, 0, 0)),  # Friday 14:00 → Wednesday midnight
    (datetime(2026, 11, 16, 9, 30), datetime(2026, 11, 20, 0, 0)),  # Monday → Thursday midnight
    (datetime(2026, 11, 18, 23, 59), datetime(2026, 11, 24, 0, 0)),  # Wednesday late → Monday midnight
    (datetime(2026, 11, 21, 10, 0), datetime(2026, 11, 26, 0, 0)),  # Saturday → clock starts Monday
    (datetime(2026, 11, 22, 20, 0), datetime(2026, 11, 26, 0, 0)),  # Sunday → same
])
def test_deadline_examples(bought, deadline):
    result = accept_deadline(bought.replace(tzinfo=PARIS))
    assert result.tzinfo == timezone.utc
    assert result == deadline.replace(tzinfo=PARIS).astimezone(timezone.utc)


def test_deadline_across_dst_change():
    # Friday 23 October 2026; clocks go back on Sunday 25: Wednesday midnight is UTC+1.
    result = accept_deadline(datetime(2026, 10, 23, 12, 0, tzinfo=PARIS))
    assert result == datetime(2026, 10, 28, 23, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize('bought, deadline', [
    (datetime(2026, 11, 20, 14, 0), datetime(2026, 11, 28, 0, 0)),  # Friday: accepted by Wednesday → Friday
    (datetime(2026, 11, 18, 23, 59), datetime(2026, 11, 26, 0, 0)),  # accepted by Monday → Wednesday
    (datetime(2026, 11, 19, 9, 0), datetime(2026, 11, 27, 0, 0)),  # Thursday: by Tuesday → Thursday midnight
])
def test_ship_deadline_two_working_days_after_the_acceptance_deadline(bought, deadline):
    assert ship_deadline(bought.replace(tzinfo=PARIS)) == deadline.replace(tzinfo=PARIS).astimezone(timezone.utc)


def test_payout_due_is_the_next_monday_or_thursday_transfer_23_days_after_the_order():
    paris = PARIS
    # Bought Tuesday 1 December 2026 at 10:00: 23 days later is Thursday 24 December at 10:00, after that
    # day's 08:00 transfer: paid Monday 28 December.
    assert payout_due(datetime(2026, 12, 1, 10, 0, tzinfo=paris)) == date(2026, 12, 28)
    # At 07:00 the same Thursday's transfer pays it.
    assert payout_due(datetime(2026, 12, 1, 7, 0, tzinfo=paris)) == date(2026, 12, 24)
    # Received on Friday 4 December: the Monday after.
    assert payout_due(datetime(2026, 12, 1, 10, 0, tzinfo=paris),
                      received=datetime(2026, 12, 4, 18, 0, tzinfo=paris)) == date(2026, 12, 7)
def test_a_message_is_answered_within_48_hours():
    received = datetime(2026, 11, 20, 15, 30, tzinfo=PARIS)
    assert message_deadline(received) == datetime(2026, 11, 22, 14, 30, tzinfo=timezone.utc)
    assert message_deadline(None) is None


def test_last_day_is_the_day_that_midnight_ends():
    # Wednesday midnight, Paris (winter: 23:00 UTC on Wednesday): the seller reads "by Wednesday".
    deadline = accept_deadline(datetime(2026, 11, 20, 13, 0, tzinfo=timezone.utc))  # a Friday, 14:00 Paris
    assert last_day(deadline) == date(2026, 11, 25)
    assert last_day(deadline.replace(tzinfo=None)) == date(2026, 11, 25), "naive UTC, as Odoo stores it"
    assert last_day(datetime(2026, 7, 1, 12, 0)) == date(2026, 7, 1), "a deadline in the day keeps its day"
