from datetime import date, datetime

from lxml import etree

from odoo.tests import Form, TransactionCase, new_test_user, tagged

from .test_aftersales import AftersalesCase, _paris
from .test_french import FrenchShopCase
from .test_message_migration import _migration


@tagged('post_install', '-at_install')
class TestConventions(AftersalesCase):
    """Odoo's conventions on the connector's screens and chatter lines (issue 25, item 10)."""

    def _basket(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')],
                                      shipping_type='Suivi', shipping_price=['3.90', '1.00', '1.00'])
        self._run()
        order = self._sale(purchase).order_id
        self.assertTrue(order, self._sale(purchase).error_message)
        order.user_id = self.salesman
        return purchase, order

    def test_claim_button_opens_the_claim_or_the_list_of_claims(self):
        purchase, order = self._basket()
        self.shop.open_claim(purchase.items[0].itemid, 'DAMAGED', amicable=True, comment='Mug arrivé cassé')
        self.shop.add_message(purchase.items[2].itemid, 'Le T-shirt taille-t-il grand ?')  # an item, no claim
        self._aftersales()
        claim = self._record(purchase.items[0].itemid)
        action = order.with_user(self.salesman).action_rakuten_claims()
        self.assertEqual((action['res_model'], action['res_id'], action['view_mode']),
                         ('rakuten.aftersale', claim.id, 'form'), "the only claim itself")
        self.assertEqual(action['views'], [(self.env.ref('rakuten_connector.rakuten_aftersale_view_form').id, 'form')])
        # A second claim: the list of both, closed or open (the button's count is all of them).
        self.shop.open_claim(purchase.items[1].itemid, 'NOT_RECEIVED', amicable=False)
        self._aftersales()
        action = order.with_user(self.salesman).action_rakuten_claims()
        self.assertFalse(action.get('res_id'))
        self.assertEqual(action['view_mode'], 'list,form')
        self.assertNotIn('search_default_open', str(action['context']), "closed claims are listed too")
        claims = self.env['rakuten.aftersale'].with_user(self.salesman).search(action['domain'])
        self.assertEqual(set(claims.mapped('itemid')), {item.itemid for item in purchase.items[:2]})

    def test_chatter_names_products_and_links_the_rakuten_sale(self):
        purchase, order = self._basket()
        sale = self._sale(purchase)
        [imported] = order.message_ids.filtered(lambda message: 'Imported from Rakuten sale' in (message.body or ''))
        [link] = etree.fromstring(f'<div>{imported.body}</div>').iter('a')
        self.assertEqual((link.get('data-oe-model'), link.get('data-oe-id'), link.text),
                         ('rakuten.sale', str(sale.id), purchase.purchaseid))
        mug, tee = purchase.items[0], purchase.items[2]
        self.shop.add_message(mug.itemid, 'Le mug est-il bien emballé ?')
        self.shop.add_mail(tee.itemid, 'Merci de répondre à l’acheteur', subject='Votre vente')
        self._aftersales()
        posts = order.message_ids.filtered(lambda message: 'on Rakuten about' in (message.body or '')
                                           or 'customer service about' in (message.body or ''))
        self.assertEqual(len(posts), 2)
        bodies = ' '.join(posts.mapped('body'))
        self.assertIn('Message from the buyer on Rakuten about Mug « Café crème » (RK-MUG)', bodies)
        self.assertIn('Mail from Rakuten customer service about T-shirt coton bio (RK-TEE): Votre vente', bodies)
        for item in purchase.items:
            self.assertNotIn(item.itemid, bodies, "no bare item id")

    def test_cancel_dialog_of_a_claim_speaks_of_the_claim(self):
        purchase, order = self._basket()
        itemid = purchase.items[0].itemid
        self.shop.open_claim(itemid, 'NOT_RECEIVED', amicable=True, comment='Toujours rien reçu',
                             date=_paris(2026, 11, 20, 15, 30))
        self._aftersales()
        claim = self._record(itemid).with_user(self.salesman)
        dialog = claim.action_rakuten_cancel_item()
        wizard = Form(self.env['rakuten.cancel'].with_user(self.salesman).with_context(**dialog['context'])).save()
        self.assertEqual(wizard.reason, 'claim')
        self.assertEqual(wizard.comment, "We are sorry about the trouble you reported: we cancel this item and "
                                         "Rakuten refunds you in full.")
        self.assertNotIn('no longer available', wizard.comment)
        # From the order, the usual default.
        dialog = order.with_user(self.salesman).action_rakuten_cancel_units()
        wizard = Form(self.env['rakuten.cancel'].with_user(self.salesman).with_context(**dialog['context'])).save()
        self.assertEqual(wizard.reason, 'stock')

    def test_last_day_to_accept_is_the_day_before_the_midnight_deadline(self):
        self.company.rakuten_accept_policy = 'manual'
        # Bought on Thursday 3 December 2026: 72 working hours end at midnight ending Tuesday 8 (Paris).
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-TEE', '19.90')], shipping_price=['2.50', '1.00'],
                                      purchase_date=datetime(2026, 12, 3, 10, 0))
        self._run()
        sale = self._sale(purchase)
        self.assertEqual(sale.accept_deadline, datetime(2026, 12, 8, 23, 0), "midnight in Paris, in UTC")
        self.assertEqual(sale.accept_by, date(2026, 12, 8), "the last day, not the 9th")
        self.assertEqual(sale.activity_ids.date_deadline, sale.accept_by)
        summer = self.shop.add_sale([('RK-TEE', '19.90')], shipping_price='2.50',
                                    purchase_date=datetime(2026, 6, 4, 23, 30))  # Thursday night
        self._run()
        self.assertEqual(self._sale(summer).accept_by, date(2026, 6, 9))

    def test_rakuten_sale_list_amounts_in_euros_and_a_purchase_date_filter(self):
        self.company.currency_id = self.env.ref('base.USD')  # Rakuten France sells in euros whatever the company
        views = self.env['rakuten.sale'].with_user(self.salesman).get_views([(False, 'list'), (False, 'search')])
        listing = etree.fromstring(views['views']['list']['arch'])
        [amount] = listing.xpath("//field[@name='amount_items']")
        self.assertEqual(amount.get('widget'), 'monetary')
        self.assertTrue(listing.xpath("//field[@name='currency_id']"))
        search = etree.fromstring(views['views']['search']['arch'])
        self.assertTrue(search.xpath("//filter[@date='purchase_date']"))
        purchase = self.shop.add_sale([('RK-MUG', '9.50')], shipping_price='2.50')
        self.company.rakuten_accept_policy = 'manual'
        self._run()
        self.assertEqual(self._sale(purchase).currency_id, self.env.ref('base.EUR'))

    def test_stock_file_statusbar_shows_the_normal_path_only(self):
        arch = etree.fromstring(self.env['rakuten.stock.import'].get_views([(False, 'form')])['views']['form']['arch'])
        [statusbar] = arch.xpath("//header/field[@name='state']")
        self.assertEqual(statusbar.get('statusbar_visible'), 'pending,done')
        self.assertIn("state not in ('pending', 'done')", statusbar.get('invisible'))
        ribbons = arch.xpath("//widget[@name='web_ribbon']")
        self.assertEqual({ribbon.get('invisible') for ribbon in ribbons}, {"state != 'failed'", "state != 'lost'"})


