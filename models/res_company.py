import logging
from contextlib import contextmanager

from psycopg2 import Error as DatabaseError

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import float_compare

from ..rakuten_connector import (
    AuthError, ParameterError, QuotaError, RakutenClient, RakutenError, ResponseError, RightsError,
    TransientError, const, redact,
)
from .rakuten_format import rakuten_percent
from .rakuten_job_status import COMPANY_FIELDS, RUN_STATES

_logger = logging.getLogger(__name__)

ACCEPT_POLICIES = [
    ('all', "Accept all sales"),
    ('stock', "Accept when stock covers the sale"),
    ('manual', "Manual acceptance"),
]
INVOICE_POLICIES = [
    ('off', "Off"),
    ('delivery', "At delivery"),
]
CONNECTION_STATES = [
    ('untested', "Not tested"),
    ('connected', "Connected"),
    ('failed', "Failed"),
]


class ResCompany(models.Model):
    _inherit = 'res.company'

    # === CREDENTIALS === #
    rakuten_enabled = fields.Boolean(string="Rakuten Integration")
    rakuten_login = fields.Char(
        help="The name of your Rakuten shop (the seller pseudo shown in the back-office banner), not your "
             "e-mail address.",
        copy=False,
    )
    rakuten_token = fields.Char(
        string="Rakuten Token API",
        help="Generated in your Rakuten seller account: My Account > Account settings > Tokens.",
        copy=False,
        exportable=False,
        groups='base.group_system',
    )
    rakuten_base_url = fields.Char(
        string="Rakuten API Endpoint", default=const.PRODUCTION_URL, required=True,
        help="https://ws.fr.shopping.rakuten.com for your real shop; the fake server's address for the demo.",
    )

    # === CONNECTION STATUS === #
    rakuten_seller_ref = fields.Char(string="Rakuten Seller ID", readonly=True, copy=False)
    rakuten_connection_state = fields.Selection(
        CONNECTION_STATES, string="Rakuten Connection", default='untested', readonly=True, copy=False,
    )
    rakuten_connection_message = fields.Char(readonly=True, copy=False)
    rakuten_connection_date = fields.Datetime(string="Rakuten Connection Checked On", readonly=True,
                                              copy=False)

    # === ORDERS === #
    rakuten_shipping_country_code = fields.Integer(
        string="Rakuten Shipping-from Country Code", default=const.FRANCE_COUNTRY_CODE,
        help="Numeric code of the country you ship from, sent when accepting sales (EU VAT one-stop shop). "
             "Metropolitan France is 249 for Rakuten (not 250).",
    )
    rakuten_import_orders = fields.Boolean(string="Import Rakuten Orders", default=True)
    rakuten_accept_policy = fields.Selection(
        ACCEPT_POLICIES, string="Rakuten Acceptance", default='stock', required=True,
        help="Accept all sales; accept a sale only when the Rakuten stock sources hold every unit; or leave "
             "every sale for a user to accept or refuse.",
    )
    rakuten_mark_despatched = fields.Boolean(
        string="Mark Rakuten Orders as Despatched", default=True,
        help="When a delivery of a Rakuten order is validated, send its carrier and tracking number to Rakuten.",
    )
    rakuten_last_order_sync = fields.Datetime(
        string="Last Rakuten Order Sync", compute='_compute_rakuten_job_status',
        inverse='_inverse_rakuten_import_status',
        help="Sales purchased since this time (UTC, minus a safety overlap) are read at the next import.",
    )
    rakuten_follow_days = fields.Integer(
        string="Follow Rakuten Orders (days)", default=60,
        help="Rakuten orders not yet shipped, cancelled or closed are re-read at each import, for late and "
             "partial cancellations, until this many days after their purchase.",
    )
    rakuten_warehouse_id = fields.Many2one(
        'stock.warehouse', string="Rakuten Orders Warehouse", check_company=True,
        help="Warehouse of the imported orders (the company's first warehouse when empty).",
    )
    rakuten_team_id = fields.Many2one('crm.team', string="Rakuten Sales Team", check_company=True)
    rakuten_user_id = fields.Many2one(
        'res.users', string="Rakuten Salesperson", check_company=True,
        domain="[('share', '=', False)]",
        help="Salesperson of the imported orders (none when empty, whoever runs the import).",
    )
    rakuten_default_carrier_id = fields.Many2one(
        'delivery.carrier', check_company=True,
        help="Carrier of the sales whose shipping type has no line in the shipping mapping.",
    )

    # How the jobs went (Settings): kept in rakuten.job.status, one row per job, written by the jobs only.
    rakuten_job_status_ids = fields.One2many('rakuten.job.status', 'company_id', string="Rakuten Job Statuses",
                                             groups='base.group_system')
    rakuten_import_state = fields.Selection(RUN_STATES, string="Last Rakuten Import",
                                            compute='_compute_rakuten_job_status')
    rakuten_import_message = fields.Char(string="Last Rakuten Import Message", compute='_compute_rakuten_job_status')
    rakuten_import_date = fields.Datetime(string="Last Rakuten Import On", compute='_compute_rakuten_job_status')

    # === INVOICES === #
    rakuten_invoice_policy = fields.Selection(
        INVOICE_POLICIES, string="Invoice Rakuten Orders", default='off', required=True,
        help="At delivery: for the orders imported from the moment this is switched on, the customer invoice of "
             "the units that left is created, posted and paid through the Rakuten journal (the buyer paid Rakuten "
             "at checkout). Orders imported before are left to you.",
    )
    rakuten_refund_policy = fields.Selection(
        [('posted', "Posted and refunded through Rakuten"), ('draft', "Draft, for the accountant")],
        string="Rakuten Credit Notes", default='posted', required=True,
        help="Credit notes of units returned or refunded by Rakuten after they were invoiced: posted and refunded "
             "through the Rakuten journal at once, or left in draft (refunded through Rakuten once posted).")
    rakuten_invoice_from = fields.Datetime(
        string="Invoice Rakuten Orders Imported From", readonly=True, copy=False,
        help="When invoicing at delivery was switched on: older orders are never invoiced by the connector.",
    )
    rakuten_journal_id = fields.Many2one(
        'account.journal', check_company=True, domain="[('type', '=', 'bank')]",
        help="Where the buyers' payments collected by Rakuten wait until Rakuten transfers them to your bank "
             "(created at the first invoice when empty).",
    )

    # === STOCK === #
    rakuten_wallet_account_id = fields.Many2one(
        'account.account', check_company=True,
        domain="[('account_type', 'in', ('asset_current', 'asset_receivable', 'liability_current')), "
               "('reconcile', '=', True)]",
        help="What Rakuten owes for the orders it collected: the invoices' payments debit it, Rakuten's transfers "
             "credit it (created at the first invoice when empty).")
    rakuten_fee_account_id = fields.Many2one(
        'account.account', string="Rakuten Commissions Account", check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Expense account of Rakuten's commissions and subscription (empty: 6222, else the expense account).")
    rakuten_fee_tax_id = fields.Many2one(
        'account.tax', string="VAT on Rakuten Commissions", check_company=True,
        domain="[('type_tax_use', '=', 'purchase')]",
        help="Deductible VAT of Rakuten's bills (empty: the company's purchase tax at Rakuten's rate).")
    rakuten_adjustment_account_id = fields.Many2one(
        'account.account', string="Rakuten Adjustments Account", check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other', 'expense', 'expense_direct_cost'))]",
        help="Where Rakuten's adjustments on items go (empty: 758, else the income account).")
    rakuten_stock_sync = fields.Boolean(default=False)
    rakuten_stock_state = fields.Selection(RUN_STATES, string="Last Rakuten Stock Sync",
                                           compute='_compute_rakuten_job_status')
    rakuten_stock_message = fields.Char(string="Last Rakuten Stock Sync Message",
                                        compute='_compute_rakuten_job_status')
    rakuten_stock_date = fields.Datetime(string="Last Rakuten Stock Sync On", compute='_compute_rakuten_job_status')
    rakuten_aftersales_state = fields.Selection(RUN_STATES, string="Last Rakuten Messages Run",
                                                compute='_compute_rakuten_job_status')
    rakuten_aftersales_message = fields.Char(string="Last Rakuten Messages Run Message",
                                             compute='_compute_rakuten_job_status')
    rakuten_aftersales_date = fields.Datetime(string="Last Rakuten Messages Run On",
                                              compute='_compute_rakuten_job_status')
    rakuten_responsible_id = fields.Many2one(
        'res.users', domain="[('share', '=', False)]",
        help="Gets the buyer messages, claims and sales to check of Rakuten orders without a salesperson, when the "
             "Rakuten sales team has no leader.",
    )
    rakuten_max_qty = fields.Integer(
        string="Default Max List Quantity", default=0,
        help="Never publish more than this quantity (0: no limit).",
    )
    rakuten_max_percentage = fields.Integer(
        string="Default Max List Percentage", default=100,
        help="Publish this share of the available quantity (rounded down).",
    )
    rakuten_end_when_qty = fields.Integer(
        string="Default End When Quantity", default=0,
        help="Publish 0 (end the listing) when the quantity to publish is at or below this value.",
    )

    # === PRICES === #
    rakuten_price_sync = fields.Boolean(
        default=False,
        help="Publish prices (VAT included, in euros) with the stock.",
    )
    rakuten_pricelist_id = fields.Many2one(
        'product.pricelist', check_company=True,
        help="Prices published on Rakuten come from this pricelist (VAT added when the prices exclude it; a "
             "pricelist in another currency is converted to euros at today's rate). Empty: the product's sales "
             "price.",
    )
    rakuten_min_margin = fields.Float(
        string="Rakuten Minimum Margin (%)", default=0.0,
        help="Never publish a price under cost × (1 + this margin), VAT included. A product can set its own "
             "floor.",
    )
    rakuten_max_price_drop = fields.Float(
        string="Rakuten Max Price Drop (%)", default=20.0,
        help="A price lower than the last published one by more than this share waits for a user to confirm "
             "it (100: never).",
    )
    rakuten_max_price_rise = fields.Float(
        string="Rakuten Max Price Rise (%)", default=20.0,
        help="A price higher than the last published one by more than this share waits for a user to confirm "
             "it (0: every rise).",
    )

    _rakuten_max_percentage_range = models.Constraint(
        'CHECK(rakuten_max_percentage >= 0 AND rakuten_max_percentage <= 100)',
        "The Rakuten max list percentage must be between 0 and 100.",
    )
    _rakuten_quantities_positive = models.Constraint(
        'CHECK(rakuten_max_qty >= 0 AND rakuten_end_when_qty >= 0)',
        "The Rakuten max list quantity and end when quantity cannot be negative.",
    )
    _rakuten_price_guards_range = models.Constraint(
        'CHECK(rakuten_min_margin >= 0 AND rakuten_max_price_drop >= 0 AND rakuten_max_price_drop <= 100 '
        'AND rakuten_max_price_rise >= 0)',
        "The Rakuten minimum margin and maximum price rise cannot be negative, and the maximum price drop is "
        "between 0 and 100 %.",
    )
    _rakuten_follow_days_positive = models.Constraint(
        'CHECK(rakuten_follow_days >= 0)', "The number of days Rakuten orders are followed cannot be negative.",
    )
    _rakuten_shipping_country_positive = models.Constraint(
        'CHECK(rakuten_shipping_country_code IS NULL OR rakuten_shipping_country_code >= 0)',
        "The Rakuten shipping-from country code must be a positive number.",
    )

    # === COMPUTE METHODS === #

    @api.depends('rakuten_job_status_ids.state', 'rakuten_job_status_ids.message', 'rakuten_job_status_ids.date',
                 'rakuten_job_status_ids.last_sync')
    def _compute_rakuten_job_status(self):
        for company in self:
            statuses = {status.job: status for status in company.sudo().rakuten_job_status_ids}
            for job, names in COMPANY_FIELDS.items():
                status = statuses.get(job)
                for name, status_name in names.items():
                    company[name] = status[status_name] if status else ('never' if status_name == 'state' else False)

    def _inverse_rakuten_import_status(self):
        """The last order sync, changed in Settings (or by a test): into the import's status."""
        for company in self:
            company._rakuten_job_status('import', {'last_sync': company.rakuten_last_order_sync})

    # === BUSINESS METHODS - JOB STATUS === #

    def _rakuten_job_status(self, job, values):
        """Record how ``job`` went for this company (``values`` of rakuten.job.status): in the job's own row,
        never in the company's, which the other jobs of the company would write at the same time."""
        self.ensure_one()
        return self.env['rakuten.job.status']._rakuten_write(self, job, values)

    # === BUSINESS METHODS - CLIENT === #

    def _rakuten_client(self, timeout=None):
        """Build the API client from this company's settings (sudo: the token is admin-only).

        The timeout per request is the system parameter ``rakuten_connector.timeout`` (seconds), else 30;
        the calls of a run under way at once, ``rakuten_connector.workers`` (1 to 32), else 8.
        """
        self.ensure_one()
        company = self.sudo()
        if not (company.rakuten_login and company.rakuten_token):
            raise UserError(self.env._("Set the Rakuten login and Token API of %s first.", self.name))
        parameters = self.env['ir.config_parameter'].sudo()
        if timeout is None:
            timeout = float(parameters.get_param('rakuten_connector.timeout', const.DEFAULT_TIMEOUT))
        try:
            workers = int(parameters.get_param('rakuten_connector.workers') or const.DEFAULT_WORKERS)
        except ValueError:
            workers = const.DEFAULT_WORKERS
        return RakutenClient(company.rakuten_base_url or const.PRODUCTION_URL, company.rakuten_login,
                             company.rakuten_token, timeout=timeout, workers=workers)

    def _rakuten_error_detail(self, error):
        """What an unexpected error says, to be stored and shown: a database error as Odoo words it for the
        table it hit, else its type and text, never with a credential in it."""
        table = isinstance(error, DatabaseError) and error.diag.table_name
        if table:
            model = next((self.env[name] for name, cls in self.env.registry.items() if cls._table == table),
                         self.env['base'])
            return model._sql_error_to_message(error)
        return redact(f'{type(error).__name__}: {error}')

    def _rakuten_error_message(self, error):
        """A translated sentence telling the user what went wrong with a Rakuten call, and what to do
        (a UserError, such as missing credentials, already is one)."""
        if isinstance(error, UserError):
            return error.args[0]
        if isinstance(error, AuthError):
            return self.env._("Rakuten refused the login or the token. Check that the login is your shop name (not "
                     "your e-mail address), and regenerate the token in your Rakuten account if it changed.")
        if isinstance(error, QuotaError):
            return self.env._("Rakuten's hourly request quota is used up. Try again after the top of the hour.")
        if isinstance(error, RightsError):
            return self.env._("Your Rakuten account is not allowed to use this service (a PRO account is required; "
                     "some services must be enabled by Rakuten). Details: %s", error)
        if isinstance(error, ParameterError):
            return self.env._("Rakuten rejected the request: %s", error)
        if isinstance(error, TransientError):
            # The network's own words (addresses, sockets) are for the logs, not for the seller.
            if error.code == 'NetworkError':
                return self.env._("Rakuten could not be reached (no answer in time, or no network). Try again "
                                  "later.")
            return self.env._("Rakuten is unavailable right now (%(reason)s). Try again later.",
                              reason=error.code or error.message)
        if isinstance(error, ResponseError):
            return self.env._("Rakuten sent an answer that could not be read: %s", error)
        return self.env._("Rakuten error: %s", error)

    # === BUSINESS METHODS - RUNS === #

    @contextmanager
    def _rakuten_run_lock(self, key, until_commit=False):
        """One run at a time of a job (``key``) for this company: a session-level advisory lock, which outlives
        the run's commits and dies with its connection. Yields False when another run holds it.

        :param until_commit: a run that commits nothing itself (a button: its request commits after it) holds
            the lock until its transaction ends instead, so that no other run starts before its work is
            committed.
        """
        self.ensure_one()
        if until_commit:
            self.env.cr.execute('SELECT pg_try_advisory_xact_lock(%s, %s)', (key, self.id))
            yield self.env.cr.fetchone()[0]
            return
        self.env.cr.execute('SELECT pg_try_advisory_lock(%s, %s)', (key, self.id))
        if not self.env.cr.fetchone()[0]:
            yield False
            return
        try:
            yield True
        finally:
            try:
                self.env.cr.execute('SELECT pg_advisory_unlock(%s, %s)', (key, self.id))
            except DatabaseError:  # an aborted transaction refuses every query: end it, the lock outlives it
                self.env.cr.rollback()
                self.env.cr.execute('SELECT pg_advisory_unlock(%s, %s)', (key, self.id))

    @contextmanager
    def _rakuten_company_run(self, job):
        """This company's run of ``job``: an unexpected error (a bug, a database error) stops this run only. It
        is recorded as the job's status (Settings) and the caller goes on, with the next company for a job.

        A scheduled job commits its progress as it goes: after an unexpected error its transaction is rolled
        back to the last commit. Any other run (a button: its request commits after it) is in a savepoint; a
        concurrent update is raised there, for the request to be retried.
        """
        self.ensure_one()
        in_cron = bool(self.env.context.get('cron_id'))
        try:
            if in_cron:
                yield
                self.env.flush_all()  # a database error of its last writes is this run's, not the commit's
            else:
                with self.env.cr.savepoint():
                    yield
        except Exception as error:  # noqa: BLE001 - one company's bug must not stop the others
            if not in_cron and isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                raise
            _logger.exception("Rakuten %s of company %s: unexpected error", job, self.id)
            if in_cron:
                self.env.cr.rollback()  # what the run did since its last commit is not consistent
            detail = self._rakuten_error_detail(error)
            self._rakuten_job_status(job, {'state': 'failed', 'date': fields.Datetime.now(),
                                           'message': self._rakuten_unexpected_message(job, detail)})
            self.env['ir.cron']._rakuten_commit_progress()

    def _rakuten_unexpected_message(self, job, detail):
        if job == 'import':
            return self.env._("Unexpected error, the order import of this company stopped (the other companies "
                              "went on): %(error)s. The next run starts again; if it persists, report it with "
                              "this message.", error=detail)
        return self.env._("Unexpected error, the stock sync of this company stopped (the other companies went "
                          "on): %(error)s. The next run starts again; if it persists, report it with this "
                          "message.", error=detail)

    # === BUSINESS METHODS - LANGUAGE === #

    def _rakuten_lang(self):
        """The language of everything the connector writes for this company (reasons, chatter, activities),
        whoever runs it: the company partner's language when installed, else French when installed, else
        the current user's."""
        self.ensure_one()
        installed = dict(self.env['res.lang'].get_installed())
        for lang in (self.partner_id.lang, 'fr_FR'):
            if lang in installed:
                return lang
        return self.env.lang or 'en_US'

    def _rakuten_env(self, records):
        """``records`` bound to this company and to its language: every job and button runs through it."""
        self.ensure_one()
        return records.with_company(self).with_context(lang=self._rakuten_lang())

    # === BUSINESS METHODS - CONNECTION === #

    def _rakuten_test_connection(self):
        """Check the credentials with a cheap authenticated read and store the verdict.

        :return: (success, translated message)
        """
        self.ensure_one()
        try:
            connection = self._rakuten_client(timeout=15).check_connection()
        except (RakutenError, UserError) as error:
            message = self._rakuten_error_message(error)
            # Credentials refused or missing: the seller id read before is not this shop's. Rakuten down: it is.
            values = {'rakuten_seller_ref': False} if isinstance(error, (AuthError, UserError)) else {}
            self.sudo().write({
                **values,
                'rakuten_connection_state': 'failed',
                'rakuten_connection_message': message,
                'rakuten_connection_date': fields.Datetime.now(),
            })
            return False, message
        message = self.env._("Connected to Rakuten: shop %(login)s.", login=self.rakuten_login)
        self.sudo().write({
            'rakuten_seller_ref': connection.seller_id,
            'rakuten_connection_state': 'connected',
            'rakuten_connection_message': message,
            'rakuten_connection_date': fields.Datetime.now(),
        })
        return True, message

    # === BUSINESS METHODS - MAPPINGS === #

    def _rakuten_mapping_for(self, shipping_type):
        self.ensure_one()
        return self.env['rakuten.shipping.mapping'].sudo().search(
            [('company_id', '=', self.id), ('name', '=ilike', (shipping_type or '').strip())], limit=1,
        )

    def _rakuten_carrier_for(self, shipping_type):
        """The Odoo carrier for a Rakuten shipping type label: the mapping, else the default carrier."""
        return self._rakuten_mapping_for(shipping_type).carrier_id or self.sudo().rakuten_default_carrier_id

    def _rakuten_requires_tracking(self, shipping_type):
        """Whether the buyer paid for a tracked shipment (the mapping says, else Rakuten's known types)."""
        mapping = self._rakuten_mapping_for(shipping_type)
        return mapping.requires_tracking if mapping else (shipping_type or '').strip() in const.TRACKED_SHIPPING_TYPES

    def _rakuten_order_defaults(self):
        """What every Rakuten order of this company shares: warehouse, salesperson, sales team, EUR pricelist."""
        self.ensure_one()
        values = {
            'company_id': self.id,
            'warehouse_id': self._rakuten_warehouse().id,
            'user_id': self.rakuten_user_id.id,
            'pricelist_id': self.env['product.pricelist']._rakuten_euro(self).id,
        }
        if self.rakuten_team_id:
            values['team_id'] = self.rakuten_team_id.id
        return values

    def write(self, vals):
        if vals.get('rakuten_invoice_policy') == 'delivery':
            switched_on = self.filtered(lambda company: company.rakuten_invoice_policy != 'delivery')
            result = super().write(vals)
            switched_on.write({'rakuten_invoice_from': self.env.cr.now()})  # as the create dates of this transaction
            return result
        return super().write(vals)

    def _rakuten_payment_journal(self):
        """The company's Rakuten journal (a bank journal: Rakuten holds the buyers' money until it transfers
        it), created the first time it is needed."""
        self.ensure_one()
        journal = self.rakuten_journal_id.sudo()
        if not journal:
            journals = self.env['account.journal'].sudo().with_context(active_test=False)
            codes = set(journals.search([('company_id', '=', self.id)]).mapped('code'))
            code = next(code for code in ('RAKU', *(f'RAK{index}' for index in range(1, 100))) if code not in codes)
            journal = journals.create({'name': "Rakuten", 'code': code, 'type': 'bank', 'company_id': self.id})
            self.sudo().rakuten_journal_id = journal
            # Its payments read "Rakuten", not Odoo's "Manual Payment" (a journal the user chose keeps its names).
            (journal.inbound_payment_method_line_ids | journal.outbound_payment_method_line_ids).name = "Rakuten"
        # Its payments leave what Rakuten owes on the wallet account, where the transfers find it.
        methods = (journal.inbound_payment_method_line_ids | journal.outbound_payment_method_line_ids).filtered(
            lambda method: not method.payment_account_id)
        if methods:
            methods.write({'payment_account_id': self._rakuten_wallet_account().id})
        return self.rakuten_journal_id

    def _rakuten_wallet_account(self):
        """What Rakuten owes the company for the orders it collected (a reconcilable 467 account): the invoices'
        payments through the Rakuten journal debit it, Rakuten's transfers credit it. Created when first needed."""
        self.ensure_one()
        if self.rakuten_wallet_account_id:
            return self.rakuten_wallet_account_id
        accounts = self.env['account.account'].sudo().with_company(self)
        codes = set(accounts.search([('company_ids', 'in', self.id)]).mapped('code'))
        code = next(code for code in (f'4671{index:02d}' for index in range(100)) if code not in codes)
        account = accounts.create({'name': self.env._("Rakuten - amounts to receive"), 'code': code,
                                   'account_type': 'asset_current', 'reconcile': True,
                                   'company_ids': [fields.Command.set(self.ids)]})
        for lang, _name in self.env['res.lang'].get_installed():  # its name in every language of the database
            account.with_context(lang=lang).name = self.with_context(lang=lang).env._("Rakuten - amounts to receive")
        self.sudo().rakuten_wallet_account_id = account
        return account

    def _rakuten_partner(self):
        """Rakuten France, the supplier of the commissions and the subscription."""
        return self.env.ref('rakuten_connector.res_partner_rakuten')

    def _rakuten_fee_tax(self, rate):
        """The purchase tax of Rakuten's commissions at ``rate`` percent: the one set in the settings, else the
        company's default purchase tax, else any plain purchase tax of that rate; Rakuten's rate must match."""
        self.ensure_one()
        taxes = self.env['account.tax'].sudo().with_company(self)
        candidates = self.rakuten_fee_tax_id | self.account_purchase_tax_id | taxes.search([
            *taxes._check_company_domain(self), ('type_tax_use', '=', 'purchase'), ('amount_type', '=', 'percent'),
            ('price_include', '=', False)], order='sequence, id')
        tax = candidates.filtered(lambda tax: tax.amount_type == 'percent' and not tax.price_include
                                  and float_compare(tax.amount, rate, precision_digits=4) == 0
                                  and all(line.factor_percent >= 0 for line in tax.invoice_repartition_line_ids))[:1]
        if not tax:
            raise UserError(self.env._("No purchase tax of %(rate)s %% for Rakuten's commissions in %(company)s: "
                                       "create one or set it in the Rakuten settings.",
                                       rate=rakuten_percent(self.env, rate), company=self.name))
        return tax

    def _rakuten_fee_account(self):
        """The expense account of Rakuten's commissions and subscription: the settings', else 6222 (sales
        commissions) when the chart has it, else the company's expense account."""
        self.ensure_one()
        return self.rakuten_fee_account_id or self._rakuten_account_by_code('6222') or self.expense_account_id

    def _rakuten_adjustment_account(self):
        """Where Rakuten's adjustments go: the settings', else 758 (other operating income), else the income account."""
        self.ensure_one()
        return self.rakuten_adjustment_account_id or self._rakuten_account_by_code('758') or self.income_account_id

    def _rakuten_account_by_code(self, prefix):
        accounts = self.env['account.account'].sudo().with_company(self)
        return accounts.search([('company_ids', 'in', self.id), ('code', '=like', f'{prefix}%'),
                                ('active', '=', True)], order='code', limit=1)

    def _rakuten_accountant(self):
        """Who hears of a Rakuten transfer that waits: an accounting manager of the company, else the Rakuten
        salesperson."""
        self.ensure_one()
        managers = self.env.ref('account.group_account_manager').sudo().all_user_ids.filtered(
            lambda user: self in user.company_ids and not user.share and user.active)
        return managers.sorted('id')[:1] or self.rakuten_user_id

    def _rakuten_stock_sources(self):
        """The warehouses whose free quantity Rakuten gets: those marked *Rakuten Stock Source*, else the
        Rakuten warehouse."""
        self.ensure_one()
        warehouses = self.env['stock.warehouse'].with_company(self)  # this company's, whoever asks
        return warehouses.search([('company_id', '=', self.id), ('rakuten_stock_source', '=', True)]) \
            or self._rakuten_warehouse()

    def _rakuten_warehouse(self):
        self.ensure_one()
        return self.rakuten_warehouse_id or self.env['stock.warehouse'].with_company(self).search(
            [('company_id', '=', self.id)], limit=1,
        )
