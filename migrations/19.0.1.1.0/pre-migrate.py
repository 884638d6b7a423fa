"""Upgrade to 19.0.1.1.0.

- The Rakuten state of a product (advert id, listing state, last published quantity and date, last push
  result) becomes per company (jsonb, one value per company id). The values known so far belong to the
  company whose Rakuten account published them: the first company with the integration on.
- The carrier's Rakuten tracking URL becomes Odoo's Tracking Link (one field): kept where the Tracking Link
  was empty.
- Rakuten buyers belong to the company that imported them: the company of their orders. A buyer whose orders
  or invoices belong to several companies stays shared (no company).
- Char fields named like Many2one fields (``*_id``) are renamed ``*_ref``: columns, field records, their
  xml ids and indexes follow, so that nothing is dropped and recreated.
"""
from odoo.tools.sql import SQL, column_exists

RENAMED = [  # (model, table, old name, new name)
    ('rakuten.sale', 'rakuten_sale', 'purchase_id', 'purchase_ref'),
    ('sale.order', 'sale_order', 'rakuten_purchase_id', 'rakuten_purchase_ref'),
    ('rakuten.advert', 'rakuten_advert', 'advert_id', 'advert_ref'),
    ('rakuten.stock.import.line', 'rakuten_stock_import_line', 'advert_id', 'advert_ref'),
    ('product.product', 'product_product', 'rakuten_advert_id', 'rakuten_advert_ref'),
    ('res.company', 'res_company', 'rakuten_seller_id', 'rakuten_seller_ref'),
    ('rakuten.stock.import', 'rakuten_stock_import', 'import_id', 'file_ref'),
]
# Per Rakuten buyer: how many companies its sale orders and invoices (its own, or its contacts') belong to, and
# the smallest of them. A buyer with one company is owned by it; with several, it stays shared.
BUYER_COMPANIES = SQL("""
    SELECT buyer.id AS buyer_id, COUNT(DISTINCT docs.company_id) AS companies, MIN(docs.company_id) AS company_id
      FROM res_partner buyer
      JOIN res_partner member ON member.commercial_partner_id = buyer.id
      JOIN (SELECT partner_id, company_id FROM sale_order
            UNION SELECT partner_invoice_id, company_id FROM sale_order
            UNION SELECT partner_shipping_id, company_id FROM sale_order
            UNION SELECT partner_id, company_id FROM account_move WHERE partner_id IS NOT NULL) docs
        ON docs.partner_id = member.id
     WHERE buyer.rakuten_buyer_login IS NOT NULL
     GROUP BY buyer.id
""")
PER_COMPANY = {
    'rakuten_advert_id': SQL('to_jsonb(rakuten_advert_id)'),
    'rakuten_listing_state': SQL('to_jsonb(rakuten_listing_state)'),
    'rakuten_published_qty': SQL('to_jsonb(rakuten_published_qty)'),
    'rakuten_published_date': SQL("to_jsonb(to_char(rakuten_published_date, 'YYYY-MM-DD HH24:MI:SS'))"),
    'rakuten_push_result': SQL('to_jsonb(rakuten_push_result)'),
}


def migrate(cr, version):
    _per_company(cr)
    _carrier_tracking_link(cr)
    _buyers_company(cr)
    _rename_fields(cr)


def _per_company(cr):
    cr.execute('SELECT id FROM res_company ORDER BY rakuten_enabled IS NOT TRUE, id LIMIT 1')
    row = cr.fetchone()
    if not row:
        return
    for column, value in PER_COMPANY.items():
        if not column_exists(cr, 'product_product', column):
            continue
        cr.execute(SQL(
            "ALTER TABLE product_product ALTER COLUMN %(column)s DROP DEFAULT, "
            "ALTER COLUMN %(column)s TYPE jsonb USING CASE WHEN %(column)s IS NULL THEN NULL "
            "ELSE jsonb_build_object(%(company)s, %(value)s) END",
            column=SQL.identifier(column), company=str(row[0]), value=value,
        ))


def _carrier_tracking_link(cr):
    if column_exists(cr, 'delivery_carrier', 'rakuten_tracking_url'):
        cr.execute("UPDATE delivery_carrier SET tracking_url = rakuten_tracking_url "
                   "WHERE COALESCE(rakuten_tracking_url, '') != '' AND COALESCE(tracking_url, '') = ''")


def _buyers_company(cr):
    """A buyer whose orders and invoices all belong to one company becomes that company's, with its contacts; a
    buyer whose documents belong to several companies stays shared (no company): giving it to one would make
    it invisible to the others and their orders and invoices unusable."""
    if not column_exists(cr, 'res_partner', 'rakuten_buyer_login'):
        return
    cr.execute(SQL("""
        UPDATE res_partner buyer SET company_id = owners.company_id
          FROM (%s) owners
         WHERE buyer.id = owners.buyer_id AND owners.companies = 1 AND buyer.company_id IS NULL
    """, BUYER_COMPANIES))
    cr.execute("""
        UPDATE res_partner contact SET company_id = buyer.company_id
          FROM res_partner buyer
         WHERE contact.parent_id = buyer.id AND buyer.rakuten_buyer_login IS NOT NULL
           AND buyer.company_id IS NOT NULL AND contact.company_id IS NULL
    """)


def _rename_fields(cr):
    for model, table, old, new in RENAMED:
        if not column_exists(cr, table, old) or column_exists(cr, table, new):
            continue
        cr.execute(SQL('ALTER TABLE %s RENAME COLUMN %s TO %s', SQL.identifier(table), SQL.identifier(old),
                       SQL.identifier(new)))
        cr.execute(SQL('DROP INDEX IF EXISTS %s', SQL.identifier(f'{table}__{old}_index')))
        cr.execute('UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s', (new, model, old))
        cr.execute("UPDATE ir_model_data SET name = %s WHERE model = 'ir.model.fields' AND module = "
                   "'rakuten_connector' AND name = %s", (f"field_{table}__{new}", f"field_{table}__{old}"))