@tagged('post_install', '-at_install')
class TestConventionsInFrench(FrenchShopCase):

    def test_claim_form_and_customer_service_in_french(self):
        service = self.env.ref('rakuten_connector.partner_rakuten_customer_service')
        self.assertEqual(service.name, 'Service client Rakuten')
        fields = self.env['rakuten.aftersale'].with_context(lang='fr_FR').fields_get(
            ['item_status_label', 'item_state_label'], ['string'])
        self.assertEqual(fields['item_status_label']['string'], "Statut de l'article")
        self.assertEqual(fields['item_state_label']['string'], 'Étape chez Rakuten')
        french = new_test_user(self.env, login='rk_conv_french', lang='fr_FR', company_id=self.company.id,
                               groups='sales_team.group_sale_salesman')
        arch = self.env['rakuten.aftersale'].with_user(french).with_context(lang='fr_FR').get_views(
            [(self.env.ref('rakuten_connector.rakuten_aftersale_view_form').id, 'form')])['views']['form']['arch']
        self.assertIn('Messages et e-mails', arch, "the message list has a title")
        sale_fields = self.env['rakuten.sale'].with_context(lang='fr_FR').fields_get(['accept_by'], ['string'])
        self.assertEqual(sale_fields['accept_by']['string'], 'Accepter au plus tard le')

    def test_claim_cancellation_words_in_french(self):
        wizard = self.env['rakuten.cancel'].with_context(lang='fr_FR').new({'reason': 'claim'})
        self.assertEqual(wizard.with_context(lang='fr_FR')._buyer_message(),
                         "Nous sommes désolés pour le problème que vous nous avez signalé : nous annulons cet "
                         "article et Rakuten vous rembourse intégralement.")


@tagged('post_install', '-at_install')
class TestCustomerServiceNameMigration(TransactionCase):

    def test_english_name_of_an_older_release_becomes_french_a_chosen_name_stays(self):
        service = self.env.ref('rakuten_connector.partner_rakuten_customer_service')
        migrate = _migration('post-customer-service-name', '19.0.1.4.0')
        service.name = 'Rakuten customer service'  # as a release before 19.0.1.4.0 created it
        look_alike = self.env['res.partner'].create({'name': 'Rakuten customer service'})  # not the connector's
        self.env.flush_all()
        migrate(self.env.cr, '19.0.1.3.0')
        self.env.invalidate_all()
        self.assertEqual((service.name, service.display_name), ('Service client Rakuten', 'Service client Rakuten'))
        self.assertEqual(look_alike.name, 'Rakuten customer service')
        service.name = 'SAV Rakuten'  # an administrator's choice
        self.env.flush_all()
        migrate(self.env.cr, '19.0.1.3.0')
        self.env.invalidate_all()
        self.assertEqual(service.name, 'SAV Rakuten')
