from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..rakuten_connector import AuthError, QuotaError, TransientError
from .common import RakutenCase


@tagged('post_install', '-at_install')
class TestCompanyClient(RakutenCase):

    def test_client_from_settings_reaches_the_fake_server(self):
        connection = self.company._rakuten_client().check_connection()
        self.assertEqual(connection.seller_id, self.shop.seller_id)
        self.assertEqual(self.server.state.count('getcurrentsales', self.shop.login), 1)

    def test_missing_credentials_is_a_user_error(self):
        self.company.rakuten_token = False
        with self.assertRaisesRegex(UserError, 'Token API'):
            self.company._rakuten_client()

    def test_errors_become_translated_sentences(self):
        self.company.rakuten_token = 'wrong-token'
        with self.assertRaises(AuthError) as caught:
            self.company._rakuten_client().check_connection()
        message = self.company._rakuten_error_message(caught.exception)
        self.assertIn('shop name', message)
        self.assertNotIn('wrong-token', message)
        self.server.state.inject('quota', 'getcurrentsales')
        self.company.rakuten_token = self.shop.token
        with self.assertRaises(QuotaError) as caught:
            self.company._rakuten_client().check_connection()
        self.assertIn('top of the hour', self.company._rakuten_error_message(caught.exception))
        self.server.state.inject('http503', times=10)
        with self.assertRaises(TransientError) as caught:
            self.company._rakuten_client(timeout=2).check_connection()
        self.assertIn('Try again later', self.company._rakuten_error_message(caught.exception))

    def test_token_is_for_system_administrators_only(self):
        user = new_test_user(self.env, login='rk_salesman', groups='sales_team.group_sale_manager')
        company = self.company.with_user(user)
        self.assertEqual(company.rakuten_login, self.shop.login)
        with self.assertRaises(AccessError):
            company.read(['rakuten_token'])
        # The user can still use the connector: the client is built with sudo, the token stays hidden.
        self.assertEqual(company._rakuten_client().check_connection().seller_id, self.shop.seller_id)
