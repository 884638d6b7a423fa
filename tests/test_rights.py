"""Who may do what, over RPC as on screen: the table of README.rst (section *Rights*), run as each kind of user.

Rakuten bookkeeping (sales, units, claims, messages, stock files, adverts, job status) is written by the connector
only: users read it, per their group; buttons check the user's right to act, then work with the connector's rights.
Another company's user sees none of it. Every button of the module's views and every public method of its classes
must have a row here (and in the README): a new one fails ``test_every_button_and_method_has_a_row``.
"""
import inspect
import pathlib
import textwrap

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from ..rakuten_connector import const
from .common import RakutenShopCase

ROLES = {
    # role: (title in the README, groups); every user works in the shop's company, but 'other'.
    'salesman': ("Salesman", 'sales_team.group_sale_salesman'),
    'manager': ("Sales manager", 'sales_team.group_sale_manager'),
    'warehouse': ("Warehouse user", 'stock.group_stock_user'),
    'accountant': ("Accountant", 'account.group_account_invoice'),
    'admin': ("Settings admin", 'base.group_system'),
    # Every group that reads Rakuten records, in another company only.
    'other': ("Other company", 'sales_team.group_sale_manager,stock.group_stock_user,account.group_account_invoice'),
}
R, RW = 'r', 'rwcd'
# Rights on a record of the shop's company: r(ead), w(rite), c(reate, for the model), d(elete).
MODELS = {
    #                            salesman manager warehouse accountant admin other
    'rakuten.sale':              (R,      R,      R,        R,         '',   ''),
    'rakuten.sale.item':         (R,      R,      R,        R,         '',   ''),
    'rakuten.aftersale':         (R,      R,      '',       '',        '',   ''),
    'rakuten.message':           (R,      R,      '',       '',        '',   ''),
    'rakuten.stock.import':      (R,      R,      '',       '',        '',   ''),
    'rakuten.stock.import.line': (R,      R,      '',       '',        '',   ''),
    'rakuten.advert':            (R,      R,      '',       '',        '',   ''),
    'rakuten.job.status':        ('',     '',     '',       '',        R,    ''),
    # The overview's card of the shop's company (a view of the company: nobody writes it).
    'rakuten.overview':          (R,      R,      '',       '',        '',   ''),
    # Accounting: Rakuten's transfers, read by billing users.
    'rakuten.payout':            ('',     '',     '',       R,         '',   ''),
    'rakuten.payout.line':       ('',     '',     '',       R,         '',   ''),
    # Set-up: the sales managers' (the other company's manager has its own).
    'rakuten.shipping.mapping':  (R,      RW,     R,        R,         R,    'c'),
    'rakuten.transporter':       (R,      RW,     R,        R,         R,    RW),
    # Dialogs: who may open them (create).
    'rakuten.reply':             ('rwc',  'rwc',  '',       '',        '',   'rwc'),
    'rakuten.cancel':            ('rwc',  'rwc',  '',       '',        '',   'rwc'),
    'rakuten.tracking.warning':  ('',     '',     'rwc',    '',        '',   'rwc'),
}
# What a user would write over RPC on a record the connector keeps (readonly only hides it on screen).
WRITES = {
    'rakuten.sale': {'state': 'cancelled', 'shipping_amount': 0.0},
    'rakuten.sale.item': {'status': 'CANCELLED', 'price': 0.01, 'tracking_sent': True},
    'rakuten.aftersale': {'claim_open': False},
    'rakuten.message': {'body': "Réécrit"},
    'rakuten.stock.import': {'state': 'done'},
    'rakuten.stock.import.line': {'state': 'done'},
    'rakuten.advert': {'price': 1.0},
    'rakuten.job.status': {'state': 'ok', 'message': False},
    'rakuten.overview': {'company_id': False},
    'rakuten.payout': {'state': 'booked', 'amount': 0.0},
    'rakuten.payout.line': {'amount': 0.0},
    'rakuten.shipping.mapping': {'requires_tracking': False},
    'rakuten.transporter': {'sequence': 99},
}
# Fields the connector keeps on Odoo's own records: no user writes them, whatever the user's rights on the record.
CONNECTOR_FIELDS = {
    'sale.order': {'rakuten_purchase_ref': 'FAUX-1', 'rakuten_sale_id': False, 'rakuten_claim_state': 'closed'},
    'product.product': {'rakuten_published_price': 1.0, 'rakuten_price_confirmed': 1.0, 'rakuten_price_blocked': False,
                        'rakuten_published_qty': 999, 'rakuten_advert_ref': 'FAUX-1', 'rakuten_push_result': 'OK'},
    'stock.picking': {'rakuten_despatch_state': 'sent', 'rakuten_despatch_error': False,
                      'rakuten_despatch_file': 'F1', 'rakuten_despatch_attempts': 0, 'rakuten_despatch_unsure': False},
}

