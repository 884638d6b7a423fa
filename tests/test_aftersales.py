from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from ..rakuten_connector import const
from .common import RakutenShopCase
from .test_french import french_company

MODEL_LOGGER = 'odoo.addons.rakuten_connector.models.rakuten_aftersale'

PARIS = ZoneInfo('Europe/Paris')


def _paris(*args):
    return datetime(*args)  # naive Paris local time, as the fake server keeps dates


class _FourDigitYear(datetime):
    """A date the fake server writes with a 4-digit year, as Rakuten does (Python writes year 1 as ``1``)."""

    def strftime(self, fmt):
        return super().strftime(fmt).replace(f'/{self.year}-', f'/{self.year:04d}-')


class AftersalesCase(RakutenShopCase):
    """A salesperson, an empty to-do list, and helpers to import an order and run the after-sales job."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, login='rk_aftersales_salesman', groups='sales_team.group_sale_salesman',
                                     name='Sophie Vendeuse')

    def setUp(self):
        super().setUp()
        self.shop.todo.clear()

    # --- helpers ----------------------------------------------------------------------------------

    def _order(self, *skus):
        purchase = self.shop.add_sale([(sku, '9.50') for sku in skus or ('RK-MUG',)])
        self._run()
        order = self._sale(purchase).order_id
        self.assertTrue(order, "the sale was imported")
        order.user_id = self.salesman
        return purchase, order

    def _aftersales(self):
        return self.env['rakuten.aftersale']._rakuten_aftersales_run(self.company)

    def _record(self, itemid):
        return self.env['rakuten.aftersale'].search([('itemid', '=', itemid)])


@tagged('post_install', '-at_install')
class TestAftersales(AftersalesCase):

    # --- 1. the job: to-do list, item infos stored first ------------------------------------------

    def test_buyer_message_stored_and_posted_on_the_order(self):
        purchase, order = self._order()
        itemid = purchase.items[0].itemid
        self.shop.add_message(itemid, '  Bonjour, le mug est-il bien emballé ?\nMerci  ')
        self.assertTrue(self._aftersales())
        record = self._record(itemid)
        self.assertEqual(record.order_id, order)
        self.assertFalse(record.to_read)
        self.assertEqual(record.todo_causes, const.TODO_UNREAD_FROM_BUYER)
        [message] = record.rakuten_message_ids
        self.assertEqual((message.channel, message.direction, message.sender),
                         ('message', 'in', purchase.buyer_login))
        self.assertEqual(message.body, 'Bonjour, le mug est-il bien emballé ?\nMerci')
        self.assertTrue(message.posted)
        post = order.message_ids.filtered(lambda m: 'Message from the buyer on Rakuten' in (m.body or ''))
        self.assertEqual(len(post), 1)
        self.assertEqual(post.author_id, order.partner_id)
        self.assertIn('le mug est-il bien emballé', post.body)
        self.assertIn(self.salesman.partner_id, post.notified_partner_ids, "the salesperson is notified")
        self.assertEqual(self.shop.unread(), 0, "Rakuten marked it read")
        self.assertEqual(self.company.rakuten_aftersales_state, 'ok')

    def test_messages_in_order_and_never_twice(self):
        purchase, order = self._order()
        itemid = purchase.items[0].itemid
        self.shop.add_message(itemid, 'Premier message', date=_paris(2026, 11, 2, 10, 0))
        self.shop.add_mail(itemid, 'Le service client vous écrit', subject='Votre vente',
                           date=_paris(2026, 11, 2, 11, 0))
        self.shop.add_message(itemid, 'Deuxième message', date=_paris(2026, 11, 3, 9, 0))
        self._aftersales()
        # A claim keeps the item in the to-do list: it is read again, its messages are not posted again.
        self.shop.open_claim(itemid)
        self._aftersales()
        self._aftersales()
        self.assertEqual(self.server.state.count('getiteminfos'), 3)
        posts = order.message_ids.filtered(
            lambda m: ' about Mug « Café crème » (RK-MUG)' in (m.body or '')).sorted('id')
        self.assertEqual(len(posts), 3)
        self.assertIn('Premier message', posts[0].body)
        self.assertIn('Le service client vous écrit', posts[1].body)
        self.assertIn('Deuxième message', posts[2].body)
        service = self.env.ref('rakuten_connector.partner_rakuten_customer_service')
        self.assertEqual(posts[1].author_id, service)
        self.assertEqual(posts[1].author_id.name, 'Service client Rakuten')
        self.assertEqual(len(self._record(itemid).rakuten_message_ids), 3)

    def test_item_of_a_sale_not_imported_keeps_its_messages_until_the_order_exists(self):
        purchase = self.shop.add_sale([('RK-INCONNU', '5.00')], status=const.STATUS_ACCEPTED)
        itemid = purchase.items[0].itemid
        self.shop.add_message(itemid, 'Avez-vous reçu ma commande ?')
        self._aftersales()
        record = self._record(itemid)
        self.assertFalse(record.order_id)
        self.assertEqual(record.rakuten_message_ids.body, 'Avez-vous reçu ma commande ?')
        self.assertFalse(record.rakuten_message_ids.posted)
        waiting = self.env['rakuten.message'].search([('order_id', '=', False), ('itemid', '=', itemid)])
        self.assertEqual(waiting, record.rakuten_message_ids, "shown in the Rakuten Messages list")
        # The product appears, the sale is imported: the next run posts the message on the new order.
        self._product('RK-INCONNU', 'Bougie', 5.0)
        self._run()
        order = self._sale(purchase).order_id
        self.assertTrue(order)
        self._aftersales()
        self.assertEqual(record.order_id, order)
        self.assertTrue(record.rakuten_message_ids.posted)
        self.assertTrue(order.message_ids.filtered(lambda m: 'Avez-vous reçu ma commande' in (m.body or '')))

    def test_answer_lost_after_rakuten_marked_read_is_read_again(self):
        purchase, order = self._order()
        itemid = purchase.items[0].itemid
        self.shop.add_message(itemid, 'Message à ne pas perdre')
        # Rakuten serves the item (marking its messages read), but every answer arrives cut.
        self.server.state.inject('truncated', 'getiteminfos', times=10)
        self._aftersales()
        self.assertEqual(self.shop.unread(), 0)
        self.assertEqual(self.server.state.count('getitemtodolist'), 1)
        record = self._record(itemid)
        self.assertTrue(record.to_read, "still queued: the to-do list no longer names it")
        self.assertFalse(record.rakuten_message_ids)
        self.server.state.faults.clear()
        self._aftersales()
        self.assertFalse(record.to_read)
        self.assertEqual(record.rakuten_message_ids.body, 'Message à ne pas perdre')
        self.assertTrue(order.message_ids.filtered(lambda m: 'Message à ne pas perdre' in (m.body or '')))

    def test_quota_stops_the_run_and_the_next_run_finishes(self):
        self._set_workers(1)  # one call at a time: the run stops at the first quota answer
        purchase, order = self._order('RK-MUG', 'RK-TEE', 'RK-MUG')
        for item in purchase.items:
            self.shop.add_message(item.itemid, f'Question sur {item.itemid}')
        self.server.state.inject('quota', 'getiteminfos', times=5, after=1)
        self._aftersales()
        self.assertEqual(self.company.rakuten_aftersales_state, 'failed')
        self.assertIn('quota', self.company.rakuten_aftersales_message)
        self.assertEqual(self.server.state.count('getiteminfos'), 2, "the run stopped at the quota")
        records = self.env['rakuten.aftersale'].search([('itemid', 'in', [i.itemid for i in purchase.items])])
        self.assertEqual(len(records.filtered('to_read')), 2)
        self.assertEqual(len(records.rakuten_message_ids.filtered('posted')), 1, "what was read is shown")
        self.server.state.faults.clear()
        self._aftersales()
        self.assertEqual(self.company.rakuten_aftersales_state, 'ok')
        self.assertFalse(records.filtered('to_read'))
        self.assertEqual(len(records.rakuten_message_ids.filtered('posted')), 3)

    def test_error_on_one_item_is_recorded_and_the_next_goes_on(self):
        purchase, _order = self._order()
        self.shop.todo.append(('999999', [const.TODO_UNREAD_FROM_BUYER]))
        self.shop.add_message(purchase.items[0].itemid, 'Bonjour')
        self._aftersales()
        broken = self._record('999999')
        self.assertFalse(broken.to_read)
        self.assertIn('itemid', broken.error_message)
        self.assertTrue(self._record(purchase.items[0].itemid).rakuten_message_ids)
        self.assertEqual(self.company.rakuten_aftersales_state, 'ok')

    def _overflowing_claim(self, itemid):
        """A claim dated so late that its 48-hour deadline is past the last date Python knows."""
        self.shop.open_claim(itemid, 'NOT_RECEIVED', amicable=False, date=_paris(9999, 12, 31, 12, 0))

    def test_messages_are_stored_first_and_an_unexpected_error_keeps_the_item_to_read(self):
        purchase, order = self._order('RK-MUG', 'RK-TEE', 'RK-MUG')
        first, claimed, unreadable = (item.itemid for item in purchase.items)
        self.shop.add_message(first, 'Premier article')
        self.shop.add_message(claimed, 'Mon colis n\'est pas arrivé')
        self._overflowing_claim(claimed)
        # A date Python cannot turn into UTC: the message is kept, without a date.
        self.shop.add_message(unreadable, 'Date illisible', date=_FourDigitYear(1, 1, 1, 0, 5))
        with mute_logger(MODEL_LOGGER):
            self._aftersales()
        self.assertEqual(self.company.rakuten_aftersales_state, 'ok', "the run went to its end")
        self.assertFalse(self._record(first).to_read)
        self.assertTrue(order.message_ids.filtered(lambda m: 'Premier article' in (m.body or '')))
        # The claimed item: its message was stored (and shown) before its claim failed; it stays to read.
        record = self._record(claimed)
        self.assertEqual(record.rakuten_message_ids.body, "Mon colis n'est pas arrivé")
        self.assertTrue(order.message_ids.filtered(lambda m: "pas arrivé" in (m.body or '')))
        self.assertTrue(record.to_read)
        self.assertFalse(record.claim_type)
        self.assertIn('OverflowError', record.error_message)
        self.assertIn('the other items went on', record.error_message)
        broken = self._record(unreadable)
        self.assertFalse(broken.to_read or broken.error_message)
        self.assertEqual(broken.rakuten_message_ids.body, 'Date illisible')
        self.assertFalse(broken.rakuten_message_ids.date)
        # Rakuten corrects the claim: the next run reads the item again, its message is not stored twice.
        purchase.items[1].claim['creationdate'] = _paris(2026, 11, 20, 15, 30)
        with mute_logger(MODEL_LOGGER):
            self._aftersales()
        self.assertFalse(record.to_read or record.error_message)
        self.assertEqual(record.claim_type, 'NOT_RECEIVED')
        self.assertEqual(len(record.rakuten_message_ids), 1)
        self.assertEqual(len(order.message_ids.filtered(lambda m: "pas arrivé" in (m.body or ''))), 1)

    def _company_b(self):
        """A second company with its own shop, read first, and one sale there (not importable)."""
        shop_b = self.server.state.add_shop('boutique-aftersales-b', 'token-b')
        company_b = self.env['res.company'].create({
            'name': 'Boutique B', 'currency_id': self.env.ref('base.EUR').id, 'sequence': 0,
            'rakuten_enabled': True, 'rakuten_login': shop_b.login, 'rakuten_token': shop_b.token,
            'rakuten_base_url': self.server.url, 'rakuten_accept_policy': 'all',
        })
        self.env.user.company_ids |= company_b
        self.company.sequence = 10
        purchase_b = shop_b.add_sale([('RK-INCONNU', '5.00')], status=const.STATUS_ACCEPTED)
        return shop_b, company_b, purchase_b.items[0].itemid

    def test_a_failing_company_does_not_stop_the_next_one(self):
        shop_b, company_b, itemid_b = self._company_b()
        shop_b.add_message(itemid_b, 'Boutique B')
        shop_b.open_claim(itemid_b, 'NOT_RECEIVED', amicable=False, date=_paris(9999, 12, 31, 12, 0))
        purchase, order = self._order()
        self.shop.add_message(purchase.items[0].itemid, 'Boutique A')
        with mute_logger(MODEL_LOGGER):
            self.env['rakuten.aftersale']._cron_rakuten_aftersales()
        record_b = self.env['rakuten.aftersale'].search([('company_id', '=', company_b.id)])
        self.assertIn('OverflowError', record_b.error_message)
        self.assertEqual(record_b.rakuten_message_ids.body, 'Boutique B')
        self.assertTrue(order.message_ids.filtered(lambda m: 'Boutique A' in (m.body or '')))
        self.assertEqual(self.company.rakuten_aftersales_state, 'ok')

    def test_an_item_is_never_linked_to_the_sale_of_another_company(self):
        _shop_b, company_b, itemid_b = self._company_b()
        self.env['rakuten.sale']._rakuten_import(company_b)
        item_b = self.env['rakuten.sale.item'].search([('itemid', '=', itemid_b)])
        self.assertEqual(item_b.company_id, company_b)
        record = self.env['rakuten.aftersale'].create({'itemid': itemid_b, 'company_id': self.company.id})
        with self.assertRaisesRegex(UserError, 'belongs to another company'):
            record.sale_item_id = item_b

    def test_run_message_in_the_company_language_whoever_runs_the_job(self):
        bot_env = french_company(self.env, self.company)
        self.server.state.inject('quota', 'getitemtodolist')
        bot_env['rakuten.aftersale']._cron_rakuten_aftersales()
        self.assertEqual(self.company.rakuten_aftersales_state, 'failed')
        self.assertIn('Le quota horaire de requêtes Rakuten est épuisé', self.company.rakuten_aftersales_message)

    def test_second_run_of_the_same_company_is_skipped_while_one_runs(self):
        cr = self.registry.cursor()
        self.addCleanup(cr.close)
        cr.execute('SELECT pg_advisory_lock(%s, %s)', (0x52414B41, self.company.id))
        self.assertFalse(self._aftersales())
        cr.execute('SELECT pg_advisory_unlock(%s, %s)', (0x52414B41, self.company.id))
        self.assertTrue(self._aftersales())

    def test_cron_reads_every_enabled_company(self):
        purchase, order = self._order()
        self.shop.add_message(purchase.items[0].itemid, 'Via la tâche planifiée')
        self.env['rakuten.aftersale']._cron_rakuten_aftersales()
        self.assertTrue(order.message_ids.filtered(lambda m: 'Via la tâche planifiée' in (m.body or '')))
        cron = self.env.ref('rakuten_connector.ir_cron_rakuten_aftersales')
        self.assertEqual((cron.interval_number, cron.interval_type), (15, 'minutes'))

    # --- 3. claims --------------------------------------------------------------------------------

    def test_amicable_claim_state_list_and_activity(self):
        purchase, order = self._order()
        itemid = purchase.items[0].itemid
        self.shop.open_claim(itemid, 'DAMAGED', amicable=True, comment='Mug arrivé cassé',
                             date=_paris(2026, 11, 20, 15, 30))  # a Friday
        self._aftersales()
        record = self._record(itemid)
        self.env.cr.precommit.run()  # the chatter's tracking, as at commit
        self.assertFalse(record.message_ids.filtered('body'), "no 'Rakuten After-Sales Item created' line")
        self.assertEqual((record.claim_type, record.claim_state, record.claim_amicable, record.claim_open),
                         ('DAMAGED', 'NEW', True, True))
        self.assertEqual(record.claim_comment, 'Mug arrivé cassé')
        self.assertIn('contactuseraboutitem', record.available_action_codes)
        self.assertIn('Write to the buyer', record.available_actions)
        self.assertNotIn('contactuseraboutitem', record.available_actions, "codes are not shown")
        self.assertEqual(order.rakuten_claim_state, 'amicable')
        # 3 working days: Wednesday 25 at 15:30 Paris.
        self.assertEqual(record.claim_deadline, datetime(2026, 11, 25, 14, 30))
        [activity] = order.activity_ids.filtered(lambda a: 'Rakuten claim' in (a.summary or ''))
        self.assertEqual(activity, record.claim_activity_id)
        self.assertEqual(activity.summary, f'Rakuten claim: {self.mug.display_name}, order {order.name}')
        self.assertIn('Damaged item (New, amicable): Mug arrivé cassé', activity.note)
        self.assertEqual(str(activity.date_deadline), '2026-11-25')
        self.assertEqual(activity.user_id, self.salesman)
        self._aftersales()
        self.assertEqual(len(order.activity_ids.filtered(lambda a: 'Rakuten claim' in (a.summary or ''))), 1)
        action = self.env['ir.actions.act_window']._for_xml_id('rakuten_connector.action_rakuten_claim')
        self.assertIn(record, self.env['rakuten.aftersale'].search(eval(action['domain'])))
        # Rakuten closes the claim: the order says so, the activity is done.
        purchase.items[0].claim['state'] = 'CLOSED'
        self.shop.todo.append((itemid, [const.TODO_CLAIM]))
        self._aftersales()
        self.assertEqual(order.rakuten_claim_state, 'closed')
        self.env.cr.precommit.run()
        self.assertTrue(record.message_ids.tracking_value_ids, "Rakuten's change of the claim is tracked")
        self.assertFalse(order.activity_ids.filtered(lambda a: 'Rakuten claim' in (a.summary or '')))

    def test_claim_actions_reply_and_cancel_the_claimed_unit_as_the_salesman(self):
        """Rakuten offers to contact the buyer and to cancel the claimed unit, which has not left: both are
        buttons of the claim, run as the order's salesman; the cancellation goes through the usual dialog and job."""
        purchase, order = self._order('RK-MUG', 'RK-TEE')
        itemid = purchase.items[0].itemid
        self.shop.open_claim(itemid, 'NOT_RECEIVED', amicable=True, comment='Toujours rien reçu',
                             date=_paris(2026, 11, 20, 15, 30))
        self._aftersales()
        claim = self._record(itemid).with_user(self.salesman)
        self.assertTrue(claim.can_cancel_item)
        reply = claim.action_rakuten_reply()
        self.assertEqual((reply['res_model'], reply['context']['default_sale_item_id']),
                         ('rakuten.reply', claim.sale_item_id.id))
        dialog = claim.action_rakuten_cancel_item()
        self.assertEqual(dialog['context']['default_item_ids'], claim.sale_item_id.ids, "only the claimed unit")
        wizard = Form(self.env['rakuten.cancel'].with_user(self.salesman).with_context(**dialog['context'])).save()
        self.assertEqual((wizard.from_claim, wizard.cancel_orders, wizard.reason), (True, False, 'claim'),
                         "the dialog speaks of the claimed unit, with words for a buyer who complained")
        wizard.action_cancel_on_rakuten()
        self.env['rakuten.sale.item']._cron_rakuten_cancel()
        self.assertEqual(purchase.items[0].status, const.STATUS_CANCELLED)
        self.assertNotEqual(purchase.items[1].status, const.STATUS_CANCELLED, "the other unit stays")
        self.assertEqual(self.server.state.count('cancelitem'), 1)
        claim.invalidate_recordset()
        self.assertFalse(claim.can_cancel_item, "done: no button any more")
        with self.assertRaises(UserError):
            claim.action_rakuten_cancel_item()

    def test_claim_of_an_item_not_imported_gets_its_activity_on_the_item(self):
        team = self.env['crm.team'].create({'name': 'Rakuten', 'user_id': self.salesman.id})
        self.company.rakuten_team_id = team
        purchase = self.shop.add_sale([('RK-INCONNU', '5.00')], status=const.STATUS_ACCEPTED)
        itemid = purchase.items[0].itemid
        self.shop.open_claim(itemid, 'NOT_RECEIVED', amicable=False, date=_paris(2026, 11, 20, 15, 30))
        self._aftersales()
        record = self._record(itemid)
        self.assertFalse(record.order_id)
        [activity] = record.activity_ids
        self.assertEqual((str(activity.date_deadline), activity.user_id), ('2026-11-22', self.salesman))

    def test_not_received_claim_has_48_hours(self):
        purchase, order = self._order()
        itemid = purchase.items[0].itemid
        self.shop.open_claim(itemid, 'NOT_RECEIVED', amicable=False, date=_paris(2026, 11, 20, 15, 30))
        self._aftersales()
        self.assertEqual(order.rakuten_claim_state, 'open')
        self.assertEqual(self._record(itemid).claim_deadline, datetime(2026, 11, 22, 14, 30))

    # --- 4. replies -------------------------------------------------------------------------------

    def _reply(self, order, **values):
        action = order.with_user(self.salesman).action_rakuten_reply()
        with Form(self.env['rakuten.reply'].with_user(self.salesman).with_context(**action['context'])) as form:
            for name, value in values.items():
                setattr(form, name, value)
        return form.record

    def _send_replies(self):
        self.env['rakuten.message']._cron_rakuten_replies()

    def _contact_calls(self):
        return self.server.state.count('contactuseraboutitem') + self.server.state.count('contactusaboutitem')

    def test_reply_to_the_buyer(self):
        purchase, order = self._order()
        item = purchase.items[0]
        self.shop.add_message(item.itemid, 'Quand partira mon colis ?')
        self._aftersales()
        wizard = self._reply(order, body='Il part ce soir – merci ! 5 € offerts.')
        self.assertEqual(wizard.sale_item_id.itemid, item.itemid)
        wizard.action_send()
        sent = self._record(item.itemid).rakuten_message_ids.filtered(lambda m: m.direction == 'out')
        self.assertEqual((sent.send_state, sent.author_id), ('to_send', self.salesman),
                         "recorded by the click, before anything is sent")
        self.assertEqual(self._contact_calls(), 0, "the click (a request Odoo may replay) sends nothing")
        self._send_replies()
        self.assertEqual(item.messages[-1]['content'], 'Il part ce soir - merci ! 5 EUR offerts.')
        self.assertEqual(item.messages[-1]['sender'], self.shop.login)
        posted = order.message_ids.filtered(lambda m: 'Reply sent on Rakuten to the buyer' in (m.body or '')
                                            and '5 EUR offerts' in m.body)
        self.assertEqual(posted.author_id, self.salesman.partner_id)
        self.assertTrue(sent.sent_from_odoo and sent.posted and not sent.key)
        self.assertEqual(sent.send_state, 'sent')
        self._send_replies()
        self.assertEqual(self._contact_calls(), 1, "sent once")
        # Rakuten shows the reply back at the next read: matched, not posted a second time.
        self.shop.add_message(item.itemid, 'Merci !')
        self._aftersales()
        self.assertTrue(sent.key)
        self.assertEqual(len(self._record(item.itemid).rakuten_message_ids), 3)
        self.assertEqual(len(order.message_ids.filtered(lambda m: '5 EUR offerts' in (m.body or ''))), 1)

    def test_reply_to_customer_service_answers_its_mail(self):
        purchase, order = self._order()
        item = purchase.items[0]
        mail = self.shop.add_mail(item.itemid, 'Merci de nous envoyer la preuve de dépôt.', subject='Réclamation')
        self._aftersales()
        wizard = self._reply(order, recipient='service', body='Voici la preuve de dépôt.')
        self.assertEqual(wizard.parent_message_id.mail_ref, mail['mailid'])
        wizard.action_send()
        self._send_replies()
        self.assertEqual(item.mails[-1]['parent'], mail['mailid'])
        self.assertEqual(self.server.state.calls[-1][1], 'contactusaboutitem')
        self.assertTrue(order.message_ids.filtered(lambda m: 'Rakuten customer service' in (m.body or '')
                                                   and 'Voici la preuve' in m.body))
        # Rakuten shows it back as a mail of its own id: matched, not posted again.
        self._aftersales()
        self.assertEqual(len(order.message_ids.filtered(lambda m: 'Voici la preuve' in (m.body or ''))), 1)
        self.assertEqual(self.server.state.count('contactusaboutitem'), 1)

    def test_reply_after_the_time_limit_is_a_clear_message(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50')],
                                      purchase_date=datetime.now(PARIS).replace(tzinfo=None) - timedelta(days=50))
        self._run()
        order = self._sale(purchase).order_id
        order.user_id = self.salesman
        self._reply(order, body='Bonjour').action_send()
        self._send_replies()
        refused = self.env['rakuten.message'].search([('order_id', '=', order.id)])
        self.assertEqual(refused.send_state, 'failed')
        self.assertIn('42 days after the order', refused.send_error)
        activity = order.activity_ids.filtered(lambda a: 'Reply not sent on Rakuten' in (a.summary or ''))
        self.assertEqual(activity.user_id, self.salesman, "its writer is told")
        self.assertIn('42 days after the order', activity.note)
        self.assertIn('Bonjour', activity.note)
        self.assertFalse(order.message_ids.filtered(lambda m: 'Reply sent on Rakuten' in (m.body or '')))
        self._send_replies()
        self.assertEqual(self.server.state.count('contactuseraboutitem'), 1, "a refused reply is not sent again")
        # An amicable claim opens the window again.
        self.shop.open_claim(purchase.items[0].itemid, amicable=True)
        self._reply(order, body='Bonjour').action_send()
        self._send_replies()
        self.assertEqual(purchase.items[0].messages[-1]['content'], 'Bonjour')

    @mute_logger('odoo.addons.rakuten_connector.models.rakuten_message')
    def test_reply_errors_are_sentences(self):
        purchase, order = self._order()
        wizard = self._reply(order, body='Bonjour')
        self.server.state.inject('quota', 'contactuseraboutitem')
        wizard.action_send()
        self._send_replies()
        reply = self.env['rakuten.message'].search([('order_id', '=', order.id), ('direction', '=', 'out')])
        self.assertEqual(reply.send_state, 'to_send', "refused before Rakuten did anything: sent at the next run")
        self._send_replies()
        self.assertEqual(reply.send_state, 'sent')
        self.assertEqual(self.server.state.count('contactuseraboutitem'), 2)
        self.assertEqual(purchase.items[0].messages[-1]['content'], 'Bonjour')
        wizard.recipient = 'service'
        with self.assertRaisesRegex(UserError, 'customer-service mail'):
            wizard.action_send()

    @mute_logger('odoo.addons.rakuten_connector.models.rakuten_message', 'odoo.addons.rakuten_connector.client')
    def test_a_lost_reply_answer_is_read_back_never_sent_again(self):
        purchase, order = self._order()
        item = purchase.items[0]
        # Rakuten takes the reply, but its answer comes after the client gave up: the outcome is unknown.
        self.server.state.inject('slow_answer', 'contactuseraboutitem', times=1, delay=10.5)
        self.env['ir.config_parameter'].set_param('rakuten_connector.timeout', 1)
        self._reply(order, body='Votre colis part demain.').action_send()
        self._send_replies()
        reply = self.env['rakuten.message'].search([('order_id', '=', order.id), ('direction', '=', 'out')])
        self.assertEqual(reply.send_state, 'to_check')
        self.assertEqual(item.messages[-1]['content'], 'Votre colis part demain.', "Rakuten has it")
        self.assertFalse(order.message_ids.filtered(lambda m: 'Reply sent on Rakuten' in (m.body or '')))
        self._send_replies()  # reads the item back: the reply is there
        self.assertEqual(reply.send_state, 'sent')
        self.assertTrue(reply.key)
        self.assertEqual(self.server.state.count('contactuseraboutitem'), 1, "never sent again")
        self.assertEqual(len(order.message_ids.filtered(lambda m: 'Votre colis part demain' in (m.body or ''))), 1)
        self._aftersales()
        self._send_replies()
        self.assertEqual(self.server.state.count('contactuseraboutitem'), 1)
        self.assertEqual(len(order.message_ids.filtered(lambda m: 'Votre colis part demain' in (m.body or ''))), 1)

    def test_a_reply_left_sending_by_a_dead_run_is_checked_not_resent(self):
        purchase, order = self._order()
        item = purchase.items[0]
        self._reply(order, body='Bonjour').action_send()
        reply = self.env['rakuten.message'].search([('order_id', '=', order.id), ('direction', '=', 'out')])
        # Committed before its call, then the worker died; a read right after the call does not settle it.
        reply.write({'send_state': 'sending', 'send_date': datetime.now()})
        self._send_replies()
        self.assertEqual(reply.send_state, 'to_check')
        self.assertEqual(self.server.state.count('getiteminfos'), 1, "read back")
        self.assertEqual(self.server.state.count('contactuseraboutitem'), 0, "not sent again blindly")
        # Read again well after the call: Rakuten still does not show it, it never got it: sent now, once.
        reply.send_date = datetime.now() - timedelta(minutes=10)
        self._send_replies()
        self.assertEqual(reply.send_state, 'sent')
        self.assertEqual(self.server.state.count('contactuseraboutitem'), 1)
        self.assertEqual(item.messages[-1]['content'], 'Bonjour')

    def test_a_replayed_click_records_one_reply_and_sends_it_once(self):
        purchase, order = self._order()
        wizard = self._reply(order, body='Bonjour')
        # Odoo replays a request after a serialization failure: the first attempt is rolled back.
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            wizard.action_send()
            raise RuntimeError("could not serialize access due to concurrent update")
        self.assertEqual(self._contact_calls(), 0)
        wizard.action_send()
        self._send_replies()
        self._send_replies()
        self.assertEqual(self._contact_calls(), 1)
        self.assertEqual(len(self.env['rakuten.message'].search([('order_id', '=', order.id)])), 1)

    def test_reply_only_about_the_items_and_mails_of_an_own_order(self):
        purchase, order = self._order()
        other_purchase, other_order = self._order()
        other_order.user_id = self.env.ref('base.user_admin')
        other_item = self._sale(other_purchase).item_ids
        mail = self.shop.add_mail(other_purchase.items[0].itemid, 'Preuve de dépôt ?', subject='Réclamation')
        self._aftersales()
        other_mail = self.env['rakuten.message'].search([('mail_ref', '=', mail['mailid'])])
        self.assertTrue(other_mail)
        replies = self.env['rakuten.reply'].with_user(self.salesman)
        # An item of another buyer's order, set over RPC on his own order's composer.
        wizard = replies.create({'order_id': order.id, 'sale_item_id': other_item.id, 'body': 'Bonjour'})
        with self.assertRaisesRegex(UserError, 'is not an item of order'):
            wizard.action_send()
        # A mail about another buyer's item.
        wizard = replies.create({'order_id': order.id, 'sale_item_id': self._sale(purchase).item_ids.id,
                                 'recipient': 'service', 'parent_message_id': other_mail.id, 'body': 'Bonjour'})
        with self.assertRaisesRegex(UserError, 'is not about item'):
            wizard.action_send()
        # The order of another salesperson.
        with self.assertRaises(AccessError):
            replies.create({'order_id': other_order.id, 'sale_item_id': other_item.id, 'body': 'Bonjour'}
                           ).action_send()
        self._send_replies()
        self.assertFalse(self._contact_calls())
        self.assertFalse(self.env['rakuten.message'].search([('direction', '=', 'out')]))
        # His own order and item: sent.
        replies.create({'order_id': order.id, 'sale_item_id': self._sale(purchase).item_ids.id,
                        'body': 'Bonjour'}).action_send()
        # Over RPC without an item: the order's item is taken, as the form does.
        self.assertEqual(replies.create({'order_id': order.id, 'body': 'Bonjour'}).sale_item_id,
                         self._sale(purchase).item_ids)
        self._send_replies()
        self.assertEqual(purchase.items[0].messages[-1]['content'], 'Bonjour')

    # --- language ---------------------------------------------------------------------------------

    def test_chatter_in_the_company_language_whoever_runs_the_job(self):
        self.env['res.lang']._activate_lang('fr_FR')
        self.env['ir.module.module']._load_module_terms(['rakuten_connector'], ['fr_FR'], overwrite=True)
        self.company.partner_id.lang = 'fr_FR'
        purchase, order = self._order()
        self.shop.add_message(purchase.items[0].itemid, 'Bonjour')
        self.env['rakuten.aftersale'].with_context(lang='en_US')._cron_rakuten_aftersales()
        bodies = order.message_ids.mapped('body')
        self.assertTrue([body for body in bodies if 'acheteur sur Rakuten à propos de Mug' in body], bodies)

    def test_time_limit_message_in_french(self):
        self.env['res.lang']._activate_lang('fr_FR')
        self.env['ir.module.module']._load_module_terms(['rakuten_connector'], ['fr_FR'], overwrite=True)
        self.company.partner_id.lang = 'fr_FR'
        purchase = self.shop.add_sale([('RK-MUG', '9.50')],
                                      purchase_date=datetime.now(PARIS).replace(tzinfo=None) - timedelta(days=50))
        self._run()
        order = self._sale(purchase).order_id
        order.user_id = self.salesman
        self._reply(order, body='Bonjour').with_context(lang='en_US').action_send()
        self.env['rakuten.message'].with_context(lang='en_US')._cron_rakuten_replies()
        activity = order.activity_ids.filtered(lambda a: 'Bonjour' in (a.note or ''))
        self.assertIn('42 jours après la commande', activity.note)
        self.assertIn("Réponse non envoyée sur Rakuten", activity.summary)
