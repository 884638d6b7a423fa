import logging
import re
from collections import Counter
from datetime import timedelta, timezone

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rakuten_connector import (
    RUN_STOPPERS, AuthError, QuotaError, RakutenError, ResponseError, RightsError, TransientError, const,
)
from ..rakuten_connector.deadlines import payout_due
from ..rakuten_connector.parsing import status_in_refusal
from .rakuten_codes import code_label

_logger = logging.getLogger(__name__)

# Item statuses that mean "ship it" (an allow-list: anything else, unknown statuses included, is not shipped).
IMPORTABLE = const.SHIPPABLE_STATUSES
# Item statuses that end the following of a unit: nothing will change for it any more.
FINISHED = const.TERMINAL_STATUSES
# Item statuses of units that left the order for good, or never joined it.
GONE_STATUSES = frozenset({const.STATUS_CANCELLED, const.STATUS_REFUSED})
# A seller's cancellation of a unit on Rakuten (``cancelitem``), recorded before the call and checked after.
CANCEL_STATES = [
    ('to_decide', "Removed in Odoo"),  # still accepted on Rakuten: a user decides
    ('to_send', "To Cancel on Rakuten"),
    ('sending', "Cancelling on Rakuten"),  # committed before the call: left so, the call's outcome is unknown
    ('to_check', "To Check"),  # the answer was lost: the next read of the sale tells
    ('done', "Cancelled on Rakuten"),
    ('failed', "Cancellation Failed"),
]
# Key of the advisory lock of a cancellation run (second key: the company id).
CANCEL_LOCK_KEY = 0x52414B43  # "RAKC"
# How long after a cancellation call whose answer was lost a read of the sale is trusted to show its outcome.
CANCEL_SETTLED = timedelta(minutes=5)


def _counted(labels):
    """Labels for a sentence, each once with how many times it came, in order: ``2 × A, B``."""
    counts = Counter(labels)
    return ', '.join(f'{count} × {label}' if count > 1 else label for label, count in counts.items())