DONE, DENIED, REFUSED, NOTHING = 'done', 'denied', 'refused', 'nothing'
OUTCOME_WORDS = {DONE: "yes", DENIED: "no", REFUSED: "refused", NOTHING: "no effect"}
Y, N = DONE, DENIED
# (model, method): (what it is, outcome per role in ROLES' order). ORM overrides keep Odoo's rights: no outcome.
BUTTONS = {
    ('rakuten.sale', 'action_accept'): ("Accept", (Y, Y, N, N, N, N)),
    ('rakuten.sale', 'action_refuse'): ("Refuse", (Y, Y, N, N, N, N)),
    ('rakuten.sale', 'action_retry'): ("Retry import", (Y, Y, N, N, N, N)),
    ('rakuten.stock.import', 'action_rakuten_read_report'): ("Read report now", (N, Y, N, N, N, N)),
    ('product.product', 'action_rakuten_confirm_price'):
        # Products are shared: the other company's manager confirms in their own company, never in this one.
        ("Confirm price", (N, Y, N, N, N, NOTHING)),
    ('res.config.settings', 'action_rakuten_test_connection'): ("Test connection", (N, N, N, N, Y, N)),
    ('res.config.settings', 'action_rakuten_import_now'): ("Import orders now", (N, N, N, N, Y, N)),
    ('res.config.settings', 'action_rakuten_push_stock'): ("Push stock now", (N, N, N, N, Y, N)),
    ('res.config.settings', 'action_rakuten_read_adverts'): ("Read Rakuten adverts", (N, N, N, N, Y, N)),
    ('res.config.settings', 'action_rakuten_shipping_mapping'): ("Shipping mapping (link)", (N, N, N, N, Y, N)),
    ('sale.order', 'action_cancel'): ("Cancel (asks about the Rakuten units)", (Y, Y, N, N, N, N)),
    ('sale.order', 'action_rakuten_cancel_units'): ("Cancel on Rakuten", (Y, Y, N, N, N, N)),
    ('sale.order', 'action_open_delivery_wizard'):
        ("Shipping recomputed from the carrier", (REFUSED, REFUSED, REFUSED, REFUSED, N, N)),
    ('sale.order', 'action_rakuten_reply'): ("Reply on Rakuten", (Y, Y, N, N, N, N)),
    ('sale.order', 'action_rakuten_claims'): ("Rakuten Claim (smart button)", (Y, Y, N, N, N, N)),
    ('rakuten.aftersale', 'action_rakuten_reply'): ("Reply (claim)", (Y, Y, N, N, N, N)),
    ('rakuten.aftersale', 'action_rakuten_cancel_item'): ("Cancel the unit on Rakuten (claim)", (Y, Y, N, N, N, N)),
    ('rakuten.message', 'action_open_rakuten_document'): ("Open a Rakuten message's order", (Y, Y, N, N, N, N)),
    ('rakuten.overview', 'action_rakuten_open_list'): ("A counter of the Rakuten overview", (Y, Y, N, N, N, N)),
    ('rakuten.payout', 'action_rakuten_retry'): ("Book now (transfer)", (N, N, N, Y, N, N)),
    # An accounting manager's decision (none of the roles here: accounting managers only).
    ('rakuten.payout', 'action_rakuten_book_difference'): ("Book with the difference (transfer)", (N, N, N, N, N, N)),
    ('rakuten.reply', 'action_send'): ("Send (reply)", (Y, Y, N, N, N, N)),
    ('rakuten.cancel', 'action_cancel_on_rakuten'): ("Cancel on Rakuten (dialog)", (Y, Y, N, N, N, N)),
    ('rakuten.cancel', 'action_odoo_only'): ("Only in Odoo (dialog)", (Y, Y, N, N, N, N)),
    ('stock.picking', 'action_rakuten_send'): ("Send to Rakuten", (N, N, Y, N, N, N)),
    ('stock.picking', 'send_to_shipper'): ("Send to shipper (nothing for a fixed-price carrier)",
                                           (NOTHING, NOTHING, NOTHING, N, N, N)),
    ('rakuten.tracking.warning', 'action_validate'): ("Validate anyway", (N, N, Y, N, N, N)),
    ('stock.backorder.confirmation', 'process_cancel_backorder'): ("No backorder", (N, N, Y, N, N, N)),
    ('res.company', 'write'): ("Company write", None),
    ('sale.order.line', 'write'): ("Order line write", None),
    # Odoo's rights, but never on the connector's fields (CONNECTOR_FIELDS, test_connector_fields_…).
    ('sale.order', 'create'): ("Order create, not its Rakuten fields", None),
    ('sale.order', 'write'): ("Order write, not its Rakuten fields", None),
    ('stock.picking', 'create'): ("Delivery create, not its Rakuten fields", None),
    ('stock.picking', 'write'): ("Delivery write, not its Rakuten fields", None),
    ('stock.picking', 'get_empty_list_help'): ("Empty list help (Rakuten despatches: theirs)", None),
    ('stock.scrap', 'do_scrap'): ("Scrap (Rakuten units left unshippable are flagged)", None),
    ('product.product', 'create'): ("Product create, not its Rakuten sync fields", None),
    ('product.product', 'write'): ("Product write, not its Rakuten sync fields", None),
}

