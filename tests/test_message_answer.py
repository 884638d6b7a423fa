from datetime import datetime, timedelta

from lxml import etree

from odoo.tests import new_test_user, tagged

from .test_aftersales import PARIS, AftersalesCase, _paris


@tagged('post_install', '-at_install')
class TestMessagesReachSomeone(AftersalesCase):
    """Every new buyer message and customer-service mail reaches someone, as an activity due by Rakuten's
    answer time (48 hours), done once answered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.responsible = new_test_user(cls.env, login='rk_responsible', name='Rémi Responsable',
                                        groups='sales_team.group_sale_salesman')
        cls.leader = new_test_user(cls.env, login='rk_leader', name='Léa Cheffe',
                                   groups='sales_team.group_sale_salesman')

    def setUp(self):
        super().setUp()
        self._stock(self.mug, 10)
        self._stock(self.tee, 10)

    def _basket(self, user=False):
        """Two mugs and a T-shirt, at Rakuten prices, imported; ``user``: its salesperson."""
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')])
        self._run()
        order = self._sale(purchase).order_id
        self.assertEqual(order.order_line.filtered(lambda line: not line.is_delivery).mapped('product_uom_qty'),
                         [2, 1])
        order.user_id = user
        return purchase, order

    @staticmethod
    def _answers(target):
        return target.activity_ids.filtered(lambda activity: (activity.summary or '').startswith('Answer on Rakuten'))

    def _filtered(self, model, name, user):
        """What the search view's filter ``name`` lists for ``user``."""
        view = self.env['ir.ui.view'].search([('model', '=', model), ('type', '=', 'search')], limit=1)
        arch = etree.fromstring(view.arch)
        [node] = arch.xpath(f"//filter[@name='{name}']")
        return self.env[model].with_user(user).search(eval(node.get('domain')))  # noqa: S307 - our own view

    def _reply(self, order, user, body):
        action = order.with_user(user).action_rakuten_reply()
        wizard = self.env['rakuten.reply'].with_user(user).with_context(**action['context']).create({'body': body})
        wizard.action_send()
        self.env['rakuten.message']._cron_rakuten_replies()

    def test_without_salesperson_the_company_responsible_answers_and_answering_closes_it(self):
        self.company.rakuten_responsible_id = self.responsible
        purchase, order = self._basket()
        item = purchase.items[0]
        self.shop.add_message(item.itemid, 'Quand partira mon colis ?', date=_paris(2026, 11, 20, 15, 30))
        self._aftersales()
        [activity] = self._answers(order)
        self.assertEqual(activity.user_id, self.responsible)
        self.assertEqual(str(activity.date_deadline), '2026-11-22', "48 hours after the message (Paris)")
        self.assertIn('Quand partira mon colis ?', str(activity.note))
        self.assertIn(self.mug.display_name, activity.summary)
        post = order.message_ids.filtered(lambda message: 'Quand partira mon colis' in (message.body or ''))
        self.assertIn(self.responsible.partner_id, post.notified_partner_ids)
        self.assertEqual(self._filtered('rakuten.message', 'not_answered', self.responsible).mapped('itemid'),
                         [item.itemid], "listed as not answered")
        self._aftersales()
        self.assertEqual(len(self._answers(order)), 1, "asked once")
        # He answers: the activity waits until Rakuten has the reply, then it is done.
        self._reply(order, self.responsible, 'Il part ce soir.')
        self.assertEqual(item.messages[-1]['content'], 'Il part ce soir.')
        self.assertFalse(self._answers(order), "answering closes it")
        self.assertFalse(self._filtered('rakuten.message', 'not_answered', self.responsible))
        # The buyer writes again: someone is asked again.
        self.shop.add_message(item.itemid, 'Merci, et le T-shirt ?',
                              date=datetime.now(PARIS).replace(tzinfo=None, microsecond=0) + timedelta(hours=3))
        self._aftersales()
        [activity] = self._answers(order)
        self.assertIn('et le T-shirt', str(activity.note))

    def test_the_salesperson_else_the_team_leader_else_the_responsible(self):
        team = self.env['crm.team'].create({'name': 'Rakuten', 'user_id': self.leader.id})
        self.company.write({'rakuten_team_id': team.id, 'rakuten_responsible_id': self.responsible.id})
        mine, my_order = self._basket(self.salesman)
        unassigned, unassigned_order = self._basket()
        waiting = self.shop.add_sale([('RK-INCONNU', '5.00')], status='ACCEPTED')  # not imported: unknown SKU
        self.shop.add_mail(mine.items[0].itemid, 'Merci de répondre au client.', subject='Question')
        self.shop.add_message(unassigned.items[2].itemid, 'Le T-shirt taille-t-il grand ?')
        self.shop.add_message(waiting.items[0].itemid, 'Avez-vous reçu ma commande ?')
        self._aftersales()
        self.assertEqual(self._answers(my_order).user_id, self.salesman, "a customer-service mail too")
        self.assertEqual(self._answers(unassigned_order).user_id, self.leader)
        record = self._record(waiting.items[0].itemid)
        self.assertFalse(record.order_id)
        self.assertEqual(self._answers(record).user_id, self.leader, "on the item while its sale waits")
        team.user_id = False
        other, other_order = self._basket()
        self.shop.add_message(other.items[0].itemid, 'Bonjour ?')
        self._aftersales()
        self.assertEqual(self._answers(other_order).user_id, self.responsible)

    def test_a_reply_from_the_rakuten_back_office_closes_it(self):
        purchase, order = self._basket(self.salesman)
        item = purchase.items[1]
        self.shop.add_message(item.itemid, 'Pouvez-vous emballer en cadeau ?', date=_paris(2026, 11, 20, 9, 0))
        self._aftersales()
        self.assertTrue(self._answers(order))
        self.shop.add_message(item.itemid, 'Oui, avec plaisir.', sender=self.shop.login,
                              date=_paris(2026, 11, 20, 10, 0))
        self._aftersales()
        self.assertFalse(self._answers(order))
        self.assertFalse(self._record(item.itemid).awaiting_answer)


