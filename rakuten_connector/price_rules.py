"""The price published on Rakuten, and the guards in front of it: pure rules, no Odoo.

Rakuten's ``sellingPrice`` is VAT included, in euros (§5.3). Every amount here is VAT included and
in euros, rounded to the cent:

- the price is the Rakuten pricelist's (or the product's fixed Rakuten price), plus the VAT not already
  included in it;
- the floor is the cost × (1 + minimum margin %) plus the same VAT, unless the product sets its own floor;
- a price under its floor is never published; a price that drops by more than the allowed percentage from
  the last published price waits for a user to confirm that very price. Nothing at or under 0 goes out.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RULE_PRICELIST = 'pricelist'
RULE_FIXED = 'fixed'
BLOCKED_NO_PRICE = 'no_price'
BLOCKED_FLOOR = 'floor'
BLOCKED_DROP = 'drop'
BLOCKED = (BLOCKED_NO_PRICE, BLOCKED_FLOOR, BLOCKED_DROP)
CENT = Decimal('0.01')


def cents(amount):
    """``amount`` (float, int, str or Decimal) as a Decimal rounded half up to the cent."""
    return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


def with_vat(amount, vat_percent):
    """``amount`` VAT excluded, with ``vat_percent`` % of VAT added, rounded to the cent."""
    return cents(Decimal(str(amount)) * (1 + Decimal(str(vat_percent)) / 100))


def floor_price(cost, margin_percent, vat_percent):
    """The lowest price VAT included: cost (VAT excluded) × (1 + margin %), plus VAT."""
    return with_vat(Decimal(str(cost)) * (1 + Decimal(str(margin_percent)) / 100), vat_percent)


@dataclass(frozen=True)
class Guards:
    floor: Decimal = Decimal(0)  # VAT included; 0: no floor
    last_published: Decimal = Decimal(0)  # 0: never published, no drop guard
    max_drop_percent: Decimal = Decimal(100)  # 100: any drop goes out
    confirmed: Decimal = Decimal(0)  # the one price a user allowed despite the drop guard


def guarded_price(price, guards):
    """(price to publish or None, blocking reason or '') for ``price`` (VAT included) under ``guards``."""
    price = cents(price)
    if price <= 0:
        return None, BLOCKED_NO_PRICE
    if price < cents(guards.floor):
        return None, BLOCKED_FLOOR
    last = cents(guards.last_published)
    limit = last * (1 - Decimal(str(guards.max_drop_percent)) / 100)
    if last > 0 and price < limit and price != cents(guards.confirmed):
        return None, BLOCKED_DROP
    return price, ''
