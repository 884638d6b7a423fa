from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import RakutenShopCase

HELOISE = {'firstname': 'Héloïse', 'lastname': 'Bérangère-Lefèvre', 'address1': '8 rue des Lilas',
           'zipcode': '33000', 'city': 'Bordeaux', 'login': 'heloise-33'}
RELAY = {'id': '024680', 'name': 'Tabac de la Gare', 'address': '2 place de la Gare', 'zipcode': '33800',
         'city': 'Bordeaux', 'country': 'France', 'firstname': 'Héloïse', 'lastname': 'Bérangère-Lefèvre'}


def french_company(env, company):
    """French installed with the module's terms; the company's partner speaks French (the connector writes in
    its language); OdooBot runs the jobs in its own language, English."""
    env['res.lang']._activate_lang('fr_FR')
    env['ir.module.module']._load_module_terms(['rakuten_connector'], ['fr_FR'], overwrite=True)
    company.partner_id.lang = 'fr_FR'
    return env(user=env.ref('base.user_root'), context={'lang': 'en_US'})


class FrenchShopCase(RakutenShopCase):
    """The shop of a French company (its partner speaks French), French installed with the module's terms."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bot_env = french_company(cls.env, cls.company)
        cls.colissimo.rakuten_transporter_id = cls.env.ref('rakuten_connector.transporter_colissimo')
        cls.env['product.product'].search([('id', 'not in', (cls.mug | cls.tee).ids)]).rakuten_sync = False
        # An English user clicks the buttons.
        cls.english = new_test_user(
            cls.env, login='rk_english', lang='en_US', company_id=cls.company.id,
            groups='base.group_system,sales_team.group_sale_manager,stock.group_stock_manager',
        )

    def _french(self, model, field, value):
        """The French label of a selection value."""
        return dict(self.env[model].with_context(lang='fr_FR')._fields[field]._description_selection(
            self.env(context={'lang': 'fr_FR'})))[value]

    def _commit_tracking(self):
        """What a commit does: the tracking messages of the transaction are written."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _delivered_order(self):
        self._stock(self.mug, 5)
        purchase = self.shop.add_sale([('RK-MUG', '9.50')], shipping_type='Suivi', buyer=HELOISE)
        self._run()
        picking = self._sale(purchase).order_id.picking_ids
        picking.carrier_tracking_ref = '6A000111'
        picking.move_ids.quantity = 1
        picking.button_validate()
        self._commit_tracking()
        return picking


