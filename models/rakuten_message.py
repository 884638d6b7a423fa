from markupsafe import Markup

from odoo import _, fields, models
from odoo.tools import plaintext2html

CHANNELS = [
    ('message', "Buyer"),
    ('mail', "Rakuten Customer Service"),
]
DIRECTIONS = [
    ('in', "Received"),
    ('out', "Sent"),
]


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
    channel = fields.Selection(CHANNELS, string="With", required=True, readonly=True)
    direction = fields.Selection(DIRECTIONS, required=True, readonly=True, default='in')
    mail_id = fields.Char(string="Rakuten Mail ID", readonly=True)
    sender = fields.Char(readonly=True)
    recipient = fields.Char(readonly=True)
    date = fields.Datetime(readonly=True)
    subject = fields.Char(readonly=True)
    body = fields.Text(string="Message", readonly=True)
    rakuten_status = fields.Char(string="Rakuten Status", readonly=True)
    key = fields.Char(readonly=True, copy=False, help="Identity on Rakuten: mail id, or sender, date and text.")
    posted = fields.Boolean(string="On the Order", readonly=True, copy=False, index=True,
                            help="Posted on the chatter of the Rakuten order.")
    sent_from_odoo = fields.Boolean(readonly=True)

    _key_company_unique = models.Constraint(
        'UNIQUE(company_id, key)', "A Rakuten message can only be stored once per company.",
    )

    # === BUSINESS METHODS === #

    def _rakuten_post(self, order):
        """Post these messages (oldest first) on ``order``'s chatter and notify its salesperson."""
        service = self.env.ref('rakuten_connector.partner_rakuten_customer_service')
        notified = order.user_id.partner_id.ids
        for message in self.sorted(lambda m: (m.date or fields.Datetime.now(), m.id)):
            if message.direction == 'out':
                author, title = order.company_id.partner_id, _("Sent on Rakuten (item %s)", message.itemid)
            elif message.channel == 'mail':
                author = service
                title = _("Mail from Rakuten customer service (item %(item)s): %(subject)s",
                          item=message.itemid, subject=message.subject or '-')
            else:
                author, title = order.partner_id, _("Message from the buyer on Rakuten (item %s)", message.itemid)
            body = Markup('<p><b>%s</b></p>%s') % (title, plaintext2html(message.body or ''))
            order.message_post(body=body, author_id=author.id, partner_ids=notified, message_type='comment',
                               subtype_xmlid='mail.mt_comment')
        self.write({'posted': True})
