import logging
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta, timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..rakuten_connector import (
    AuthError, QuotaError, RakutenError, ResponseError, RightsError, TransientError, const,
)
from ..rakuten_connector.deadlines import accept_deadline
from ..rakuten_connector.records import sale_from_json, sale_to_json

_logger = logging.getLogger(__name__)

SALE_STATES = [
    ('new', "New"),
    ('to_accept', "To Accept"),
    ('accepted', "Accepted"),
    ('imported', "Imported"),
    ('error', "Needs Attention"),
    ('refused', "Refused"),
    ('cancelled', "Cancelled"),
]
# Re-read sales purchased this long before the last sync: day-granular filter, late acceptances.
SYNC_OVERLAP = timedelta(days=1)
# Key of the PostgreSQL advisory lock taken by an import run (second key: the company id).
IMPORT_LOCK_KEY = 0x52414B55  # "RAKU"
# Errors that stop a whole run: nothing else will work until the hour ends or the seller acts.
RUN_STOPPERS = (AuthError, QuotaError, RightsError)


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
    _rec_name = 'purchase_id'
    _check_company_auto = True

    purchase_id = fields.Char(string="Rakuten Purchase ID", required=True, readonly=True, index=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    purchase_date = fields.Datetime(readonly=True)
    accept_deadline = fields.Datetime(
        string="Accept Before", readonly=True,
        help="Rakuten cancels the sale when it is not accepted within 72 working hours (then until midnight).",
    )
    buyer_name = fields.Char(readonly=True)
    buyer_login = fields.Char(string="Buyer Pseudo", readonly=True)
    shipping_type = fields.Char(readonly=True)
    relay_point = fields.Char(readonly=True)
    state = fields.Selection(SALE_STATES, default='new', required=True, readonly=True, tracking=True, index=True)
    error_message = fields.Text(string="Reason", readonly=True)
    order_id = fields.Many2one('sale.order', string="Sale Order", readonly=True, check_company=True,
                               index='btree_not_null')
    item_ids = fields.One2many('rakuten.sale.item', 'sale_id', string="Items", readonly=True)
    item_count = fields.Integer(string="Units", compute='_compute_amounts', store=True)
    amount_items = fields.Float(string="Items Total", digits='Product Price', compute='_compute_amounts',
                                store=True)
    shipping_amount = fields.Float(string="Shipping Paid", digits='Product Price', readonly=True)
    shipping_known = fields.Boolean(readonly=True)
    payload = fields.Text(readonly=True, groups='base.group_system', copy=False)

    _purchase_company_unique = models.Constraint(
        'UNIQUE(company_id, purchase_id)', "A Rakuten sale can only be stored once per company.",
    )

    # === COMPUTE METHODS === #

    @api.depends('item_ids.price')
    def _compute_amounts(self):
        for sale in self:
            sale.item_count = len(sale.item_ids)
            sale.amount_items = sum(sale.item_ids.mapped('price'))

    # === ACTION METHODS === #

    def action_accept(self):
        """Button: accept every unit of these sales on Rakuten, then import them."""
        return self._rakuten_manual_decision(accept=True)

    def action_refuse(self):
        """Button: refuse every unit of these sales on Rakuten."""
        return self._rakuten_manual_decision(accept=False)

    def action_retry(self):
        """Button: try to import these sales again (after fixing a SKU, an address, a mapping…)."""
        waiting = self.filtered(lambda sale: sale.state in ('new', 'to_accept'))
        if waiting:
            raise UserError(_("The Rakuten sale %s waits for your decision: accept it (it is then imported) or "
                              "refuse it.", ', '.join(waiting.mapped('purchase_id'))))
        for company, sales in self.grouped('company_id').items():
            company._rakuten_env(sales)._rakuten_import_orders(company._rakuten_client())
        return True

    def _rakuten_manual_decision(self, accept):
        sales = self.filtered(lambda sale: sale.state in ('new', 'to_accept', 'error') and not sale.order_id)
        for company, company_sales in sales.grouped('company_id').items():
            company_sales = company._rakuten_env(company_sales)
            client = company._rakuten_client()
            for sale in company_sales:
                try:
                    sale._rakuten_decide(client, accept=accept)
                except RakutenError as error:
                    raise UserError(company._rakuten_error_message(error)) from None
            if accept:
                company_sales.filtered(lambda sale: sale.state == 'accepted')._rakuten_import_orders(client)
        return True

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
    def _rakuten_import(self, company):
        """One import run for ``company``: accept new sales, read accepted ones, create orders.

        :return: False when another run of the same company holds the lock, else True.
        """
        company = company.with_env(self.env)  # its messages in the language this run is bound to
        if not self._rakuten_lock(company):
            _logger.info("Rakuten import of company %s already running, skipped", company.id)
            return False
        started = fields.Datetime.now()
        try:
            client = company._rakuten_client()
            self._rakuten_accept_new_sales(company, client)
            self._rakuten_pending(company)._rakuten_import_orders(client)
            self._rakuten_read_current_sales(company, client)
            self._rakuten_pending(company)._rakuten_import_orders(client)
        except (RakutenError, UserError) as error:
            message = company._rakuten_error_message(error)
            company.sudo().write({'rakuten_import_state': 'failed', 'rakuten_import_message': message,
                                  'rakuten_import_date': fields.Datetime.now()})
            _logger.warning("Rakuten import of company %s stopped: %s", company.id, message)
        else:
            company.sudo().write({'rakuten_import_state': 'ok', 'rakuten_import_message': False,
                                  'rakuten_import_date': fields.Datetime.now(),
                                  'rakuten_last_order_sync': started})
        finally:
            self.env['ir.cron']._rakuten_commit_progress()
            self._rakuten_unlock(company)
        return True

    @api.model
    def _rakuten_pending(self, company):
        """Accepted sales without order, including those that failed before (retried each run)."""
        return self.search([('company_id', '=', company.id), ('state', 'in', ('accepted', 'error')),
                            ('order_id', '=', False)])

    def _rakuten_lock(self, company):
        """Session-level advisory lock: survives our commits, dies with the connection."""
        self.env.cr.execute('SELECT pg_try_advisory_lock(%s, %s)', (IMPORT_LOCK_KEY, company.id))
        return self.env.cr.fetchone()[0]

    def _rakuten_unlock(self, company):
        self.env.cr.execute('SELECT pg_advisory_unlock(%s, %s)', (IMPORT_LOCK_KEY, company.id))

    # === BUSINESS METHODS - ACCEPTANCE === #

    @api.model
    def _rakuten_accept_new_sales(self, company, client):
        # Every page is read before accepting: an accepted sale leaves the list, which would shift the pages.
        sales = [sale for page in client._pages(client.get_new_sales) for sale in page.sales]
        records = self._rakuten_store(company, sales)
        self.env['ir.cron']._rakuten_commit_progress()
        waiting = records.filtered(lambda record: record.state in ('new', 'to_accept'))
        available = waiting._rakuten_available() if company.rakuten_accept_policy == 'stock' else {}
        for sale in waiting:
            sale._rakuten_apply_policy(client, available)
            self.env['ir.cron']._rakuten_commit_progress()

    def _rakuten_available(self):
        """{sku: free units in the Rakuten stock sources} for the units of these sales (two queries)."""
        company = self.company_id[:1]
        skus = set(self.item_ids.filtered(lambda item: item.status == const.STATUS_TO_CONFIRM).mapped('sku'))
        products = self.env['product.product']._rakuten_by_sku(company, list(skus))
        free = self.env['product.product'].union(*products.values())._rakuten_free_qty(company)
        return {sku: free.get(product.id, 0) for sku, product in products.items()}

    def _rakuten_apply_policy(self, client, available):
        self.ensure_one()
        policy = self.company_id.rakuten_accept_policy
        if policy == 'stock':
            shortage = self._rakuten_stock_shortage(available)
            if shortage:
                return self._rakuten_wait_for_user(_("Not enough stock in the Rakuten stock sources for: %s.",
                                                     ', '.join(shortage)))
        elif policy == 'manual':
            return self._rakuten_wait_for_user(_("Accept or refuse this Rakuten sale."))
        with self._rakuten_isolated():
            self._rakuten_decide(client, accept=True)
        return None

    def _rakuten_stock_shortage(self, available):
        """SKUs of this sale that ``available`` (units left in this run, per SKU) cannot cover; when it can,
        the units are taken from ``available`` so that the next sales of the run see what is left."""
        self.ensure_one()
        needed = defaultdict(int)
        for item in self.item_ids.filtered(lambda item: item.status == const.STATUS_TO_CONFIRM):
            needed[item.sku] += 1
        shortage = [sku or _("(no SKU)") for sku, quantity in needed.items() if available.get(sku, 0) < quantity]
        if not shortage:
            for sku, quantity in needed.items():
                available[sku] -= quantity
        return shortage

    def _rakuten_decide(self, client, accept):
        """Accept or refuse every unit still waiting; Rakuten's "already done" answers count as done."""
        self.ensure_one()
        country = self.company_id.rakuten_shipping_country_code or const.FRANCE_COUNTRY_CODE
        for item in self.item_ids.filtered(lambda item: item.status == const.STATUS_TO_CONFIRM):
            decision = client.accept_sale(item.itemid, country) if accept else client.refuse_sale(item.itemid)
            if decision.outcome == const.OUTCOME_ALREADY_CANCELLED:
                item.status = const.STATUS_CANCELLED
            elif decision.accepted:
                item.status = const.STATUS_ACCEPTED
            else:
                item.status = const.STATUS_REFUSED
        self._rakuten_update_state()
        self.activity_unlink(['mail.mail_activity_data_todo'])
        if self.state == 'refused':
            self.message_post(body=_("Refused on Rakuten."))
        elif self.state == 'accepted':
            self.message_post(body=_("Accepted on Rakuten."))

    def _rakuten_wait_for_user(self, reason):
        self.ensure_one()
        if self.state != 'to_accept' or self.error_message != reason:
            self.write({'state': 'to_accept', 'error_message': reason})
            self._rakuten_activity(_("Rakuten sale %s to accept", self.purchase_id), reason,
                                   deadline=self.accept_deadline)

    # === BUSINESS METHODS - READING SALES === #

    @api.model
    def _rakuten_read_current_sales(self, company, client):
        """Store every accepted sale since the last sync (minus an overlap) and apply cancellations."""
        since = self._rakuten_since(company)
        for page in client.iter_current_sales_pages(since=since):
            records = self._rakuten_store(company, page.sales)
            records.filtered('order_id')._rakuten_sync_cancellations()
            self.env['ir.cron']._rakuten_commit_progress()

    @api.model
    def _rakuten_since(self, company):
        """First purchase day to read: the last sync minus the overlap, or older sales still waiting."""
        last_sync = company.rakuten_last_order_sync or fields.Datetime.now()
        waiting = self.search([('company_id', '=', company.id), ('order_id', '=', False),
                               ('state', 'in', ('new', 'to_accept', 'accepted'))],
                              order='purchase_date', limit=1)
        start = min(filter(None, (last_sync - SYNC_OVERLAP, waiting.purchase_date)))
        return start.date()

    @api.model
    def _rakuten_store(self, company, sales):
        """Create or update the records of ``sales`` (dataclasses) in a few queries; return them."""
        existing = self.search([('company_id', '=', company.id),
                                ('purchase_id', 'in', [sale.purchaseid for sale in sales])])
        by_purchase = {record.purchase_id: record for record in existing}
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
                elif stored.status != item.status:
                    stored.status = item.status
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
            'purchase_id': sale.purchaseid,
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
                'price': float(item.price.amount) if item.price else 0.0}

    def _rakuten_update_state(self):
        """Follow the items: accepted (on Rakuten or here), or refused/cancelled as a whole."""
        for sale in self.filtered(lambda sale: not sale.order_id):
            statuses = set(sale.item_ids.mapped('status'))
            if statuses and statuses <= {const.STATUS_CANCELLED, const.STATUS_REFUSED}:
                sale.state = 'refused' if const.STATUS_REFUSED in statuses else 'cancelled'
            elif sale.state in ('new', 'to_accept') and sale.item_ids._importable():
                sale.state = 'accepted'
            else:
                continue
            sale.activity_unlink(['mail.mail_activity_data_todo'])

    # === BUSINESS METHODS - ORDERS === #

    def _rakuten_import_orders(self, client):
        """Create the sale order of each accepted sale; one savepoint per sale, failures kept visible."""
        sales = self.filtered(lambda sale: not sale.order_id and sale.item_ids._importable())
        products = self.env['product.product']._rakuten_by_sku(
            self.company_id[:1], list(set(sales.item_ids._importable().mapped('sku'))),
        ) if sales else {}
        for sale in sales:
            with sale._rakuten_isolated():
                sale._rakuten_create_order(client, products)
            self.env['ir.cron']._rakuten_commit_progress()

    def _rakuten_create_order(self, client, products):
        self.ensure_one()
        company = self.company_id
        sale = sale_from_json(self.sudo().payload)
        items = self.item_ids._importable()
        lines = self._rakuten_order_lines(items, products)
        carrier = company._rakuten_carrier_for(self.shipping_type)
        if not carrier:
            raise UserError(_("No carrier for the Rakuten shipping type \"%s\": map it in Sales > Configuration > "
                              "Rakuten Shipping Mapping, or set a default carrier.", self.shipping_type))
        if not self.shipping_known:
            billing = client.get_billing_information(self.purchase_id)
            self.write({'shipping_amount': float(billing.shipping_total), 'shipping_known': True})
        customer, delivery = self.env['res.partner']._rakuten_partners(company, sale)
        order = self.env['sale.order'].with_company(company).create(
            self._rakuten_order_values(customer, delivery, lines))
        for line, line_items in zip(order.order_line.sorted('id'), lines.values()):
            line_items.order_line_id = line
        order._rakuten_set_shipping(carrier, self.shipping_amount)
        order._rakuten_include_taxes()
        order.action_confirm()
        order._rakuten_check_total(self.amount_items + self.shipping_amount)
        self.write({'order_id': order.id, 'state': 'imported', 'error_message': False})
        self.activity_unlink(['mail.mail_activity_data_todo'])
        order.message_post(body=_("Imported from Rakuten sale %s.", self.purchase_id))
        return order

    def _rakuten_order_lines(self, items, products):
        """Items grouped by (product, price paid): {(product, price): items}."""
        lines = {}
        unknown = []
        for item in items:
            product = products.get(item.sku)
            if not product:
                unknown.append(item.sku or _("(empty SKU)"))
                continue
            lines.setdefault((product, item.price), self.env['rakuten.sale.item'])
            lines[product, item.price] |= item
        if unknown:
            raise UserError(_("No product with the SKU %s: set it as Rakuten SKU or internal reference of the "
                              "product, then retry.", ', '.join(sorted(set(unknown)))))
        return lines

    def _rakuten_order_values(self, customer, delivery, lines):
        company = self.company_id
        team = company.rakuten_team_id
        values = {
            'partner_id': customer.id,
            'partner_invoice_id': customer.id,
            'partner_shipping_id': delivery.id,
            'company_id': company.id,
            'client_order_ref': self.purchase_id,
            'origin': _("Rakuten %s", self.purchase_id),
            'rakuten_purchase_id': self.purchase_id,
            'rakuten_sale_id': self.id,
            'warehouse_id': company._rakuten_warehouse().id,
            'user_id': company.rakuten_user_id.id,
            'date_order': self.purchase_date or fields.Datetime.now(),
            'order_line': [
                fields.Command.create({
                    'product_id': product.id,
                    'product_uom_qty': len(line_items),
                    'price_unit': price,
                }) for (product, price), line_items in lines.items()
            ],
        }
        if team:
            values['team_id'] = team.id
        values['pricelist_id'] = self.env['product.pricelist']._rakuten_euro(company).id
        return values

    # === BUSINESS METHODS - CANCELLATIONS === #

    def _rakuten_sync_cancellations(self):
        """Cancel the order of a basket Rakuten cancelled, or tell a user when it already left."""
        for sale in self:
            importable = sale.item_ids.filtered('order_line_id')
            cancelled = importable.filtered(lambda item: item.status == const.STATUS_CANCELLED)
            if not cancelled or sale.order_id.state == 'cancel':
                continue
            shipped = sale.order_id.picking_ids.filtered(lambda picking: picking.state == 'done')
            if cancelled == importable and not shipped:
                sale.order_id._action_cancel()
                sale.order_id.message_post(body=_("Cancelled on Rakuten: order cancelled."))
                sale.state = 'cancelled'
            else:
                summary = _("Rakuten cancelled items of %s", sale.purchase_id)
                note = _("Rakuten cancelled %(count)s unit(s) (%(skus)s) of this order, which was already "
                         "shipped or only partly cancelled: check the delivery and refund if needed.",
                         count=len(cancelled), skus=', '.join(cancelled.mapped('sku')))
                if not sale.order_id.activity_ids.filtered(lambda activity: activity.summary == summary):
                    sale.order_id.activity_schedule('mail.mail_activity_data_todo', summary=summary, note=note,
                                                    user_id=sale._rakuten_responsible().id)

    # === BUSINESS METHODS - ATTENTION === #

    @contextmanager
    def _rakuten_isolated(self):
        """One sale's step in its own savepoint: errors that stop the run propagate, transient ones wait for
        the next run, the others put the sale in the attention list; the other sales go on."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                yield
        except RUN_STOPPERS:
            raise
        except (TransientError, ResponseError) as error:
            _logger.info("Rakuten sale %s left for the next run: %s", self.purchase_id, error)
        except (RakutenError, UserError) as error:
            self._rakuten_needs_attention(self.company_id._rakuten_error_message(error))

    def _rakuten_needs_attention(self, reason):
        self.ensure_one()
        if self.state == 'error' and self.error_message == reason:
            return
        self.write({'state': 'error', 'error_message': reason})
        self.message_post(body=_("Could not be imported: %s", reason))
        self._rakuten_activity(_("Rakuten sale %s needs attention", self.purchase_id), reason)

    def _rakuten_activity(self, summary, note, deadline=None):
        self.activity_unlink(['mail.mail_activity_data_todo'])
        self.activity_schedule('mail.mail_activity_data_todo', summary=summary, note=note,
                               date_deadline=deadline and deadline.date(),
                               user_id=self._rakuten_responsible().id)

    def _rakuten_responsible(self):
        company = self[:1].company_id
        return company.rakuten_team_id.user_id or self.env.ref('base.user_admin', raise_if_not_found=False) \
            or self.env.user
