"""The quantity published on Rakuten, from the quantity available: pure rules, no Odoo.

In order (as Linnworks does): the Max List Quantity caps the available quantity (0: no cap), the Max List
Percentage takes that share of it (rounded down), and a result at or below the End When Quantity becomes
0, which ends the listing. Example: available 20, max 10, 50 % → 5.
"""
import math
from dataclasses import dataclass

RULE_NO_STOCK = 'no_stock'
RULE_AVAILABLE = 'available'
RULE_MAX_QTY = 'max_qty'
RULE_PERCENTAGE = 'percentage'
RULE_END_WHEN = 'end_when'


@dataclass(frozen=True)
class Rules:
    max_qty: int = 0  # 0: no cap
    max_percentage: int = 100
    end_when: int = 0


def published_quantity(available, rules):
    """(quantity to publish, the rule that decided it) for ``available`` units under ``rules``."""
    quantity = max(int(math.floor(available)), 0)
    if quantity <= 0:
        return 0, RULE_NO_STOCK
    rule = RULE_AVAILABLE
    if rules.max_qty and quantity > rules.max_qty:
        quantity, rule = rules.max_qty, RULE_MAX_QTY
    if rules.max_percentage < 100:
        quantity, rule = quantity * max(rules.max_percentage, 0) // 100, RULE_PERCENTAGE
    if quantity <= rules.end_when:
        return 0, RULE_END_WHEN
    return quantity, rule
