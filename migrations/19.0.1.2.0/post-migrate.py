"""Upgrade to 19.0.1.2.0: the job statuses set aside by pre-migrate.py go into rakuten.job.status, one row
per company and job that ran (or, for the order import, whose last sync is set); then the old columns go."""
from odoo.tools.sql import SQL, column_exists

# {job: {status column: old company column}}
MOVED = {
    'import': {'state': 'rakuten_import_state', 'message': 'rakuten_import_message', 'date': 'rakuten_import_date',
               'last_sync': 'rakuten_last_order_sync'},
    'stock': {'message': 'rakuten_stock_message', 'date': 'rakuten_stock_date'},
    'aftersales': {'state': 'rakuten_aftersales_state', 'message': 'rakuten_aftersales_message',
                   'date': 'rakuten_aftersales_date'},
}


def migrate(cr, version):
    for job, columns in MOVED.items():
        columns = {target: f'old_{source}' for target, source in columns.items()
                   if column_exists(cr, 'res_company', f'old_{source}')}
        if not columns:
            continue
        state = SQL.identifier(columns['state']) if 'state' in columns else SQL(
            "CASE WHEN %s IS NULL THEN 'never' ELSE 'ok' END", SQL.identifier(columns['date']))
        values = [SQL.identifier(source) for target, source in columns.items() if target != 'state']
        cr.execute(SQL(
            """INSERT INTO rakuten_job_status (company_id, job, state, %(targets)s, create_uid, create_date,
                                               write_uid, write_date)
               SELECT id, %(job)s, COALESCE(%(state)s, 'never'), %(values)s, 1, now() at time zone 'UTC', 1,
                      now() at time zone 'UTC'
                 FROM res_company
                WHERE %(ran)s
               ON CONFLICT (company_id, job) DO NOTHING""",
            targets=SQL(', ').join(SQL.identifier(target) for target in columns if target != 'state'),
            job=job, state=state, values=SQL(', ').join(values),
            ran=SQL(' OR ').join(SQL('%s IS NOT NULL', value) for value in values),
        ))
        for source in columns.values():
            cr.execute(SQL('ALTER TABLE res_company DROP COLUMN %s', SQL.identifier(source)))