@tagged('post_install', '-at_install')
class TestMessagesOpenTheirSale(AftersalesCase):
    """A row of Rakuten Messages opens the order, or the sale awaiting acceptance; the composer shows the
    buyer's last message and lists items by product."""

    def test_a_message_row_opens_its_order_or_the_sale_awaiting_acceptance(self):
        self._stock(self.mug, 10)
        self.company.rakuten_accept_policy = 'manual'  # the sale waits for a user: no order yet
        held = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')])
        self._run()
        sale = self._sale(held)
        self.assertFalse(sale.order_id)
        self.shop.add_message(held.items[2].itemid, 'Pouvez-vous accepter ma commande ?')
        self._aftersales()
        message = self.env['rakuten.message'].with_user(self.salesman).search([('itemid', '=', held.items[2].itemid)])
        action = message.action_open_rakuten_document()
        self.assertEqual((action['res_model'], action['res_id']), ('rakuten.sale', sale.id))
        self.assertEqual(sale.with_user(self.salesman).rakuten_message_ids, message, "its form shows the messages")
        form = self.env['rakuten.sale'].with_user(self.salesman).get_views([(False, 'form')])['views']['form']
        self.assertIn('rakuten_message_ids', form['arch'])
        arch = self.env['rakuten.message'].with_user(self.salesman).get_views([(False, 'list')])['views']['list']
        self.assertIn('action="action_open_rakuten_document"', arch['arch'], "clicking a row runs it")
        # Accepted and imported: the row opens the order.
        sale.with_user(self.salesman).action_accept()
        self._run()
        self.assertTrue(sale.order_id)
        self._aftersales()
        action = message.action_open_rakuten_document()
        self.assertEqual((action['res_model'], action['res_id']), ('sale.order', sale.order_id.id))

    def test_the_composer_shows_the_last_message_and_the_products(self):
        self._stock(self.mug, 10)
        self._stock(self.tee, 10)
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')])
        self._run()
        order = self._sale(purchase).order_id
        order.user_id = self.salesman
        tee = purchase.items[2]
        self.shop.add_message(tee.itemid, 'Premier message', date=_paris(2026, 11, 20, 9, 0))
        self.shop.add_message(tee.itemid, 'Le T-shirt taille-t-il grand ?', date=_paris(2026, 11, 20, 10, 0))
        self._aftersales()
        action = order.with_user(self.salesman).action_rakuten_reply()
        wizard = self.env['rakuten.reply'].with_user(self.salesman).with_context(**action['context']).create(
            {'body': 'Non, il taille normalement.'})
        self.assertEqual(wizard.sale_item_id.itemid, tee.itemid)
        self.assertEqual(wizard.sale_item_id.display_name, f'{self.tee.display_name} ({tee.itemid})')
        self.assertIn('Le T-shirt taille-t-il grand ?', wizard.last_message)
        self.assertNotIn('Premier message', wizard.last_message)
        self.assertFalse(wizard.has_service_mail, "no mail to answer: Rakuten customer service is not offered")
        self.shop.add_mail(tee.itemid, 'Merci de répondre au client.', subject='Question')
        self._aftersales()
        wizard.invalidate_recordset()
        self.assertTrue(wizard.has_service_mail)
        wizard.recipient = 'service'
        self.assertIn('Merci de répondre au client.', wizard.last_message)
        # About a unit the buyer never wrote about: nothing above the text (not an empty record's name).
        wizard.write({'recipient': 'buyer', 'sale_item_id': self._sale(purchase).item_ids.filtered(
            lambda item: item.itemid == purchase.items[0].itemid).id})
        self.assertFalse(wizard.last_message)
