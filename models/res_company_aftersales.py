from odoo import fields, models

from .rakuten_job_status import RUN_STATES


class ResCompany(models.Model):
    _inherit = 'res.company'

    rakuten_responsible_id = fields.Many2one(
        'res.users', domain="[('share', '=', False)]",
        help="Gets the buyer messages, claims and sales to check of Rakuten orders without a salesperson, when the "
             "Rakuten sales team has no leader.",
    )
    # Kept in rakuten.job.status (see res_company.py): the after-sales job never writes the company's row.
    rakuten_aftersales_state = fields.Selection(RUN_STATES, string="Last Rakuten Messages Run",
                                                compute='_compute_rakuten_job_status')
    rakuten_aftersales_message = fields.Char(string="Last Rakuten Messages Run Message",
                                             compute='_compute_rakuten_job_status')
    rakuten_aftersales_date = fields.Datetime(string="Last Rakuten Messages Run On",
                                              compute='_compute_rakuten_job_status')
