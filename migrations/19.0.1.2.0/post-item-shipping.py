"""Upgrade to 19.0.1.2.0: Rakuten bills shipping per unit, and the connector now keeps it per unit.

Sales not yet turned into orders whose shipping was read as one total are read again (their billing is asked
at the next import), so that the units cancelled before the import do not bring their shipping to the order.
Orders already made keep their shipping line as it is.
"""


def migrate(cr, version):
    cr.execute("""
        UPDATE rakuten_sale
           SET shipping_known = FALSE
         WHERE shipping_known AND order_id IS NULL AND state NOT IN ('refused', 'cancelled', 'handled')
    """)