class RakutenSaleItem(models.Model):
    """One unit sold on Rakuten (``itemid``): accept, refuse, tracking and cancel all work per item."""
    _name = 'rakuten.sale.item'
    _description = "Rakuten Sale Item"
    _order = 'sale_id, id'
    _rec_name = 'itemid'

    itemid = fields.Char(string="Item ID", required=True, readonly=True, index=True)
    sale_id = fields.Many2one('rakuten.sale', required=True, readonly=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='sale_id.company_id', store=True, index=True)
    sku = fields.Char(string="SKU", readonly=True)
    headline = fields.Char(string="Title", readonly=True)
    currency_id = fields.Many2one(related='sale_id.currency_id')
    price = fields.Float(string="Price Paid", digits='Product Price', readonly=True)
    price_unread = fields.Boolean(readonly=True, copy=False,
                                  help="Rakuten's answer held no readable price paid for this unit.")
    shipping_price = fields.Float(string="Shipping Paid", digits='Product Price', readonly=True,
                                  help="The shipping the buyer paid for this unit (Rakuten bills it per unit).")
    billed_fees = fields.Float(string="Commissions Billed", digits='Product Price', readonly=True, copy=False,
                               help="What Rakuten's billing said it keeps on this unit (commissions and their VAT); "
                                    "empty while not read.")
    billed_fees_known = fields.Boolean(readonly=True, copy=False)
    payout_line_ids = fields.One2many('rakuten.payout.line', 'sale_item_id', string="Rakuten Payouts", readonly=True)
    paid_by_rakuten = fields.Boolean(string="Paid by Rakuten", compute='_compute_paid_by_rakuten', store=True,
                                     help="A Rakuten transfer paid this unit (and did not take it back).")
    payout_due_date = fields.Date(string="Rakuten Pays On", compute='_compute_payout_due_date', store=True,
                                  help="The Monday or Thursday transfer that should pay this unit if no claim is "
                                       "open: 23 days after the order (earlier when the buyer confirms receipt).")
    amount_paid = fields.Float(string="Paid by the Buyer", digits='Product Price', compute='_compute_amount_paid',
                               help="Price and shipping of this unit, VAT included.")
    status = fields.Char(string="Rakuten Status Code", readonly=True)
    status_label = fields.Char(string="Rakuten Status", compute='_compute_status_label')
    order_line_id = fields.Many2one('sale.order.line', readonly=True, index='btree_not_null',
                                    ondelete='set null',
                                    help="Empty for a unit cancelled on Rakuten before it left: it left the order.")
    picking_id = fields.Many2one('stock.picking', string="Delivery", readonly=True, index='btree_not_null',
                                 ondelete='set null', help="The validated delivery that shipped this unit.")
    tracking_sent = fields.Boolean(string="Despatch Sent", readonly=True,
                                   help="Rakuten was told this unit left (the buyer got the tracking).")

    cancel_state = fields.Selection(CANCEL_STATES, string="Seller Cancellation", readonly=True, copy=False,
                                    index='btree_not_null')
    cancel_comment = fields.Char(string="Cancellation Message", readonly=True,
                                 help="What the buyer reads about the cancellation (Rakuten requires it).")
    cancel_error = fields.Char(string="Cancellation Error", readonly=True)
    cancel_date = fields.Datetime(string="Cancellation Sent On", readonly=True)
    shipping_refunded = fields.Boolean(readonly=True, copy=False,
                                       help="This unit's shipping came off its order's shipping line.")

    _itemid_company_unique = models.Constraint(
        'UNIQUE(company_id, itemid)', "A Rakuten item can only be imported once per company.",
    )

    @api.depends('itemid', 'headline', 'sku', 'order_line_id.product_id')
    def _compute_display_name(self):
        """The product (of its order line, else Rakuten's title), then the item id: users know products."""
        for item in self:
            product = item.order_line_id.product_id.display_name or item.headline or item.sku
            item.display_name = f'{product} ({item.itemid})' if product else item.itemid

    @api.depends('status')
    @api.depends_context('lang')
    def _compute_status_label(self):
        """Rakuten's item status in words (an unknown code as "Other (CODE)")."""
        for item in self:
            item.status_label = code_label(self.env, 'item_status', item.status)

    # === BUSINESS METHODS === #

    def _importable(self):
        """The units Rakuten says to ship (allow-list: a shipped, closed, claimed or unknown status is not)."""
        return self.filtered(lambda item: item.status in IMPORTABLE)

    def _to_confirm(self):
        return self.filtered(lambda item: item.status == const.STATUS_TO_CONFIRM)

    def _rakuten_skus(self):
        """These units' SKUs for a sentence: ``2 × RK-MUG, RK-TEE``."""
        return _counted(item.sku or '?' for item in self)

    def _rakuten_products(self):
        """These units for a sentence a user reads, by product and SKU: ``2 × Mug (RK-MUG), T-shirt (RK-TEE)``
        (Rakuten's title for a unit on no order line)."""
        labels = []
        for item in self:
            product = item.order_line_id.product_id.with_context(display_default_code=False)
            name = product.display_name or item.headline or item.itemid
            labels.append(f'{name} ({item.sku})' if item.sku else name)
        return _counted(labels)

    def _rakuten_check_prices(self):
        """Units never go on an order at a guessed price: a user error names those whose price is unread."""
        unread = self.filtered('price_unread')
        if unread:
            raise UserError(self.env._("Rakuten sent no readable price paid for the units %s: the order is not made at "
                              "a guessed price. Check the sale in the Rakuten back office, then retry.",
                              ', '.join(sorted(unread.mapped('itemid')))))

    def _rakuten_late(self):
        """Units Rakuten says to ship that are on no order line yet, never shipped, and not taken off the order
        by a user (those wait for the user's decision): accepted after their sale's order was made."""
        return self._importable().filtered(lambda item: not item.order_line_id and not item.picking_id
                                           and not item.tracking_sent and not item.cancel_state)

    @api.depends('payout_line_ids.kind')
    def _compute_paid_by_rakuten(self):
        for item in self:
            kinds = item.payout_line_ids.mapped('kind')
            item.paid_by_rakuten = kinds.count('paid') > kinds.count('cancelled')

    @api.depends('sale_id.purchase_date')
    def _compute_payout_due_date(self):
        for item in self:
            purchased = item.sale_id.purchase_date
            item.payout_due_date = purchased and payout_due(purchased.replace(tzinfo=timezone.utc))

    def _compute_amount_paid(self):
        for item in self:
            item.amount_paid = item.price + item.shipping_price

    def _rakuten_named_in(self, text):
        """These units whose item id ``text`` (a note) names as a whole id: ``123`` is not in ``1234``."""
        named = set(re.findall(r'\w+', str(text or '')))
        return self.filtered(lambda item: item.itemid in named)

    @api.model
    def _rakuten_committed(self, company, skus):
        """{sku: accepted units of Rakuten sales not yet turned into orders (the units of a basket accepted while
        another unit still waits included)}: promised to buyers, yet reserved by no delivery. The stock push and
        the "accept when stock covers" policy both subtract them (one query)."""
        return dict(self.sudo()._read_group(
            [('company_id', '=', company.id), ('sale_id.order_id', '=', False),
             ('sale_id.state', 'in', ('new', 'to_accept', 'accepted', 'error')), ('status', 'in', list(IMPORTABLE)),
             ('sku', 'in', [sku for sku in skus if sku])],
            ['sku'], ['__count'],
        ))

    # === BUSINESS METHODS - SELLER CANCELLATIONS === #

    def _rakuten_cancellable(self):
        """The units the seller may still cancel on Rakuten: accepted (or under a claim), not left, no cancellation
        under way."""
        return self.filtered(lambda item: item.status in IMPORTABLE | const.CLAIM_STATUSES and not item.picking_id
                             and not item.tracking_sent and item.cancel_state in (False, 'to_decide', 'failed'))

    def _rakuten_ask_cancellation(self, comment):
        """Record that these units are to be cancelled on Rakuten with ``comment`` to the buyer, and wake the
        cancellation job up: the call is made by the job, after this transaction is committed (never by a
        request that Odoo may replay)."""
        units = self._rakuten_cancellable()
        units.sudo().write({'cancel_state': 'to_send', 'cancel_comment': comment, 'cancel_error': False})
        if units:
            self.env.ref('rakuten_connector.ir_cron_rakuten_cancel').sudo()._trigger()
        return units

    @api.model
    def _cron_rakuten_cancel(self):
        companies = self.env['res.company'].sudo().search([('rakuten_enabled', '=', True),
                                                           ('rakuten_login', '!=', False)])
        for company in companies:
            records = company._rakuten_env(self.sudo())
            with company._rakuten_run_lock(CANCEL_LOCK_KEY) as locked:
                if not locked:
                    continue
                try:
                    records._rakuten_cancel_company(company)
                except (*RUN_STOPPERS, UserError) as error:  # quota, credentials: the next run goes on
                    _logger.warning("Rakuten cancellations of company %s stopped: %s", company.id, error)
                self.env['ir.cron']._rakuten_commit_progress()

    @api.model
    def _rakuten_cancel_company(self, company):
        """Send the cancellations asked for: each unit marked *Cancelling* and committed before its call, its
        outcome recorded after; a unit left *Cancelling* by a run that died is checked, never sent again."""
        pending = self.search([('company_id', '=', company.id), ('cancel_state', 'in', ('to_send', 'sending'))])
        pending.filtered(lambda item: item.cancel_state == 'sending').write({'cancel_state': 'to_check'})
        to_send = pending.filtered(lambda item: item.cancel_state == 'to_send')
        if not to_send:
            return
        client = company._rakuten_client()
        for item in to_send:
            item.write({'cancel_state': 'sending', 'cancel_date': fields.Datetime.now()})
            self.env['ir.cron']._rakuten_commit_progress()
            try:
                client.cancel_item(item.itemid, item.cancel_comment)
            except (QuotaError, AuthError, RightsError) as error:
                # Refused before Rakuten did anything: sent at the next run; the order says why it waits.
                item._rakuten_cancel_waits(to_send, company._rakuten_error_message(error))
                raise
            except (TransientError, ResponseError) as error:
                item._rakuten_cancel_unknown(error)
            except RakutenError as error:
                item._rakuten_cancel_outcome(item._rakuten_cancel_refused, error)
            else:
                item._rakuten_cancel_outcome(item._rakuten_cancel_done)
            self.env['ir.cron']._rakuten_commit_progress()

    def _rakuten_cancel_outcome(self, record, *args):
        """Record a cancellation's outcome on its unit and order in a savepoint: when that fails (a bug, a locked
        record), the unit is left To Check, settled by the next read of its sale, and the others go on."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                record(*args)
        except Exception as error:  # noqa: BLE001 - the call was made: never lose that, never send it again
            _logger.exception("Rakuten cancellation of item %s: its outcome could not be recorded", self.itemid)
            self.write({'cancel_state': 'to_check',
                        'cancel_error': self.company_id._rakuten_error_detail(error)})

    def _rakuten_cancel_done(self):
        """Rakuten cancelled these units: they leave their order (at the price paid, their shipping refunded),
        as a cancellation made on Rakuten would."""
        self.write({'status': const.STATUS_CANCELLED, 'cancel_state': 'done', 'cancel_error': False})
        for sale, items in self.grouped('sale_id').items():
            sale._rakuten_seller_cancelled(items)

    def _rakuten_cancel_unknown(self, error):
        self.ensure_one()
        _logger.info("Rakuten cancellation of item %s: answer lost (%s), read back at the next import", self.itemid,
                     error)
        reason = self.company_id._rakuten_error_message(error)
        self.write({'cancel_state': 'to_check', 'cancel_error': reason})
        self.sale_id.order_id.message_post(body=self.env._(
            "Rakuten did not answer the cancellation of %(skus)s (%(reason)s): Rakuten's status is read again at the "
            "next import; it is never sent twice.", skus=self._rakuten_skus(), reason=reason))

    def _rakuten_cancel_waits(self, pending, reason):
        """Rakuten refused to work (quota, credentials, rights): ``self`` and the ``pending`` units not sent yet
        wait for the next run, and their orders say why, once per reason."""
        waiting = (self | pending).filtered(lambda item: item.cancel_state in ('to_send', 'sending'))
        waiting.write({'cancel_state': 'to_send'})
        told = waiting.filtered(lambda item: item.cancel_error != reason)
        told.write({'cancel_error': reason})
        for order, items in told.grouped(lambda item: item.sale_id.order_id).items():
            if order:
                order.message_post(body=self.env._(
                    "The cancellation of %(skus)s on Rakuten waits: %(reason)s It is sent at the next run.",
                    skus=items._rakuten_skus(), reason=reason))

    def _rakuten_cancel_refused(self, error):
        """Rakuten refused the call: a unit already cancelled is done; otherwise (already shipped, unknown unit)
        it stays as it is, with the reason, and a user is told."""
        self.ensure_one()
        if status_in_refusal(error) in (const.STATUS_CANCELLED, const.ALREADY_CANCELLED_MARK):
            self._rakuten_cancel_done()
            return
        reason = self.company_id._rakuten_error_message(error)
        self.write({'cancel_state': 'failed', 'cancel_error': reason})
        self.sale_id._rakuten_seller_cancel_failed(self, reason)

    def _rakuten_cancel_read_back(self, read_at):
        """After a read of the sale that started at ``read_at``: a cancellation whose answer was lost before is
        settled by the status Rakuten shows (cancelled: done; still to ship: it did not happen, asked again)."""
        checked = self.filtered(lambda item: item.cancel_state == 'to_check')
        checked.filtered(lambda item: item.status == const.STATUS_CANCELLED)._rakuten_cancel_done()
        # Still to ship on a read made well after the call: Rakuten never got it (a call it was still working on
        # when the page was read would be sent twice).
        again = checked.filtered(lambda item: item.status in IMPORTABLE and item.cancel_date
                                 and item.cancel_date + CANCEL_SETTLED < read_at)
        if again:
            again.write({'cancel_state': 'to_send'})
            self.env.ref('rakuten_connector.ir_cron_rakuten_cancel').sudo()._trigger()

