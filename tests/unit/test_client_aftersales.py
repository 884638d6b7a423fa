"""After-sales against the fake service: to-do list, item infos, replies, their encoding and time limits."""
import json
import urllib.request
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from rakuten_connector import ParameterError, QuotaError, const, parsing
from rakuten_connector.client import latin1_text
from rakuten_connector.deadlines import claim_deadline, contact_allowed

PARIS = ZoneInfo('Europe/Paris')

# The shape of a captured answer (§4.7): old namespace, Latin-1 bytes, values padded with newlines and
# spaces, CDATA, mails and messages interleaved and not in date order.
CAPTURED = '''<?xml version="1.0" encoding="ISO-8859-1"?>
<getiteminfosresult xmlns="http://www.priceminister.com/res/schema/getiteminfos"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <request><version>2017-08-07</version><user>vendeur</user><itemid>1518036652</itemid></request>
  <response>
    <lastversion>2017-08-07</lastversion>
    <item>
      <itemid>1518036652</itemid>
      <date>10/02/2011-14:34</date>
      <itemstatus>ON_HOLD</itemstatus>
      <itemstate>CLAIMED_AMICABLE</itemstate>
      <itemstatelabel><![CDATA[Réclamation en cours]]></itemstatelabel>
      <paymentstatus>Forthcoming</paymentstatus>
      <sellerscore/>
      <claim>
        <creationdate>15/02/2011-11:46</creationdate><type>DAMAGED</type><state>NEW</state>
        <amicable>Y</amicable><claimcomment><![CDATA[article abîmé]]></claimcomment>
      </claim>
      <availableactions>
        <action><title>Contacter acheteur1</title><description><![CDATA[Pour contacter]]></description>
          <actioncode>contactuseraboutitem</actioncode></action>
      </availableactions>
      <mail>
        <mailid>
            2906818102
        </mailid>
        <senddate>
            15/02/2011-11:58
        </senddate>
        <sender>
            vendeur
        </sender>
        <recipient>
            PriceMinister
        </recipient>
        <object>
            <![CDATA[Concernant la réclamation]]>
        </object>
        <content>
            <![CDATA[Bonjour, pouvez-vous m'expliquer ?]]>
        </content>
        <status>
            SENT
        </status>
      </mail>
      <message>
        <sender>
            acheteur
        </sender>
        <recipient>
            vendeur
        </recipient>
        <senddate>
            15/02/2011-11:47
        </senddate>
        <content>
            <![CDATA[Merci d'avance pour votre aide !]]>
        </content>
        <status>
            UNREAD
        </status>
      </message>
      <mail>
        <mailid>2906185099</mailid><senddate>15/02/2011-11:46</senddate><sender>PriceMinister</sender>
        <recipient>vendeur</recipient><object><![CDATA[Réclamation sur votre vente]]></object>
        <content><![CDATA[Bonjour vendeur,
L'acheteur a fait une réclamation.]]></content><status>UNREAD</status>
      </mail>
      <itemlog><creationdate>15/02/2011-11:46</creationdate><itemlogcode>AMICABLE_CLAIM_CREATION</itemlogcode>
        <description><![CDATA[ACHETEUR1 a ouvert une réclamation.]]></description><complement><![CDATA[]]></complement>
      </itemlog>
    </item>
  </response>
</getiteminfosresult>'''.encode('iso-8859-1')


def _accepted_item(shop):
    return shop.add_sale([('RK-MUG', '9.50')], status=const.STATUS_ACCEPTED).items[0]


