from collections import namedtuple
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_datetime
from odoo.tools.safe_eval import safe_eval

from .rakuten_job_status import JOBS

# Stock file lines refused in the files of these last days count as stock errors (Rakuten keeps a report 5 days).
STOCK_ERROR_DAYS = 7
# A list the overview counts and opens: its model, what it counts (besides the card's company), the nearest deadline
# shown beside the count (model, domain, date field: the earliest value), the action it opens and that action's
# filters (search defaults) that show exactly what was counted; ``window``: only the records of the last days.
OverviewList = namedtuple('OverviewList', 'model domain deadline action filters window')
UNANSWERED = [('direction', '=', 'in'), ('awaiting_answer', '=', True)]
OPEN_CLAIMS = [('claim_type', '!=', False), ('claim_open', '=', True)]

LISTS = {
    'to_accept': OverviewList('rakuten.sale', [('state', '=', 'to_accept')],
                              ('rakuten.sale', [('state', '=', 'to_accept')], 'accept_by'),
                              'rakuten_connector.action_rakuten_sale', ('to_accept',), False),
    'attention': OverviewList('rakuten.sale', [('state', '=', 'error')], None,
                              'rakuten_connector.action_rakuten_sale', ('error',), False),
    # Messages are counted; the deadline is their items' (48 hours after the first message not answered).
    'message': OverviewList('rakuten.message', UNANSWERED,
                            ('rakuten.aftersale', [('awaiting_answer', '=', True)], 'answer_deadline'),
                            'rakuten_connector.action_rakuten_message', ('not_answered',), False),
    'claim': OverviewList('rakuten.aftersale', OPEN_CLAIMS, ('rakuten.aftersale', OPEN_CLAIMS, 'claim_deadline'),
                          'rakuten_connector.action_rakuten_claim', ('open',), False),
    'despatch': OverviewList('stock.picking', [('rakuten_despatch_state', 'in', ('failed', 'to_check'))], None,
                             'rakuten_connector.action_rakuten_despatch',
                             ('rakuten_despatch_failed', 'rakuten_despatch_to_check'), False),
    # The window is in the list's domain (no filter says it): older refusals are history.
    'stock_error': OverviewList('rakuten.stock.import.line', [('state', 'in', ('error', 'failed'))], None,
                                'rakuten_connector.action_rakuten_stock_import_line', ('refused',), True),
}


