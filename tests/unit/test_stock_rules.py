"""The seller-facing examples of the quantity rules."""
import pytest

from rakuten_connector.stock_rules import Rules, published_quantity

CASES = [
    # available, max qty, percentage, end when → published, rule
    (20, 10, 50, 0, 5, 'percentage'),     # Linnworks' example: cap at 10, then half
    (20, 0, 100, 0, 20, 'available'),     # no rule: everything
    (20, 10, 100, 0, 10, 'max_qty'),      # the cap alone
    (8, 10, 100, 0, 8, 'available'),      # under the cap
    (7, 0, 50, 0, 3, 'percentage'),       # shares round down
    (1, 0, 50, 0, 0, 'end_when'),         # half of one is nothing
    (3, 0, 100, 3, 0, 'end_when'),        # at the end-when quantity: ended
    (4, 0, 100, 3, 4, 'available'),       # above it: listed
    (40, 10, 50, 5, 0, 'end_when'),       # 10 → 5 → at end-when 5: ended
    (0, 0, 100, 0, 0, 'no_stock'),
    (-2, 0, 100, 0, 0, 'no_stock'),       # negative stock publishes 0
    (5.9, 0, 100, 0, 5, 'available'),     # fractions of a unit are not sold
    (20, 10, 0, 0, 0, 'end_when'),        # 0 % publishes nothing
]


@pytest.mark.parametrize('available, max_qty, percentage, end_when, published, rule', CASES)
def test_seller_examples(available, max_qty, percentage, end_when, published, rule):
    assert published_quantity(available, Rules(max_qty, percentage, end_when)) == (published, rule)