@tagged('post_install', '-at_install')
class TestCompanyLanguage(FrenchShopCase):
    """Everything the connector writes is in the company's language, whoever runs it."""

    def test_import_job_run_by_odoobot_writes_french(self):
        self.company.rakuten_accept_policy = 'manual'
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        self.bot_env['rakuten.sale']._cron_import()
        sale = self._sale(purchase)
        self.assertEqual(sale.error_message, "Acceptez ou refusez cette vente Rakuten.")
        self.assertEqual(sale.activity_ids.summary, f"Vente Rakuten {purchase.purchaseid} à accepter")

    def test_stock_job_run_by_odoobot_writes_french(self):
        self.company.rakuten_stock_sync = True
        self._stock(self.mug, 3)
        self.bot_env['rakuten.stock.import']._cron_rakuten_stock()
        self.assertRegex(self.company.rakuten_stock_message, r"^Fichier de stock envoyé à Rakuten avec 2 SKU\.$")
        self.bot_env['rakuten.stock.import']._cron_rakuten_stock()
        self.assertIn("Le stock Rakuten est à jour.", self.company.rakuten_stock_message)

    def test_despatch_job_run_by_odoobot_writes_french(self):
        picking = self._delivered_order()
        self.bot_env['stock.picking']._cron_rakuten_despatch()
        self._commit_tracking()
        self.assertEqual(picking.rakuten_despatch_state, 'sent')
        self.assertIn("Expédition transmise à Rakuten : Colissimo, suivi 6A000111, pour Mug « Café crème » (RK-MUG).",
                      ''.join(picking.message_ids.mapped('body')))
        tracked = picking.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == 'rakuten_despatch_state')
        self.assertIn(self._french('stock.picking', 'rakuten_despatch_state', 'sent'),
                      tracked.mapped('new_value_char'))
        self.assertNotIn('Sent', tracked.mapped('new_value_char'))

    def test_buttons_clicked_by_an_english_user_write_french(self):
        self.company.rakuten_accept_policy = 'manual'
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        settings = self.env(user=self.english)['res.config.settings'].create({})
        settings.action_rakuten_import_now()
        sale = self._sale(purchase)
        self.assertEqual(sale.error_message, "Acceptez ou refusez cette vente Rakuten.")
        self.assertEqual(sale.activity_ids.summary, f"Vente Rakuten {purchase.purchaseid} à accepter")
        sale.with_user(self.english).action_accept()
        self.assertIn("Acceptée sur Rakuten.", ''.join(sale.message_ids.mapped('body')))
        settings.action_rakuten_read_adverts()
        self.assertIn("Annonces Rakuten lues : 1.", self.company.rakuten_stock_message)

    def test_send_to_rakuten_clicked_by_an_english_user_writes_french(self):
        picking = self._delivered_order()
        picking.carrier_id.rakuten_transporter_id = False
        picking.with_user(self.english).action_rakuten_send()
        self.assertEqual(picking.rakuten_despatch_state, 'failed')
        self.assertIn("Indiquez le transporteur Rakuten", picking.rakuten_despatch_error)
        self.assertEqual(picking.activity_ids.summary, "Échec de l'expédition Rakuten")
        self.assertIn("Expédition non transmise à Rakuten", ''.join(picking.message_ids.mapped('body')))

    def test_connection_verdict_is_french(self):
        self.company.rakuten_token = 'wrong-token'
        action = self.env(user=self.english)['res.config.settings'].create({}).action_rakuten_test_connection()
        self.assertIn("nom de votre boutique", self.company.rakuten_connection_message)
        self.assertEqual(action['params']['message'], self.company.rakuten_connection_message)


