"""The price guards, table-tested: every amount VAT included, in euros."""
from decimal import Decimal

import pytest

from rakuten_connector.price_rules import Guards, cents, floor_price, guarded_price, with_vat

D = Decimal


@pytest.mark.parametrize('amount, vat, expected', [
    (10, 20, '12.00'),
    (9.99, 20, '11.99'),          # 11.988 rounds half up to the cent
    (D('0.125'), 0, '0.13'),
    (8.33, D('5.5'), '8.79'),
    (0, 20, '0.00'),
])
def test_vat_added_and_rounded(amount, vat, expected):
    assert with_vat(amount, vat) == D(expected)


@pytest.mark.parametrize('cost, margin, vat, expected', [
    (10, 0, 20, '12.00'),         # never under cost, VAT included
    (10, 25, 20, '15.00'),        # 10 × 1.25 = 12.50, + 20 % VAT
    (D('3.30'), 10, 0, '3.63'),
    (0, 50, 20, '0.00'),          # no cost: no floor
])
def test_floor(cost, margin, vat, expected):
    assert floor_price(cost, margin, vat) == D(expected)


CASES = [
    # price, floor, last published, max drop %, confirmed → published, blocked
    ('19.90', '12.00', '0', 20, '0', None, 'review'),        # Odoo's first price waits for a review
    ('19.90', '12.00', '0', 20, '19.90', '19.90', ''),       # reviewed: that very price goes out
    ('19.80', '12.00', '0', 20, '19.90', None, 'review'),    # the review was for another price
    ('11.99', '12.00', '0', 20, '0', None, 'floor'),         # a cent under the floor
    ('12.00', '12.00', '12.50', 20, '0', '12.00', ''),       # at the floor: fine
    ('0', '0', '0', 20, '0', None, 'no_price'),
    ('-5', '0', '0', 20, '0', None, 'no_price'),
    ('15.99', '0', '20.00', 20, '0', None, 'drop'),          # 20.1 % lower
    ('16.00', '0', '20.00', 20, '0', '16.00', ''),           # exactly 20 % lower
    ('15.99', '0', '20.00', 20, '15.99', '15.99', ''),       # confirmed by a user
    ('15.00', '0', '20.00', 20, '15.99', None, 'drop'),      # the confirmation was for another price
    ('19.99', '0', '20.00', 0, '0', None, 'drop'),           # 0 %: every drop is confirmed
    ('5.00', '0', '20.00', 100, '0', '5.00', ''),            # 100 %: no drop guard
    ('11.00', '12.00', '20.00', 100, '11.00', None, 'floor'),  # a confirmation never passes the floor
    ('9.995', '0', '10.00', 20, '0', '10.00', ''),           # rounded to the cent
]


@pytest.mark.parametrize('price, floor, last, drop, confirmed, published, blocked', CASES)
def test_guards(price, floor, last, drop, confirmed, published, blocked):
    guards = Guards(floor=D(floor), last_published=D(last), max_drop_percent=D(drop), confirmed=D(confirmed))
    assert guarded_price(D(price), guards) == (D(published) if published else None, blocked)


RISES = [
    # price, last published, max rise %, confirmed → published, blocked
    ('24.00', '20.00', 20, '0', '24.00', ''),                # exactly 20 % higher
    ('24.01', '20.00', 20, '0', None, 'rise'),               # more than 20 % higher
    ('24.01', '20.00', 20, '24.01', '24.01', ''),            # confirmed by a user
    ('20.01', '20.00', 0, '0', None, 'rise'),                # 0 %: every rise is confirmed
    ('90.00', '20.00', None, '0', '90.00', ''),              # no rise guard
]


@pytest.mark.parametrize('price, last, rise, confirmed, published, blocked', RISES)
def test_rises_are_guarded_like_drops(price, last, rise, confirmed, published, blocked):
    guards = Guards(last_published=D(last), max_drop_percent=D(20), max_rise_percent=rise, confirmed=D(confirmed))
    assert guarded_price(D(price), guards) == (D(published) if published else None, blocked)


def test_refused_price_waits_until_it_changes():
    guards = Guards(last_published=D('10.00'), max_drop_percent=D(20), refused=D('11.00'))
    assert guarded_price(D('11.00'), guards) == (None, 'refused')
    assert guarded_price(D('11.10'), guards) == (D('11.10'), ''), "another price goes out"
    assert guarded_price(D('11.00'), Guards(last_published=D('10.00'), refused=D('11.00'),
                                            confirmed=D('11.00'))) == (None, 'refused'), "never confirmed"


def test_no_sale_tax_blocks_before_anything_else_but_no_price():
    assert guarded_price(D('12.00'), Guards(last_published=D('12.00'), taxed=False)) == (None, 'no_tax')
    assert guarded_price(D('12.00'), Guards(last_published=D('12.00'), confirmed=D('12.00'),
                                            taxed=False)) == (None, 'no_tax'), "never confirmed"


def test_cents_from_float():
    assert cents(2.675) == D('2.68'), "floats are read through their shortest repr, not their binary value"
