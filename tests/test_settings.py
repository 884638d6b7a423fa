from psycopg2.errors import CheckViolation

from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RakutenCase, RakutenShopCase


@tagged('post_install', '-at_install')
class TestSettings(RakutenCase):

    def test_settings_form_writes_the_company(self):
        self.company.rakuten_token = False
        with Form(self.env['res.config.settings']) as settings:
            settings.rakuten_login = 'ma-boutique'
            settings.rakuten_token = 'tok-123'
            settings.rakuten_accept_policy = 'manual'
            settings.rakuten_stock_sync = True
            settings.rakuten_max_qty = 10
            settings.rakuten_max_percentage = 50
            settings.rakuten_end_when_qty = 0
        settings.save().execute()
        self.assertEqual(self.company.rakuten_login, 'ma-boutique')
        self.assertEqual(self.company.rakuten_token, 'tok-123')
        self.assertEqual(self.company.rakuten_accept_policy, 'manual')
        self.assertEqual((self.company.rakuten_max_qty, self.company.rakuten_max_percentage), (10, 50))

    def test_defaults_are_safe(self):
        company = self.env['res.company'].create({'name': 'Nouvelle Société'})
        self.assertEqual(company.rakuten_base_url, 'https://ws.fr.shopping.rakuten.com')
        self.assertEqual(company.rakuten_shipping_country_code, 249)
        self.assertFalse(company.rakuten_stock_sync, "stock sync is opt-in")
        self.assertEqual(company.rakuten_connection_state, 'untested')

    def test_last_order_sync_change_warns(self):
        with self.assertLogs('odoo.tests.form.onchange', level='WARNING') as logs:
            with Form(self.env['res.config.settings']) as settings:
                settings.rakuten_last_order_sync = '2026-01-01 00:00:00'
        self.assertIn('last Rakuten order sync', logs.output[0])

    @mute_logger('odoo.sql_db')
    def test_percentage_must_be_a_percentage(self):
        with self.assertRaises(CheckViolation) as caught, self.cr.savepoint():
            self.company.rakuten_max_percentage = 150
            self.company.flush_recordset()
        self.assertEqual(caught.exception.diag.constraint_name, 'res_company_rakuten_max_percentage_range')


@tagged('post_install', '-at_install')
class TestConnectionButton(RakutenCase):

    def _press(self):
        return self.env['res.config.settings'].create({}).action_rakuten_test_connection()

    def test_success_stores_seller_id_and_status(self):
        action = self._press()
        self.assertEqual(action['params']['type'], 'success')
        self.assertEqual(action['params']['message'], f"Connected to Rakuten: shop {self.shop.login}.",
                         "the seller id is shown once, on its own line of the section")
        self.assertEqual(self.company.rakuten_seller_ref, self.shop.seller_id)
        self.assertEqual(self.company.rakuten_connection_state, 'connected')
        self.assertTrue(self.company.rakuten_connection_date)

    def test_wrong_token_says_which_part_and_keeps_the_settings(self):
        self.company.rakuten_token = 'wrong-token'
        action = self._press()
        self.assertEqual(action['params']['type'], 'danger')
        self.assertIn('shop name', action['params']['message'])
        self.assertNotIn('wrong-token', action['params']['message'])
        self.assertEqual(self.company.rakuten_connection_state, 'failed')
        self.assertEqual(self.company.rakuten_token, 'wrong-token', "nothing typed is lost")

    def test_a_failed_test_forgets_the_seller_id(self):
        self._press()
        self.assertEqual(self.company.rakuten_seller_ref, self.shop.seller_id)
        self.company.rakuten_login = 'autre-boutique'
        self.assertEqual(self._press()['params']['type'], 'danger')
        self.assertFalse(self.company.rakuten_seller_ref, "a seller id read with other credentials is not shown")
        self.company.rakuten_login = self.shop.login
        self._press()
        self.server.state.inject('http503', 'getcurrentsales', times=10)
        self.assertEqual(self._press()['params']['type'], 'danger')
        self.assertEqual(self.company.rakuten_seller_ref, self.shop.seller_id, "Rakuten down: still this shop's")
        self.server.state.faults.clear()

    def test_each_failure_has_its_own_verdict(self):
        cases = {
            'quota': 'quota',
            'rights': 'not allowed',
            'http503': 'is unavailable right now (HTTP503)',
            'malformed': 'could not be read',
        }
        for kind, expected in cases.items():
            with self.subTest(kind=kind):
                self.server.state.inject(kind, 'getcurrentsales', times=10)
                self.company.rakuten_connection_state = 'untested'
                self.assertIn(expected, self._press()['params']['message'])
                self.assertEqual(self.company.rakuten_connection_state, 'failed')
                self.server.state.faults.clear()

    def test_unreachable_endpoint(self):
        self.company.rakuten_base_url = 'http://127.0.0.1:9'
        message = self._press()['params']['message']
        self.assertIn('could not be reached (no answer in time, or no network)', message)
        for technical in ('HTTPConnectionPool', '127.0.0.1', 'Errno', 'NetworkError'):
            self.assertNotIn(technical, message, "the network's words are for the logs, not the seller")

    def test_the_logs_keep_the_network_words_the_seller_does_not_read(self):
        self.company.rakuten_base_url = 'http://127.0.0.1:9'
        with self.assertLogs('odoo.addons.rakuten_connector.models.rakuten_sale', 'WARNING') as logs:
            self.env['rakuten.sale']._rakuten_import(self.company)
        self.assertIn('NetworkError', logs.output[0], "an administrator sees what the network said")
        self.assertNotIn(self.company.rakuten_token, logs.output[0])
        self.assertEqual(self.company.rakuten_import_state, 'failed')
        self.assertNotIn('NetworkError', self.company.rakuten_import_message)
        self.assertIn('could not be reached', self.company.rakuten_import_message)

    def test_missing_token(self):
        self.company.rakuten_token = False
        action = self._press()
        self.assertIn('Token API', action['params']['message'])
        self.assertEqual(self.company.rakuten_connection_state, 'failed')


