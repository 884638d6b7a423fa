from odoo import models


class IrCron(models.Model):
    _inherit = 'ir.cron'

    def _rakuten_commit_progress(self):
        """Commit a scheduled run's progress; outside a cron (a button), the request owns its transaction."""
        if self.env.context.get('cron_id'):
            self.env['ir.cron']._commit_progress(1)
