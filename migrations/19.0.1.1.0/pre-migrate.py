"""The Rakuten state of a product (advert id, listing state, last published quantity and date, last push
result) becomes per company (jsonb, one value per company id). The values known so far belong to the company
whose Rakuten account published them: the first company with the integration on."""
from odoo.tools.sql import SQL, column_exists

PER_COMPANY = {
    'rakuten_advert_id': SQL('to_jsonb(rakuten_advert_id)'),
    'rakuten_listing_state': SQL('to_jsonb(rakuten_listing_state)'),
    'rakuten_published_qty': SQL('to_jsonb(rakuten_published_qty)'),
    'rakuten_published_date': SQL("to_jsonb(to_char(rakuten_published_date, 'YYYY-MM-DD HH24:MI:SS'))"),
    'rakuten_push_result': SQL('to_jsonb(rakuten_push_result)'),
}


def migrate(cr, version):
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
