import logging
from collections import defaultdict, namedtuple
from contextlib import contextmanager
from datetime import timedelta, timezone

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import float_compare, format_amount, split_every

from ..rakuten_connector import (
    RUN_STOPPERS, RakutenError, ResponseError, TransientError, const,
)
from ..rakuten_connector.deadlines import accept_deadline, last_day, ship_deadline
from ..rakuten_connector.records import sale_from_json, sale_to_json
from .rakuten_rights import SALESMAN, check_user_may
from .rakuten_sale_item import FINISHED, GONE_STATUSES

_logger = logging.getLogger(__name__)

SALE_STATES = [
    ('new', "New"),
    ('to_accept', "To Accept"),
    ('accepted', "Accepted"),
    ('imported', "Imported"),
    ('error', "Needs Attention"),
    ('refused', "Refused"),
    ('cancelled', "Cancelled"),
    ('handled', "Handled on Rakuten"),
]
# States of the sales followed until every unit is shipped, cancelled or closed (late and partial cancellations,
# claims settled on Rakuten).
FOLLOWED_STATES = ('new', 'to_accept', 'accepted', 'error', 'imported', 'handled')
# States of sales without order whose units may still wait for a decision (accept or refuse).
UNDECIDED_STATES = ('new', 'to_accept', 'error')
# Known statuses of units handled in Rakuten's back office (shipped and closed, under claim): never shipped here.
HANDLED_STATUSES = const.CLAIM_STATUSES | {'CLOSED'}
# Re-read sales purchased this long before the last sync: day-granular filter, late acceptances.
SYNC_OVERLAP = timedelta(days=1)
# Key of the PostgreSQL advisory lock taken by an import run (second key: the company id).
IMPORT_LOCK_KEY = 0x52414B55  # "RAKU"
# Sales whose orders are created and confirmed together (one savepoint, one commit in a job).
ORDER_BATCH = 50
# A sale's order, checked and ready to create: {(product, price): items}, carrier, buyer (res.partner's
# RakutenBuyer), and the total the buyer paid.
OrderPlan = namedtuple('OrderPlan', 'lines carrier buyer expected_total')


