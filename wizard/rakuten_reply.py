from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from ..models.rakuten_rights import SALESMAN, check_user_may
from ..rakuten_connector import const
from ..rakuten_connector.client import latin1_text

RECIPIENTS = [
    ('buyer', "The buyer"),
    ('service', "Rakuten customer service"),
]


class RakutenReply(models.TransientModel):
    """Composer of a message about one item of a Rakuten order, to the buyer or to customer service."""
    _name = 'rakuten.reply'
    _description = "Reply on Rakuten"

    order_id = fields.Many2one('sale.order', required=True, readonly=True)
    rakuten_sale_id = fields.Many2one(related='order_id.rakuten_sale_id')
    sale_item_id = fields.Many2one(
        'rakuten.sale.item', string="Item", required=True,
        domain="[('sale_id', '=', rakuten_sale_id)]", compute='_compute_sale_item_id', store=True, readonly=False,
        precompute=True,  # required: computed before the row is written, also when created over RPC
    )
    recipient = fields.Selection(RECIPIENTS, string="To", required=True, default='buyer')
    parent_message_id = fields.Many2one(
        'rakuten.message', string="In Reply To",
        domain="[('aftersale_id.sale_item_id', '=', sale_item_id), ('channel', '=', 'mail'), "
               "('direction', '=', 'in')]",
        compute='_compute_parent_message_id', store=True, readonly=False, precompute=True,
        help="The customer-service mail this message answers.",
    )
    body = fields.Text(string="Message", required=True)
    last_message = fields.Text(string="Their Last Message", compute='_compute_last_message',
                               help="The last message received about this item, from the buyer or Rakuten.")
    has_service_mail = fields.Boolean(string="A Mail to Answer", compute="_compute_last_message")

    # === COMPUTE METHODS === #

    @api.depends('order_id')
    def _compute_sale_item_id(self):
        """The item with the latest received message, else the order's first item."""
        for wizard in self:
            items = wizard.order_id.rakuten_sale_id.item_ids
            received = self.env['rakuten.message'].search(
                [('order_id', '=', wizard.order_id.id), ('direction', '=', 'in')], order='date desc, id desc',
                limit=1)
            wizard.sale_item_id = received.aftersale_id.sale_item_id or items[:1]

    @api.depends('sale_item_id', 'recipient')
    def _compute_last_message(self):
        """The last message received about the item (the buyer's, or the customer-service mail answered), and
        whether the item has a customer-service mail to answer (Rakuten takes messages to its customer service
        only as answers)."""
        for wizard in self:
            received = self.env['rakuten.message'].search(
                [('aftersale_id.sale_item_id', '=', wizard.sale_item_id.id), ('direction', '=', 'in')],
                order='date desc, id desc')
            wizard.has_service_mail = bool(received.filtered(lambda message: message.channel == 'mail'))
            channel = const.CHANNEL_SERVICE if wizard.recipient == 'service' else const.CHANNEL_BUYER
            last = received.filtered(lambda message: message.channel == channel)[:1]
            wizard.last_message = self.env._(
                "%(sender)s, %(date)s:\n%(text)s", sender=last.sender or '-', text=last.body or '',
                date=format_datetime(self.env, last.date, dt_format='short') if last.date else '-') if last else False

    @api.depends('sale_item_id', 'recipient')
    def _compute_parent_message_id(self):
        for wizard in self:
            wizard.parent_message_id = wizard.recipient == 'service' and self.env['rakuten.message'].search(
                [('aftersale_id.sale_item_id', '=', wizard.sale_item_id.id), ('channel', '=', 'mail'),
                 ('direction', '=', 'in')], order='date desc, id desc', limit=1)

    # === ACTION METHODS === #

    def action_send(self):
        """Record the reply, to be sent by the reply job once this click is committed: a request Odoo replays
        (a serialization failure) or that fails after it (a unique violation) never sends it, let alone twice."""
        self.ensure_one()
        company = self.order_id.company_id
        company._rakuten_env(self)._rakuten_record()
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'type': 'info', 'message': self.env._(
                "Your reply is being sent to Rakuten: the order's chatter shows it once Rakuten has it."),
                'next': {'type': 'ir.actions.act_window_close'}},
        }

    # === BUSINESS METHODS === #

    def _rakuten_check(self):
        self.ensure_one()
        if self.recipient == 'service' and not self.parent_message_id:
            raise UserError(self.env._("Choose the Rakuten customer-service mail you answer: Rakuten only takes "
                              "messages to its customer service as answers to one of its mails."))
        self._rakuten_check_access()

    def _rakuten_check_access(self):
        """Only the order's own item and mails, and only by who may change the order: the fields can be set
        over RPC, past the view's domains."""
        check_user_may(self.order_id, SALESMAN, 'write')
        item, parent = self.sale_item_id.sudo(), self.parent_message_id.sudo()
        if item.sale_id != self.order_id.sudo().rakuten_sale_id:
            raise UserError(self.env._("Item %(item)s is not an item of order %(order)s.", item=item.itemid,
                              order=self.order_id.name))
        if self.recipient == 'service' and parent.aftersale_id.sale_item_id != item:
            raise UserError(self.env._("The customer-service mail you answer is not about item %s.", item.itemid))

    def _rakuten_record(self):
        """Keep the reply to send (matched when Rakuten shows it back) and wake the reply job up."""
        self._rakuten_check()
        aftersale = self.env['rakuten.aftersale'].sudo()._rakuten_for_items(self.order_id.company_id,
                                                                            [self.sale_item_id.itemid])
        aftersale.sale_item_id = self.sale_item_id
        channel = const.CHANNEL_SERVICE if self.recipient == 'service' else const.CHANNEL_BUYER
        parent = self.parent_message_id.sudo() if self.recipient == 'service' else self.env['rakuten.message']
        message = self.env['rakuten.message'].sudo().create({
            'aftersale_id': aftersale.id, 'channel': channel, 'direction': 'out', 'sent_from_odoo': True,
            'send_state': 'to_send', 'author_id': self.env.uid, 'parent_mail_ref': parent.mail_ref,
            'body': latin1_text(self.body).strip(), 'date': fields.Datetime.now(), 'sender': self.env.user.name,
            'recipient': dict(self._fields['recipient']._description_selection(self.env))[self.recipient],
            'subject': parent.subject and self.env._("Re: %s", parent.subject),
        })
        message._rakuten_ask_sending()
        return message
