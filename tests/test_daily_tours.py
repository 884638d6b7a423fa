from odoo.tests import HttpCase, new_test_user, tagged

from ..rakuten_connector import const
from .common import RakutenShopCase
from .test_french import HELOISE, french_company


@tagged('post_install', '-at_install')
class TestDailyTours(RakutenShopCase, HttpCase):
    """A salesman's daily paths in the browser, in French, on the shipped default settings (acceptance when the
    stock covers the sale); the jobs run as OdooBot, in the company's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bot = french_company(cls.env, cls.company)
        cls.salesman = new_test_user(cls.env, login='rk_daily_salesman', groups='sales_team.group_sale_salesman',
                                     name='Sam Vendeur', lang='fr_FR', company_id=cls.company.id)
        cls.company.rakuten_responsible_id = cls.salesman  # held sales and claims come to them

    def _basket(self):
        """Two mugs and a T-shirt, at Rakuten's prices (not the list prices), shipping paid per unit."""
        return self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')],
                                  shipping_type='Suivi', shipping_price=['3.90', '1.00', '1.00'], buyer=HELOISE)

    def test_handle_a_claim(self):
        purchase = self._basket()
        self.bot['rakuten.sale']._cron_import()
        order = self._sale(purchase).order_id
        self.assertTrue(order, self._sale(purchase).error_message)
        order.user_id = self.salesman
        claimed = purchase.items[0]
        self.shop.open_claim(claimed.itemid, 'NOT_RECEIVED', amicable=True, comment='Toujours rien reçu')
        self.shop.add_message(claimed.itemid, 'Où est mon colis ?')
        self.bot['rakuten.aftersale']._cron_rakuten_aftersales()
        sent_before = len(claimed.messages)
        self.start_tour('/odoo/action-rakuten_connector.action_rakuten_claim', 'rakuten_handle_claim_tour',
                        login=self.salesman.login, timeout=120)
        self.assertEqual(len(claimed.messages), sent_before, "the click sends nothing itself: the job does")
        self.bot['rakuten.message']._cron_rakuten_replies()
        self.bot['rakuten.message']._cron_rakuten_replies()
        self.assertEqual(self.server.state.count('contactuseraboutitem'), 1, "sent once")
        self.assertEqual(claimed.messages[-1]['content'],
                         'Votre colis a été remis au transporteur hier, voici son suivi.')
        self.assertEqual(claimed.messages[-1]['sender'], self.shop.login)
        self.assertFalse([message for item in purchase.items[1:] for message in item.messages],
                         "only the claimed unit's thread")
        post = order.message_ids.filtered(lambda message: 'Réponse envoyée sur Rakuten à' in
                                          (message.body or ''))
        self.assertEqual(len(post), 1)
        self.assertIn('Mug « Café crème » (RK-MUG)', post.body)
        self.assertEqual(post.author_id, self.salesman.partner_id)

    def test_accept_a_sale_held_for_stock(self):
        self._set_stock(self.mug, 1)  # 2 mugs bought: the default policy holds the sale for a user
        purchase = self._basket()
        self.bot['rakuten.sale']._cron_import()
        sale = self._sale(purchase)
        self.assertEqual((sale.state, sale.held_for_stock), ('to_accept', True))
        self.assertEqual(self.server.state.count('acceptsale'), 0)
        self.start_tour('/odoo/action-rakuten_connector.action_rakuten_sale', 'rakuten_accept_held_sale_tour',
                        login=self.salesman.login, timeout=120)
        self.assertEqual({item.status for item in purchase.items}, {const.STATUS_ACCEPTED})
        accepted = self.server.state.count('acceptsale')
        self.assertEqual(accepted, len(purchase.items), "each unit accepted once")
        self.assertEqual(sale.state, 'imported')
        lines = {(line.product_id, line.product_uom_qty, line.price_unit)
                 for line in sale.order_id.order_line if not line.is_delivery}
        self.assertEqual(lines, {(self.mug, 2, 9.50), (self.tee, 1, 19.90)})
        self.assertAlmostEqual(sum(sale.order_id.order_line.filtered('is_delivery').mapped('price_unit')), 5.90)
        self.bot['rakuten.sale']._cron_import()
        self.assertEqual(self.server.state.count('acceptsale'), accepted, "never accepted twice")
