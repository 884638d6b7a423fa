import logging
from contextlib import contextmanager
from datetime import timezone
from zoneinfo import ZoneInfo

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import plaintext2html

from ..rakuten_connector import RUN_STOPPERS, RakutenError, ResponseError, TransientError, const
from ..rakuten_connector.deadlines import claim_deadline, message_deadline
from ..rakuten_connector.records import message_keys
from .rakuten_codes import code_label, codes_label
from .rakuten_rights import SALESMAN, check_user_may

_logger = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock taken by an after-sales run (second key: the company id).
AFTERSALES_LOCK_KEY = 0x52414B41  # "RAKA"
_PARIS = ZoneInfo(const.RAKUTEN_TIMEZONE)


def _utc(moment):
    """Aware datetime → naive UTC for the ORM."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment else False


def _same_text(first, second):
    """Equal but for spacing and line ends (Rakuten may send back ``\\r\\n`` for ``\\n``)."""
    return ' '.join((first or '').split()) == ' '.join((second or '').split())


class RakutenAftersale(models.Model):
    """A Rakuten item (``itemid``) with after-sales: its messages, customer-service mails and claim.

    Items named by Rakuten's to-do list are queued here (``to_read``) and committed before being read, then
    read with ``getiteminfos`` (a few calls at once, each answer stored in turn): what a dead worker did not
    store is read again by the next run, so nothing Rakuten marked as read is lost.
    """
    _name = 'rakuten.aftersale'
    _description = "Rakuten After-Sales Item"
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _order = 'claim_open desc, claim_deadline, id desc'
    _rec_name = 'itemid'
    _check_company_auto = True
    _mail_post_access = 'read'  # users read claims: they note and do activities, the connector writes

    itemid = fields.Char(string="Item ID", required=True, readonly=True, index=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    sale_item_id = fields.Many2one('rakuten.sale.item', string="Rakuten Sale Item", readonly=True,
                                   index='btree_not_null', ondelete='set null', check_company=True)
    sale_id = fields.Many2one(related='sale_item_id.sale_id', string="Rakuten Sale", store=True)
    order_id = fields.Many2one('sale.order', string="Sale Order", compute='_compute_order_id', store=True,
                               index='btree_not_null')
    partner_id = fields.Many2one(related='order_id.partner_id', string="Customer")
    user_id = fields.Many2one(related='order_id.user_id', string="Salesperson")
    headline = fields.Char(related='sale_item_id.headline', string="Title")
    to_read = fields.Boolean(readonly=True, index=True,
                             help="Named by Rakuten's to-do list and not read yet.")
    product_name = fields.Char(string="Product", compute='_compute_product_name')
    todo_causes = fields.Char(string="Rakuten To-Do Codes", readonly=True)
    todo_label = fields.Char(string="Rakuten To-Do", compute='_compute_code_labels')
    item_status = fields.Char(string="Rakuten Status Code", readonly=True)
    item_status_label = fields.Char(string="Item Status", compute='_compute_code_labels')
    item_state = fields.Char(string="Rakuten State Code", readonly=True)
    item_state_label = fields.Char(string="Stage on Rakuten", readonly=True,
                                   help="Rakuten's own words for where the item stands.")
    payment_status = fields.Char(string="Payment Status Code", readonly=True)
    payment_status_label = fields.Char(string="Payment Status", compute='_compute_code_labels')
    claim_type = fields.Char(string="Claim Type Code", readonly=True)
    claim_state = fields.Char(string="Claim State Code", readonly=True)
    # In the company's language, stored: listed, grouped and tracked in the chatter in words.
    claim_type_label = fields.Char(string="Claim Type", compute='_compute_claim_labels', store=True, tracking=True)
    claim_state_label = fields.Char(string="Claim State", compute='_compute_claim_labels', store=True, tracking=True)
    claim_amicable = fields.Boolean(string="Amicable", readonly=True)
    claim_comment = fields.Text(string="Buyer's Comment", readonly=True)
    claim_date = fields.Datetime(string="Claim Opened On", readonly=True)
    claim_deadline = fields.Datetime(
        string="Answer Before", readonly=True,
        help="3 working days to settle an amicable claim; 48 hours to answer a \"not received\" claim.",
    )
    claim_open = fields.Boolean(readonly=True, index=True)
    claim_notified = fields.Char(readonly=True, copy=False, help="The claim the last activity was about.")
    available_actions = fields.Text(string="Actions Offered by Rakuten", readonly=True)
    available_action_codes = fields.Char(string="Rakuten Action Codes", readonly=True)
    awaiting_answer = fields.Boolean(
        string="Not Answered", compute='_compute_awaiting_answer', store=True, index=True,
        help="The buyer or Rakuten's customer service wrote last: no reply since their last message.")
    answer_deadline = fields.Datetime(
        string="Answer Messages Before", compute='_compute_awaiting_answer', store=True,
        help="48 hours after the first message not answered.")
    answer_activity_id = fields.Many2one('mail.activity', readonly=True, copy=False,
                                         ondelete='set null')
    claim_activity_id = fields.Many2one('mail.activity', readonly=True, copy=False,
                                        ondelete='set null')
    refund_ids = fields.Many2many('account.move', string="Credit Notes", compute='_compute_refund_ids',
                                  help="The credit notes of the order (units returned or refunded).")
    can_cancel_item = fields.Boolean(compute='_compute_can_cancel_item',
                                     help="Rakuten offers to cancel the claimed unit, which has not left.")
    rakuten_message_ids = fields.One2many('rakuten.message', 'aftersale_id', string="Rakuten Messages",
                                          readonly=True)
    last_read = fields.Datetime(string="Last Read On", readonly=True)
    error_message = fields.Text(string="Reason", readonly=True)

    _itemid_company_unique = models.Constraint(
        'UNIQUE(company_id, itemid)', "A Rakuten item can only be followed once per company.",
    )

    # === COMPUTE METHODS === #

    @api.depends('order_id.invoice_ids')
    def _compute_refund_ids(self):
        for record in self:
            record.refund_ids = record.order_id.invoice_ids.filtered(lambda move: move.move_type == 'out_refund')

    @api.depends('available_action_codes', 'claim_open', 'sale_item_id.cancel_state', 'sale_item_id.status')
    def _compute_can_cancel_item(self):
        for record in self:
            codes = (record.available_action_codes or '').split(',')
            record.can_cancel_item = bool(record.claim_open and const.ACTION_CANCEL_ITEM in codes
                                          and record.sale_item_id._rakuten_cancellable())

    @api.depends('itemid', 'order_id', 'sale_item_id.headline', 'sale_item_id.order_line_id.product_id')
    @api.depends_context('lang')
    def _compute_display_name(self):
        """The product and the order (the item id only while the sale is not in Odoo)."""
        for record in self:
            if record.order_id:
                record.display_name = self.env._("%(product)s, order %(order)s", product=record.product_name,
                                                 order=record.order_id.name)
            else:
                record.display_name = self.env._("%(product)s, item %(item)s", product=record.product_name,
                                                 item=record.itemid)

    @api.depends('rakuten_message_ids.direction', 'rakuten_message_ids.date', 'rakuten_message_ids.send_state')
    def _compute_awaiting_answer(self):
        """Awaiting an answer while a received message is newer than every reply (sent from Odoo and taken by
        Rakuten, or written in Rakuten's back office)."""
        for record in self:
            messages = record.rakuten_message_ids
            received = messages.filtered(lambda message: message.direction == 'in' and message.date)
            replies = messages.filtered(lambda message: message.direction == 'out' and message.date
                                        and message.send_state in (False, 'sent'))
            last_reply = max(replies.mapped('date'), default=None)
            waiting = received.filtered(lambda message: last_reply is None or message.date > last_reply)
            first = min(waiting.mapped('date'), default=None)
            record.awaiting_answer = bool(waiting)
            record.answer_deadline = first and _utc(message_deadline(first.replace(tzinfo=timezone.utc)))

    @api.depends('itemid', 'sale_item_id.headline', 'sale_item_id.order_line_id.product_id')
    def _compute_product_name(self):
        for record in self:
            item = record.sale_item_id
            record.product_name = item.order_line_id.product_id.display_name or item.headline or record.itemid

    @api.depends('todo_causes', 'item_status', 'payment_status')
    @api.depends_context('lang')
    def _compute_code_labels(self):
        for record in self:
            record.todo_label = codes_label(self.env, 'todo', record.todo_causes)
            record.item_status_label = code_label(self.env, 'item_status', record.item_status)
            record.payment_status_label = code_label(self.env, 'payment_status', record.payment_status)

    @api.depends('claim_type', 'claim_state')
    def _compute_claim_labels(self):
        for company, records in self.grouped('company_id').items():
            env = company._rakuten_env(records).env if company else self.env
            for record in records:
                record.claim_type_label = code_label(env, 'claim_type', record.claim_type)
                record.claim_state_label = code_label(env, 'claim_state', record.claim_state)

    @api.depends('sale_item_id.sale_id.order_id')
    def _compute_order_id(self):
        for record in self:
            record.order_id = record.sale_item_id.sale_id.order_id

    def _rakuten_unit_name(self):
        """The unit for a sentence a user reads: its product and SKU (``Mug (RK-MUG)``), else Rakuten's title of
        it, else its item id (a sale not read yet)."""
        self.ensure_one()
        return self.sale_item_id._rakuten_products() if self.sale_item_id else self.env._("item %s", self.itemid)

    # === BUSINESS METHODS - RUN === #

    # === ACTION METHODS === #

    def action_rakuten_reply(self):
        """Button of a claim or an item: the composer of a reply about this item (Rakuten offers to contact the
        buyer about it)."""
        self.ensure_one()
        check_user_may(self, SALESMAN)
        if not self.order_id:
            raise UserError(self.env._("The sale of this item is not imported yet: answer from Rakuten's back "
                                       "office, or once its order exists."))
        action = self.order_id.action_rakuten_reply()
        action['context'] = {**action['context'], 'default_sale_item_id': self.sale_item_id.id}
        return action

    def action_rakuten_cancel_item(self):
        """Button of a claim: cancel the claimed unit on Rakuten (Rakuten refunds the buyer), through the same
        dialog as from the order."""
        self.ensure_one()
        check_user_may(self, SALESMAN)
        units = self.sale_item_id.sudo()._rakuten_cancellable()
        if not (self.can_cancel_item and units and self.order_id):
            raise UserError(self.env._("This unit can no longer be cancelled on Rakuten (it left, or Rakuten no "
                                       "longer offers it)."))
        action = self.order_id._rakuten_cancel_dialog(units, cancel_orders=False)
        # Words for a buyer who complained; the dialog speaks of the claimed unit, not of an order's reminder.
        action['context'] = {**action['context'], 'default_reason': 'claim', 'default_from_claim': True}
        return action

    @api.model
    def _cron_rakuten_aftersales(self):
        companies = self.env['res.company'].sudo().search([
            ('rakuten_enabled', '=', True), ('rakuten_login', '!=', False),
        ])
        for company in companies:
            # Each company's run records its own failure (unexpected ones included): the next company goes on.
            company._rakuten_env(self)._rakuten_aftersales_run(company)

    @api.model
    def _rakuten_aftersales_run(self, company):
        """One run for ``company``: queue the to-do list, read each queued item, then show what was stored.
        Whatever stops it is recorded on the company.

        :return: False when another run of the same company holds the lock, else True.
        """
        company = company.with_env(self.env)  # its messages in the language this run is bound to
        with company._rakuten_run_lock(AFTERSALES_LOCK_KEY) as locked:
            if not locked:
                _logger.info("Rakuten after-sales of company %s already running, skipped", company.id)
                return False
            message = self._rakuten_run_step(company, self.env['rakuten.message']._rakuten_send_replies, company)
            message = self._rakuten_run_step(company, self._rakuten_read, company) or message
            message = self._rakuten_run_step(company, self._rakuten_publish, company) or message
            company._rakuten_job_status('aftersales', {'state': 'failed' if message else 'ok', 'message': message,
                                                       'date': fields.Datetime.now()})
            self.env['ir.cron']._rakuten_commit_progress()
        return True

    @api.model
    def _rakuten_read(self, company):
        client = company._rakuten_client()
        self._rakuten_queue_todo(company, client)
        self._rakuten_read_queue(company, client)

    @api.model
    def _rakuten_run_step(self, company, step, *args):
        """Run ``step``; return why it stopped (a translated sentence), or False.

        Its writes to the database are done in savepoints (or committed): whatever it raises, the transaction
        can go on, to record the failure on the company and to run the next company.
        """
        try:
            step(*args)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # another transaction changed the same rows: the whole run is retried later
        except (RakutenError, UserError) as error:
            message = company._rakuten_error_message(error)
            _logger.warning("Rakuten after-sales of company %s stopped: %s", company.id, error)
            return message
        except Exception as error:  # noqa: BLE001 - one company's bug must not stop the others
            _logger.exception("Rakuten after-sales of company %s: unexpected error", company.id)
            return self.env._("Unexpected error, the after-sales run stopped: %s. The next run starts again; if it "
                     "persists, report it with this message.", company._rakuten_error_detail(error))
        return False

    @api.model
    def _rakuten_queue_todo(self, company, client):
        """Store the items of the to-do list as "to read" and commit, before any of them is read."""
        todo = {entry.itemid: entry.causes for entry in client.get_item_todo_list() if entry.itemid}
        with self.env.cr.savepoint():
            records = self._rakuten_for_items(company, list(todo))
            for causes, group in records.grouped(lambda record: ', '.join(todo[record.itemid])).items():
                group.write({'to_read': True, 'todo_causes': causes})
        self.env['ir.cron']._rakuten_commit_progress()

    @api.model
    def _rakuten_for_items(self, company, itemids):
        """The records of ``itemids`` for ``company``, created when missing."""
        existing = self.search([('company_id', '=', company.id), ('itemid', 'in', itemids)])
        missing = set(itemids) - set(existing.mapped('itemid'))
        created = self.with_context(mail_create_nolog=True).create(  # its chatter starts with what happens next
            [{'company_id': company.id, 'itemid': itemid} for itemid in sorted(missing)])
        return existing | created

    @api.model
    def _rakuten_read_queue(self, company, client):
        """Read the queued items ``rakuten_connector.workers`` at a time: the ``getiteminfos`` calls of a chunk
        run concurrently (they only talk to Rakuten), then each answer is stored and committed here, in the
        job's thread, item by item. Auth and quota errors stop new calls: the answers already received are
        stored, then the run stops; the items not read stay to read."""
        queue = self.search([('company_id', '=', company.id), ('to_read', '=', True)], order='id')
        for start in range(0, len(queue), client.workers):
            chunk = queue[start:start + client.workers]
            answers, stopped = client.map_calls(client.get_item_infos, chunk.mapped('itemid'))
            for record in chunk.filtered(lambda record: record.itemid in answers):
                record._rakuten_store_answer(answers[record.itemid])
            if stopped:
                raise stopped

    def _rakuten_store_answer(self, answer):
        """Store what ``getiteminfos`` answered for this item (``ItemInfo``, or the error it raised).

        The call marked the item's messages read on Rakuten: they are stored and committed first, on their
        own; then its state and claim (which also write its order). The item stays to read until both are
        stored: a failure of the second step reads it again, its messages are not stored twice."""
        self.ensure_one()
        stored = False
        with self._rakuten_isolated():
            if isinstance(answer, Exception):
                raise answer
            self._rakuten_store_messages(answer.messages)
            stored = True
        self.env['ir.cron']._rakuten_commit_progress()
        if not stored:
            return
        with self._rakuten_isolated():
            self._rakuten_store_infos(answer)
        self.env['ir.cron']._rakuten_commit_progress()

    @contextmanager
    def _rakuten_isolated(self):
        """One step of an item in its own savepoint; the next item goes on. Errors that stop the run and
        concurrency errors propagate. The others are recorded on the item, which stays to read (its messages
        may be marked read on Rakuten already), except when Rakuten refused to serve it."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                yield
        except RUN_STOPPERS:
            raise
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # another transaction changed the same rows: the whole run is retried later
        except (TransientError, ResponseError) as error:
            _logger.info("Rakuten item %s left for the next run: %s", self.itemid, error)
            self.error_message = self.company_id._rakuten_error_message(error)
        except RakutenError as error:
            self.write({'to_read': False, 'error_message': self.company_id._rakuten_error_message(error)})
        except UserError as error:
            _logger.warning("Rakuten item %s not stored: %s", self.itemid, error)
            self.error_message = self.company_id._rakuten_error_message(error)
        except Exception as error:  # noqa: BLE001 - one item's bug must not stop the others
            _logger.exception("Rakuten item %s: unexpected error", self.itemid)
            self.error_message = self.env._("Unexpected error, the other items went on: %s. The item is read again at "
                                   "the next run; if it persists, report it with this message.",
                                   self.company_id._rakuten_error_detail(error))

    # === BUSINESS METHODS - STORING === #

    def _rakuten_store_infos(self, info):
        """Store the item's state and claim (``ItemInfo``), once its messages are stored: it is read."""
        self.ensure_one()
        claim = info.claim
        deadline = claim and claim_deadline(claim.creation_date, claim.type, claim.amicable)
        self.write({
            'to_read': False, 'last_read': fields.Datetime.now(), 'error_message': False,
            'item_status': info.status, 'item_state': info.state, 'item_state_label': info.state_label,
            'payment_status': info.payment_status,
            'claim_type': claim and claim.type, 'claim_state': claim and claim.state,
            'claim_amicable': bool(claim and claim.amicable), 'claim_comment': claim and claim.comment,
            'claim_date': claim and _utc(claim.creation_date), 'claim_deadline': _utc(deadline),
            'claim_open': bool(claim and claim.open),
            'available_actions': self._rakuten_actions_text(info.actions),
            'available_action_codes': ','.join(action.code for action in info.actions) or False,
        })

    def _rakuten_actions_text(self, actions):
        """The actions Rakuten offers, one a line, in words (the company's language): ours for the codes we
        know, else Rakuten's own title and description (in French), else "Other (code)"."""
        env = self.company_id._rakuten_env(self).env
        return '\n'.join(
            code_label(env, 'action', action.code, default=action.title and (
                f'{action.title}: {action.description}' if action.description else action.title))
            for action in actions) or False

    def _rakuten_store_messages(self, messages):
        self.ensure_one()
        login = (self.company_id.sudo().rakuten_login or '').lower()
        stored = self.rakuten_message_ids
        known = set(stored.mapped('key'))
        # Replies written in Odoo that may have reached Rakuten (never those waiting or refused).
        pending = stored.filtered(lambda message: message.sent_from_odoo and not message.key
                                  and message.send_state in ('sending', 'to_check', 'sent'))
        to_create = []
        for message, key in zip(messages, message_keys(self.itemid, messages)):
            if key in known:
                continue
            known.add(key)
            values = self._rakuten_message_values(message, key, outgoing=message.sender.lower() == login)
            mine = pending.filtered(lambda sent, m=message: sent.channel == m.channel
                                    and _same_text(sent.body, m.content))[:1]
            if values['direction'] == 'out' and mine:
                # Our own reply, read back: it gets its Rakuten identity, and is sent (posted when sent, or by
                # the next publishing when its answer had been lost).
                mine.write({**{name: values[name] for name in ('key', 'date', 'rakuten_status', 'mail_ref')},
                            'send_state': 'sent', 'send_error': False})
                pending -= mine
            else:
                to_create.append(values)
        self.env['rakuten.message'].create(to_create)

    def _rakuten_message_values(self, message, key, outgoing):
        return {
            'aftersale_id': self.id, 'key': key, 'channel': message.channel,
            'direction': 'out' if outgoing else 'in', 'mail_ref': message.mail_id, 'sender': message.sender,
            'recipient': message.recipient, 'date': _utc(message.send_date), 'subject': message.subject,
            'body': message.content, 'rakuten_status': message.status,
        }

    # === BUSINESS METHODS - SHOWING === #

    @api.model
    def _rakuten_publish(self, company):
        """Link items to their orders, post the stored messages on them (once), raise claim activities."""
        self._rakuten_link(company)
        messages = self.env['rakuten.message'].search(
            [('company_id', '=', company.id), ('posted', '=', False), ('send_state', 'in', (False, 'sent'))],
            order='date, id')
        for order, order_messages in messages.filtered('order_id').grouped('order_id').items():
            with self.env.cr.savepoint():
                order_messages._rakuten_post(order)
            self.env['ir.cron']._rakuten_commit_progress()
        # Open claims, and closed ones whose activity is still to close.
        claims = self.search([('company_id', '=', company.id), ('claim_type', '!=', False),
                              '|', ('claim_open', '=', True), ('claim_notified', '!=', False)])
        for record in claims:
            with record._rakuten_isolated():
                record._rakuten_claim_activity()
        self.env['ir.cron']._rakuten_commit_progress()
        # New messages and mails: someone answers them; items answered since: their activity is done.
        new = self.env['rakuten.message'].search([('company_id', '=', company.id), ('direction', '=', 'in'),
                                                  ('answer_asked', '=', False)])
        followed = self.search([('company_id', '=', company.id), ('answer_activity_id', '!=', False),
                                ('awaiting_answer', '=', False)])
        for record in new.aftersale_id | followed:
            with record._rakuten_isolated():
                record._rakuten_answer_activity()
                record.rakuten_message_ids.filtered(lambda message: message.direction == 'in').answer_asked = True
        self.env['ir.cron']._rakuten_commit_progress()

    @api.model
    def _rakuten_link(self, company):
        records = self.search([('company_id', '=', company.id), ('sale_item_id', '=', False)])
        if not records:
            return
        items = self.env['rakuten.sale.item'].search([('company_id', '=', company.id),
                                                      ('itemid', 'in', records.mapped('itemid'))])
        by_itemid = {item.itemid: item for item in items}
        with self.env.cr.savepoint():
            for record in records:
                if record.itemid in by_itemid:
                    record.sale_item_id = by_itemid[record.itemid]

    def _rakuten_user(self):
        """Who handles this item: the order's salesperson, else the company's Rakuten responsible."""
        self.ensure_one()
        return self.order_id.user_id or self.env['rakuten.sale'].new(
            {'company_id': self.company_id.id})._rakuten_responsible()

    def _rakuten_answer_activity(self):
        """An activity to answer the buyer (or customer service), due by Rakuten's answer time, for the items
        awaiting an answer; done once they are answered."""
        for record in self:
            activity = record.answer_activity_id.filtered('active')  # a done activity is kept, archived
            if not record.awaiting_answer:
                if activity:
                    activity.action_feedback(feedback=self.env._("Answered on Rakuten."))
                if record.answer_activity_id:
                    record.answer_activity_id = False
                continue
            if activity:
                continue
            last = record.rakuten_message_ids.filtered(lambda message: message.direction == 'in').sorted(
                lambda message: (message.date or fields.Datetime.now(), message.id))[-1:]
            note = Markup('<p><b>%s</b></p>%s') % (last.sender or '', plaintext2html(last.body or ''))
            deadline = record.answer_deadline and fields.Datetime.to_datetime(record.answer_deadline).replace(
                tzinfo=timezone.utc).astimezone(_PARIS).date()
            activity = (record.order_id or record).activity_schedule(
                'mail.mail_activity_data_todo', note=note,
                summary=self.env._("Answer on Rakuten: %s", record.display_name),
                date_deadline=deadline or fields.Date.context_today(record), user_id=record._rakuten_user().id)
            record.answer_activity_id = activity

    def _rakuten_claim_activity(self):
        """An activity with the claim's deadline on the order (or here, before the order exists), once per
        claim; closing the claim closes it."""
        self.ensure_one()
        target = self.order_id or self
        # The activity of this claim (those of a version that did not keep it are known by their summary).
        current = self.claim_activity_id.filtered('active') | target.activity_ids.filtered(
            lambda activity: activity.summary == self.env._("Rakuten claim on item %s", self.itemid))
        identity = f'{self.claim_date}|{self.claim_type}|{self.claim_amicable}'
        if not self.claim_open:
            current.action_feedback(feedback=self.env._("Rakuten closed the claim (%s).", self.claim_state_label))
            self.write({'claim_notified': False, 'claim_activity_id': False})
            return
        if self.claim_notified == identity:
            return
        current.unlink()
        note = self.env._("Claim %(type)s (%(state)s, %(amicable)s): %(comment)s", type=self.claim_type_label,
                 state=self.claim_state_label, comment=self.claim_comment or '-',
                 amicable=self.env._("amicable") if self.claim_amicable else self.env._("handled by Rakuten"))
        deadline = self.claim_deadline and fields.Datetime.to_datetime(self.claim_deadline).replace(
            tzinfo=timezone.utc).astimezone(_PARIS).date()
        user = self._rakuten_user()
        activity = target.activity_schedule(
            'mail.mail_activity_data_todo', summary=self.env._("Rakuten claim: %s", self.display_name), note=note,
            date_deadline=deadline or fields.Date.context_today(self), user_id=user.id)
        self.write({'claim_notified': identity, 'claim_activity_id': activity.id})
