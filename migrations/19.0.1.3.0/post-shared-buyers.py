"""Upgrade to 19.0.1.3.0: repair of the 19.0.1.1.0 upgrade, which gave every Rakuten buyer to the company of its
first order. A buyer whose sale orders or invoices (its own, or its contacts') belong to another company than
its own is shared again (no company), with its contacts that were its company's, as the 19.0.1.1.0 upgrade now
does: the other company's orders and invoices are usable again."""
from odoo.tools.sql import SQL

# Rakuten buyers owned by one company with a sale order or an invoice of another company.
SHARED_BUYERS = SQL("""
    SELECT DISTINCT buyer.id
      FROM res_partner buyer
      JOIN res_partner member ON member.commercial_partner_id = buyer.id
      JOIN (SELECT partner_id, company_id FROM sale_order
            UNION SELECT partner_invoice_id, company_id FROM sale_order
            UNION SELECT partner_shipping_id, company_id FROM sale_order
            UNION SELECT partner_id, company_id FROM account_move WHERE partner_id IS NOT NULL) docs
        ON docs.partner_id = member.id
     WHERE buyer.rakuten_buyer_login IS NOT NULL AND buyer.company_id IS NOT NULL
       AND docs.company_id != buyer.company_id
""")


def migrate(cr, version):
    cr.execute(SQL("""
        WITH shared AS (%s)
        UPDATE res_partner partner SET company_id = NULL
          FROM res_partner buyer
         WHERE buyer.id IN (SELECT id FROM shared)
           AND (partner.id = buyer.id OR partner.parent_id = buyer.id AND partner.company_id = buyer.company_id)
    """, SHARED_BUYERS))
