"""The identity of after-sales messages: Rakuten gives ids to customer-service mails only."""
from datetime import datetime, timezone

from rakuten_connector import const
from rakuten_connector.records import ItemMessage, message_keys


def _message(content, date=None, sender='acheteur'):
    return ItemMessage(channel=const.CHANNEL_BUYER, sender=sender, send_date=date, content=content)


def test_identical_messages_are_two_and_a_reread_gives_the_same_keys():
    monday = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
    friday = datetime(2026, 11, 6, 9, 30, tzinfo=timezone.utc)
    messages = [_message('Merci !'), _message('Merci !'), _message('Où ?', monday), _message('Où ?', friday),
                _message('Où ?', friday), _message('Merci !', sender='vendeur')]
    keys = message_keys('42', messages)
    assert len(set(keys)) == len(messages)
    assert keys[0] == messages[0].key('42'), "the first of its kind keeps the key stored before"
    assert keys[1] == f"{messages[1].key('42')}#1"
    assert keys == message_keys('42', messages), "a re-read gives the same keys"
    grown = messages + [_message('Merci !')]
    assert message_keys('42', grown)[:len(messages)] == keys, "a new message leaves the others' keys alone"


def test_mails_keep_their_rakuten_id():
    mail = ItemMessage(channel=const.CHANNEL_SERVICE, sender='Rakuten', content='Bonjour', mail_id='2906185099')
    assert message_keys('42', [mail]) == ['42:mail:2906185099']
