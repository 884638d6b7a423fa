"""Rakuten's deadlines: accepting a sale (72 working hours, then until midnight, Paris time), handling a
claim, contacting a buyer.

Rakuten's FAQ example: a sale on Friday at 14:00 can be accepted until Wednesday midnight. Weekends do not
count; public holidays are not known here and are ignored (the deadline may then be a day early: safe).
"""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from . import const

WORKING_DAYS = 3  # 72 working hours
SHIP_WORKING_DAYS = 2  # guessed: not documented by Rakuten
_PARIS = ZoneInfo(const.RAKUTEN_TIMEZONE)


def accept_deadline(purchase_date):
    """Aware UTC datetime of the last moment to accept a sale purchased at ``purchase_date`` (aware)."""
    day = purchase_date.astimezone(_PARIS).date()
    if day.weekday() >= 5:  # bought on a weekend: the clock starts on Monday morning
        day += timedelta(days=7 - day.weekday())
        remaining = WORKING_DAYS - 1
    else:
        remaining = WORKING_DAYS
    day = _add_working_days(day, remaining)
    end_of_day = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=_PARIS)
    return end_of_day.astimezone(timezone.utc)


def last_day(deadline):
    """The day a French seller reads for a deadline at ``deadline`` (naive UTC or aware): midnight, Paris time,
    ends the day before."""
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=timezone.utc)
    return (deadline.astimezone(_PARIS) - timedelta(microseconds=1)).date()


def _add_working_days(day, count):
    """The date ``count`` working days (Monday to Friday) after ``day``."""
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def ship_deadline(purchase_date):
    """Aware UTC datetime by which an accepted unit should have left: ``SHIP_WORKING_DAYS`` working days after
    the acceptance deadline (our guess of Rakuten's rule: see doc/rakuten-api.md)."""
    accepted_by = accept_deadline(purchase_date).astimezone(_PARIS).date() - timedelta(days=1)
    day = _add_working_days(accepted_by, SHIP_WORKING_DAYS)
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=_PARIS).astimezone(timezone.utc)


def claim_deadline(created, claim_type, amicable):
    """Aware UTC datetime by which a claim opened at ``created`` (aware) must be handled, or None.

    A "not received" claim must be answered within 48 hours; an amicable one leaves 3 working days (same
    time of day, Paris) before Rakuten's customer service takes over.
    """
    if created is None:
        return None
    if (claim_type or '').upper() == const.CLAIM_NOT_RECEIVED:
        return (created + timedelta(hours=const.CLAIM_NOT_RECEIVED_HOURS)).astimezone(timezone.utc)
    if not amicable:
        return None
    local = created.astimezone(_PARIS)
    day = _add_working_days(local.date(), const.CLAIM_AMICABLE_WORKING_DAYS)
    return datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=_PARIS).astimezone(timezone.utc)


def message_deadline(received):
    """Aware UTC datetime by which a message received at ``received`` (aware) should be answered, or None."""
    if received is None:
        return None
    return (received + timedelta(hours=const.MESSAGE_ANSWER_HOURS)).astimezone(timezone.utc)


def contact_allowed(ordered, received, amicable_claim, now):
    """Whether Rakuten lets the seller contact the buyer at ``now`` (aware datetimes; ``received`` is when
    the buyer declared receipt, None before): 15 days after receipt, 42 after the order, unless an
    amicable claim is open."""
    if amicable_claim:
        return True
    if received is not None and now > received + timedelta(days=const.CONTACT_DAYS_AFTER_RECEIPT):
        return False
    return now <= ordered + timedelta(days=const.CONTACT_DAYS_AFTER_ORDER)


PAYOUT_HOUR = time(8, 0)  # guessed: the hour of a transfer (the fake server's)


def payout_due(purchase_date, received=None):
    """The day Rakuten should pay a unit purchased at ``purchase_date`` (aware), without an open claim: the first
    Monday or Thursday transfer (08:00 Paris) after the buyer confirmed receipt (``received``, aware), else after
    ``const.PAYOUT_DAYS_AFTER_ORDER`` days (§11.5 of the API notes, from Rakuten's help pages)."""
    ready = purchase_date + timedelta(days=const.PAYOUT_DAYS_AFTER_ORDER)
    if received is not None:
        ready = min(ready, received)
    ready = ready.astimezone(_PARIS)
    day = ready.date()
    while day.weekday() not in const.PAYOUT_WEEKDAYS or datetime.combine(day, PAYOUT_HOUR, tzinfo=_PARIS) < ready:
        day += timedelta(days=1)
    return day
