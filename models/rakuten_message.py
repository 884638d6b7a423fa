import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from ..rakuten_connector import AuthError, QuotaError, RakutenError, ResponseError, RightsError, TransientError, const

_logger = logging.getLogger(__name__)

CHANNELS = [
    ('message', "Buyer"),
    ('mail', "Rakuten Customer Service"),
]
DIRECTIONS = [
    ('in', "Received"),
    ('out', "Sent"),
]
# A reply written in Odoo: recorded (and committed) before the call, its outcome recorded after.
SEND_STATES = [
    ('to_send', "To Send"),
    ('sending', "Being Sent"),  # committed before the call: left so, the call's outcome is unknown
    ('to_check', "To Check"),  # the answer was lost: the item's messages on Rakuten tell
    ('sent', "Sent"),
    ('failed', "Not Sent"),
]
# How long after a reply whose answer was lost the item's messages read from Rakuten are trusted to show it.
REPLY_SETTLED = timedelta(minutes=5)


class RakutenMessage(models.Model):
    """A message with the buyer or a mail with Rakuten's customer service, about one Rakuten item.

    Stored (and committed) as soon as ``getiteminfos`` returned it, since reading marks it read on Rakuten;
    then posted once on the order's chatter (``posted``). A message of an item whose sale is not imported
    waits here, visible in the list, until the order exists.
    """
    _name = 'rakuten.message'
    _description = "Rakuten Message"
    _order = 'date desc, id desc'
    _rec_name = 'subject'

    aftersale_id = fields.Many2one('rakuten.aftersale', string="Rakuten Item", required=True, readonly=True,
                                   ondelete='cascade', index=True)
    company_id = fields.Many2one(related='aftersale_id.company_id', store=True, index=True)
    itemid = fields.Char(related='aftersale_id.itemid', string="Item ID")
    order_id = fields.Many2one(related='aftersale_id.order_id', store=True, index='btree_not_null')
    sale_id = fields.Many2one(related='aftersale_id.sale_id', store=True, index='btree_not_null')
    channel = fields.Selection(CHANNELS, string="With", required=True, readonly=True)
    direction = fields.Selection(DIRECTIONS, required=True, readonly=True, default='in')
    mail_ref = fields.Char(string="Rakuten Mail ID", readonly=True)
    sender = fields.Char(readonly=True)
    recipient = fields.Char(readonly=True)
    date = fields.Datetime(readonly=True)
    subject = fields.Char(readonly=True)
    body = fields.Text(string="Message", readonly=True)
    rakuten_status = fields.Char(readonly=True)
    key = fields.Char(readonly=True, copy=False, help="Identity on Rakuten: mail id, or sender, date and text.")
    posted = fields.Boolean(string="On the Order", readonly=True, copy=False, index=True,
                            help="Posted on the chatter of the Rakuten order.")
    sent_from_odoo = fields.Boolean(readonly=True)
    awaiting_answer = fields.Boolean(related='aftersale_id.awaiting_answer', string="Not Answered")
    answer_deadline = fields.Datetime(related='aftersale_id.answer_deadline')
    answer_asked = fields.Boolean(readonly=True, copy=False, index=True,
                                  help="A received message someone was asked to answer (an activity).")
    send_state = fields.Selection(SEND_STATES, string="Reply Sending", readonly=True, copy=False,
                                  index='btree_not_null',
                                  help="A reply written in Odoo: sent by a job, once.")
    send_error = fields.Char(string="Why Not Sent", readonly=True, copy=False)
    send_date = fields.Datetime(string="Sent On", readonly=True, copy=False)
    author_id = fields.Many2one('res.users', string="Written By", readonly=True, ondelete='set null')
    parent_mail_ref = fields.Char(string="In Reply To Mail", readonly=True,
                                  help="The Rakuten customer-service mail this reply answers.")

    _key_company_unique = models.Constraint(
        'UNIQUE(company_id, key)', "A Rakuten message can only be stored once per company.",
    )

    # === ACTION METHODS === #

    def action_open_rakuten_document(self):
        """A row of Rakuten Messages: its order, else its Rakuten sale (awaiting acceptance or held back, its
        form shows the buyer's messages), else its item."""
        self.ensure_one()
        record = self.order_id or self.sale_id or self.aftersale_id
        return {
            'type': 'ir.actions.act_window', 'res_model': record._name, 'res_id': record.id,
            'view_mode': 'form', 'views': [(False, 'form')], 'target': 'current',
        }

    # === BUSINESS METHODS === #

    def _rakuten_post(self, order):
        """Post these messages (oldest first) on ``order``'s chatter and notify its salesperson."""
        service = self.env.ref('rakuten_connector.partner_rakuten_customer_service')
        notified = (order.user_id or self.env['rakuten.sale'].new(
            {'company_id': order.company_id.id})._rakuten_responsible()).partner_id.ids
        for message in self.sorted(lambda m: (m.date or fields.Datetime.now(), m.id)):
            if message.sent_from_odoo:
                message._rakuten_post_reply(order)
                continue
            if message.direction == 'out':
                author = order.company_id.partner_id
                title = self.env._("Sent on Rakuten about %s", message.aftersale_id._rakuten_unit_name())
            elif message.channel == 'mail':
                author = service
                title = self.env._("Mail from Rakuten customer service about %(unit)s: %(subject)s",
                                   unit=message.aftersale_id._rakuten_unit_name(), subject=message.subject or '-')
            else:
                author = order.partner_id
                title = self.env._("Message from the buyer on Rakuten about %s",
                                   message.aftersale_id._rakuten_unit_name())
            body = Markup('<p><b>%s</b></p>%s') % (title, plaintext2html(message.body or ''))
            order.message_post(body=body, author_id=author.id, partner_ids=notified, message_type='comment',
                               subtype_xmlid='mail.mt_comment')
        self.write({'posted': True})

    def _rakuten_post_reply(self, order):
        """A reply written in Odoo and taken by Rakuten, on the order's chatter, by its writer."""
        self.ensure_one()
        if self.channel == const.CHANNEL_SERVICE:
            title = self.env._("Reply sent on Rakuten to Rakuten customer service about %s",
                               self.aftersale_id._rakuten_unit_name())
        else:
            title = self.env._("Reply sent on Rakuten to the buyer about %s", self.aftersale_id._rakuten_unit_name())
        order.message_post(body=Markup('<p><b>%s</b></p>%s') % (title, plaintext2html(self.body or '')),
                           author_id=(self.author_id.partner_id or order.company_id.partner_id).id,
                           message_type='comment', subtype_xmlid='mail.mt_note')

    # === BUSINESS METHODS - REPLIES === #

    def _rakuten_ask_sending(self):
        """Wake the reply job up: these replies are sent by it, after the writer's transaction is committed
        (never by a request that Odoo may replay)."""
        self.env.ref('rakuten_connector.ir_cron_rakuten_reply').sudo()._trigger()

    @api.model
    def _cron_rakuten_replies(self):
        from .rakuten_aftersale import AFTERSALES_LOCK_KEY  # noqa: PLC0415 - the after-sales run's lock
        pending = self.sudo().search([('send_state', 'in', ('to_send', 'sending', 'to_check'))])
        for company in pending.company_id:
            records = company._rakuten_env(self.sudo())
            # The after-sales run reads the same items and sends the replies too: one of them at a time.
            with company._rakuten_run_lock(AFTERSALES_LOCK_KEY) as locked:
                if not locked:
                    self.env.ref('rakuten_connector.ir_cron_rakuten_reply').sudo()._trigger(
                        fields.Datetime.now() + timedelta(minutes=1))
                    continue
                try:
                    records._rakuten_send_replies(company)
                except (RakutenError, UserError) as error:  # quota, credentials: the next run goes on
                    _logger.warning("Rakuten replies of company %s stopped: %s", company.id, error)
                self.env['ir.cron']._rakuten_commit_progress()

    @api.model
    def _rakuten_send_replies(self, company):
        """Send the replies written in Odoo: each marked *Sending* and committed before its call, its outcome
        recorded after. A reply whose outcome is unknown (a lost answer, a run that died during the call) is
        read back from the item's messages on Rakuten, and sent again only when Rakuten does not show it a
        while after the call."""
        pending = self.search([('company_id', '=', company.id), ('direction', '=', 'out'),
                               ('send_state', 'in', ('to_send', 'sending', 'to_check'))], order='id')
        if not pending:
            return
        pending.filtered(lambda message: message.send_state == 'sending').write({'send_state': 'to_check'})
        client = company._rakuten_client()
        self._rakuten_read_back(pending.filtered(lambda message: message.send_state == 'to_check'), client)
        for message in pending.filtered(lambda message: message.send_state == 'to_send'):
            message.write({'send_state': 'sending', 'send_date': fields.Datetime.now()})
            self.env['ir.cron']._rakuten_commit_progress()
            message._rakuten_send_one(client)
            self.env['ir.cron']._rakuten_commit_progress()

    @api.model
    def _rakuten_read_back(self, unsure, client):
        """Read the items of replies whose outcome is unknown (storing what Rakuten shows, as the after-sales
        run does: reading marks the buyer's messages read): a reply shown back is sent; one still missing a
        while after its call never reached Rakuten and is sent again."""
        for aftersale, messages in unsure.grouped('aftersale_id').items():
            read_at = fields.Datetime.now()
            try:
                answer = client.get_item_infos(aftersale.itemid)
            except (QuotaError, AuthError, RightsError):
                raise
            except RakutenError as error:
                answer = error
            aftersale._rakuten_store_answer(answer)
            if isinstance(answer, Exception):
                continue  # still unknown: read again at the next run
            missing = messages.filtered(lambda message: message.send_state == 'to_check'
                                        and (message.send_date or read_at) + REPLY_SETTLED < read_at)
            missing.write({'send_state': 'to_send'})
            messages.filtered(lambda message: message.send_state == 'sent')._rakuten_reply_sent()

    def _rakuten_send_one(self, client):
        self.ensure_one()
        itemid = self.aftersale_id.itemid
        try:
            if self.channel == const.CHANNEL_SERVICE:
                client.contact_us_about_item(itemid, self.body, self.parent_mail_ref)
            else:
                client.contact_user_about_item(itemid, self.body)
        except (QuotaError, AuthError, RightsError):
            self.send_state = 'to_send'  # refused before Rakuten did anything: sent at the next run
            raise
        except (TransientError, ResponseError) as error:
            _logger.info("Rakuten reply %s on item %s: answer lost (%s), read back at the next run", self.id,
                         itemid, error)
            self.write({'send_state': 'to_check', 'send_error': self.company_id._rakuten_error_message(error)})
        except RakutenError as error:
            self._rakuten_outcome(self._rakuten_reply_failed, self._rakuten_reply_error_message(error))
        else:
            self._rakuten_outcome(self._rakuten_reply_sent)

    def _rakuten_outcome(self, record, *args):
        """Record a reply's outcome in a savepoint: when that fails (a bug, a locked order), the reply is left
        To Check, settled by reading its item back, never sent blindly again."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                record(*args)
        except Exception as error:  # noqa: BLE001 - the call was made: never lose that, never send it again
            _logger.exception("Rakuten reply %s: its outcome could not be recorded", self.id)
            self.write({'send_state': 'to_check', 'send_error': self.company_id._rakuten_error_detail(error)})

    def _rakuten_reply_error_message(self, error):
        if error.code == const.CONTACT_CLOSED_CODE:
            return self.env._("Rakuten no longer lets you write to the buyer about this item: messages are allowed up "
                     "to 15 days after the buyer confirmed receipt and 42 days after the order, unless an amicable "
                     "claim is open. Write to Rakuten's customer service instead.")
        return self.company_id._rakuten_error_message(error)

    def _rakuten_reply_sent(self):
        """Rakuten took these replies: each is posted on its order, by its writer; its item is answered."""
        self.write({'send_state': 'sent', 'send_error': False})
        self.aftersale_id._rakuten_answer_activity()
        for order, messages in self.filtered(lambda message: not message.posted).grouped('order_id').items():
            if order:
                messages._rakuten_post(order)

    def _rakuten_reply_failed(self, reason):
        """Rakuten refused the reply: its writer is told on the order, with the reason and the text."""
        self.ensure_one()
        self.write({'send_state': 'failed', 'send_error': reason})
        target = self.order_id or self.aftersale_id
        user = self.author_id or self.order_id.user_id or self.env['rakuten.sale'].new(
            {'company_id': self.company_id.id})._rakuten_responsible()
        target.activity_schedule(
            'mail.mail_activity_data_todo', summary=self.env._("Reply not sent on Rakuten: %s",
                                                                  self.aftersale_id._rakuten_unit_name()),
            note=Markup('<p>%s</p>%s') % (reason, plaintext2html(self.body or '')), user_id=user.id,
            date_deadline=fields.Date.context_today(self))