class RakutenSale(models.Model):
    """A Rakuten basket (``purchaseid``) as Rakuten sent it, and what became of it in Odoo.

    Every sale read from Rakuten is stored here before anything else happens, so that nothing is lost:
    a sale that cannot be imported stays here with the reason (state "Needs Attention") and is retried at
    each run, from the stored data, until it becomes a sale order.
    """
    _name = 'rakuten.sale'
    _description = "Rakuten Sale"
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _order = 'purchase_date desc, id desc'
    _rec_name = 'purchase_ref'
    _check_company_auto = True
    _mail_post_access = 'read'  # users read Rakuten sales: they note and do activities, the connector writes

    purchase_ref = fields.Char(string="Rakuten Purchase ID", required=True, readonly=True, index=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    purchase_date = fields.Datetime(readonly=True)
    accept_deadline = fields.Datetime(
        string="Accept Before", readonly=True,
        help="Rakuten cancels the sale when it is not accepted within 72 working hours (then until midnight).",
    )
    accept_by = fields.Date(
        compute='_compute_accept_by', store=True,
        help="The last day to accept the sale, until midnight (Paris time): Rakuten cancels a sale not accepted "
             "within 72 working hours.")
    buyer_name = fields.Char(readonly=True)
    buyer_login = fields.Char(string="Buyer Pseudo", readonly=True)
    shipping_type = fields.Char(readonly=True)
    relay_point = fields.Char(readonly=True)
    state = fields.Selection(SALE_STATES, default='new', required=True, readonly=True, tracking=True, index=True)
    error_message = fields.Text(string="Reason", readonly=True)
    held_for_stock = fields.Boolean(
        readonly=True, copy=False,
        help="The stock did not cover this sale when the connector decided: accepting it by hand asks first.")
    order_id = fields.Many2one('sale.order', string="Sale Order", readonly=True, check_company=True,
                               index='btree_not_null')
    item_ids = fields.One2many('rakuten.sale.item', 'sale_id', string="Items", readonly=True)
    # A sale not turned into an order yet (awaiting acceptance, held back) shows its buyer's messages itself.
    rakuten_message_ids = fields.One2many('rakuten.message', 'sale_id', string="Rakuten Messages", readonly=True)
    item_count = fields.Integer(string="Units", compute='_compute_amounts', store=True)
    amount_items = fields.Float(string="Items Total", digits='Product Price', compute='_compute_amounts',
                                store=True)
    shipping_amount = fields.Float(string="Shipping Paid", digits='Product Price', readonly=True)
    shipping_known = fields.Boolean(readonly=True)
    currency_id = fields.Many2one('res.currency', compute='_compute_currency_id',
                                  help="Rakuten France sells in euros.")
    payload = fields.Text(readonly=True, groups='base.group_system', copy=False)

    _purchase_company_unique = models.Constraint(
        'UNIQUE(company_id, purchase_ref)', "A Rakuten sale can only be stored once per company.",
    )

    # === COMPUTE METHODS === #

    @api.depends('item_ids.price')
    def _compute_amounts(self):
        for sale in self:
            sale.item_count = len(sale.item_ids)
            sale.amount_items = sum(sale.item_ids.mapped('price'))

    @api.depends('accept_deadline')
    def _compute_accept_by(self):
        """The deadline is midnight (Paris) ending the last day: that day, as a French seller reads a deadline."""
        for sale in self:
            sale.accept_by = sale.accept_deadline and last_day(sale.accept_deadline)

    def _compute_currency_id(self):
        self.currency_id = self.env.ref('base.EUR')

    # === ACTION METHODS === #

    def action_accept(self):
        """Button: accept every unit of these sales on Rakuten, then import them."""
        return self._rakuten_manual_decision(accept=True)

    def action_refuse(self):
        """Button: refuse every unit of these sales on Rakuten."""
        return self._rakuten_manual_decision(accept=False)

    def action_retry(self):
        """Button: try to import these sales again (after fixing a SKU, an address, a mapping…)."""
        check_user_may(self, SALESMAN)
        waiting = self.filtered(lambda sale: sale.state in ('new', 'to_accept'))
        if waiting:
            raise UserError(self.env._("The Rakuten sale %s waits for your decision: accept it (it is then imported) "
                              "or refuse it.", ', '.join(waiting.mapped('purchase_ref'))))
        for company, sales in self.grouped('company_id').items():
            # The user may act on these sales (checked above): the orders, buyers and deliveries are then made
            # with the connector's rights, as by the job (a salesman may not create contacts, say).
            sales = company._rakuten_env(sales).sudo()
            with sales._rakuten_button_lock(company):
                try:
                    sales._rakuten_import_orders(company._rakuten_client())
                except RakutenError as error:  # quota or credentials: say so, as the job would
                    raise UserError(company._rakuten_error_message(error)) from None
        return True

    def _rakuten_manual_decision(self, accept):
        """Accept or refuse these sales on Rakuten now. What Rakuten did is kept even when some calls failed:
        those sales show why (reason, activity) and the user is told, rather than undoing the others."""
        # Rights first: Rakuten must not be called for a user who may not decide (a salesman's decision).
        check_user_may(self, SALESMAN)
        sales = self.filtered(lambda sale: sale.state in ('new', 'to_accept', 'error') and not sale.order_id)
        problems = []
        for company, company_sales in sales.grouped('company_id').items():
            company_sales = company._rakuten_env(company_sales).sudo()  # rights checked above, as in action_retry
            with company_sales._rakuten_button_lock(company):
                client = company._rakuten_client()
                failures, stopped = company_sales._rakuten_decide(client, accept=accept)
                for sale, error in failures.items():
                    with sale._rakuten_isolated():
                        raise error
                    problems.append(self.env._("%(sale)s: %(reason)s", sale=sale.purchase_ref,
                                      reason=company._rakuten_error_message(error)))
                if stopped:
                    problems.append(company._rakuten_error_message(stopped))
                elif accept:
                    try:
                        company_sales.filtered(lambda sale: sale.state == 'accepted')._rakuten_import_orders(client)
                    except RakutenError as error:  # quota or credentials while reading the shipping paid
                        problems.append(company._rakuten_error_message(error))
        if not problems:
            return True
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'title': self.env._("Rakuten did not take every decision"), 'type': 'warning', 'sticky': True,
                       'message': '\n'.join(problems), 'next': {'type': 'ir.actions.client', 'tag': 'soft_reload'}},
        }

    @contextmanager
    def _rakuten_button_lock(self, company):
        """The import job's lock, for a button: held until the end of the transaction (released even when
        the button fails); a user clicking while the job runs is asked to try again."""
        self.env.cr.execute('SELECT pg_try_advisory_xact_lock(%s, %s)', (IMPORT_LOCK_KEY, company.id))
        if not self.env.cr.fetchone()[0]:
            raise UserError(self.env._("Rakuten orders of %s are being imported right now: try again in a moment.",
                              company.name))
        yield

    # === BUSINESS METHODS - RUN === #

    @api.model
    def _cron_import(self):
        companies = self.env['res.company'].sudo().search([
            ('rakuten_enabled', '=', True), ('rakuten_import_orders', '=', True),
            ('rakuten_login', '!=', False),
        ])
        for company in companies:
            company._rakuten_env(self)._rakuten_import(company)

    @api.model
    def _rakuten_import(self, company, until_commit=False):
        """One import run for ``company``: accept new sales, read accepted ones, create orders.

        :param until_commit: hold the company's import lock until the transaction ends (a button, *Import
            orders now*: nothing is committed before its request ends), not only during the run
        :return: False when another run of the same company holds the lock, else True.
        """
        if not self.env.su:  # a run writes Rakuten's bookkeeping: with the connector's rights, whoever starts it
            return self.sudo()._rakuten_import(company, until_commit=until_commit)
        company = company.with_env(self.env)  # its messages in the language this run is bound to
        with company._rakuten_run_lock(IMPORT_LOCK_KEY, until_commit=until_commit) as locked:
            if not locked:
                _logger.info("Rakuten import of company %s already running, skipped", company.id)
                return False
            with company._rakuten_company_run('import'):
                self._rakuten_import_steps(company)
            self.env['ir.cron']._rakuten_commit_progress()
        return True

    @api.model
    def _rakuten_import_steps(self, company):
        """The steps of an import run; a Rakuten error or a user error stops it, recorded as its status."""
        started = fields.Datetime.now()
        try:
            client = company._rakuten_client()
            failed = self._rakuten_accept_new_sales(company, client)
            self._rakuten_pending(company)._rakuten_import_orders(client)
            self._rakuten_read_current_sales(company, client)
            # Decided again as the sales now are: units accepted in the back office, stock freed by cancellations
            # (a sale whose call failed in this run waits for the next one).
            self._rakuten_decide_waiting(company, client, skip=failed)
            self._rakuten_pending(company)._rakuten_import_orders(client)
        except (RakutenError, UserError) as error:
            message = company._rakuten_error_message(error)
            company._rakuten_job_status('import', {'state': 'failed', 'message': message,
                                                   'date': fields.Datetime.now()})
            _logger.warning("Rakuten import of company %s stopped: %s", company.id, error)  # the technical text
        else:
            company._rakuten_job_status('import', {'state': 'ok', 'message': False, 'date': fields.Datetime.now(),
                                                   'last_sync': started})

    @api.model
    def _rakuten_pending(self, company):
        """Accepted sales without order, including those that failed before (retried each run)."""
        return self.search([('company_id', '=', company.id), ('state', 'in', ('accepted', 'error')),
                            ('order_id', '=', False)])

    # === BUSINESS METHODS - ACCEPTANCE === #

    @api.model
    def _rakuten_accept_new_sales(self, company, client):
        # Every page is read before accepting: an accepted sale leaves the list, which would shift the pages.
        sales = list(client.iter_new_sales())
        records = self._rakuten_store(company, sales)
        self.env['ir.cron']._rakuten_commit_progress()
        return self._rakuten_decide_waiting(company, client, records)

    @api.model
    def _rakuten_decide_waiting(self, company, client, records=None, skip=()):
        """Decide, by the company's policy, every sale with a unit still to decide: those just read, and those
        stored before: an acceptance that failed (a refused call, a network error on one unit of a basket) or a
        run stopped by the quota is tried again at each run, and a basket is never imported while one of its
        units waits.

        :param skip: ids of sales a call failed for earlier in this run: tried again at the next run only
        :return: ids of the sales a call failed for
        """
        undecided = self.search([('company_id', '=', company.id), ('state', 'in', UNDECIDED_STATES),
                                 ('order_id', '=', False), ('item_ids.status', '=', const.STATUS_TO_CONFIRM)])
        waiting = ((records or self.browse()) | undecided).filtered(
            lambda record: record.state in UNDECIDED_STATES and not record.order_id and record.item_ids._to_confirm())
        waiting = waiting.filtered(lambda sale: sale.id not in skip)
        if not waiting:
            return set()
        available = waiting._rakuten_available(company) if company.rakuten_accept_policy == 'stock' else {}
        to_accept = self.browse()
        for sale in waiting:
            if sale._rakuten_apply_policy(available):
                to_accept |= sale
        self.env['ir.cron']._rakuten_commit_progress()
        failures, stopped = to_accept._rakuten_decide(client, accept=True)
        for sale, error in failures.items():
            with sale._rakuten_isolated():
                raise error
        self.env['ir.cron']._rakuten_commit_progress()
        if stopped:
            raise stopped
        return {sale.id for sale in failures}

    def _rakuten_available(self, company):
        """{sku: units left to promise} for the units of these sales of ``company`` (none, in a quiet run):
        free quantity of the Rakuten stock sources minus the units of accepted sales not yet turned into
        orders, as the stock push (3 queries)."""
        skus = set(self.item_ids._to_confirm().mapped('sku'))
        products = self.env['product.product']._rakuten_by_sku(company, list(skus))
        free = self.env['product.product'].union(*products.values())._rakuten_free_qty(company)
        committed = self.env['rakuten.sale.item']._rakuten_committed(company, list(products))
        return {sku: free.get(product.id, 0) - committed.get(sku, 0) for sku, product in products.items()}

    def _rakuten_apply_policy(self, available):
        """Whether the company's policy accepts this sale now; when it does not, a user is asked to."""
        self.ensure_one()
        policy = self.company_id.rakuten_accept_policy
        if policy == 'stock':
            no_sku = self.env._("(no SKU)")  # out of the comprehension, whose frame gives _() no language
            unknown = sorted({sku or no_sku for sku in self.item_ids._to_confirm().mapped('sku')
                              if sku not in available})
            if unknown:  # the stock of a product that cannot be found cannot cover the sale
                self._rakuten_wait_for_user(self.env._(
                    "No product with the SKU %s: set it as Rakuten SKU or internal reference of the product, then "
                    "accept the sale (or let the next run accept it when the stock covers it).", ', '.join(unknown)))
                return False
            shortage = self._rakuten_stock_shortage(available)
            if shortage:
                self._rakuten_wait_for_user(self.env._(
                    "Not enough stock in the Rakuten stock sources for: %(shortage)s. Restock, or accept the sale "
                    "if you can ship it anyway.", shortage=', '.join(
                        self.env._("%(sku)s (%(needed)s needed, %(available)s available)", sku=sku, needed=needed,
                                   available=max(int(left), 0)) for sku, needed, left in shortage)), for_stock=True)
                return False
        elif policy == 'manual':
            self._rakuten_wait_for_user(self.env._("Accept or refuse this Rakuten sale."))
            return False
        return True

    def _rakuten_stock_shortage(self, available):
        """(SKU, units needed, units available) of the known products of this sale that ``available`` (units left
        in this run, per SKU) cannot cover; when it can, the units are taken from ``available`` so that the next
        sales of the run see what is left."""
        self.ensure_one()
        needed = defaultdict(int)
        for item in self.item_ids._to_confirm():
            needed[item.sku] += 1
        shortage = [(sku, quantity, available.get(sku, 0)) for sku, quantity in sorted(needed.items())
                    if available.get(sku, 0) < quantity]
        if not shortage:
            for sku, quantity in needed.items():
                available[sku] -= quantity
        return shortage

    def _rakuten_decide(self, client, accept):
        """Accept or refuse every unit still waiting of these sales, one call per unit, the calls of all the
        sales running concurrently (``rakuten_connector.workers``); Rakuten's "already done" answers count as
        done. A sale is decided only when every one of its calls succeeded: otherwise it is left as it was
        (a unit Rakuten did accept answers "already accepted" at the next try).

        :return: ``(failures, stopped)``: {sale: error} for the sales one call failed for, and the error that
            stopped the calls (quota, credentials, rights) or None
        """
        country = self.company_id[:1].rakuten_shipping_country_code or const.FRANCE_COUNTRY_CODE
        call = (lambda itemid: client.accept_sale(itemid, country)) if accept else client.refuse_sale
        answers, stopped = client.map_calls(call, self.item_ids._to_confirm().mapped('itemid'))
        failures = {}
        for sale in self:
            sale_answers = {itemid: answers.get(itemid) for itemid in sale.item_ids._to_confirm().mapped('itemid')}
            error = next((answer for answer in sale_answers.values() if isinstance(answer, Exception)), None)
            if error:
                failures[sale] = error
            # What Rakuten did is recorded even when another unit of the basket failed: that unit alone waits.
            sale._rakuten_apply_decisions({itemid: answer for itemid, answer in sale_answers.items()
                                           if answer is not None and not isinstance(answer, Exception)})
        return failures, stopped

    def _rakuten_apply_decisions(self, decisions):
        """Record Rakuten's answers ({itemid: Decision}) for the units of this sale still waiting; the sale is
        decided once none of its units waits any more."""
        self.ensure_one()
        decided = self.item_ids._to_confirm().filtered(lambda item: item.itemid in decisions)
        if not decided:
            return
        for item in decided:
            decision = decisions[item.itemid]
            if decision.outcome == const.OUTCOME_ALREADY_CANCELLED:
                item.status = const.STATUS_CANCELLED
            elif decision.accepted:
                item.status = const.STATUS_ACCEPTED
            else:
                item.status = const.STATUS_REFUSED
        if self.item_ids._to_confirm():
            return  # the other units are tried again at the next run
        if self.state == 'error':
            self.write({'state': 'new', 'error_message': False})  # the decision failed before: decided now
        self._rakuten_update_state()
        self.activity_unlink(['mail.mail_activity_data_todo'])
        if self.state == 'refused':
            self.message_post(body=self.env._("Refused on Rakuten."))
        elif self.state == 'accepted':
            self.message_post(body=self.env._("Accepted on Rakuten."))

    def _rakuten_wait_for_user(self, reason, for_stock=False):
        self.ensure_one()
        if self.held_for_stock != for_stock:
            self.held_for_stock = for_stock
        if self.state != 'to_accept' or self.error_message != reason:
            self.write({'state': 'to_accept', 'error_message': reason})
            self._rakuten_activity(self.env._("Rakuten sale %s to accept", self.purchase_ref), reason,
                                   deadline=self.accept_deadline)

    # === BUSINESS METHODS - READING SALES === #

    @api.model
    def _rakuten_read_current_sales(self, company, client):
        """Store the sales purchased since the oldest open one (or the last sync minus an overlap), with the
        current status of each unit, and apply cancellations to their orders: one read of every page."""
        since = self._rakuten_since(company)
        read_at = fields.Datetime.now()
        for page in client.iter_current_sales_pages(since=since):
            records = self._rakuten_store(company, page.sales)
            self.env['ir.cron']._rakuten_commit_progress()
            late = records.filtered('order_id').item_ids._rakuten_late()
            products = late and self.env['product.product']._rakuten_by_sku(company, list(set(late.mapped('sku'))))
            for sale in records:
                with sale._rakuten_isolated():  # a cancellation whose answer was lost, settled by this read
                    sale.item_ids._rakuten_cancel_read_back(read_at)
                if sale.order_id:
                    with sale._rakuten_isolated():
                        sale._rakuten_sync_cancellations()
                    with sale._rakuten_isolated():
                        sale._rakuten_join_late_units(products, client)
            self.env['ir.cron']._rakuten_commit_progress()

    @api.model
    def _rakuten_since(self, company):
        """First purchase day to read: the last sync minus the overlap, or the purchase of the oldest sale
        still open (not every unit shipped, cancelled or closed) within the follow window, when older."""
        now = fields.Datetime.now()
        start = (company.rakuten_last_order_sync or now) - SYNC_OVERLAP
        oldest = self.search(self._rakuten_open_domain(company, now), order='purchase_date', limit=1)
        if oldest.purchase_date:
            start = min(start, oldest.purchase_date)
        return start.date()

    @api.model
    def _rakuten_open_domain(self, company, now):
        """Sales still followed: a unit neither finished on Rakuten nor confirmed as despatched, and an order
        (if any) neither cancelled nor fully delivered in Odoo (despatch confirmed outside Odoo, or not at all,
        must not keep every run reading back to it)."""
        return [('company_id', '=', company.id), ('state', 'in', FOLLOWED_STATES),
                ('purchase_date', '>=', now - timedelta(days=company.rakuten_follow_days)),
                ('item_ids', 'any', [('status', 'not in', list(FINISHED)), ('tracking_sent', '=', False)]),
                '|', '|', ('order_id', '=', False),
                '&', ('order_id.state', '!=', 'cancel'), ('order_id.delivery_status', '!=', 'full'),
                # a seller's cancellation under way is settled by reading the sale, whatever its order
                ('item_ids.cancel_state', 'in', ('to_send', 'sending', 'to_check'))]

    @api.model
    def _rakuten_store(self, company, sales):
        """Create or update the records of ``sales`` (dataclasses) in a few queries; return them."""
        # A sale read twice in one read (Rakuten's pages shift while they are read) is stored once, as last read.
        sales = list({sale.purchaseid: sale for sale in sales}.values())
        existing = self.search([('company_id', '=', company.id),
                                ('purchase_ref', 'in', [sale.purchaseid for sale in sales])])
        by_purchase = {record.purchase_ref: record for record in existing}
        items = self.env['rakuten.sale.item'].search([('sale_id', 'in', existing.ids)])
        by_itemid = {item.itemid: item for item in items}
        to_create = []
        for sale in sales:
            record = by_purchase.get(sale.purchaseid)
            if record is None:
                to_create.append(self._rakuten_values(company, sale))
                continue
            new_items = []
            for item in sale.items:
                stored = by_itemid.get(item.itemid)
                if stored is None:
                    new_items.append(fields.Command.create(self._rakuten_item_values(item)))
                    continue
                if stored.status != item.status:
                    stored.status = item.status
                if not stored.order_line_id and item.price and (stored.price_unread or float_compare(
                        stored.price, float(item.price.amount), precision_digits=2)):
                    # read again before it joins an order: the price paid, once readable
                    stored.write({'price': float(item.price.amount), 'price_unread': False})
            if new_items:
                record.write({'item_ids': new_items})
            if not record.order_id:
                record.sudo().payload = sale_to_json(sale)
            record._rakuten_update_state()
        created = self.create(to_create) if to_create else self.browse()
        for record in created:
            record._rakuten_update_state()
        return existing | created

    @api.model
    def _rakuten_values(self, company, sale):
        person = sale.delivery_address or sale.billing_address or sale.relay_point
        relay = sale.relay_point
        return {
            'company_id': company.id,
            'purchase_ref': sale.purchaseid,
            'purchase_date': sale.purchase_date and sale.purchase_date.astimezone(timezone.utc).replace(tzinfo=None),
            'accept_deadline': sale.purchase_date and accept_deadline(sale.purchase_date).replace(tzinfo=None),
            'buyer_name': person and ' '.join(filter(None, (person.firstname, person.lastname))),
            'buyer_login': sale.buyer_login,
            'shipping_type': sale.shipping_type,
            'relay_point': relay and f'{relay.name} ({relay.id})',
            'payload': sale_to_json(sale),
            'item_ids': [fields.Command.create(self._rakuten_item_values(item)) for item in sale.items],
        }

    @api.model
    def _rakuten_item_values(self, item):
        return {'itemid': item.itemid, 'sku': item.sku, 'headline': item.headline, 'status': item.status,
                'price': float(item.price.amount) if item.price else 0.0, 'price_unread': not item.price}

    def _rakuten_update_state(self):
        """Follow the items of sales without order: accepted (on Rakuten or here), refused/cancelled as a
        whole, or handled in Rakuten's back office (nothing to ship: shipped, closed or under claim).

        Only units in a "ship it" status become order lines; a unit in an unknown status is shown to a user."""
        for sale in self.filtered(lambda sale: not sale.order_id):
            statuses = set(sale.item_ids.mapped('status'))
            if not statuses:
                continue
            if statuses <= GONE_STATUSES:
                values = {'state': 'refused' if const.STATUS_REFUSED in statuses else 'cancelled',
                          'error_message': False}
            elif const.STATUS_TO_CONFIRM in statuses:
                continue  # decided first, whole: a basket is never imported while one of its units waits
            elif sale.item_ids._importable():
                if sale.state not in ('new', 'to_accept', 'handled'):
                    continue
                values = {'state': 'accepted', 'error_message': False}
            elif statuses - GONE_STATUSES <= HANDLED_STATUSES:
                if sale.state == 'handled':
                    continue
                values = {'state': 'handled', 'error_message': self.env._(
                    "Not imported: Rakuten shows its units as %s (shipped and closed, or under claim in the Rakuten "
                    "back office), so there is nothing to ship from Odoo.", ', '.join(sorted(statuses)))}
            else:
                sale._rakuten_needs_attention(self.env._(
                    "Not imported: Rakuten shows its units in a status the connector does not know (%s). Check "
                    "the sale in the Rakuten back office; it is imported when its units are to be shipped.",
                    ', '.join(sorted(statuses))))
                continue
            sale.write(values)
            sale.activity_unlink(['mail.mail_activity_data_todo'])

    # === BUSINESS METHODS - ORDERS === #

    def _rakuten_import_orders(self, client):
        """Create the sale order of each accepted sale, by batches (``_rakuten_create_orders``), progress
        committed after each batch; failures kept visible per sale. The shipping costs still unknown are read
        concurrently meanwhile, in the order of the batches (``RakutenClient.calls_under_way``)."""
        sales = self.filtered(lambda sale: not sale.order_id and sale.item_ids._importable()
                              and not sale.item_ids._to_confirm())
        products = self.env['product.product']._rakuten_by_sku(
            self.company_id[:1], list(set(sales.item_ids._importable().mapped('sku'))),
        ) if sales else {}
        unknown = sales.filtered(lambda sale: not sale.shipping_known)
        stopped = None
        with client.calls_under_way(client.get_billing_information, unknown.mapped('purchase_ref')) as billing:
            try:
                for batch in split_every(ORDER_BATCH, sales.ids, self.browse):
                    stopped = batch._rakuten_apply_billing(billing)
                    if stopped:  # quota or credentials: the sales whose billing is known still become orders
                        batch = batch.filtered('shipping_known')
                    batch._rakuten_create_orders(client, products)
                    self.env['ir.cron']._rakuten_commit_progress()
            except RUN_STOPPERS:  # a read of the job itself was refused: keep what the reads under way got
                unknown._rakuten_apply_billing(billing, wait=False)
                self.env['ir.cron']._rakuten_commit_progress()
                raise
        if stopped:
            raise stopped

    def _rakuten_apply_billing(self, billing, wait=True):
        """Store the shipping cost the buyer paid of these sales that lack it, from ``billing`` (the reads under
        way); a sale whose read failed is read again (and its error recorded) when its order is created.

        :return: the error that stopped the reads (quota, credentials, rights), or None
        """
        unknown = self.filtered(lambda sale: not sale.shipping_known)
        billings, stopped = billing(unknown.mapped('purchase_ref'), wait=wait)
        for sale in unknown:
            answer = billings.get(sale.purchase_ref)
            if answer is not None and not isinstance(answer, Exception):
                sale._rakuten_store_billing(answer)
        return stopped

    def _rakuten_store_billing(self, billing):
        """Keep the shipping the buyer paid for each unit (Rakuten bills it per item) from ``billing``
        (BillingInformation); the sale's shipping is that of its units to ship."""
        self.ensure_one()
        shipping = {line.itemid: float(line.shipping_price) for line in billing.items
                    if 'shippingsaleprice' not in line.unreadable}
        fees = {line.itemid: float(line.commission_total) for line in billing.items if not line.unreadable}
        for item in self.item_ids.filtered(lambda item: item.itemid in shipping or item.itemid in fees):
            values = {'shipping_price': shipping[item.itemid]} if item.itemid in shipping else {}
            if item.itemid in fees:  # compared with what Rakuten keeps when it pays the unit
                values.update(billed_fees=fees[item.itemid], billed_fees_known=True)
            item.write(values)
        unknown = self.item_ids._importable().filtered(lambda item: item.itemid not in shipping)
        if not unknown:  # else never a shipping of 0 guessed for a unit: the sale waits, its billing read again
            self.write({'shipping_amount': sum(self.item_ids._importable().mapped('shipping_price')),
                        'shipping_known': True})
        return unknown

    def _rakuten_create_orders(self, client, products):
        """The orders of these sales (one company), together: each sale is checked on its own first (an unknown
        SKU, a missing carrier, an incomplete address stay that sale's reason), then the buyers and orders of
        the sales ready are created, confirmed and linked to their sale in one savepoint. When that fails, they
        are done again one sale at a time, so that a bad sale is isolated with its reason and the others go on.
        """
        batch = {'products': products, 'carriers': {},
                 'returning': self.env['res.partner']._rakuten_returning(self.company_id[:1],
                                                                         self.mapped('buyer_login'))}
        plans = {}
        for sale in self:
            with sale._rakuten_isolated():
                plans[sale] = sale._rakuten_order_plan(client, batch)
        ready = self.browse([sale.id for sale in plans])
        # Sales that failed before make a batch of their own: one that fails at creation would otherwise make
        # the new sales' batch fail at each run.
        retried = ready.filtered(lambda sale: sale.state == 'error')
        for group in (ready - retried, retried):
            group._rakuten_create_together(client, plans, batch)

    def _rakuten_create_together(self, client, plans, batch):
        """The orders of these checked sales in one savepoint; when that fails, one sale at a time."""
        if len(self) > 1:
            try:
                with self.env.cr.savepoint():
                    self._rakuten_create_planned(plans, batch)
                return
            except RUN_STOPPERS:
                raise
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise  # another transaction changed the same rows: the whole run is retried later
            except Exception:  # noqa: BLE001 - the sales are done again one by one, each with its reason
                _logger.info("Rakuten sales %s: created one by one after the batch failed", self.ids, exc_info=True)
        for sale in self:
            with sale._rakuten_isolated():
                sale._rakuten_create_order(client, batch)

    def _rakuten_create_order(self, client, batch):
        """This sale's order alone, checked again (a buyer created since is found)."""
        self.ensure_one()
        batch = dict(batch, returning=self.env['res.partner']._rakuten_returning(self.company_id, [self.buyer_login]))
        return self._rakuten_create_planned({self: self._rakuten_order_plan(client, batch)}, batch)

    def _rakuten_order_plan(self, client, batch):
        """What this sale's order is made of, checked: a user error says what is missing; the shipping paid is
        read when still unknown.

        :param batch: what the sales of a batch share: ``products`` {sku: product}, ``carriers`` {shipping type:
            carrier} and ``order_values`` (filled here), ``returning`` {buyer login: customer}
        """
        self.ensure_one()
        company = self.company_id
        if 'order_values' not in batch:  # a missing EUR pricelist is each sale's reason
            batch['order_values'] = company._rakuten_order_defaults()
        sale = sale_from_json(self.sudo().payload)
        items = self.item_ids._importable()
        items._rakuten_check_prices()
        lines = self._rakuten_order_lines(items, batch['products'])
        if self.shipping_type not in batch['carriers']:
            batch['carriers'][self.shipping_type] = company._rakuten_carrier_for(self.shipping_type)
        carrier = batch['carriers'][self.shipping_type]
        if not carrier:
            raise UserError(self.env._("No carrier for the Rakuten shipping type \"%s\": map it in Sales > "
                              "Configuration > Rakuten Shipping Mapping, or set a default carrier.",
                              self.shipping_type))
        if not self.shipping_known:
            unknown = self._rakuten_store_billing(client.get_billing_information(self.purchase_ref))
            if unknown:
                raise UserError(self.env._("Rakuten's billing gives no readable shipping paid for the units %s: the "
                                  "order is not made with a guessed shipping. It is read again at the next run.",
                                  ', '.join(unknown.mapped('itemid'))))
        shipping = sum(items.mapped('shipping_price'))  # of the units shipped: none for those cancelled before
        if float_compare(shipping, self.shipping_amount, precision_digits=2):
            self.shipping_amount = shipping
        buyer = self.env['res.partner']._rakuten_buyer(company, sale, batch['returning'])
        return OrderPlan(lines, carrier, buyer, sum(items.mapped('price')) + shipping)

    def _rakuten_create_planned(self, plans, batch):
        """Create, confirm and link the orders of these sales from their ``plans`` ({sale: OrderPlan}): one
        create of the buyers, one of the orders, one confirmation."""
        company = self.company_id[:1]
        plans = [plans[sale] for sale in self]
        partners = self.env['res.partner']._rakuten_partners(company, [plan.buyer for plan in plans])
        orders = self.env['sale.order'].with_company(company).create([
            sale._rakuten_order_values(customer, delivery, plan.lines, batch['order_values'])
            for sale, plan, (customer, delivery) in zip(self, plans, partners)
        ])
        for sale, plan, order in zip(self, plans, orders):
            for line, line_items in zip(order.order_line.sorted('id'), plan.lines.values()):
                line_items.order_line_id = line
            order._rakuten_set_shipping(plan.carrier, sale.shipping_amount)
        orders._rakuten_include_taxes()
        orders.action_confirm()
        for sale, plan, order in zip(self, plans, orders):
            sale._rakuten_date_order(order)
            order._rakuten_check_total(plan.expected_total)
            sale.write({'order_id': order.id, 'state': 'imported', 'error_message': False})
        self.activity_unlink(['mail.mail_activity_data_todo'])
        bodies = {}
        for sale, order in zip(self, orders):
            # A link to the Rakuten sale, as Odoo's chatter links records.
            bodies[order.id] = self.env._("Imported from Rakuten sale %s.", sale._get_html_link(sale.purchase_ref))
        orders._message_log_batch(bodies)
        return orders

    def _rakuten_date_order(self, order):
        """Confirmation dates an order "now": back to the Rakuten purchase date, which reports, deadlines and
        invoices use. The deadlines of its moves follow, as Odoo does when a customer lead time changes (and a
        later quantity change then merges into the same moves)."""
        if not self.purchase_date:
            return
        order.date_order = self.purchase_date
        if order.commitment_date:
            return
        for line in order.order_line:
            line.move_ids.filtered(lambda move: move.state not in ('done', 'cancel')).date_deadline = \
                line._expected_date()

    def _rakuten_order_lines(self, items, products):
        """Items grouped by (product, price paid): {(product, price): items}."""
        lines = {}
        unknown = []
        for item in items:
            product = products.get(item.sku)
            if not product:
                unknown.append(item.sku or self.env._("(empty SKU)"))
                continue
            lines.setdefault((product, item.price), self.env['rakuten.sale.item'])
            lines[product, item.price] |= item
        if unknown:
            raise UserError(self.env._("No product with the SKU %s: set it as Rakuten SKU or internal reference of the "
                              "product, then retry.", ', '.join(sorted(set(unknown)))))
        return lines

    def _rakuten_order_values(self, customer, delivery, lines, defaults):
        """``defaults``: what every Rakuten order of the company shares (``res.company._rakuten_order_defaults``)."""
        return {
            **defaults,
            'partner_id': customer.id,
            'partner_invoice_id': customer.id,
            'partner_shipping_id': delivery.id,
            'client_order_ref': self.purchase_ref,
            'origin': self.env._("Rakuten %s", self.purchase_ref),
            'rakuten_purchase_ref': self.purchase_ref,
            'rakuten_sale_id': self.id,
            'date_order': self.purchase_date or fields.Datetime.now(),
            'order_line': [
                fields.Command.create({
                    'product_id': product.id,
                    'product_uom_qty': len(line_items),
                    'price_unit': price,
                }) for (product, price), line_items in lines.items()
            ],
        }

    # === BUSINESS METHODS - CANCELLATIONS === #

    def _rakuten_sync_cancellations(self):
        """Apply the units Rakuten cancelled to this sale's order: the whole order when nothing left yet, else
        the cancelled units still in the warehouse leave their line (and the delivery) at the price paid, with
        the shipping Rakuten refunds for them; a user is asked to act for those already gone."""
        self.ensure_one()
        order = self.order_id
        cancelled = self.item_ids.filtered(
            lambda item: item.status == const.STATUS_CANCELLED and (item.order_line_id or not item.shipping_refunded
                                                                    and item.cancel_state))
        if not cancelled or order.state == 'cancel':
            return
        in_order = self.item_ids.filtered('order_line_id')
        if in_order and cancelled.filtered('order_line_id') == in_order \
                and not any(order.order_line.mapped('qty_delivered')):
            order._action_cancel()
            order.message_post(body=self.env._("Cancelled on Rakuten: order cancelled."))
            self.state = 'cancelled'
            return
        removed = self._rakuten_remove_units(cancelled.filtered('order_line_id'))
        # Units taken off the order in Odoo before Rakuten cancelled them: their shipping is refunded too.
        off_order = self.item_ids.filtered(lambda item: item.status == const.STATUS_CANCELLED and item.cancel_state
                                           and not item.order_line_id)
        refunded = self._rakuten_refund_shipping(removed | off_order)
        if removed:
            order.message_post(body=self.env._(
                "Cancelled on Rakuten, removed from this order and its delivery: %(units)s.",
                units=removed._rakuten_products()))
        gone = cancelled.filtered('order_line_id') - removed
        after_shipping = gone and self._rakuten_cancelled_after_shipping(gone)
        if gone:
            order._rakuten_mark_to_invoice()  # refunded by Rakuten after they left: credited if invoiced
        if refunded or after_shipping:
            self._rakuten_check_order_total()

    def _rakuten_refund_shipping(self, items):
        """The shipping of ``items`` (units that left the order) comes off the order's shipping line, once per
        unit whatever path took them off; return the units refunded."""
        refund = items.filtered(lambda item: not item.shipping_refunded)
        if refund:
            self.order_id._rakuten_reduce_shipping(sum(refund.mapped('shipping_price')))
            refund.shipping_refunded = True
            self.shipping_amount = max(self.shipping_amount - sum(refund.mapped('shipping_price')), 0.0)
        return refund

    def _rakuten_remove_units(self, items):
        """Take the undelivered ``items`` out of their order lines (the delivery follows the line's quantity),
        the line keeping the price the buyer paid; return the units removed."""
        order = self.order_id
        removed = self.env['rakuten.sale.item']
        with order._rakuten_unlocked():
            for line, line_items in items.grouped('order_line_id').items():
                undelivered = int(line.product_uom_qty - line.qty_delivered)
                removable = line_items.filtered(lambda item: not item.picking_id)[:max(undelivered, 0)]
                if removable:
                    # Written with its price: Odoo would otherwise reprice the line from the pricelist.
                    line.with_context(rakuten_connector=True).write({
                        'product_uom_qty': line.product_uom_qty - len(removable),
                        'price_unit': line.price_unit})
                    removable.order_line_id = False
                    removed |= removable
        return removed

    def _rakuten_expected_total(self):
        """What Rakuten pays for this sale's order: the units on its lines that Rakuten did not cancel or
        refuse, and their shipping."""
        self.ensure_one()
        items = self.item_ids.filtered(lambda item: item.order_line_id and item.status not in GONE_STATUSES)
        return sum(items.mapped('price')) + sum(items.mapped('shipping_price'))

    def _rakuten_check_order_total(self):
        """After the connector changed the order's lines: its chatter says so when its total is no longer what
        Rakuten pays."""
        self.ensure_one()
        cancelled_sent = self.item_ids.filtered(
            lambda item: item.order_line_id and item.status in GONE_STATUSES)
        reason = cancelled_sent and self.env._(
            "Rakuten cancelled units that already left (%s): the buyer is refunded by Rakuten.",
            cancelled_sent._rakuten_skus())
        self.order_id._rakuten_check_total(self._rakuten_expected_total(), reason=reason)

    def _rakuten_join_late_units(self, products, client):
        """Units accepted after the order was made (in the back office, or a claim settled: "ship it") join it,
        at the price the buyer paid and with their shipping; an order that cannot take them any more (cancelled,
        locked by a user) makes the sale need attention."""
        self.ensure_one()
        order = self.order_id
        late = self.item_ids._rakuten_late()
        if not late or not order:
            return
        if order.state != 'sale':
            self._rakuten_needs_attention(self.env._(
                "Rakuten accepted units (%(skus)s) after the order %(order)s was cancelled: ship them from a new "
                "order or cancel them on Rakuten.", skus=late._rakuten_skus(), order=order.name))
            return
        late._rakuten_check_prices()
        lines = self._rakuten_order_lines(late, products)
        # Their shipping: the billing read when the order was made may not have listed them (a basket first seen
        # among the new sales lists only the units to accept).
        unknown = self._rakuten_store_billing(client.get_billing_information(self.purchase_ref))
        if unknown & late:
            raise UserError(self.env._("Rakuten's billing gives no readable shipping paid for the units %s: the order "
                              "is not made with a guessed shipping. It is read again at the next run.",
                              ', '.join((unknown & late).mapped('itemid'))))
        with order._rakuten_unlocked():
            new_lines = self.env['sale.order.line'].create([{
                'order_id': order.id, 'product_id': product.id, 'product_uom_qty': len(line_items),
                'price_unit': price,
            } for (product, price), line_items in lines.items()])
            for line, line_items in zip(new_lines, lines.values()):
                line_items.order_line_id = line
            order._rakuten_include_taxes()
            order._rakuten_reduce_shipping(-sum(late.mapped('shipping_price')))
        order.message_post(body=self.env._(
            "Accepted on Rakuten after this order was made, added to it: %(units)s.",
            units=late._rakuten_products()))
        self._rakuten_check_order_total()

    def _rakuten_seller_cancelled(self, items):
        """The seller's cancellation of ``items`` (units of this sale) went through on Rakuten: said on the sale
        and the order; units still on an open order leave it (their shipping refunded); those already removed
        in Odoo take their shipping off the shipping line."""
        self.ensure_one()
        order = self.order_id
        body = self.env._("Cancelled on Rakuten at the seller's request: %(units)s. Rakuten refunds the buyer.",
                          units=items._rakuten_products())
        self.message_post(body=body)
        if not order or order.state == 'cancel':
            if set(self.item_ids.mapped('status')) <= GONE_STATUSES:
                self.state = 'cancelled'
            return
        order.message_post(body=body)
        if not self.item_ids.filtered(lambda item: item.cancel_state == 'to_decide'):
            summary = self._rakuten_to_decide_summary()
            order.activity_ids.filtered(lambda activity: activity.summary == summary).unlink()
        self._rakuten_sync_cancellations()

    def _rakuten_units_to_decide(self, items, note=None):
        """``items`` left the order in Odoo (or can no longer be shipped: ``note`` says why) but Rakuten still
        shows them accepted: the buyer waits. A user is asked to ship them or cancel them on Rakuten, by the day
        they should have left."""
        self.ensure_one()
        target = self.order_id or self
        summary = self._rakuten_to_decide_summary()
        note = note or self.env._(
            "Taken off the order in Odoo, still accepted on Rakuten where the buyer waits: %(units)s. Cancel on "
            "Rakuten (button on the order) or ship.",
            units=items._rakuten_products())
        target.message_post(body=note)
        if target.activity_ids.filtered(lambda activity: activity.summary == summary):
            return
        deadline = self.purchase_date and ship_deadline(self.purchase_date.replace(tzinfo=timezone.utc))
        target.activity_schedule('mail.mail_activity_data_todo', summary=summary, note=note,
                                 date_deadline=deadline and deadline.date(), user_id=self._rakuten_responsible().id)

    def _rakuten_shipping_kept(self, items):
        """``items`` were taken off their line by a user: their price left the order, their shipping stays on it
        until Rakuten cancels them (then it is refunded once, as for Rakuten's cancellations): the order says so."""
        self.ensure_one()
        shipping = sum(items.filtered(lambda item: not item.shipping_refunded).mapped('shipping_price'))
        if shipping and self.order_id:
            order = self.order_id.with_context(lang=self.company_id._rakuten_lang())  # the company's language
            order.message_post(body=order.env._(
                "Until the units taken off this order (%(skus)s) are cancelled on Rakuten, its total keeps their "
                "shipping (%(amount)s).",
                skus=items._rakuten_products(), amount=format_amount(order.env, shipping, order.currency_id)))

    def _rakuten_to_decide_summary(self):
        return self.env._("Rakuten units to ship or cancel: %s", self.purchase_ref)

    def _rakuten_seller_cancel_failed(self, items, reason):
        """Rakuten refused to cancel ``items``: they stay as they are; the order says why and a user acts."""
        self.ensure_one()
        target = self.order_id or self
        note = self.env._("Rakuten did not cancel %(units)s: %(reason)s", units=items._rakuten_products(),
                          reason=reason)
        target.message_post(body=note)
        target.activity_schedule('mail.mail_activity_data_todo', note=note, user_id=self._rakuten_responsible().id,
                                 summary=self.env._("Rakuten cancellation failed: %s", self.purchase_ref))

    def _rakuten_cancelled_after_shipping(self, items):
        """Units cancelled on Rakuten after they left: an activity on the delivery that shipped them."""
        order = self.order_id
        target = items.picking_id[-1:] or order.picking_ids.filtered(
            lambda picking: picking.state == 'done' and picking.picking_type_code == 'outgoing')[-1:] or order
        summary = self.env._("Rakuten cancelled items of %s", self.purchase_ref)
        if target.activity_ids.filtered(lambda activity: activity.summary == summary):
            return False
        note = self.env._("Rakuten cancelled %(units)s of order %(order)s, already shipped: the buyer is refunded "
                          "by Rakuten; get the parcel back or contact the buyer.",
                          units=items._rakuten_products(), order=order.name)
        target.activity_schedule('mail.mail_activity_data_todo', summary=summary, note=note,
                                 user_id=self._rakuten_responsible().id)
        return True

    # === BUSINESS METHODS - ATTENTION === #

    @contextmanager
    def _rakuten_isolated(self):
        """One sale's step in its own savepoint: errors that stop the run propagate, transient ones wait for
        the next run, the others (unexpected ones included: a database constraint, a bug) put the sale in the
        attention list with a readable reason; the other sales go on."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                yield
        except RUN_STOPPERS:
            raise
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # another transaction changed the same rows: the whole run is retried later
        except (TransientError, ResponseError) as error:
            _logger.info("Rakuten sale %s left for the next run: %s", self.purchase_ref, error)
        except (RakutenError, UserError) as error:
            self._rakuten_needs_attention(self.company_id._rakuten_error_message(error))
        except Exception as error:  # noqa: BLE001 - one sale's bug must not stop the others
            _logger.exception("Rakuten sale %s: unexpected error", self.purchase_ref)
            self._rakuten_needs_attention(self._rakuten_unexpected_reason(error))

    def _rakuten_unexpected_reason(self, error):
        return self.env._("Unexpected error, the other sales went on: %s. Fix the cause, then retry; if it persists, "
                 "report it with this message.", self.company_id._rakuten_error_detail(error))

    def _rakuten_needs_attention(self, reason):
        """Show the sale to a user: in the attention list when it has no order yet, and an activity (due by the
        acceptance deadline while units still wait for acceptance)."""
        self.ensure_one()
        if self.error_message == reason and (self.state == 'error' or self.order_id):
            return
        self.write({'error_message': reason} if self.order_id else {'state': 'error', 'error_message': reason})
        self.message_post(body=self.env._("Could not be imported: %s", reason) if not self.order_id else reason)
        deadline = self.accept_deadline if self.item_ids._to_confirm() else None
        self._rakuten_activity(self.env._("Rakuten sale %s needs attention", self.purchase_ref), reason,
                               deadline=deadline)

    def _rakuten_activity(self, summary, note, deadline=None):
        self.activity_unlink(['mail.mail_activity_data_todo'])
        self.activity_schedule('mail.mail_activity_data_todo', summary=summary, note=note,
                               date_deadline=deadline and deadline.date(),
                               user_id=self._rakuten_responsible().id)

    def _rakuten_responsible(self):
        """Who handles what has no salesperson: the Rakuten sales team's leader, else the company's Rakuten
        responsible (Settings), else the administrator."""
        company = self[:1].company_id
        return company.rakuten_team_id.user_id or company.sudo().rakuten_responsible_id \
            or self.env.ref('base.user_admin', raise_if_not_found=False) or self.env.user
