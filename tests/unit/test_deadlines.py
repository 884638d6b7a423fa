"""Acceptance deadline: 72 working hours, then until midnight, Paris time."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from rakuten_connector.deadlines import accept_deadline, message_deadline, ship_deadline

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


def test_a_message_is_answered_within_48_hours():
    received = datetime(2026, 11, 20, 15, 30, tzinfo=PARIS)
    assert message_deadline(received) == datetime(2026, 11, 22, 14, 30, tzinfo=timezone.utc)
    assert message_deadline(None) is None