@tagged('post_install', '-at_install')
class TestFrenchBuyers(FrenchShopCase):
    """Rakuten France buyers: French contacts owned by the importing company, readable delivery contacts."""

    def test_buyers_and_delivery_contacts_are_french(self):
        purchase = self.shop.add_sale([('RK-TEE', '19.90')], shipping_type='Point relais Mondial Relay',
                                      relay=RELAY, buyer=HELOISE)
        self.bot_env['rakuten.sale']._cron_import()
        order = self._sale(purchase).order_id
        self.assertEqual(order.partner_id.lang, 'fr_FR')
        self.assertEqual(order.partner_shipping_id.lang, 'fr_FR')

    def test_relay_contact_names_the_relay_not_the_buyer_twice(self):
        purchase = self.shop.add_sale([('RK-TEE', '19.90')], shipping_type='Point relais Mondial Relay',
                                      relay=RELAY, buyer=HELOISE)
        self.bot_env['rakuten.sale']._cron_import()
        order = self._sale(purchase).order_id
        shipping = order.partner_shipping_id
        self.assertEqual(shipping.name, "Tabac de la Gare (point relais 024680)")
        self.assertEqual(shipping.display_name, "Héloïse Bérangère-Lefèvre, Tabac de la Gare (point relais 024680)")
        self.assertEqual(order.picking_ids.partner_id, shipping)
        self.assertEqual((shipping.street, shipping.zip, shipping.city), ('2 place de la Gare', '33800', 'Bordeaux'))

    def test_home_delivery_does_not_repeat_the_buyer(self):
        purchase = self.shop.add_sale([('RK-TEE', '19.90')], buyer=HELOISE)
        self._run()
        order = self._sale(purchase).order_id
        self.assertEqual(order.partner_shipping_id, order.partner_id, "the buyer's own address")
        self.assertEqual(order.partner_shipping_id.display_name, "Héloïse Bérangère-Lefèvre")

    def test_buyers_belong_to_the_company_that_imported_them(self):
        other = self.env['res.company'].create({
            'name': 'Boutique Deux', 'currency_id': self.env.ref('base.EUR').id,
            'rakuten_enabled': True, 'rakuten_login': self.shop.login, 'rakuten_token': self.shop.token,
            'rakuten_base_url': self.server.url, 'rakuten_accept_policy': 'all',
            'rakuten_default_carrier_id': self.standard.id,
        })
        self.env.user.company_ids |= other
        first = self.shop.add_sale([('RK-MUG', '9.50')], buyer=HELOISE)
        self._run()
        mine = self._sale(first).order_id.partner_id
        self.assertEqual(mine.company_id, self.company)
        # The other company reads the same shop: its order gets its own buyer, not this company's contact.
        self.env['rakuten.sale'].with_company(other)._rakuten_import(other)
        theirs = self.env['rakuten.sale'].search([('company_id', '=', other.id),
                                                  ('purchase_ref', '=', first.purchaseid)]).order_id.partner_id
        self.assertTrue(theirs)
        self.assertNotEqual(theirs, mine)
        self.assertEqual(theirs.company_id, other)
        self.assertEqual(theirs.rakuten_buyer_login, mine.rakuten_buyer_login)
        # A returning buyer is found again inside each company.
        second = self.shop.add_sale([('RK-TEE', '19.90')], buyer=HELOISE)
        self._run()
        self.assertEqual(self._sale(second).filtered(lambda sale: sale.company_id == self.company)
                         .order_id.partner_id, mine)
        self.env['rakuten.sale'].with_company(other)._rakuten_import(other)
        self.assertEqual(self.env['rakuten.sale'].search([('company_id', '=', other.id),
                                                          ('purchase_ref', '=', second.purchaseid)])
                         .order_id.partner_id, theirs)
        self.assertFalse(mine.with_user(self._user_of(other)).has_access('read'))

    def _user_of(self, company):
        return new_test_user(self.env, login='rk_other_company', company_id=company.id, company_ids=company.ids,
                             groups='sales_team.group_sale_salesman')


@tagged('post_install', '-at_install')
class TestSalesScreens(FrenchShopCase):
    """What the lists and buttons say to a French seller."""

    def test_item_statuses_have_french_labels(self):
        self.company.rakuten_accept_policy = 'manual'
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        self._run()
        items = self._sale(purchase).item_ids.with_context(lang='fr_FR')
        self.assertEqual(items.status, 'TO_CONFIRM')
        self.assertEqual(items.status_label, "À accepter")
        items.sale_id.action_accept()
        items.invalidate_recordset(['status_label'])
        self.assertEqual(items.status_label, "Acceptée")
        self.assertEqual(items.with_context(lang='en_US').status_label, "Accepted")

    def test_retry_on_a_sale_waiting_for_acceptance_says_what_to_do(self):
        self.company.rakuten_accept_policy = 'manual'
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        self._run()
        sale = self._sale(purchase)
        with self.assertRaisesRegex(UserError, 'accept it'):
            sale.action_retry()
        self.assertEqual(sale.state, 'to_accept')

    def test_a_stock_file_waiting_for_its_report_can_be_read_now(self):
        self.company.rakuten_stock_sync = True
        self.addCleanup(setattr, self.server.state, 'import_polls', self.server.state.import_polls)
        self.server.state.import_polls = 1  # Rakuten answers "still processing" once
        self._stock(self.mug, 4)
        self.env['rakuten.stock.import']._rakuten_sync_company(self.company)
        file = self.env['rakuten.stock.import'].search([('company_id', '=', self.company.id)])
        self.assertEqual(file.state, 'pending')
        action = file.action_rakuten_read_report()
        self.assertEqual(action['params']['type'], 'warning', "not processed yet: says so")
        action = file.action_rakuten_read_report()
        self.assertEqual(file.state, 'done')
        self.assertIn(file._rakuten_label(), action['params']['message'], "the file named by when it was sent")
        self.assertNotIn(file.file_ref, action['params']['message'], "not by Rakuten's file id")