class RakutenOverview(models.Model):
    """The Rakuten overview: one card per company with the Rakuten integration on, counting what waits for a user
    (as the user sees it: record rules apply), each counter opening its list filtered to exactly what it counted,
    and how the last run of each job went."""
    _name = 'rakuten.overview'
    _description = "Rakuten Overview"
    _auto = False
    _order = 'company_id'
    _rec_name = 'company_id'

    company_id = fields.Many2one('res.company', readonly=True)
    to_accept_count = fields.Integer(string="Sales to Accept", compute='_compute_counts')
    to_accept_deadline = fields.Date(string="Accept the First By", compute='_compute_counts',
                                     help="The last day to accept the nearest sale, until midnight (Paris time).")
    attention_count = fields.Integer(string="Sales Needing Attention", compute='_compute_counts')
    message_count = fields.Integer(string="Messages Not Answered", compute='_compute_counts')
    message_deadline = fields.Datetime(string="Answer the First Before", compute='_compute_counts')
    claim_count = fields.Integer(string="Open Claims", compute='_compute_counts')
    claim_deadline = fields.Datetime(string="Nearest Claim Deadline", compute='_compute_counts')
    despatch_count = fields.Integer(string="Despatches Failed or to Check", compute='_compute_counts')
    stock_error_count = fields.Integer(string="Stock Errors", compute='_compute_counts')
    price_blocked_count = fields.Integer(string="Blocked Prices", compute='_compute_price_blocked_count')
    job_runs = fields.Json(string="Last Runs", compute='_compute_job_runs')

    @api.private  # as Odoo's: never callable over RPC
    def init(self):
        self.env.cr.execute(SQL(
            "CREATE OR REPLACE VIEW %s AS "
            "(SELECT id, id AS company_id FROM res_company WHERE rakuten_enabled AND active)",
            SQL.identifier(self._table)))

    # === COMPUTE METHODS === #

    def _compute_counts(self):
        """One grouped read per list, for every card at once, with the user's rights."""
        mine = [('company_id', 'in', self.company_id.ids)]
        for key, spec in LISTS.items():
            counts = dict(self.env[spec.model]._read_group(
                self._rakuten_list_domain(spec) + mine, ['company_id'], ['__count']))
            deadlines = {}
            if spec.deadline:
                model, domain, field = spec.deadline
                deadlines = dict(self.env[model]._read_group(domain + mine, ['company_id'], [f'{field}:min']))
            for overview in self:
                overview[f'{key}_count'] = counts.get(overview.company_id, 0)
                if spec.deadline:
                    overview[f'{key}_deadline'] = deadlines.get(overview.company_id, False)

    def _compute_price_blocked_count(self):
        """Blocked prices are the company's (a product's price is blocked per company): counted in each one."""
        for overview in self:
            overview.price_blocked_count = len(overview._rakuten_blocked_products())

    @api.depends_context('lang', 'tz')
    def _compute_job_runs(self):
        """When each job last ran and how, in the user's words and time zone (users do not read job statuses)."""
        statuses = self.env['rakuten.job.status'].sudo().search([('company_id', 'in', self.company_id.ids)])
        status_model = self.env['rakuten.job.status']
        job_labels = dict(status_model._fields['job']._description_selection(self.env))
        state_labels = dict(status_model._fields['state']._description_selection(self.env))
        by_company = statuses.grouped('company_id')
        for overview in self:
            known = {status.job: status for status in by_company.get(overview.company_id, [])}
            overview.job_runs = [{
                'job': job, 'label': job_labels[job], 'state': known[job].state,
                'state_label': state_labels[known[job].state],
                'date': format_datetime(self.env, known[job].date, dt_format='d MMM, HH:mm') if known[job].date else '',
                'message': known[job].message or '',
            } for job, _label in JOBS if job in known]

    # === ACTION METHODS === #

    def action_rakuten_open_list(self):
        """Counter: the list of what it counted (``rakuten_list`` in the context names it), for the card's company,
        the filters that show it switched on."""
        self.ensure_one()
        self.check_access('read')
        key = self.env.context.get('rakuten_list')
        if key == 'price_blocked':
            action = self.env['ir.actions.act_window']._for_xml_id('rakuten_connector.action_rakuten_price_blocked')
            # The price is blocked in the card's company, which may not be the user's current one.
            action.update(domain=[('id', 'in', self._rakuten_blocked_products().ids)], context={})
            return action
        spec = LISTS[key]
        action = self.env['ir.actions.act_window']._for_xml_id(spec.action)
        # The list's own scope (its domain, its context but its default filters) stays; the card's company and
        # the counter's filters come on top.
        context = {name: value for name, value in safe_eval(action.get('context') or '{}').items()
                   if not name.startswith('search_default_')}
        action.update(
            domain=safe_eval(action.get('domain') or '[]') + [('company_id', '=', self.company_id.id)] + (
                [('create_date', '>=', self._rakuten_stock_error_since())] if spec.window else []),
            context={**context, **{f'search_default_{name}': 1 for name in spec.filters}},
        )
        return action

    # === BUSINESS METHODS === #

    def _rakuten_list_domain(self, spec):
        """What a list counts, besides the company (its filters' domain, and the window of stock errors)."""
        if spec.window:
            return spec.domain + [('create_date', '>=', self._rakuten_stock_error_since())]
        return spec.domain

    @api.model
    def _rakuten_stock_error_since(self):
        return fields.Datetime.now() - timedelta(days=STOCK_ERROR_DAYS)

    def _rakuten_blocked_products(self):
        self.ensure_one()
        return self.env['product.product'].with_company(self.company_id).search(
            [('rakuten_price_blocked', '!=', False)]).with_env(self.env)
