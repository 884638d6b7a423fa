from odoo import api, fields, models

JOBS = [
    ('import', "Order Import"),
    ('stock', "Stock Sync"),
    ('aftersales', "Messages and Claims"),
    ('payout', "Payouts"),
]
RUN_STATES = [('never', "Never run"), ('ok', "Succeeded"), ('failed', "Failed")]
# The company fields shown in Settings, per job: {job: {company field: status field}}.
COMPANY_FIELDS = {
    'import': {'rakuten_import_state': 'state', 'rakuten_import_message': 'message',
               'rakuten_import_date': 'date', 'rakuten_last_order_sync': 'last_sync'},
    'stock': {'rakuten_stock_state': 'state', 'rakuten_stock_message': 'message', 'rakuten_stock_date': 'date'},
    'aftersales': {'rakuten_aftersales_state': 'state', 'rakuten_aftersales_message': 'message',
                   'rakuten_aftersales_date': 'date'},
}


class RakutenJobStatus(models.Model):
    """How the last run of a Rakuten job went for a company: one row per company and job.

    The jobs of a company run at the same time in different workers: each writes its own row, never the
    company's, so that they never fail each other on a concurrent update (the company shows them).
    """
    _name = 'rakuten.job.status'
    _description = "Rakuten Job Status"
    _order = 'company_id, job'

    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True, ondelete='cascade')
    job = fields.Selection(JOBS, required=True, readonly=True)
    state = fields.Selection(RUN_STATES, default='never', required=True, readonly=True)
    message = fields.Char(readonly=True)
    date = fields.Datetime(string="Last Run On", readonly=True)
    last_sync = fields.Datetime(help="Order import: sales purchased since this time are read at the next run; "
                                     "payouts: the date of the newest transfer read.")

    _company_job_unique = models.Constraint(
        'UNIQUE(company_id, job)', "A Rakuten job has one status per company.",
    )

    @api.model
    def _rakuten_write(self, company, job, values):
        """Store ``values`` in the status of ``company``'s ``job`` (created at its first run)."""
        status = self.sudo().search([('company_id', '=', company.id), ('job', '=', job)], limit=1)
        if status:
            status.write(values)
        else:
            status = self.sudo().create({'company_id': company.id, 'job': job, **values})
        return status
