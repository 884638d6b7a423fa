from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from ..rakuten_connector import RakutenError, const
from ..models.rakuten_rights import SALESMAN, check_user_may
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
    def _compute_parent_message_id(self):
        for wizard in self:
            wizard.parent_message_id = wizard.recipient == 'service' and self.env['rakuten.message'].search(
                [('aftersale_id.sale_item_id', '=', wizard.sale_item_id.id), ('channel', '=', 'mail'),
                 ('direction', '=', 'in')], order='date desc, id desc', limit=1)

    # === ACTION METHODS === #

    def action_send(self):
        self.ensure_one()
        company = self.order_id.company_id
        company._rakuten_env(self)._rakuten_send()
        return {'type': 'ir.actions.act_window_close'}

    # === BUSINESS METHODS === #

    def _rakuten_send(self):
        self.ensure_one()
        company = self.order_id.company_id
        itemid = self.sale_item_id.itemid
        if self.recipient == 'service' and not self.parent_message_id:
            raise UserError(_("Choose the Rakuten customer-service mail you answer: Rakuten only takes messages "
                              "to its customer service as answers to one of its mails."))
        self._rakuten_check_access()
        client = company._rakuten_client()
        try:
            if self.recipient == 'service':
                client.contact_us_about_item(itemid, self.body, self.parent_message_id.mail_id)
            else:
                client.contact_user_about_item(itemid, self.body)
        except RakutenError as error:
            raise UserError(self._rakuten_error_message(error)) from None
        self._rakuten_record()

    def _rakuten_check_access(self):
        """Only the order's own item and mails, and only by who may change the order: the fields can be set
        over RPC, past the view's domains."""
        check_user_may(self.order_id, SALESMAN, 'write')
        item, parent = self.sale_item_id.sudo(), self.parent_message_id.sudo()
        if item.sale_id != self.order_id.sudo().rakuten_sale_id:
            raise UserError(_("Item %(item)s is not an item of order %(order)s.", item=item.itemid,
                              order=self.order_id.name))
        if self.recipient == 'service' and parent.aftersale_id.sale_item_id != item:
            raise UserError(_("The customer-service mail you answer is not about item %s.", item.itemid))

    def _rakuten_error_message(self, error):
        if error.code == const.CONTACT_CLOSED_CODE:
            return _("Rakuten no longer lets you write to the buyer about this item: messages are allowed up to "
                     "15 days after the buyer confirmed receipt and 42 days after the order, unless an amicable "
                     "claim is open. Write to Rakuten's customer service instead.")
        return self.order_id.company_id._rakuten_error_message(error)

    def _rakuten_record(self):
        """Keep the sent message (matched when Rakuten shows it back) and post it on the order."""
        aftersale = self.env['rakuten.aftersale'].sudo()._rakuten_for_items(self.order_id.company_id,
                                                                     [self.sale_item_id.itemid])
        aftersale.sale_item_id = self.sale_item_id
        channel = const.CHANNEL_SERVICE if self.recipient == 'service' else const.CHANNEL_BUYER
        text = latin1_text(self.body).strip()
        self.env['rakuten.message'].sudo().create({
            'aftersale_id': aftersale.id, 'channel': channel, 'direction': 'out', 'sent_from_odoo': True,
            'posted': True, 'body': text, 'date': fields.Datetime.now(), 'sender': self.env.user.name,
            'recipient': dict(self._fields['recipient']._description_selection(self.env))[self.recipient],
            'subject': self.parent_message_id.subject and _("Re: %s", self.parent_message_id.subject),
        })
        if self.recipient == 'service':
            title = _("Reply sent on Rakuten to Rakuten customer service (item %s)", self.sale_item_id.itemid)
        else:
            title = _("Reply sent on Rakuten to the buyer (item %s)", self.sale_item_id.itemid)
        self.order_id.message_post(body=Markup('<p><b>%s</b></p>%s') % (title, plaintext2html(text)),
                                   message_type='comment', subtype_xmlid='mail.mt_note')
