import logging
import math
from contextlib import contextmanager

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import float_round

from ..rakuten_connector import (
    RUN_STOPPERS, ParameterError, RakutenError, ResponseError, TransientError, const, parsing,
)
from ..rakuten_connector.parsing import UNEXPECTED_STATUS
from ..rakuten_connector.records import ItemInfo
from ..rakuten_connector.records import TrackingLine
from .rakuten_rights import WAREHOUSE, check_connector_fields, check_user_may

_logger = logging.getLogger(__name__)

DESPATCH_STATES = [
    ('to_send', "To Send"),
    ('sending', "Being Sent"),  # committed before the upload: still there at the next run = the worker died
    ('to_check', "To Check"),  # the outcome of a sending is unknown: the units are read back before any resend
    ('waiting', "Waiting for Rakuten"),
    ('sent', "Sent"),
    ('failed', "Failed"),
]
JOB_STATES = ('to_send', 'sending', 'to_check', 'waiting')  # what the despatch job has to do
MAX_ATTEMPTS = 5  # transient failures are retried this many times before a user is asked to act
DESPATCH_LOCK_KEY = 0x52414B44  # "RAKD": one despatch job per company at a time (second key: company id)


def _shippable(items):
    """The units Rakuten expects to be shipped (accepted); any other status means "do not confirm"."""
    return items.filtered(lambda item: item.status in const.SHIPPABLE_STATUSES)


# What the connector records of a delivery's despatch: users never write it (the connector does, with its rights).
DESPATCH_FIELDS = frozenset({'rakuten_despatch_state', 'rakuten_despatch_error', 'rakuten_despatch_attempts',
                             'rakuten_despatch_unsure', 'rakuten_despatch_file'})


