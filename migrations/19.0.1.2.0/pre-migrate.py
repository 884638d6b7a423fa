"""Upgrade to 19.0.1.2.0: how the jobs went moves from the company to rakuten.job.status (one row per company
and job), so that jobs running at the same time never write the same row.

Before the update, the company columns are set aside under other names (fields no longer stored must not lose
their values); post-migrate.py moves them into the new table, then drops them.
"""
from odoo.tools.sql import SQL, column_exists

COLUMNS = [
    'rakuten_import_state', 'rakuten_import_message', 'rakuten_import_date', 'rakuten_last_order_sync',
    'rakuten_stock_message', 'rakuten_stock_date',
    'rakuten_aftersales_state', 'rakuten_aftersales_message', 'rakuten_aftersales_date',
]


def migrate(cr, version):
    for column in COLUMNS:
        if column_exists(cr, 'res_company', column) and not column_exists(cr, 'res_company', f'old_{column}'):
            cr.execute(SQL('ALTER TABLE res_company RENAME COLUMN %s TO %s', SQL.identifier(column),
                           SQL.identifier(f'old_{column}')))
