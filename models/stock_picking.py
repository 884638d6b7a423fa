import logging
import math

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

from ..rakuten_connector import (
    RUN_STOPPERS, ParameterError, RakutenError, ResponseError, TransientError, const,
)
from ..rakuten_connector.parsing import UNEXPECTED_STATUS
from ..rakuten_connector.records import TrackingLine

_logger = logging.getLogger(__name__)

DESPATCH_STATES = [
    ('to_send', "To Send"),
    ('waiting', "Waiting for Rakuten"),
    ('sent', "Sent"),
    ('failed', "Failed"),
]
MAX_ATTEMPTS = 5  # transient failures are retried this many times before a user is asked to act
DESPATCH_LOCK_KEY = 0x52414B44  # "RAKD": one despatch job per company at a time (second key: company id)


def _shippable(items):
    """The units Rakuten expects to be shipped (accepted); any other status means "do not confirm"."""
    return items.filtered(lambda item: item.status in const.SHIPPABLE_STATUSES)


class StockPicking(models.Model):
    _inherit = 'stock.picking'

    rakuten_despatch_state = fields.Selection(DESPATCH_STATES, string="Rakuten Despatch", readonly=True,
                                              copy=False, index='btree_not_null', tracking=True)
    rakuten_despatch_error = fields.Text(string="Rakuten Despatch Error", readonly=True, copy=False)
    rakuten_despatch_attempts = fields.Integer(readonly=True, copy=False)
    rakuten_despatch_file = fields.Char(
        string="Rakuten Despatch File", readonly=True, copy=False,
        help="Id of the despatch file Rakuten queued for later processing: its report tells what was applied.",
    )
    rakuten_item_ids = fields.One2many('rakuten.sale.item', 'picking_id', string="Rakuten Items")

    # === ACTION METHODS === #

    def action_rakuten_send(self):
        """Button: send (again) the despatch of these deliveries to Rakuten now.

        Warehouse users have no rights on Rakuten sales: their right to change these deliveries is checked,
        then the Rakuten bookkeeping (units confirmed, file ids) runs as superuser.
        """
        self.check_access('write')
        pickings = self.filtered(lambda picking: picking.state == 'done'
                                 and picking.rakuten_despatch_state in ('to_send', 'failed')).sudo()
        pickings = pickings.filtered('rakuten_item_ids')
        off = pickings.company_id.filtered(lambda company: not company.rakuten_enabled)
        if off:
            raise UserError(_("The Rakuten integration of %s is switched off: switch it on in Settings first.",
                              ', '.join(off.mapped('name'))))
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
        return bool(order.rakuten_purchase_ref and self._rakuten_is_last_step() and not self.carrier_tracking_ref
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
        """The transfer that reaches the buyer: the last step of a delivery route, or a dropship."""
        return self._is_to_external_location() and self.location_dest_id.usage == 'customer'

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
            company = picking.company_id
            if not (company.rakuten_enabled and company.rakuten_mark_despatched):
                continue
            picking._rakuten_claim_units()
            if picking.rakuten_item_ids:
                to_send |= picking
        if to_send:
            # Untracked: the validation is the news; the job's outcome (sent, failed) is tracked and posted.
            to_send.with_context(mail_notrack=True).write({
                'rakuten_despatch_state': 'to_send', 'rakuten_despatch_attempts': 0, 'rakuten_despatch_error': False})
            self._rakuten_trigger_despatch()

    def _rakuten_trigger_despatch(self):
        """Run the despatch job right after this transaction commits: one trigger per transaction, however
        many deliveries it validates (created at commit, when Odoo runs its pre-commit hooks)."""
        precommit = self.env.cr.precommit
        if precommit.data.get('rakuten_despatch_triggered'):
            return
        precommit.data['rakuten_despatch_triggered'] = True
        cron_id = self.env['ir.model.data']._xmlid_to_res_id('rakuten_connector.ir_cron_rakuten_despatch',
                                                             raise_if_not_found=True)
        precommit.add(self.env['ir.cron'].sudo().browse(cron_id)._trigger)

    def _rakuten_claim_units(self):
        """Give this delivery the Rakuten units it shipped, order line by order line: the units of its own moves
        of the line's product, or for a kit (moves of components) the whole kits Odoo counts as delivered that
        no delivery claimed yet. Only units Rakuten still expects are taken: a unit cancelled there is never
        confirmed, and a user is told."""
        self.ensure_one()
        items = self.sale_id.rakuten_sale_id.item_ids
        unexpected = self.env['rakuten.sale.item']
        for line in self.move_ids.filtered(lambda move: move.state == 'done').sale_line_id:
            line_items = items.filtered(lambda item: item.order_line_id == line)
            own = self.move_ids.filtered(lambda move: move.state == 'done' and move.sale_line_id == line
                                         and move.product_id == line.product_id)
            if own:
                missing = self._rakuten_units(sum(
                    move.product_uom._compute_quantity(move.quantity, line.product_uom_id) for move in own))
            else:  # a kit: Odoo counts whole kits delivered (all their components)
                missing = self._rakuten_units(line.qty_delivered) - len(line_items.filtered('picking_id'))
            if missing <= 0:
                continue
            free = line_items.filtered(lambda item: not item.picking_id)
            shippable = _shippable(free)
            shippable[:missing].picking_id = self
            if missing > len(shippable):
                unexpected |= (free - shippable)[:missing - len(shippable)]
        if unexpected:
            self.company_id._rakuten_env(self)._rakuten_tell_unexpected(unexpected)  # in the company's language

    @staticmethod
    def _rakuten_units(quantity):
        """Whole units (one Rakuten item each) in a quantity of the order line's unit."""
        return math.floor(float_round(quantity, precision_digits=6))  # 2.9999999 after a conversion is 3

    def _rakuten_tell_unexpected(self, items):
        """Units that left (or were about to be confirmed) although Rakuten does not expect them shipped: a
        note and a to-do for a user, once per delivery."""
        self.ensure_one()
        summary = _("Rakuten units not to ship")
        activity = self.activity_ids.filtered(lambda activity: activity.summary == summary)[:1]
        items -= items._rakuten_named_in(activity.note)
        if not items:
            return
        note = _("Not confirmed to Rakuten, whose status of these units does not allow a despatch: %s. Check the "
                 "order on Rakuten (cancelled units may need a refund or a return).",
                 ', '.join(f'{item.sku} ({item.itemid}: {item.status or "?"})' for item in items))
        self.message_post(body=note)
        if activity:
            activity.note += Markup('<p>%s</p>') % note
        else:
            self.activity_schedule('mail.mail_activity_data_todo', summary=summary, note=note,
                                   user_id=self._rakuten_responsible().id)

    def _rakuten_responsible(self):
        self.ensure_one()
        return self.sale_id.user_id or self.sale_id.rakuten_sale_id._rakuten_responsible()

    # === BUSINESS METHODS - DESPATCH === #

    @api.model
    def _cron_rakuten_despatch(self):
        """Send what waits, read the reports of queued files: company by company, each in its language."""
        companies = self.env['res.company'].sudo().search([('rakuten_enabled', '=', True),
                                                            ('rakuten_mark_despatched', '=', True)])
        pickings = self.search([('rakuten_despatch_state', 'in', ('to_send', 'waiting')),
                                ('company_id', 'in', companies.ids)])
        pickings._rakuten_send_despatch()

    def _rakuten_send_despatch(self):
        """Send carrier + tracking of these deliveries: one file per company, a bad delivery isolated; a company
        whose credentials are missing waits alone."""
        for company, pickings in self.grouped('company_id').items():
            company._rakuten_env(pickings)._rakuten_send_company(company)
            self.env['ir.cron']._rakuten_commit_progress()

    def _rakuten_send_company(self, company):
        if not self._rakuten_despatch_lock(company):
            _logger.info("Rakuten despatch of company %s already running, skipped", company.id)
            return
        to_send = self.filtered(lambda picking: picking.rakuten_despatch_state == 'to_send')
        try:
            client = company._rakuten_client()
        except UserError as error:  # missing credentials: every delivery waits for them
            to_send._rakuten_despatch_failed(error.args[0], transient=True)
            return
        try:
            (self - to_send)._rakuten_read_despatch_reports(client)
        except RUN_STOPPERS as error:
            _logger.info("Rakuten despatch of company %s stopped: %s", company.id, error)
            return
        ready = self.browse()
        for picking in to_send:
            unexpected = picking.rakuten_item_ids.filtered(lambda item: not item.tracking_sent) \
                - picking._rakuten_items_to_send()
            if unexpected:  # cancelled on Rakuten since the delivery was validated
                picking._rakuten_tell_unexpected(unexpected)
            problem = picking._rakuten_despatch_problem()
            if problem:
                picking._rakuten_despatch_failed(problem, transient=False)
            else:
                ready |= picking
        ready._rakuten_send_with(client)

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
        except RUN_STOPPERS as error:
            # Nothing more will work this hour: every delivery waits for the next run.
            self._rakuten_despatch_failed(self.company_id._rakuten_error_message(error), transient=True)

    def _rakuten_send_file(self, client):
        """One importitemshippingstatus file for these deliveries. False when Rakuten refused a line of it."""
        items = self._rakuten_items_to_send()
        if not items:
            self._rakuten_despatch_sent(items)
            return True
        try:
            result = client.import_item_shipping_status([line for picking in self
                                                         for line in picking._rakuten_tracking_lines()])
        except RUN_STOPPERS:
            raise
        except (TransientError, ResponseError) as error:
            self._rakuten_despatch_failed(self.company_id._rakuten_error_message(error), transient=True)
            return True
        except RakutenError as error:
            refused = isinstance(error, ParameterError) or error.code != UNEXPECTED_STATUS
            if refused and len(self) > 1:
                return False  # a line was refused (nothing applied): send each delivery alone to find which
            # Refused, or an answer that does not say whether Rakuten applied the file: a user checks.
            self._rakuten_despatch_failed(self.company_id._rakuten_error_message(error), transient=False)
            return True
        if result.pending:
            self._rakuten_despatch_queued(result.import_id)
        else:
            self._rakuten_despatch_sent(items)
        return True

    def _rakuten_items_to_send(self):
        """Units of these deliveries not confirmed yet that Rakuten still expects shipped."""
        return _shippable(self.rakuten_item_ids.filtered(lambda item: not item.tracking_sent))

    def _rakuten_tracking_lines(self):
        self.ensure_one()
        carrier = self._rakuten_carrier()
        number = self.carrier_tracking_ref or ''
        return [
            TrackingLine(purchaseid=self.sale_id.rakuten_purchase_ref, itemid=item.itemid,
                         transporter=carrier.rakuten_transporter_id.name, tracking_number=number,
                         tracking_url=carrier._rakuten_tracking_url(number))
            for item in self._rakuten_items_to_send()
        ]

    def _rakuten_carrier(self):
        """The delivery's carrier, else the order's (a dropship from a vendor has none of its own)."""
        self.ensure_one()
        return self.carrier_id or self.sale_id.carrier_id

    def _rakuten_despatch_problem(self):
        self.ensure_one()
        carrier = self._rakuten_carrier()
        if not carrier:
            return _("The delivery %s has no carrier: set one, then send it to Rakuten again.", self.name)
        if not carrier.rakuten_transporter_id:
            return _("Set the Rakuten transporter of the carrier %s (Inventory > Configuration > Shipping "
                     "Methods, Rakuten tab), then send the delivery to Rakuten again.", carrier.name)
        if carrier.rakuten_transporter_id.needs_url and not carrier._rakuten_tracking_url(self.carrier_tracking_ref):
            return _("The Rakuten transporter %s needs the carrier's Tracking Link (carrier %s): set it, then send "
                     "the delivery to Rakuten again.",
                     carrier.rakuten_transporter_id.name, carrier.name)
        return False

    # === BUSINESS METHODS - DESPATCH REPORTS === #

    def _rakuten_despatch_queued(self, file_id):
        """Rakuten took the file for later processing: its report (read by the next runs) tells the outcome."""
        self.write({'rakuten_despatch_state': 'waiting', 'rakuten_despatch_file': file_id,
                    'rakuten_despatch_error': False})
        for picking in self:
            picking.message_post(body=_("Despatch file %s queued by Rakuten: its report is read at the next runs.",
                                        file_id))

    def _rakuten_read_despatch_reports(self, client):
        """Apply the reports of the queued despatch files that Rakuten has processed."""
        for file_id, pickings in self.grouped('rakuten_despatch_file').items():
            try:
                report = client.get_import_report(file_id)
            except RUN_STOPPERS:
                raise
            except (TransientError, ResponseError) as error:
                _logger.info("Rakuten despatch report %s left for the next run: %s", file_id, error)
                continue
            except RakutenError as error:  # unknown or expired file: its outcome will never be known here
                pickings._rakuten_despatch_failed(_(
                    "The report of the despatch file %(file)s cannot be read (%(error)s): check these units on "
                    "Rakuten, then send the delivery again if they are not marked as shipped.",
                    file=file_id, error=pickings.company_id._rakuten_error_message(error)), transient=False)
                continue
            if not report.pending:
                pickings._rakuten_apply_despatch_report(report)

    def _rakuten_apply_despatch_report(self, report):
        """Units without error in a processed file are confirmed; line errors land on their delivery."""
        if not report.done:
            self._rakuten_despatch_failed(_("Rakuten did not process the despatch file %(file)s: %(status)s.",
                                            file=report.file_id, status=report.status), transient=False)
            return
        errors = {line.itemid: '; '.join(f'{error.code} {error.text}'.strip() for error in line.errors)
                  for line in report.lines if line.errors}
        for picking in self:
            items = picking._rakuten_items_to_send()
            refused = items.filtered(lambda item: item.itemid in errors)
            if refused:
                (items - refused).tracking_sent = True
                picking._rakuten_despatch_failed(_("Rakuten refused units of despatch file %(file)s: %(errors)s",
                                                   file=report.file_id, errors=', '.join(
                                                       f'{item.itemid}: {errors[item.itemid]}' for item in refused)),
                                                 transient=False)
            else:
                picking._rakuten_despatch_sent(items)

    # === BUSINESS METHODS - DESPATCH OUTCOME === #

    def _rakuten_despatch_sent(self, items):
        items.tracking_sent = True
        for picking in self:
            picking.write({'rakuten_despatch_state': 'sent', 'rakuten_despatch_error': False,
                           'rakuten_despatch_file': False})
            picking.message_post(body=_(
                "Despatch sent to Rakuten: %(transporter)s, tracking %(tracking)s, %(count)s unit(s).",
                transporter=picking._rakuten_carrier().rakuten_transporter_id.name,
                tracking=picking.carrier_tracking_ref or _("none"),
                count=len(items.filtered(lambda item: item.picking_id == picking))))
            picking.activity_unlink(['mail.mail_activity_data_warning'])

    def _rakuten_despatch_failed(self, reason, transient):
        """Transient: try again at the next run (a user is told after a few tries); else: ask a user now."""
        for picking in self:
            attempts = picking.rakuten_despatch_attempts + 1
            give_up = not transient or attempts >= MAX_ATTEMPTS
            picking.write({'rakuten_despatch_state': 'failed' if give_up else 'to_send',
                           'rakuten_despatch_error': reason, 'rakuten_despatch_attempts': attempts,
                           'rakuten_despatch_file': False})
            if give_up:
                picking.message_post(body=_("Despatch not sent to Rakuten: %s", reason))
                picking.activity_unlink(['mail.mail_activity_data_warning'])
                picking.activity_schedule(
                    'mail.mail_activity_data_warning', summary=_("Rakuten despatch failed"), note=reason,
                    user_id=picking._rakuten_responsible().id)
