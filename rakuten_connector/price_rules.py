"""The price published on Rakuten, and the guards in front of it: pure rules, no Odoo.

Rakuten's ``sellingPrice`` is VAT included, in euros (§5.3). Every amount here is VAT included and
in euros, rounded to the cent:

- the price is the Rakuten pricelist's (or the product's fixed Rakuten price), plus the VAT not already
  included in it;
- the floor is the cost × (1 + minimum margin %) plus the same VAT, unless the product sets its own floor;
- a price under its floor is never published, nor one of a product without sale tax (it would go out VAT
  excluded); nothing at or under 0 goes out;
- a price Rakuten refused is not sent again until it changes (the quantity goes without it);
- the first price Odoo publishes for a product waits for a user to review it (against the price Rakuten shows
  today); a price that drops or rises by more than the allowed percentage from the last published price
  waits for a user to confirm that very price. A confirmation lets that price out once (the caller forgets
  it once the price is published, refused or moved).
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RULE_PRICELIST = 'pricelist'
RULE_FIXED = 'fixed'
BLOCKED_NO_PRICE = 'no_price'
BLOCKED_FLOOR = 'floor'
BLOCKED_DROP = 'drop'
BLOCKED_RISE = 'rise'
BLOCKED_REVIEW = 'review'  # the first price Odoo publishes for the product
BLOCKED_REFUSED = 'refused'  # Rakuten refused this very price: the quantity goes without it
BLOCKED_NO_TAX = 'no_tax'
BLOCKED = (BLOCKED_NO_PRICE, BLOCKED_NO_TAX, BLOCKED_FLOOR, BLOCKED_REFUSED, BLOCKED_REVIEW, BLOCKED_DROP,
           BLOCKED_RISE)
CONFIRMABLE = (BLOCKED_REVIEW, BLOCKED_DROP, BLOCKED_RISE)  # a user may let these out
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
    last_published: Decimal = Decimal(0)  # 0: Odoo never published a price: it waits for a review
    max_drop_percent: Decimal = Decimal(100)  # 100: any drop goes out
    max_rise_percent: Decimal | None = None  # None: any rise goes out
    confirmed: Decimal = Decimal(0)  # the one price a user allowed despite the review, drop or rise
    refused: Decimal = Decimal(0)  # the last price Rakuten refused (0: none)
    taxed: bool = True  # the product has a sale tax (else its price would be published VAT excluded)


def guarded_price(price, guards):
    """(price to publish or None, blocking reason or '') for ``price`` (VAT included) under ``guards``."""
    price = cents(price)
    if price <= 0:
        return None, BLOCKED_NO_PRICE
    if not guards.taxed:
        return None, BLOCKED_NO_TAX
    if price < cents(guards.floor):
        return None, BLOCKED_FLOOR
    if price == cents(guards.refused):
        return None, BLOCKED_REFUSED
    if price == cents(guards.confirmed):
        return price, ''
    last = cents(guards.last_published)
    if last <= 0:
        return None, BLOCKED_REVIEW
    if price < last * (1 - Decimal(str(guards.max_drop_percent)) / 100):
        return None, BLOCKED_DROP
    if guards.max_rise_percent is not None and price > last * (1 + Decimal(str(guards.max_rise_percent)) / 100):
        return None, BLOCKED_RISE
    return price, ''