README = pathlib.Path(__file__).resolve().parent.parent / 'README.rst'


def _rst_table(header, rows):
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    rule = '  '.join('=' * width for width in widths)
    line = lambda cells: '  '.join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()  # noqa: E731
    return '\n'.join([rule, line(header), rule, *map(line, rows), rule])


def rights_tables():
    """The two tables of README.rst's *Rights* section, as this module's tables say."""
    titles = [title for title, _groups in ROLES.values()]
    words = {'': "—", R: "read", RW: "all", 'c': "create (its own)", 'rwc': "open"}
    models = _rst_table(["Model", *titles], [[model, *(words[cell] for cell in cells)]
                                             for model, cells in MODELS.items()])
    buttons = _rst_table(["Button or method", *titles], [
        [f"{label} (``{model}.{method}``)", *((OUTCOME_WORDS[cell] for cell in cells) if cells
                                              else ["Odoo's"] * len(titles))]
        for (model, method), (label, cells) in BUTTONS.items()])
    return models, buttons


@tagged('post_install', '-at_install')
class TestRights(RakutenShopCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env['res.company'].create({'name': 'Boutique Lyon',
                                                       'currency_id': cls.env.ref('base.EUR').id})
        cls.users = {}
        for role, (_title, groups) in ROLES.items():
            company = cls.company_b if role == 'other' else cls.company
            cls.users[role] = new_test_user(cls.env, login=f'rk_rights_{role}', groups=groups,
                                            company_id=company.id, company_ids=company.ids)
        cls.colissimo.rakuten_transporter_id = cls.env.ref('rakuten_connector.transporter_colissimo')
        cls.env['product.product'].search([('id', 'not in', (cls.mug | cls.tee).ids)]).rakuten_sync = False
        cls.company.write({'rakuten_stock_sync': True, 'rakuten_price_sync': True, 'rakuten_min_margin': 0,
                           'rakuten_max_price_drop': 20, 'rakuten_pricelist_id': False})
        (cls.mug | cls.tee).standard_price = 4.0

    def setUp(self):
        super().setUp()
        self.shop.adverts.clear()
        self.shop.todo.clear()
        self.shop.add_advert('RK-MUG', stock=0, price='12.90')
        self.shop.add_advert('RK-TEE', stock=0, price='24.90')
        self.server.state.import_polls = 0

    # --- harness ---------------------------------------------------------------------------------

    def _as(self, role, attempt):
        """Run ``attempt(user)`` in a savepoint rolled back after: DONE when it returned True (its effect was
        seen), NOTHING when it returned False, DENIED on an access error, REFUSED on a user error."""
        savepoint = self.env.cr.savepoint()
        try:
            effect = attempt(self.users[role])
            outcome = DONE if effect else NOTHING
        except AccessError:
            outcome = DENIED
        except UserError:
            outcome = REFUSED
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all(flush=False)
        return outcome

    def _check(self, key, attempt):
        """Each role tries ``attempt``: the outcomes are the table's."""
        expected = dict(zip(ROLES, BUTTONS[key][1]))
        for role in ROLES:
            with self.subTest(button=key, role=role):
                self.assertEqual(self._as(role, attempt), expected[role])

    def _order(self, *units, shipping_type='Suivi'):
        """An imported Rakuten order of the shop's company, its salesperson the salesman."""
        purchase = self.shop.add_sale(list(units or [('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')]),
                                      shipping_price=['4.90', '1.50', '2.00'][:len(units) or 3],
                                      shipping_type=shipping_type)
        self._run()
        sale = self._sale(purchase)
        self.assertEqual(sale.state, 'imported', sale.error_message)
        sale.order_id.user_id = self.users['salesman']
        return purchase, sale

    def _waiting(self, count):
        """``count`` sales of the shop waiting for a decision (manual acceptance)."""
        self.company.rakuten_accept_policy = 'manual'
        purchases = [self.shop.add_sale([('RK-MUG', '9.50'), ('RK-TEE', '19.90')], shipping_price=['4.90', '2.00'],
                                        shipping_type='Suivi') for _role in range(count)]
        self._run()
        sales = [self._sale(purchase) for purchase in purchases]
        self.assertEqual({sale.state for sale in sales}, {'to_accept'})
        return list(zip(purchases, sales))

    # --- the table is complete and the README says it ----------------------------------------------

    def test_every_button_and_method_has_a_row(self):
        """The buttons of the module's views and the public methods of its classes: each has a row."""
        found = set()
        views = self.env['ir.model.data'].search([('module', '=', 'rakuten_connector'), ('model', '=', 'ir.ui.view')])
        for view in self.env['ir.ui.view'].browse(views.mapped('res_id')):
            for button in etree.fromstring(view.arch_db.encode()).iter('button'):
                if button.get('type') == 'object':
                    found.add((view.model, button.get('name')))
        for model_name in self.env.registry:
            for cls in type(self.env[model_name]).__mro__:
                if not cls.__module__.startswith('odoo.addons.rakuten_connector.'):
                    continue
                for name, member in vars(cls).items():
                    if (not name.startswith('_') and inspect.isfunction(member)
                            and not getattr(member, '_api_private', False)):
                        found.add((model_name, name))
        self.assertEqual(found - set(BUTTONS), set(), "buttons or methods without a row in the rights table")
        self.assertEqual(set(BUTTONS) - found, set(), "rows of the rights table for no button nor method")
        self.assertEqual({name for name in self.env.registry if name.startswith('rakuten.')} - set(MODELS), set(),
                         "Rakuten models without a row in the rights table")

    def test_readme_shows_the_tables(self):
        readme = README.read_text(encoding='utf-8')
        for table in rights_tables():
            table = textwrap.indent(table, '    ')  # a literal block
            self.assertTrue(table in readme, f"README.rst's Rights section must show this table:\n{table}")

    # --- records: read, write, create, delete ----------------------------------------------------

    def _records(self):
        """One record of every Rakuten model, in the shop's company."""
        purchase, sale = self._order()
        itemid = purchase.items[0].itemid
        self.shop.add_message(itemid, "Quand partira mon colis ?")
        self.shop.open_claim(itemid, 'DAMAGED', amicable=True, comment="Mug arrivé cassé")
        self.env['rakuten.aftersale']._rakuten_aftersales_run(self.company)
        self._stock(self.tee, 3)
        self.server.state.import_polls = 5  # the file stays waiting for its report
        self.env['rakuten.stock.import']._rakuten_sync_company(self.company)
        self.env['rakuten.advert']._rakuten_refresh(self.company)
        aftersale = self.env['rakuten.aftersale'].search([('itemid', '=', itemid)])
        files = self.env['rakuten.stock.import'].search([('company_id', '=', self.company.id)], limit=1)
        records = {
            'rakuten.sale': sale, 'rakuten.sale.item': sale.item_ids[0], 'rakuten.aftersale': aftersale,
            'rakuten.message': aftersale.rakuten_message_ids[:1], 'rakuten.stock.import': files,
            'rakuten.stock.import.line': files.line_ids[:1],
            'rakuten.advert': self.env['rakuten.advert'].search([('company_id', '=', self.company.id)], limit=1),
            'rakuten.job.status': self.company.rakuten_job_status_ids[:1],
            'rakuten.overview': self.env['rakuten.overview'].search([('company_id', '=', self.company.id)]),
            'rakuten.shipping.mapping': self.env['rakuten.shipping.mapping'].search(
                [('company_id', '=', self.company.id)], limit=1),
            'rakuten.transporter': self.env.ref('rakuten_connector.transporter_colissimo'),
            'rakuten.payout': self._payout(),
        }
        records['rakuten.payout.line'] = records['rakuten.payout'].line_ids
        for model, record in records.items():
            self.assertTrue(record, model)
        self.assertTrue(aftersale.claim_open)
        return records

    def _payout(self):
        """A Rakuten transfer of the shop's company waiting for its detail (one line kept from before)."""
        return self.env['rakuten.payout'].create({
            'company_id': self.company.id, 'operation_ref': 'OP-DROITS', 'compensation_ref': 'C-INCONNUE',
            'amount': 12.0, 'state': 'waiting',
            'line_ids': [Command.create({'kind': 'fee', 'itemid': 'F1', 'amount': -12.0})]})

    def _may(self, attempt):
        savepoint = self.env.cr.savepoint()
        try:
            attempt()
            return True
        except AccessError:
            return False
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all(flush=False)

    def _found(self, record):
        if not record.search([('id', '=', record.id)]):
            raise AccessError(record.env._("not found"))

    def test_records_read_write_create_delete(self):
        records = self._records()
        for model, cells in MODELS.items():
            record = records.get(model)
            for role, cell in zip(ROLES, cells):
                user = self.users[role]
                with self.subTest(model=model, role=role):
                    self.assertEqual(self.env[model].with_user(user).has_access('create'), 'c' in cell, "create")
                    if not record:  # a dialog: opening it is creating it
                        continue
                    mine = record.with_user(user)
                    self.assertEqual(self._may(lambda: mine.read(['display_name'])), 'r' in cell, "read")
                    self.assertEqual(self._may(lambda: self._found(mine)), 'r' in cell, "found by a search")
                    self.assertEqual(self._may(lambda: mine.write(WRITES[model])), 'w' in cell, "write")
                    self.assertEqual(self._may(lambda: mine.unlink()), 'd' in cell, "delete")
        # Nothing a refused user wrote stayed.
        self.assertEqual(records['rakuten.sale'].state, 'imported')
        self.assertEqual(records['rakuten.sale.item'].status, const.STATUS_ACCEPTED)
        self.assertTrue(records['rakuten.aftersale'].claim_open)

    def test_connector_fields_of_orders_and_deliveries(self):
        """Who may change an order or a delivery may not make it pose as Rakuten's, nor mark its despatch sent."""
        sale, picking = self._delivered()
        picking.rakuten_despatch_state = 'failed'
        records = {'sale.order': sale.order_id, 'stock.picking': picking, 'product.product': self.mug}
        for role, user in self.users.items():
            for model, values in CONNECTOR_FIELDS.items():
                for name, value in values.items():
                    with self.subTest(role=role, field=f'{model}.{name}'):
                        self.assertFalse(self._may(lambda: records[model].with_user(user).write({name: value})))
        # Their own fields they still change: it is the connector's that are refused.
        self.assertTrue(self._may(lambda: sale.order_id.with_user(self.users['salesman']).write({'note': "Fragile"})))
        self.assertTrue(self._may(lambda: picking.with_user(self.users['warehouse']).write({'origin': "Quai 2"})))
        partner = sale.order_id.partner_id
        self.assertFalse(self._may(lambda: self.env['sale.order'].with_user(self.users['salesman']).create(
            {'partner_id': partner.id, 'rakuten_purchase_ref': 'FAUX-2'})), "an order never poses as Rakuten's")
        self.assertTrue(self._may(lambda: self.env['sale.order'].with_user(self.users['salesman']).create(
            {'partner_id': partner.id})))
        self.assertEqual((sale.order_id.rakuten_purchase_ref, picking.rakuten_despatch_state),
                         (sale.purchase_ref, 'failed'))

    def test_readers_open_rakuten_orders_and_deliveries(self):
        """The order's Rakuten tab (as its screen loads it) and the delivery's despatch and units open for those who
        read them."""
        sale, picking = self._delivered()
        for role in ('salesman', 'manager', 'accountant'):
            with self.subTest(role=role):
                order = Form(sale.order_id.with_user(self.users[role]))
                self.assertEqual((order.rakuten_purchase_ref, order.rakuten_sale_id), (sale.purchase_ref, sale))
        delivery = picking.with_user(self.users['warehouse'])
        self.assertEqual((delivery.rakuten_despatch_state, delivery.rakuten_item_ids), ('to_send', sale.item_ids))

    def test_users_do_activities_and_notes_on_what_they_read(self):
        """Read-only Rakuten sales and claims still take the salesman's notes and activities."""
        records = self._records()
        salesman = self.users['salesman']
        for record in (records['rakuten.sale'], records['rakuten.aftersale']):
            activity = record.activity_schedule('mail.mail_activity_data_todo', summary="À voir", user_id=salesman.id)
            record.with_user(salesman).message_post(body="Vu avec le client")
            activity.with_user(salesman).action_feedback(feedback="Fait")
            self.assertFalse(activity.active, "done")
            self.assertTrue(record.message_ids.filtered(lambda message: "Vu avec le client" in (message.body or '')))

    # --- buttons -----------------------------------------------------------------------------------

    def test_accept_refuse(self):
        waiting = dict(zip(ROLES, self._waiting(len(ROLES))))

        def accept(user):
            purchase, sale = waiting[self._role(user)]
            sale.with_user(user).action_accept()
            return sale.state == 'imported' and {item.status for item in purchase.items} == {const.STATUS_ACCEPTED}
        self._check(('rakuten.sale', 'action_accept'), accept)
        # The refused users left the sales alone on Rakuten.
        for role, done in zip(ROLES, BUTTONS[('rakuten.sale', 'action_accept')][1]):
            if done == DENIED:
                self.assertEqual({item.status for item in waiting[role][0].items}, {const.STATUS_TO_CONFIRM})
        waiting = dict(zip(ROLES, self._waiting(len(ROLES))))

        def refuse(user):
            purchase, sale = waiting[self._role(user)]
            sale.with_user(user).action_refuse()
            return sale.state == 'refused' and {item.status for item in purchase.items} == {const.STATUS_REFUSED}
        self._check(('rakuten.sale', 'action_refuse'), refuse)

    def _role(self, user):
        return next(role for role, known in self.users.items() if known == user)

    def test_retry(self):
        new = self.env['product.product'].create({'name': 'Bol', 'default_code': 'RK-BOL-OLD', 'list_price': 6.0,
                                                  'is_storable': True, 'taxes_id': [Command.set(self.vat.ids)]})
        self.company.rakuten_accept_policy = 'all'
        purchases = {role: self.shop.add_sale([('RK-BOL', '7.90'), ('RK-MUG', '9.50')], shipping_price=['3.00', '1.00'])
                     for role in ROLES}
        self._run()
        self.assertEqual({self._sale(purchase).state for purchase in purchases.values()}, {'error'})
        new.default_code = 'RK-BOL'

        def retry(user):
            sale = self._sale(purchases[self._role(user)])
            sale.with_user(user).action_retry()
            return sale.state == 'imported' and sale.order_id.amount_total == 7.90 + 9.50 + 4.00
        self._check(('rakuten.sale', 'action_retry'), retry)

    def test_read_report_now(self):
        self._stock(self.tee, 3)
        self.server.state.import_polls = 5
        self.env['rakuten.stock.import']._rakuten_sync_company(self.company)
        file = self.env['rakuten.stock.import'].search([('company_id', '=', self.company.id)])
        self.assertEqual(file.state, 'pending')
        self.server.state.import_polls = 0

        def read_report(user):
            file.with_user(user).action_rakuten_read_report()
            return file.state == 'done' and set(file.line_ids.mapped('state')) == {'done'}
        self._check(('rakuten.stock.import', 'action_rakuten_read_report'), read_report)

    def test_confirm_price(self):
        mug = self.mug.with_company(self.company)
        mug.rakuten_published_price = 30.0  # 9.72 now: more than 20 % lower
        self.assertEqual(mug.rakuten_price_rule, 'drop')

        def confirm(user):
            self.mug.with_user(user).action_rakuten_confirm_price()
            return mug.rakuten_price_confirmed == 9.72
        self._check(('product.product', 'action_rakuten_confirm_price'), confirm)

    def _settings(self, user):
        return self.env['res.config.settings'].with_user(user).create({})

    def test_settings_buttons(self):
        def test_connection(user):
            self.company.rakuten_connection_state = False
            self._settings(user).action_rakuten_test_connection()
            return self.company.rakuten_connection_state == 'connected'
        self._check(('res.config.settings', 'action_rakuten_test_connection'), test_connection)

        self.company.rakuten_accept_policy = 'stock'
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-TEE', '19.90')], shipping_price=['4.90', '2.00'],
                                      shipping_type='Suivi')

        def import_now(user):
            self._settings(user).action_rakuten_import_now()
            return self._sale(purchase).order_id.amount_total == 9.50 + 19.90 + 6.90
        self._check(('res.config.settings', 'action_rakuten_import_now'), import_now)

        self._stock(self.tee, 3)

        def push_stock(user):
            self._settings(user).action_rakuten_push_stock()
            return bool(self.env['rakuten.stock.import'].search([('company_id', '=', self.company.id)]))
        self._check(('res.config.settings', 'action_rakuten_push_stock'), push_stock)

        def read_adverts(user):
            self._settings(user).action_rakuten_read_adverts()
            adverts = self.env['rakuten.advert'].search([('company_id', '=', self.company.id)])
            return set(adverts.mapped('sku')) == {'RK-MUG', 'RK-TEE'}
        self._check(('res.config.settings', 'action_rakuten_read_adverts'), read_adverts)

        def mapping(user):
            return self._settings(user).action_rakuten_shipping_mapping()['res_model'] == 'rakuten.shipping.mapping'
        self._check(('res.config.settings', 'action_rakuten_shipping_mapping'), mapping)

    def test_order_buttons(self):
        _purchase, sale = self._order()
        order = sale.order_id

        def cancel(user):
            action = order.with_user(user).action_cancel()
            return action['res_model'] == 'rakuten.cancel' and order.state != 'cancel'
        self._check(('sale.order', 'action_cancel'), cancel)

        order.with_context(rakuten_connector=False).order_line.filtered(
            lambda line: line.product_id == self.mug).product_uom_qty = 1  # one mug removed in Odoo
        self.assertTrue(order.rakuten_units_to_decide)

        def cancel_units(user):
            action = order.with_user(user).action_rakuten_cancel_units()
            return action['context']['default_item_ids'] == sale.item_ids.filtered('cancel_state').ids

        self._check(('sale.order', 'action_rakuten_cancel_units'), cancel_units)

        def recompute_shipping(user):
            return order.with_user(user).with_context(carrier_recompute=True).action_open_delivery_wizard()
        self._check(('sale.order', 'action_open_delivery_wizard'), recompute_shipping)

        def reply(user):
            return order.with_user(user).action_rakuten_reply()['res_model'] == 'rakuten.reply'
        self._check(('sale.order', 'action_rakuten_reply'), reply)

    def test_claims_button(self):
        purchase, sale = self._order()
        self.shop.open_claim(purchase.items[0].itemid, 'DAMAGED', amicable=True, comment="Mug arrivé cassé")
        self.env['rakuten.aftersale']._rakuten_aftersales_run(self.company)
        order = sale.order_id
        self.assertEqual(order.rakuten_claim_state, 'amicable')

        def claims(user):
            action = order.with_user(user).action_rakuten_claims()
            return self.env['rakuten.aftersale'].with_user(user).search(action['domain']).itemid == \
                purchase.items[0].itemid
        self._check(('sale.order', 'action_rakuten_claims'), claims)

    def test_claim_buttons(self):
        purchase, sale = self._order()
        itemid = purchase.items[0].itemid
        self.shop.open_claim(itemid, 'NOT_RECEIVED', amicable=True, comment="Toujours rien")
        self.shop.add_message(itemid, "Où est mon colis ?")
        self.env['rakuten.aftersale']._rakuten_aftersales_run(self.company)
        claim = self.env['rakuten.aftersale'].search([('itemid', '=', itemid)])
        self.assertTrue(claim.can_cancel_item)

        def reply(user):
            return claim.with_user(user).action_rakuten_reply()['context']['default_sale_item_id'] == \
                claim.sale_item_id.id
        self._check(('rakuten.aftersale', 'action_rakuten_reply'), reply)

        def cancel(user):
            return claim.with_user(user).action_rakuten_cancel_item()['context']['default_item_ids'] == \
                claim.sale_item_id.ids
        self._check(('rakuten.aftersale', 'action_rakuten_cancel_item'), cancel)

        message = claim.rakuten_message_ids[:1]
        self.assertTrue(message)

        def open_message(user):
            return message.with_user(user).action_open_rakuten_document()['res_id'] == sale.order_id.id
        self._check(('rakuten.message', 'action_open_rakuten_document'), open_message)

    def test_overview_counter(self):
        waiting = self._waiting(2)
        card = self.env['rakuten.overview'].search([('company_id', '=', self.company.id)])

        def open_list(user):
            action = card.with_user(user).with_context(rakuten_list='to_accept').action_rakuten_open_list()
            shown = self.env['rakuten.sale'].with_user(user).search(
                action['domain'] + [('state', '=', 'to_accept')])
            return action['context'] == {'search_default_to_accept': 1} and \
                shown == self.env['rakuten.sale'].union(*(sale for _purchase, sale in waiting)).with_user(user)
        self._check(('rakuten.overview', 'action_rakuten_open_list'), open_list)

    def test_payout_buttons(self):
        payout = self._payout()

        def retry(user):
            asked = self.server.state.count('getcompensationdetails')
            payout.with_user(user).action_rakuten_retry()
            return self.server.state.count('getcompensationdetails') > asked  # Rakuten's detail read again
        self._check(('rakuten.payout', 'action_rakuten_retry'), retry)
        self.assertEqual(self.server.state.count('getcompensationdetails'), 1, "asked by the billing user only")

        def difference(user):
            payout.with_user(user).action_rakuten_book_difference()
            return True
        self._check(('rakuten.payout', 'action_rakuten_book_difference'), difference)

    def test_reply(self):
        purchase, sale = self._order()
        item = purchase.items[0]

        def send(user):
            before = len(item.messages)
            wizard = self.env['rakuten.reply'].with_user(user).with_context(default_order_id=sale.order_id.id).create(
                {'sale_item_id': sale.item_ids.filtered(lambda unit: unit.itemid == item.itemid).id,
                 'recipient': 'buyer', 'body': "Il part ce soir."})
            wizard.action_send()  # recorded; the reply job sends it once the click is committed
            self.env['rakuten.message']._cron_rakuten_replies()
            return len(item.messages) == before + 1 and item.messages[-1]['content'] == "Il part ce soir."
        self._check(('rakuten.reply', 'action_send'), send)

    def test_cancel_dialog(self):
        _purchase, sale = self._order()
        order = sale.order_id
        context = {'default_order_ids': order.ids, 'default_item_ids': sale.item_ids[:1].ids,
                   'default_cancel_orders': False}

        def on_rakuten(user):
            wizard = Form(self.env['rakuten.cancel'].with_user(user).with_context(**context)).save()
            wizard.action_cancel_on_rakuten()
            return sale.item_ids[:1].cancel_state == 'to_send' and sale.item_ids[:1].cancel_comment == wizard.comment
        self._check(('rakuten.cancel', 'action_cancel_on_rakuten'), on_rakuten)

        def odoo_only(user):
            Form(self.env['rakuten.cancel'].with_user(user).with_context(**context)).save().action_odoo_only()
            return sale.item_ids[:1].cancel_state == 'to_decide'
        self._check(('rakuten.cancel', 'action_odoo_only'), odoo_only)

    def _delivered(self, tracking='6A123'):
        """A Rakuten order delivered by Colissimo (fixed price), its despatch to send."""
        _purchase, sale = self._order()
        picking = sale.order_id.picking_ids
        picking.carrier_tracking_ref = tracking
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        self.assertEqual(picking.state, 'done')
        return sale, picking

    def test_delivery_buttons(self):
        sale, picking = self._delivered()
        picking.rakuten_despatch_state = 'failed'

        def send(user):
            picking.with_user(user).action_rakuten_send()
            return picking.rakuten_despatch_state == 'to_send'
        self._check(('stock.picking', 'action_rakuten_send'), send)

        def send_to_shipper(user):
            return picking.with_user(user).send_to_shipper() is not None
        self._check(('stock.picking', 'send_to_shipper'), send_to_shipper)

    def test_tracking_warning(self):
        _purchase, sale = self._order()
        picking = sale.order_id.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty

        def validate_anyway(user):
            wizard = self.env['rakuten.tracking.warning'].with_user(user).create({'picking_ids': picking.ids})
            wizard.with_context(skip_sms=True).action_validate()
            return picking.state == 'done' and picking.rakuten_despatch_state == 'to_send'
        self._check(('rakuten.tracking.warning', 'action_validate'), validate_anyway)

    def test_no_backorder(self):
        _purchase, sale = self._order()
        picking = sale.order_id.picking_ids
        picking.carrier_tracking_ref = '6A456'
        for move in picking.move_ids:
            move.quantity = 1 if move.product_id == self.mug else move.product_uom_qty  # one mug of two
        action = picking.with_context(skip_sms=True).button_validate()
        self.assertEqual(action['res_model'], 'stock.backorder.confirmation')

        def no_backorder(user):
            confirmation = self.env['stock.backorder.confirmation'].with_user(user).with_context(**action['context'])
            Form(confirmation).save().process_cancel_backorder()
            left = sale.item_ids.filtered(lambda item: item.cancel_state == 'to_decide')
            return picking.state == 'done' and len(left) == 1
        self._check(('stock.backorder.confirmation', 'process_cancel_backorder'), no_backorder)
