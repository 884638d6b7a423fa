"""Upgrade to 19.0.1.3.0: the invoice job now looks only at the orders marked by a delivery, a return or a
refund. The Rakuten orders it looked at before (invoiced at delivery, confirmed, with units delivered) are marked
once, so that none is left behind."""
from odoo.tools.sql import SQL


def migrate(cr, version):
    cr.execute(SQL("""
        UPDATE sale_order o
           SET rakuten_invoice_pending = TRUE
          FROM res_company c
         WHERE c.id = o.company_id
           AND c.rakuten_invoice_policy = 'delivery'
           AND o.rakuten_sale_id IS NOT NULL
           AND o.state = 'sale'
           AND o.create_date >= c.rakuten_invoice_from
           AND EXISTS (SELECT 1 FROM sale_order_line l
                        WHERE l.order_id = o.id AND NOT l.is_delivery AND l.qty_delivered > 0)
    """))
