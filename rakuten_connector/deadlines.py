"""When a new Rakuten sale must be accepted: 72 working hours, then until midnight (Paris time).

Rakuten's FAQ example: a sale on Friday at 14:00 can be accepted until Wednesday midnight. Weekends do not
count; public holidays are not known here and are ignored (the deadline may then be a day early: safe).
"""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from . import const

WORKING_DAYS = 3  # 72 working hours
_PARIS = ZoneInfo(const.RAKUTEN_TIMEZONE)


def accept_deadline(purchase_date):
    """Aware UTC datetime of the last moment to accept a sale purchased at ``purchase_date`` (aware)."""
    day = purchase_date.astimezone(_PARIS).date()
    if day.weekday() >= 5:  # bought on a weekend: the clock starts on Monday morning
        day += timedelta(days=7 - day.weekday())
        remaining = WORKING_DAYS - 1
    else:
        remaining = WORKING_DAYS
    while remaining:
        day += timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    end_of_day = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=_PARIS)
    return end_of_day.astimezone(timezone.utc)