@tagged('post_install', '-at_install')
class TestTokenSecrecy(RakutenCase):

    def test_only_system_administrators_read_the_token(self):
        salesman = new_test_user(self.env, login='rk_sales_manager', groups='sales_team.group_sale_manager')
        with self.assertRaises(AccessError):
            self.company.with_user(salesman).read(['rakuten_token'])
        fields = self.env['res.company'].with_user(salesman).fields_get()
        self.assertNotIn('rakuten_token', fields)
        # The connector still works for that user: the client is built with sudo.
        self.assertEqual(self.company.with_user(salesman)._rakuten_client().check_connection().seller_id,
                         self.shop.seller_id)

    def test_token_masked_in_urllib3_logs_once_the_addon_is_loaded(self):
        # The addon set redaction up when Odoo imported it; assertLogs adds its handler only now.
        with self.assertLogs('urllib3', 'DEBUG') as logs:
            self.company._rakuten_client().check_connection()
        output = '\n'.join(logs.output)
        self.assertIn('pwd=***', output, "urllib3 logs each request's URL at DEBUG level")
        self.assertNotIn(self.shop.token, output)

    def test_token_is_not_exportable(self):
        self.assertFalse(self.env['res.company']._fields['rakuten_token'].exportable)

    def test_neutralize_wipes_the_token(self):
        queries = [q for q in get_neutralization_queries(['rakuten_connector'])]
        self.assertTrue(queries)
        for query in queries:
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(self.company.rakuten_token)
        self.assertFalse(self.company.rakuten_enabled)


@tagged('post_install', '-at_install')
class TestSettingsButtons(RakutenShopCase):
    """The buttons of the Rakuten section store their result where the section shows it, then reload the form
    in place (the user stays in the Rakuten section)."""

    def _settings(self):
        return self.env['res.config.settings'].create({})

    def assertStaysInPlace(self, action):
        self.assertEqual(action['params']['next'], {'type': 'ir.actions.act_window_close'},
                         "closing reloads the settings record in place; a soft reload scrolls back to the top")

    def test_import_now_says_how_many_orders_were_created(self):
        self.shop.add_sale([('RK-MUG', '9.50')])
        self.shop.add_sale([('RK-TEE', '19.90')])
        action = self._settings().action_rakuten_import_now()
        self.assertStaysInPlace(action)
        self.assertEqual(action['params']['message'], "2 orders created. To accept: 0. Needing attention: 0.")
        self.assertEqual(self.company.rakuten_import_message, action['params']['message'], "shown in the section")
        self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')])
        self.assertRegex(self._settings().action_rakuten_import_now()['params']['message'], r'^1 order created\. ')
        self.assertRegex(self._settings().action_rakuten_import_now()['params']['message'], r'^No new order\. ')

    def test_connection_and_stock_results_are_stored(self):
        self.assertStaysInPlace(self._settings().action_rakuten_test_connection())
        self.assertEqual(self.company.rakuten_connection_message, f"Connected to Rakuten: shop {self.shop.login}.",
                         "the seller id shows once, on its own line")
        self.assertStaysInPlace(self._settings().action_rakuten_push_stock())
        self.assertTrue(self.company.rakuten_stock_message)
        self.assertEqual(self.company.rakuten_stock_state, 'ok', "the section's badge says it went well")

    def test_read_adverts_result_is_stored(self):
        self.shop.adverts.clear()
        self.shop.add_advert('RK-MUG', stock=3, price='9.50')
        action = self._settings().action_rakuten_read_adverts()
        self.assertStaysInPlace(action)
        self.assertIn('Rakuten adverts read: 1. Matched to a product: 1;', self.company.rakuten_stock_message)
        self.assertEqual(action['params']['message'], self.company.rakuten_stock_message)

    def test_read_adverts_failure_is_stored_too(self):
        self.company.rakuten_token = 'wrong-token'
        action = self._settings().action_rakuten_read_adverts()
        self.assertEqual(action['params']['type'], 'danger')
        self.assertIn('shop name', self.company.rakuten_stock_message)
        self.assertEqual(self.company.rakuten_stock_state, 'failed', "the section's badge says it failed")

    def test_salesperson_setting_decides_the_salesperson(self):
        bot = self.env(user=self.env.ref('base.user_root'))
        first = self.shop.add_sale([('RK-MUG', '9.50')])
        bot['rakuten.sale']._cron_import()
        self.assertFalse(self._sale(first).order_id.user_id, "no salesperson by default, not OdooBot")
        seller = self.env.ref('base.user_admin')
        with Form(self.env['res.config.settings']) as settings:
            settings.rakuten_user_id = seller
        settings.save().execute()
        second = self.shop.add_sale([('RK-TEE', '19.90')])
        bot['rakuten.sale']._cron_import()
        self.assertEqual(self._sale(second).order_id.user_id, seller)

    def test_dates_name_their_time_zone(self):
        self.env.user.tz = 'Europe/Paris'
        self.assertEqual(self._settings().rakuten_user_tz, 'Europe/Paris')
