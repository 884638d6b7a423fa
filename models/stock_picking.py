import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..rakuten_connector import (
    AuthError, QuotaError, RakutenError, ResponseError, RightsError, TransientError,
)
from ..rakuten_connector.records import TrackingLine

_logger = logging.getLogger(__name__)

DESPATCH_STATES = [
    ('to_send', "To Send"),
    ('sent', "Sent"),
    ('failed', "Failed"),
]
MAX_ATTEMPTS = 5  # transient failures are retried this many times before a user is asked to act
DESPATCH_LOCK_KEY = 0x52414B44  # "RAKD": one despatch job per company at a time (second key: company id)


class StockPicking(models.Model):
    _inherit = 'stock.picking'

    rakuten_despatch_state = fields.Selection(DESPATCH_STATES, string="Rakuten Despatch", readonly=True,
                                              copy=False, index='btree_not_null', tracking=True)
    rakuten_despatch_error = fields.Text(string="Rakuten Despatch Error", readonly=True, copy=False)
    rakuten_despatch_attempts = fields.Integer(readonly=True, copy=False)
    rakuten_item_ids = fields.One2many('rakuten.sale.item', 'picking_id', string="Rakuten Items")

    # === ACTION METHODS === #

    def action_rakuten_send(self):
        """Button: send (again) the despatch of these deliveries to Rakuten now."""
        pickings = self.filtered(lambda picking: picking.state == 'done' and picking.rakuten_item_ids)
        for company, company_pickings in pickings.grouped('company_id').items():
            company_pickings = company._rakuten_env(company_pickings)  # chatter and tracking in its language
            company_pickings.write({'rakuten_despatch_state': 'to_send', 'rakuten_despatch_attempts': 0})
            company_pickings._rakuten_send_despatch()
        return True

    # === BUSINESS METHODS - VALIDATION === #

    def _pre_action_done_hook(self):
        result = super()._pre_action_done_hook()
        if result is not True or self.env.context.get('rakuten_skip_tracking_check'):
            return result
        untracked = self.filtered(lambda picking: picking._rakuten_misses_tracking())
        if untracked:
            return {
                'name': _("Tracking number missing"),
                'type': 'ir.actions.act_window',
                'res_model': 'rakuten.tracking.warning',
                'view_mode': 'form',
                'target': 'new',
                'context': dict(self.env.context, default_picking_ids=untracked.ids),
            }
        return True

    def _rakuten_misses_tracking(self):
        """A Rakuten buyer paid for tracking, and nobody typed a tracking number (nor will a carrier API)."""
        self.ensure_one()
        order = self.sudo().sale_id
        carrier_fills_it = self.carrier_id and self.carrier_id.delivery_type not in ('fixed', 'base_on_rule')
        return bool(order.rakuten_purchase_id and self._rakuten_is_last_step() and not self.carrier_tracking_ref
                    and not carrier_fills_it
                    and order.company_id._rakuten_requires_tracking(order.rakuten_shipping_type))

    def send_to_shipper(self):
        # A fixed-price or rule-based carrier has nothing to send: Rakuten's despatch is the shipment.
        if self.sale_id.rakuten_sale_id and self.carrier_id.delivery_type in ('fixed', 'base_on_rule'):
            return None
        return super().send_to_shipper()

    def _add_delivery_cost_to_so(self):
        # The shipping line of a Rakuten order is what the buyer paid: a carrier's real cost never replaces it.
        if self.sale_id.rakuten_sale_id:
            return None
        return super()._add_delivery_cost_to_so()

    def _rakuten_is_last_step(self):
        return self.picking_type_code == 'outgoing' and self.location_dest_id.usage == 'customer'

    def _action_done(self):
        result = super()._action_done()
        # sudo: warehouse users validate deliveries without rights on Rakuten sales.
        self.sudo()._rakuten_mark_to_send()
        return result

    def _rakuten_mark_to_send(self):
        """Remember which Rakuten units left with each delivery; the despatch job sends them after commit.

        Only local writes and a cron trigger here: validating a delivery never waits for, nor fails
        because of, Rakuten.
        """
        to_send = self.browse()
        for picking in self.filtered(lambda p: p.sale_id.rakuten_sale_id and p._rakuten_is_last_step()):
            if not picking.company_id.rakuten_mark_despatched:
                continue
            items = picking.sale_id.rakuten_sale_id.item_ids
            for move in picking.move_ids.filtered(lambda move: move.state == 'done' and move.sale_line_id):
                units = int(move.product_uom._compute_quantity(move.quantity, move.sale_line_id.product_uom_id))
                # Read after each move: two moves of one order line must not claim the same units.
                free = items.filtered(lambda item: item.order_line_id == move.sale_line_id and not item.picking_id)
                free[:units].picking_id = picking
            if picking.rakuten_item_ids:
                to_send |= picking
        if to_send:
            to_send.write({'rakuten_despatch_state': 'to_send', 'rakuten_despatch_attempts': 0,
                           'rakuten_despatch_error': False})
            self.env.ref('rakuten_connector.ir_cron_rakuten_despatch')._trigger()

    # === BUSINESS METHODS - DESPATCH === #

    @api.model
    def _cron_rakuten_despatch(self):
        self.search([('rakuten_despatch_state', '=', 'to_send')])._rakuten_send_despatch()

    def _rakuten_send_despatch(self):
        """Send carrier + tracking of these deliveries: one file per company, a bad delivery isolated."""
        for company, pickings in self.grouped('company_id').items():
            pickings = company._rakuten_env(pickings)
            if not pickings._rakuten_despatch_lock(company):
                _logger.info("Rakuten despatch of company %s already running, skipped", company.id)
                continue
            try:
                client = company._rakuten_client()
            except UserError as error:  # missing credentials: every delivery waits for them
                pickings._rakuten_despatch_failed(error.args[0], transient=True)
                continue
            ready = pickings.browse()
            for picking in pickings:
                problem = picking._rakuten_despatch_problem()
                if problem:
                    picking._rakuten_despatch_failed(problem, transient=False)
                else:
                    ready |= picking
            ready._rakuten_send_with(client)
            self.env['ir.cron']._rakuten_commit_progress()

    def _rakuten_despatch_lock(self, company):
        """Transaction-level advisory lock: two workers never send the same deliveries; released at commit.

        The deliveries' rows are locked too: when another worker sent them after this transaction's snapshot,
        PostgreSQL refuses the lock (serialization failure) before anything is sent again.
        """
        self.env.cr.execute('SELECT pg_try_advisory_xact_lock(%s, %s)', (DESPATCH_LOCK_KEY, company.id))
        if not self.env.cr.fetchone()[0]:
            return False
        self.flush_recordset(['rakuten_despatch_state'])
        self.env.cr.execute('SELECT id FROM stock_picking WHERE id = ANY(%s) FOR UPDATE', [self.ids])
        return True

    def _rakuten_send_with(self, client):
        if not self:
            return
        try:
            if len(self) == 1 or not self._rakuten_send_file(client):
                for picking in self:
                    picking._rakuten_send_file(client)
        except (AuthError, QuotaError, RightsError) as error:
            # Nothing more will work this hour: every delivery waits for the next run.
            self._rakuten_despatch_failed(self.company_id._rakuten_error_message(error), transient=True)

    def _rakuten_send_file(self, client):
        """One importitemshippingstatus file for these deliveries. False when Rakuten refused the file."""
        items = self.rakuten_item_ids.filtered(lambda item: not item.tracking_sent)
        if not items:
            self._rakuten_despatch_sent(items)
            return True
        try:
            client.import_item_shipping_status([picking_item for picking in self
                                                for picking_item in picking._rakuten_tracking_lines()])
        except (AuthError, QuotaError, RightsError):
            raise
        except (TransientError, ResponseError) as error:
            self._rakuten_despatch_failed(self.company_id._rakuten_error_message(error), transient=True)
            return True
        except RakutenError as error:
            if len(self) > 1:
                return False  # a line was refused: send each delivery alone to find which
            self._rakuten_despatch_failed(self.company_id._rakuten_error_message(error), transient=False)
            return True
        self._rakuten_despatch_sent(items)
        return True

    def _rakuten_tracking_lines(self):
        self.ensure_one()
        carrier = self.carrier_id
        number = self.carrier_tracking_ref or ''
        return [
            TrackingLine(purchaseid=self.sale_id.rakuten_purchase_id, itemid=item.itemid,
                         transporter=carrier.rakuten_transporter_id.name, tracking_number=number,
                         tracking_url=carrier._rakuten_tracking_url(number))
            for item in self.rakuten_item_ids.filtered(lambda item: not item.tracking_sent)
        ]

    def _rakuten_despatch_problem(self):
        self.ensure_one()
        carrier = self.carrier_id
        if not carrier:
            return _("The delivery %s has no carrier: set one, then send it to Rakuten again.", self.name)
        if not carrier.rakuten_transporter_id:
            return _("Set the Rakuten transporter of the carrier %s (Inventory > Configuration > Shipping "
                     "Methods, Rakuten tab), then send the delivery to Rakuten again.", carrier.name)
        if carrier.rakuten_transporter_id.needs_url and not carrier._rakuten_tracking_url(self.carrier_tracking_ref):
            return _("The Rakuten transporter %s needs a tracking URL on the carrier %s.",
                     carrier.rakuten_transporter_id.name, carrier.name)
        return False

    def _rakuten_despatch_sent(self, items):
        items.tracking_sent = True
        for picking in self:
            picking.write({'rakuten_despatch_state': 'sent', 'rakuten_despatch_error': False})
            picking.message_post(body=_(
                "Despatch sent to Rakuten: %(transporter)s, tracking %(tracking)s, %(count)s unit(s).",
                transporter=picking.carrier_id.rakuten_transporter_id.name,
                tracking=picking.carrier_tracking_ref or _("none"), count=len(picking.rakuten_item_ids)))
            picking.activity_unlink(['mail.mail_activity_data_warning'])

    def _rakuten_despatch_failed(self, reason, transient):
        """Transient: try again at the next run (a user is told after a few tries); else: ask a user now."""
        for picking in self:
            attempts = picking.rakuten_despatch_attempts + 1
            give_up = not transient or attempts >= MAX_ATTEMPTS
            picking.write({'rakuten_despatch_state': 'failed' if give_up else 'to_send',
                           'rakuten_despatch_error': reason, 'rakuten_despatch_attempts': attempts})
            if give_up:
                picking.message_post(body=_("Despatch not sent to Rakuten: %s", reason))
                picking.activity_unlink(['mail.mail_activity_data_warning'])
                picking.activity_schedule(
                    'mail.mail_activity_data_warning', summary=_("Rakuten despatch failed"), note=reason,
                    user_id=picking.sale_id.user_id.id or picking.sale_id.rakuten_sale_id._rakuten_responsible().id)
