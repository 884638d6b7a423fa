import re

from lxml import etree

from odoo.tests import tagged

from ..rakuten_connector import const
from .test_aftersales import AftersalesCase
from .test_french import french_company

# Every code Rakuten sends that a user could meet on the after-sales screens (doc/rakuten-api.md §4.7, §6).
API_CODES = ('DAMAGED', 'NOT_RECEIVED', 'NEW', 'CLOSED', 'ON_HOLD', 'CLAIMED_AMICABLE', 'CLAIMED', 'Forthcoming',
             'INCOMING', 'CLAIM', 'UNREAD_MESSAGE_FROM_BUYER', 'UNREAD_MESSAGE_FROM_CUSTOMER_SERVICE',
             'contactuseraboutitem', 'contactusaboutitem', 'cancelitem', 'ACCEPTED', 'TO_CONFIRM')
UNKNOWN = 'WRONG_COLOUR'  # a claim type Rakuten never documented


@tagged('post_install', '-at_install')
class TestClaimsInFrench(AftersalesCase):
    """A French salesman reads claims and messages in French words, never in Rakuten's API codes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        french_company(cls.env, cls.company)
        cls.salesman.lang = 'fr_FR'

    def _texts(self, records, view_xmlids):
        """What the views show of ``records`` to the salesman in French: every field of the views (sub-lists
        included), as the web client renders it."""
        records = records.with_user(self.salesman).with_context(lang='fr_FR')
        texts = []
        for xmlid in view_xmlids:
            arch = etree.fromstring(self.env.ref(xmlid).with_context(lang='fr_FR').arch)
            texts.extend(node.text for node in arch.iter() if isinstance(node.tag, str) and node.text)
            texts.extend(value for node in arch.iter('field', 'filter') for name, value in node.attrib.items()
                         if name in ('string', 'help'))
            for node in arch.iter('field'):
                if node.get('invisible') in ('1', 'True') or node.get('column_invisible') in ('1', 'True'):
                    continue  # never shown
                parent = node.getparent()
                while parent is not None and parent.tag != 'field':
                    parent = parent.getparent()
                model = records if parent is None else records.mapped(parent.get('name'))
                texts.extend(self._shown(model, node.get('name')))
        return texts

    def _shown(self, records, name):
        field = records._fields[name]
        shown = []
        for record in records:
            value = record[name]
            if field.type == 'selection':
                shown.append(dict(field._description_selection(record.env)).get(value) or '')
            elif field.type in ('many2one', 'many2many', 'one2many'):
                shown.extend(value.mapped('display_name'))
            elif isinstance(value, str):
                shown.append(value)
        return shown

    def _assert_no_code(self, texts, where):
        for code in API_CODES:
            found = [text for text in texts if text and re.search(rf'(?<![\w-]){re.escape(code)}(?![\w-])', text)]
            self.assertFalse(found, f"Rakuten's code {code} shown untranslated on {where}: {found}")
        for text in texts:
            for match in re.finditer(UNKNOWN, text or ''):
                self.assertTrue(text[:match.start()].endswith('Autre ('),
                                f"unknown code {UNKNOWN} not shown as \"Autre ({UNKNOWN})\" on {where}: {text}")

    def _aftersales(self):
        """As the scheduled job runs it: in the company's language."""
        self.env['rakuten.aftersale']._cron_rakuten_aftersales()

    def test_claims_messages_and_activities_speak_french_not_api_codes(self):
        self._stock(self.mug, 5)
        self._stock(self.tee, 5)
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')])
        self._run()
        order = self._sale(purchase).order_id
        order.user_id = self.salesman
        mug, other_mug, tee = purchase.items
        self.shop.open_claim(mug.itemid, 'DAMAGED', amicable=True, comment='Mug arrivé cassé')
        self.shop.open_claim(tee.itemid, UNKNOWN, amicable=False, comment='Pas la bonne couleur')
        self.shop.add_message(other_mug.itemid, 'Bonjour, où en est mon colis ?')
        self.shop.add_mail(other_mug.itemid, 'Merci de répondre au client.', subject='Question')
        self._aftersales()
        # Rakuten closes the first claim: the chatter tracks the state.
        mug.claim['state'] = 'CLOSED'
        self.shop.todo.append((mug.itemid, [const.TODO_CLAIM]))
        self._aftersales()
        self.env.flush_all()
        self.env.cr.precommit.run()  # what a commit does: tracking messages are written

        claims = self.env['rakuten.aftersale'].search([('order_id', '=', order.id), ('claim_type', '!=', False)])
        self.assertEqual(len(claims), 2)
        texts = self._texts(claims, ['rakuten_connector.rakuten_claim_view_list',
                                     'rakuten_connector.rakuten_aftersale_view_form',
                                     'rakuten_connector.rakuten_claim_view_search'])
        self._assert_no_code(texts, 'the claims list and form')
        for expected in ('Article endommagé', 'Clôturée', 'Nouvelle', f'Autre ({UNKNOWN})', 'Paiement à venir',
                         "Écrire à l'acheteur", 'Annuler la vente de cet article', 'Réclamation ouverte'):
            self.assertIn(expected, '\n'.join(texts))
        damaged = claims.filtered(lambda claim: claim.itemid == mug.itemid).with_context(lang='fr_FR')
        self.assertEqual(damaged.display_name, f'{self.mug.display_name}, commande {order.name}',
                         "the claim is titled by its product and its order")

        # The messages list, the order's activities and both chatters.
        messages = self.env['rakuten.message'].search([('order_id', '=', order.id)])
        texts = self._texts(messages, ['rakuten_connector.rakuten_message_view_list'])
        activities = order.with_context(active_test=False).activity_ids | claims.with_context(
            active_test=False).activity_ids
        texts += activities.mapped('summary') + [str(note) for note in activities.mapped('note')]
        chatter = self.env['mail.message'].search(['|', '&', ('model', '=', 'sale.order'), ('res_id', '=', order.id),
                                                   '&', ('model', '=', 'rakuten.aftersale'),
                                                   ('res_id', 'in', claims.ids)])
        texts += [str(body) for body in chatter.mapped('body')]
        tracking = chatter.sudo().tracking_value_ids
        self.assertTrue(tracking.filtered(lambda value: value.new_value_char == 'Clôturée'), "the state is tracked")
        texts += tracking.mapped('old_value_char') + tracking.mapped('new_value_char')
        texts += tracking.mapped('field_id.field_description')
        self._assert_no_code(texts, 'messages, activities and chatter')
        [activity] = order.activity_ids.filtered(lambda activity: 'Réclamation Rakuten' in activity.summary)
        self.assertEqual(activity.summary, f'Réclamation Rakuten : {self.tee.display_name}, commande {order.name}')
        self.assertIn(f'Réclamation Autre ({UNKNOWN}) (Nouvelle, traitée par Rakuten)', str(activity.note))

    def test_no_selection_of_the_connector_shows_an_api_code_in_french(self):
        french = self.env(context={'lang': 'fr_FR'})
        shown = []
        for model in self.env.registry.values():
            for field in model._fields.values():
                if field.type != 'selection' or getattr(field, '_module', None) != 'rakuten_connector' \
                        or not isinstance(field.selection, list):
                    continue
                for value, label in field._description_selection(french):
                    shown.append((f'{model._name}.{field.name}', value, label))
        self.assertGreater(len(shown), 40, "the connector's selections were found")
        english = self.env(context={'lang': 'en_US'})
        for where, value, label in shown:
            self.assertNotRegex(label, r'^[A-Za-z]+_[A-Za-z_]+$|^[A-Z]{3,}$', f"{where}: {value} shown as a code")
            model, name = where.rsplit('.', 1)
            in_english = dict(self.env[model]._fields[name]._description_selection(english))[value]
            self.assertNotEqual(label, in_english, f"{where}: {value} not translated in French")