class StockPicking(models.Model):
    _inherit = 'stock.picking'

    rakuten_despatch_state = fields.Selection(DESPATCH_STATES, string="Rakuten Despatch", readonly=True,
                                              copy=False, index='btree_not_null', tracking=True)
    rakuten_despatch_error = fields.Text(readonly=True, copy=False)
    rakuten_despatch_attempts = fields.Integer(readonly=True, copy=False)
    rakuten_despatch_unsure = fields.Boolean(
        string="Rakuten Outcome Unknown", readonly=True, copy=False,
        help="A despatch of these units went to Rakuten and its answer was lost (or the sending was "
             "interrupted): Rakuten's state of the units is read back before anything is sent again.",
    )
    rakuten_despatch_file = fields.Char(
        readonly=True, copy=False,
        help="Id of the despatch file Rakuten queued for later processing: its report tells what was applied.",
    )
    rakuten_item_ids = fields.One2many('rakuten.sale.item', 'picking_id', string="Rakuten Items")

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        check_connector_fields(self, DESPATCH_FIELDS, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_connector_fields(self, DESPATCH_FIELDS, [vals])
        return super().write(vals)

    # === ACTION METHODS === #

    def action_rakuten_send(self):
        """Button: send (again) the despatch of these deliveries to Rakuten.

        The click never calls Rakuten: Odoo replays a whole request after a serialization failure, and a
        despatch sent inside it could go twice. It checks what Odoo alone can tell (carrier, transporter),
        marks the deliveries to send (to check, when an earlier sending may have reached Rakuten) and runs
        the despatch job as soon as the click's transaction is committed; the job records each sending
        before making it. Warehouse users have no rights on Rakuten sales: their right to change these
        deliveries is checked, then the Rakuten bookkeeping runs as superuser.
        """
        check_user_may(self, WAREHOUSE, 'write')  # the warehouse's action, on deliveries the user may change
        pickings = self.filtered(lambda picking: picking.state == 'done'
                                 and picking.rakuten_despatch_state in ('to_send', 'to_check', 'failed')).sudo()
        pickings = pickings.filtered('rakuten_item_ids')
        off = pickings.company_id.filtered(lambda company: not company.rakuten_enabled)
        if off:
            raise UserError(self.env._("The Rakuten integration of %s is switched off: switch it on in Settings first.",
                              ', '.join(off.mapped('name'))))
        marked = self.browse()
        for company, company_pickings in pickings.grouped('company_id').items():
            for picking in company._rakuten_env(company_pickings):  # chatter and tracking in its language
                problem = picking._rakuten_despatch_problem()
                if problem:
                    picking._rakuten_despatch_failed(problem, transient=False)
                    continue
                picking.write({'rakuten_despatch_state': 'to_check' if picking.rakuten_despatch_unsure else 'to_send',
                               'rakuten_despatch_attempts': 0, 'rakuten_despatch_error': False})
                marked |= picking
        if marked:
            marked._rakuten_trigger_despatch()
        return True

    # === BUSINESS METHODS - VALIDATION === #

    def _pre_action_done_hook(self):
        result = super()._pre_action_done_hook()
        if result is not True or self.env.context.get('rakuten_skip_tracking_check'):
            return result
        untracked = self.filtered(lambda picking: picking._rakuten_misses_tracking())
        if untracked:
            return {
                'name': self.env._("Tracking number missing"),
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

    @api.model
    def get_empty_list_help(self, help_message):
        # Stock replaces every transfer list's help by its own ("create one"): the Rakuten despatch list keeps its.
        if self.env.context.get('rakuten_despatch_list'):
            return help_message
        return super().get_empty_list_help(help_message)

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
        summary = self.env._("Rakuten units not to ship")
        activity = self.activity_ids.filtered(lambda activity: activity.summary == summary)[:1]
        items -= items._rakuten_named_in(activity.note)
        if not items:
            return
        note = self.env._("Not confirmed to Rakuten, whose status of these units does not allow a despatch: %s. Check "
                 "the order on Rakuten (cancelled units may need a refund or a return).",
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

    # === BUSINESS METHODS - DESPATCH JOB === #

    @api.model
    def _cron_rakuten_despatch(self):
        """Send what waits, read back what is unsure, read the reports of queued files: company by company,
        each in its language; whatever goes wrong in one company stays there."""
        companies = self.env['res.company'].sudo().search([('rakuten_enabled', '=', True),
                                                            ('rakuten_mark_despatched', '=', True)])
        for company in companies:
            # The despatch bookkeeping is the connector's, whoever runs the job.
            company._rakuten_env(self.sudo())._rakuten_despatch_run(company)
            self.env['ir.cron']._rakuten_commit_progress()

    @api.model
    def _rakuten_despatch_run(self, company):
        """One despatch run of ``company``, one run per company at a time (a session lock that outlives the
        run's commits). An unexpected error (a bug, a database error) is recorded on the company's deliveries
        and the next company goes on.

        :return: False when another run of the company holds the lock, else True.
        """
        with company._rakuten_run_lock(DESPATCH_LOCK_KEY) as locked:
            if not locked:
                _logger.info("Rakuten despatch of company %s already running, skipped", company.id)
                return False
            self.env['ir.cron']._rakuten_commit_progress()  # a snapshot taken after the previous run's commits
            pickings = self.search([('company_id', '=', company.id), ('rakuten_despatch_state', 'in', JOB_STATES)])
            if not pickings:
                return True
            try:
                with self.env.cr.savepoint():
                    pickings._rakuten_lock_rows()
                pickings._rakuten_despatch_company(company)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                _logger.info("Rakuten despatch of company %s: deliveries changed by another transaction, left "
                             "for the next run", company.id)
            except Exception as error:  # noqa: BLE001 - one company's bug must not stop the others
                _logger.exception("Rakuten despatch of company %s: unexpected error", company.id)
                pickings._rakuten_record_unexpected(error)
        return True

    def _rakuten_lock_rows(self):
        """Lock the deliveries' rows: when another worker changed them after this transaction's snapshot,
        PostgreSQL refuses the lock (serialization failure) before anything is sent again."""
        self.flush_recordset(['rakuten_despatch_state'])
        self.env.cr.execute('SELECT id FROM stock_picking WHERE id = ANY(%s) FOR UPDATE', [self.ids])

    def _rakuten_despatch_company(self, company):
        """The steps of a company's run; each delivery's database work runs in its own savepoint."""
        self.filtered(lambda picking: picking.rakuten_despatch_state == 'sending')._rakuten_despatch_interrupted()
        try:
            client = company._rakuten_client()
        except UserError as error:  # missing credentials: every delivery waits for them
            for picking in self.filtered(lambda picking: picking.rakuten_despatch_state in ('to_send', 'to_check')):
                with picking._rakuten_isolated():
                    picking._rakuten_despatch_failed(error.args[0], transient=True)
            return
        try:
            self.filtered(lambda picking: picking.rakuten_despatch_state == 'waiting') \
                ._rakuten_read_despatch_reports(client)
            self.filtered(lambda picking: picking.rakuten_despatch_state == 'to_check') \
                ._rakuten_check_despatch(company, client)
        except RUN_STOPPERS as error:
            _logger.info("Rakuten despatch of company %s stopped: %s", company.id, error)
            return
        ready = self.browse()
        for picking in self.filtered(lambda picking: picking.rakuten_despatch_state == 'to_send'):
            with picking._rakuten_isolated():
                if picking._rakuten_prepare():
                    ready |= picking
        ready._rakuten_send_with(client)

    def _rakuten_prepare(self):
        """Whether this delivery can go in the run's file; tell a user what stops it. Its file is built
        here too, alone, so that a delivery Odoo cannot even write down fails alone."""
        self.ensure_one()
        unexpected = self.rakuten_item_ids.filtered(lambda item: not item.tracking_sent) \
            - self._rakuten_items_to_send()
        if unexpected:  # cancelled on Rakuten since the delivery was validated
            self._rakuten_tell_unexpected(unexpected)
        problem = self._rakuten_despatch_problem()
        if problem:
            self._rakuten_despatch_failed(problem, transient=False)
            return False
        parsing.build_shipping_status_file(self._rakuten_tracking_lines())
        return True

    @contextmanager
    def _rakuten_isolated(self):
        """These deliveries' step in its own savepoint: an unexpected error (a bug, a database error) is
        recorded on them and the other deliveries go on. Errors that stop the run propagate; a concurrency
        error leaves the deliveries as they were for the next run."""
        try:
            with self.env.cr.savepoint():
                yield
        except RUN_STOPPERS:
            raise
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            _logger.info("Rakuten despatch of deliveries %s changed by another transaction: left for the next run",
                         self.ids)
        except Exception as error:  # noqa: BLE001 - one delivery's bug must not stop the others
            _logger.exception("Rakuten despatch of deliveries %s: unexpected error", self.ids)
            self._rakuten_record_unexpected(error)

    def _rakuten_record_unexpected(self, error):
        """Record an unexpected error on these deliveries, those the job still had to do. One whose units may
        have reached Rakuten (being sent, to check, queued) is checked at the next runs; the others fail for a
        user to see."""
        try:
            with self.env.cr.savepoint():
                for picking in self.filtered(lambda picking: picking.rakuten_despatch_state in JOB_STATES):
                    message = self.env._(
                        "Unexpected error, the other deliveries went on: %(error)s. If it persists, report it "
                        "with this message.", error=picking.company_id._rakuten_error_detail(error))
                    under_way = picking.rakuten_despatch_state != 'to_send'
                    picking._rakuten_despatch_failed(message, transient=under_way, unsure=under_way or None)
        except Exception:  # noqa: BLE001 - the error is logged; the deliveries are left as they were
            _logger.exception("Rakuten despatch of deliveries %s: the error could not be recorded", self.ids)

    # === BUSINESS METHODS - SENDING ONCE === #

    def _rakuten_send_with(self, client):
        """Send these deliveries in one file: each is marked as being sent and committed first, so that a
        lost answer or a dead worker leaves a mark that the next run checks (read back) before any resend."""
        if not self:
            return
        with self._rakuten_isolated():
            self.with_context(mail_notrack=True).write({'rakuten_despatch_state': 'sending',
                                                        'rakuten_despatch_unsure': True})
        sending = self.filtered(lambda picking: picking.rakuten_despatch_state == 'sending')
        if not sending:
            return
        self.env['ir.cron']._rakuten_commit_progress()
        try:
            if len(sending) == 1 or not sending._rakuten_upload(client):
                for picking in sending:
                    picking._rakuten_upload(client)
        except RUN_STOPPERS as error:
            # Rakuten refused the call (quota, credentials): nothing was applied; every delivery left waits.
            left = sending.filtered(lambda picking: picking.rakuten_despatch_state == 'sending')
            with left._rakuten_isolated():
                left._rakuten_despatch_failed(left.company_id._rakuten_error_message(error), transient=True,
                                              unsure=False)

    def _rakuten_upload(self, client, retry=True):
        """One importitemshippingstatus file for these deliveries, then its answer recorded on each of them.
        False when Rakuten refused a line of a file of several deliveries (nothing applied)."""
        items = self._rakuten_items_to_send()
        if not items:
            with self._rakuten_isolated():
                self._rakuten_despatch_sent(items)
            return True
        try:
            result = client.import_item_shipping_status([line for picking in self
                                                         for line in picking._rakuten_tracking_lines()])
        except RUN_STOPPERS:
            raise
        except (TransientError, ResponseError) as error:
            # No answer, or one that cannot be read: Rakuten may have applied the file.
            with self._rakuten_isolated():
                self._rakuten_despatch_failed(self.company_id._rakuten_error_message(error), transient=True,
                                              unsure=True)
            return True
        except RakutenError as error:
            refused = isinstance(error, ParameterError) or error.code != UNEXPECTED_STATUS
            if refused:
                shipped, only_those = parsing.already_shipped(error, items.mapped('itemid'))
                if shipped:
                    with self._rakuten_isolated():
                        self._rakuten_already_shipped(items.filtered(lambda item: item.itemid in shipped))
                    if only_those and retry:
                        return self._rakuten_upload(client, retry=False)  # the other units, once
                if len(self) > 1:
                    return False  # a line was refused (nothing applied): send each delivery alone to find which
            # Refused (nothing applied), or an answer that does not say whether Rakuten applied the file.
            with self._rakuten_isolated():
                self._rakuten_despatch_failed(self.company_id._rakuten_error_message(error), transient=False,
                                              unsure=not refused)
            return True
        except Exception as error:  # noqa: BLE001 - a bug once the file may have left: checked at the next run
            _logger.exception("Rakuten despatch of deliveries %s: unexpected error", self.ids)
            self._rakuten_record_unexpected(error)
            return True
        for picking in self:  # each delivery records the answer alone
            with picking._rakuten_isolated():
                if result.pending:
                    picking._rakuten_despatch_queued(result.import_id)
                else:
                    picking._rakuten_despatch_sent(items.filtered(lambda item: item.picking_id == picking))
        return True

    def _rakuten_already_shipped(self, items):
        """Rakuten refused these units as already shipped: a despatch of them went through before."""
        items.tracking_sent = True
        for picking in self:
            mine = items.filtered(lambda item: item.picking_id == picking)
            if mine:
                picking.message_post(body=self.env._(
                    "Rakuten says these units are already shipped: counted as sent, not sent again: %(units)s.",
                    units=mine._rakuten_products()))

    # === BUSINESS METHODS - READING BACK === #

    def _rakuten_despatch_interrupted(self):
        """Deliveries left "being sent" by a run that died between the upload and the recording of its
        answer (this run holds the company's lock: no other run is sending them)."""
        for picking in self:
            with picking._rakuten_isolated():
                picking._rakuten_despatch_failed(self.env._(
                    "The previous sending to Rakuten was interrupted before its answer was recorded: Rakuten's "
                    "state of the units is read back before anything is sent again."), transient=True, unsure=True)

    def _rakuten_check_despatch(self, company, client):
        """Read back from Rakuten (``getiteminfos``) the units not confirmed yet of these deliveries, whose
        last sending's outcome is unknown: units Rakuten shows as shipped are marked sent without a new
        call, the others go in this run's file.

        Reading an item marks its buyer messages read on Rakuten: the units are first queued (committed) for
        the after-sales job, which reads them again and stores their messages."""
        units = self.rakuten_item_ids.filtered(lambda item: not item.tracking_sent)
        if units:
            queued = False
            with self._rakuten_isolated():
                self.env['rakuten.aftersale'].sudo()._rakuten_for_items(company, units.mapped('itemid')) \
                    .write({'to_read': True})
                queued = True
            if not queued:  # never read an item whose messages the after-sales job would not read again
                return
            self.env['ir.cron']._rakuten_commit_progress()
        answers, stopped = client.map_calls(client.get_item_infos, units.mapped('itemid'))
        for picking in self:
            with picking._rakuten_isolated():
                picking._rakuten_apply_check(answers, stopped)
        if stopped:
            raise stopped

    def _rakuten_apply_check(self, answers, stopped):
        self.ensure_one()
        units = self.rakuten_item_ids.filtered(lambda item: not item.tracking_sent)
        unread = units.filtered(lambda item: not isinstance(answers.get(item.itemid), ItemInfo))
        if unread:
            error = answers.get(unread[0].itemid) or stopped
            transient = not isinstance(error, RakutenError) or isinstance(error, (TransientError, ResponseError)) \
                or isinstance(error, RUN_STOPPERS)
            self._rakuten_despatch_failed(self.env._(
                "The units could not be read back from Rakuten (%(error)s): nothing is sent again before they are. "
                "Check them on Rakuten if it persists.",
                error=self.company_id._rakuten_error_message(error) if isinstance(error, RakutenError)
                else self.company_id._rakuten_error_detail(error)), transient=transient)
            return
        shipped = units.filtered(lambda item: answers[item.itemid].shipped)
        shipped.tracking_sent = True
        self.rakuten_despatch_unsure = False
        if self._rakuten_items_to_send():
            self.rakuten_despatch_state = 'to_send'  # this run sends the units Rakuten does not show shipped
            if shipped:
                self.message_post(body=self.env._(
                    "Rakuten already shows these units as shipped: marked as sent, not sent again: %(units)s. "
                    "The others are sent now.", units=shipped._rakuten_products()))
        else:
            self._rakuten_despatch_sent(self.env['rakuten.sale.item'], confirmed=shipped)

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
            return self.env._("The delivery %s has no carrier: set one, then send it to Rakuten again.", self.name)
        if not carrier.rakuten_transporter_id:
            return self.env._("Set the Rakuten transporter of the carrier %s (Inventory > Configuration > Shipping "
                     "Methods, Rakuten tab), then send the delivery to Rakuten again.", carrier.name)
        if carrier.rakuten_transporter_id.needs_url and not carrier._rakuten_tracking_url(self.carrier_tracking_ref):
            return self.env._("The Rakuten transporter %(transporter)s needs the carrier's Tracking Link (carrier "
                              "%(carrier)s): set it, then send the delivery to Rakuten again.",
                              transporter=carrier.rakuten_transporter_id.name, carrier=carrier.name)
        return False

    # === BUSINESS METHODS - DESPATCH REPORTS === #

    def _rakuten_despatch_queued(self, file_id):
        """Rakuten took the file for later processing: its report (read by the next runs) tells the outcome."""
        self.write({'rakuten_despatch_state': 'waiting', 'rakuten_despatch_file': file_id,
                    'rakuten_despatch_error': False, 'rakuten_despatch_unsure': False})
        for picking in self:
            picking.message_post(body=self.env._(
                "Despatch file %s queued by Rakuten: its report is read at the next runs.",
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
                with pickings._rakuten_isolated():
                    pickings._rakuten_despatch_failed(self.env._(
                        "The report of the despatch file %(file)s cannot be read (%(error)s): check these units on "
                        "Rakuten, then send the delivery again if they are not marked as shipped.",
                        file=file_id, error=pickings.company_id._rakuten_error_message(error)), transient=False,
                        unsure=True)
                continue
            if not report.pending:
                for picking in pickings:
                    with picking._rakuten_isolated():
                        picking._rakuten_apply_despatch_report(report)

    def _rakuten_apply_despatch_report(self, report):
        """Units without error in a processed file are confirmed; line errors land on their delivery."""
        if not report.done:
            self._rakuten_despatch_failed(self.env._("Rakuten did not process the despatch file %(file)s: %(status)s.",
                                            file=report.file_id, status=report.status), transient=False,
                                          unsure=False)
            return
        errors = {line.itemid: '; '.join(f'{error.code} {error.text}'.strip() for error in line.errors)
                  for line in report.lines if line.errors}
        for picking in self:
            items = picking._rakuten_items_to_send()
            refused = items.filtered(lambda item: item.itemid in errors)
            if refused:
                (items - refused).tracking_sent = True
                picking._rakuten_despatch_failed(self.env._(
                    "Rakuten refused units of despatch file %(file)s: %(errors)s",
                                                   file=report.file_id, errors=', '.join(
                                                       f'{item.itemid}: {errors[item.itemid]}' for item in refused)),
                                                 transient=False, unsure=False)
            else:
                picking._rakuten_despatch_sent(items)

    # === BUSINESS METHODS - DESPATCH OUTCOME === #

    def _rakuten_despatch_sent(self, items, confirmed=None):
        """``items`` were sent and taken; ``confirmed``: units Rakuten showed as shipped when read back."""
        items.tracking_sent = True
        for picking in self:
            picking.write({'rakuten_despatch_state': 'sent', 'rakuten_despatch_error': False,
                           'rakuten_despatch_file': False, 'rakuten_despatch_unsure': False})
            transporter = picking._rakuten_carrier().rakuten_transporter_id.name
            tracking = picking.carrier_tracking_ref or self.env._("none")
            sent = items.filtered(lambda item: item.picking_id == picking)
            if sent:
                picking.message_post(body=self.env._(
                    "Despatch sent to Rakuten: %(transporter)s, tracking %(tracking)s, for %(units)s.",
                    transporter=transporter, tracking=tracking, units=sent._rakuten_products()))
            shown = (confirmed or items.browse()).filtered(lambda item: item.picking_id == picking)
            if shown:
                picking.message_post(body=self.env._(
                    "Rakuten already shows the despatch of %(units)s (%(transporter)s, tracking %(tracking)s): "
                    "confirmed without sending it again.",
                    units=shown._rakuten_products(), transporter=transporter, tracking=tracking))
            picking.activity_unlink(['mail.mail_activity_data_warning'])

    def _rakuten_despatch_failed(self, reason, transient, unsure=None):
        """Transient: try again at the next run (a user is told after a few tries); else: ask a user now.
        ``unsure``: whether the units may have reached Rakuten (None: as it was). An unsure delivery is to
        check: its units are read back before anything is sent again, by the job or after a click."""
        for picking in self:
            if unsure is not None:
                picking.rakuten_despatch_unsure = unsure
            attempts = picking.rakuten_despatch_attempts + 1
            give_up = not transient or attempts >= MAX_ATTEMPTS
            retry_state = 'to_check' if picking.rakuten_despatch_unsure else 'to_send'
            picking.write({'rakuten_despatch_state': 'failed' if give_up else retry_state,
                           'rakuten_despatch_error': reason, 'rakuten_despatch_attempts': attempts,
                           'rakuten_despatch_file': False})
            if give_up:
                picking.message_post(body=self.env._("Despatch not sent to Rakuten: %s", reason))
                picking.activity_unlink(['mail.mail_activity_data_warning'])
                picking.activity_schedule(
                    'mail.mail_activity_data_warning', summary=self.env._("Rakuten despatch failed"), note=reason,
                    user_id=picking._rakuten_responsible().id)