def test_captured_answer_shape_is_parsed_stripped_and_sorted():
    root = parsing.check_response(parsing.parse_document(CAPTURED), 'getiteminfos')
    info = parsing.parse_item_infos(root, '1518036652')
    assert (info.status, info.state, info.state_label) == ('ON_HOLD', 'CLAIMED_AMICABLE', 'Réclamation en cours')
    assert info.claim.type == 'DAMAGED' and info.claim.amicable and info.claim.open
    assert info.claim.comment == 'article abîmé'
    assert info.claim.creation_date == datetime(2011, 2, 15, 10, 46, tzinfo=timezone.utc)
    assert [action.code for action in info.actions] == ['contactuseraboutitem']
    assert [(m.channel, m.sender, m.mail_id) for m in info.messages] == [
        ('mail', 'PriceMinister', '2906185099'), ('message', 'acheteur', ''), ('mail', 'vendeur', '2906818102')]
    assert info.messages[0].content == "Bonjour vendeur,\nL'acheteur a fait une réclamation."
    assert info.messages[1].content == "Merci d'avance pour votre aide !"
    assert info.messages[1].status == 'UNREAD'
    assert info.messages[2].subject == 'Concernant la réclamation'
    assert info.logs[0].code == 'AMICABLE_CLAIM_CREATION'


def test_message_keys_are_stable_and_distinct():
    root = parsing.check_response(parsing.parse_document(CAPTURED), 'getiteminfos')
    first = parsing.parse_item_infos(root, '1')
    again = parsing.parse_item_infos(parsing.parse_document(CAPTURED), '1')
    keys = [message.key('1') for message in first.messages]
    assert len(set(keys)) == 3
    assert keys == [message.key('1') for message in again.messages]
    assert keys[0] == '1:mail:2906185099'


def test_todo_list_names_items_with_causes(client, shop):
    quiet = _accepted_item(shop)
    talking = _accepted_item(shop)
    claimed = _accepted_item(shop)
    shop.add_message(talking.itemid, 'Où est mon colis ?')
    shop.add_mail(claimed.itemid, 'Réclamation ouverte')
    shop.open_claim(claimed.itemid)
    todo = {item.itemid: set(item.causes) for item in client.get_item_todo_list()}
    assert quiet.itemid not in todo
    assert todo[talking.itemid] == {const.TODO_UNREAD_FROM_BUYER}
    assert todo[claimed.itemid] == {const.TODO_CLAIM, const.TODO_UNREAD_FROM_SERVICE}


def test_item_infos_mark_messages_read_but_keep_the_history(client, shop):
    item = _accepted_item(shop)
    shop.add_message(item.itemid, 'Bonjour, le colis est arrivé cassé… 😞')
    first = client.get_item_infos(item.itemid)
    assert [message.content for message in first.messages] == ['Bonjour, le colis est arrivé cassé… 😞']
    assert shop.unread() == 0
    assert client.get_item_todo_list() == ()
    assert client.get_item_infos(item.itemid).messages[0].key(item.itemid) == first.messages[0].key(item.itemid)


def test_item_infos_of_unknown_item_is_a_parameter_error(client, shop):
    with pytest.raises(ParameterError):
        client.get_item_infos('999')


def test_quota_on_item_infos_is_a_quota_error(client, server, shop):
    item = _accepted_item(shop)
    server.state.inject('quota', 'getiteminfos')
    with pytest.raises(QuotaError):
        client.get_item_infos(item.itemid)


@pytest.mark.parametrize('text, expected', [
    ('Prix : 100 € TTC', 'Prix : 100 EUR TTC'),
    ('L’article « neuf » — œuvre…', "L'article « neuf » - oeuvre..."),
    ('Été à Noël, ça coûte', 'Été à Noël, ça coûte'),
    ('Škoda à Łódź 😀', 'Skoda à ?ódz ?'),
])
def test_latin1_text(text, expected):
    assert latin1_text(text) == expected
    latin1_text(text).encode('iso-8859-1')


def test_reply_to_buyer_arrives_in_latin1(client, shop):
    item = _accepted_item(shop)
    assert client.contact_user_about_item(item.itemid, 'Désolé, l’envoi part ce soir : 5 € remboursés.') == 'SENT'
    assert item.messages[-1]['content'] == "Désolé, l'envoi part ce soir : 5 EUR remboursés."
    assert item.messages[-1]['sender'] == shop.login


