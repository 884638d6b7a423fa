from odoo.tests import new_test_user, tagged

from .common import RakutenHttpCase


@tagged('post_install', '-at_install')
class TestAftersalesTour(RakutenHttpCase):

    def test_buyer_message_on_the_order_and_reply(self):
        self.env.ref('base.EUR').active = True
        self.company.currency_id = self.env.ref('base.EUR')
        product = self.env['product.product'].create({'name': 'Mug tour', 'default_code': 'RK-TOUR',
                                                      'list_price': 9.5, 'is_storable': True})
        shipping = self.env['product.product'].create({'name': 'Port', 'type': 'service'})
        carrier = self.env['delivery.carrier'].create({'name': 'Lettre tour', 'product_id': shipping.id})
        self.company.write({'rakuten_default_carrier_id': carrier.id, 'rakuten_accept_policy': 'all',
                            'rakuten_last_order_sync': False})
        purchase = self.shop.add_sale([(product.default_code, '9.50')])
        self.env['rakuten.sale']._rakuten_import(self.company)
        order = self.env['sale.order'].search([('rakuten_purchase_ref', '=', purchase.purchaseid)])
        sale = self.env['rakuten.sale'].search([('purchase_ref', '=', purchase.purchaseid)])
        self.assertTrue(order, sale.error_message or self.company.rakuten_import_message)
        item = purchase.items[0]
        self.shop.add_message(item.itemid, 'Quand partira mon colis ?')
        self.shop.open_claim(item.itemid, amicable=True, comment='Toujours rien reçu')
        self.env['rakuten.aftersale']._rakuten_aftersales_run(self.company)
        # The salesman of the order answers (not an administrator), in French.
        self.env['res.lang']._activate_lang('fr_FR')
        self.env['ir.module.module']._load_module_terms(['rakuten_connector'], ['fr_FR'], overwrite=True)
        salesman = new_test_user(self.env, login='rk_tour_salesman', groups='sales_team.group_sale_salesman',
                                 name='Sam Vendeur', company_id=self.company.id, lang='fr_FR')
        order.user_id = salesman
        self.start_tour(f'/odoo/action-sale.action_orders/{order.id}', 'rakuten_aftersales_tour',
                        login='rk_tour_salesman', timeout=120)
        self.assertFalse(item.messages[-1]['sender'] == self.shop.login, "nothing sent by the click itself")
        self.env['rakuten.message']._cron_rakuten_replies()
        self.assertEqual(item.messages[-1]['content'], "Votre colis part ce soir, désolé pour l'attente.")
        self.assertEqual(item.messages[-1]['sender'], self.shop.login)
        self.assertTrue(order.message_ids.filtered(
            lambda message: 'Reply sent on Rakuten to the buyer' in (message.body or '')))