def test_reply_after_the_time_limit_is_recognised(client, shop):
    sale = shop.add_sale([('RK-MUG', '9.50')], status=const.STATUS_ACCEPTED,
                         purchase_date=datetime.now(PARIS).replace(tzinfo=None) - timedelta(days=43))
    with pytest.raises(ParameterError) as caught:
        client.contact_user_about_item(sale.items[0].itemid, 'Bonjour')
    assert caught.value.code == const.CONTACT_CLOSED_CODE


def test_reply_after_the_time_limit_allowed_with_an_amicable_claim(client, shop):
    sale = shop.add_sale([('RK-MUG', '9.50')], status=const.STATUS_ACCEPTED,
                         purchase_date=datetime.now(PARIS).replace(tzinfo=None) - timedelta(days=60))
    shop.open_claim(sale.items[0].itemid, amicable=True)
    assert client.contact_user_about_item(sale.items[0].itemid, 'Bonjour') == 'SENT'


def test_reply_to_customer_service_needs_its_mail(client, shop):
    item = _accepted_item(shop)
    mail = shop.add_mail(item.itemid, 'Merci de nous envoyer la preuve de dépôt.')
    with pytest.raises(ParameterError):
        client.contact_us_about_item(item.itemid, 'Voici', '')
    with pytest.raises(ParameterError):
        client.contact_us_about_item(item.itemid, 'Voici', '12345')
    assert client.contact_us_about_item(item.itemid, 'Voici la preuve.', mail['mailid']) == 'SENT'
    assert item.mails[-1]['parent'] == mail['mailid']
    assert item.mails[-1]['content'] == 'Voici la preuve.'


def test_empty_reply_is_refused_before_calling(client, server, shop):
    item = _accepted_item(shop)
    with pytest.raises(ParameterError):
        client.contact_user_about_item(item.itemid, '   ')
    assert server.state.count('contactuseraboutitem') == 0


def test_claim_deadlines():
    friday = datetime(2026, 11, 20, 15, 30, tzinfo=PARIS)
    assert claim_deadline(friday, 'DAMAGED', True) == datetime(2026, 11, 25, 15, 30, tzinfo=PARIS)
    assert claim_deadline(friday, 'NOT_RECEIVED', False) == datetime(2026, 11, 22, 15, 30, tzinfo=PARIS)
    assert claim_deadline(friday, 'DAMAGED', False) is None
    assert claim_deadline(None, 'DAMAGED', True) is None


def test_contact_window():
    ordered = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    received = ordered + timedelta(days=5)
    assert contact_allowed(ordered, None, False, ordered + timedelta(days=42))
    assert not contact_allowed(ordered, None, False, ordered + timedelta(days=43))
    assert not contact_allowed(ordered, received, False, received + timedelta(days=16))
    assert contact_allowed(ordered, received, True, ordered + timedelta(days=90))


def test_control_api_adds_messages_and_claims(client, server, shop):
    item = _accepted_item(shop)

    def post(command, payload):
        request = urllib.request.Request(f'{server.url}/_fake/{command}', data=json.dumps(payload).encode(),
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)

    post('message', {'itemid': item.itemid, 'content': 'Où en est ma commande ?'})
    post('message', {'itemid': item.itemid, 'content': 'Réclamation reçue', 'customer_service': True})
    post('claim', {'itemid': item.itemid, 'type': 'NOT_RECEIVED', 'amicable': False})
    [todo] = client.get_item_todo_list()
    assert set(todo.causes) == set(const.TODO_CAUSES)
    info = client.get_item_infos(item.itemid)
    assert sorted(message.channel for message in info.messages) == ['mail', 'message']
    assert (info.claim.type, info.claim.amicable) == ('NOT_RECEIVED', False)
