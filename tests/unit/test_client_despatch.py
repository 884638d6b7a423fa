"""Despatch actions: tracking per item and the batch shipping-status file."""
import pytest

from rakuten_connector import ParameterError, RakutenError, TransientError, parsing
from rakuten_connector.records import TrackingLine


@pytest.fixture
def accepted(shop):
    return shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50')], status='ACCEPTED')


def test_set_tracking_notifies_the_item(client, server, accepted):
    item = accepted.items[0]
    assert client.set_tracking(item.itemid, 'Colissimo', '6A12345678901') == 'OK'
    assert item.tracking == {'transporter': 'Colissimo', 'number': '6A12345678901', 'url': ''}
    assert item.tracking_calls == 1


def test_other_transporter_needs_a_url_before_any_call(client, server, accepted):
    with pytest.raises(ParameterError, match='Autre'):
        client.set_tracking(accepted.items[0].itemid, 'Autre', 'X1')
    with pytest.raises(ParameterError, match='http'):
        client.set_tracking(accepted.items[0].itemid, 'Autre', 'X1', 'www.example.com/X1')
    assert server.state.count('settrackingpackageinfos') == 0
    assert client.set_tracking(accepted.items[0].itemid, 'Autre', 'X1', 'https://suivi.example.fr/X1') == 'OK'


def test_tracking_an_unaccepted_item_is_refused(client, shop):
    item = shop.add_sale([('RK-MUG', '9.50')]).items[0]
    with pytest.raises(ParameterError, match='does not allow a shipment'):
        client.set_tracking(item.itemid, 'Colissimo', '6A1')


def test_batch_file_confirms_every_item(client, accepted):
    lines = [TrackingLine(accepted.purchaseid, item.itemid, 'Mondial Relay', 'MR42') for item in accepted.items]
    result = client.import_item_shipping_status(lines)
    assert result.status == 'OK' and result.import_id
    assert [item.tracking['number'] for item in accepted.items] == ['MR42', 'MR42']


def test_batch_file_with_a_bad_line_is_rejected_whole(client, accepted):
    lines = [TrackingLine(accepted.purchaseid, accepted.items[0].itemid, 'Colissimo', '6A1'),
             TrackingLine(accepted.purchaseid, '404', 'Colissimo', '6A1')]
    with pytest.raises(ParameterError) as caught:
        client.import_item_shipping_status(lines)
    assert any('404' in detail for detail in caught.value.details)
    assert accepted.items[0].tracking is None


def test_write_is_not_replayed_after_a_server_error(client, server, accepted):
    server.state.inject('http500', 'settrackingpackageinfos', times=1)
    with pytest.raises(TransientError):
        client.set_tracking(accepted.items[0].itemid, 'Colissimo', '6A1')
    assert server.state.count('settrackingpackageinfos') == 1  # never sent twice by the client itself
    assert client.set_tracking(accepted.items[0].itemid, 'Colissimo', '6A1') == 'OK'  # caller's retry is safe
    assert accepted.items[0].tracking_calls == 1


def test_answer_without_ok_status_is_an_error_not_a_success(client, server, accepted):
    server.state.inject('bad_status', 'importitemshippingstatus')
    lines = [TrackingLine(accepted.purchaseid, accepted.items[0].itemid, 'Colissimo', '6A1')]
    with pytest.raises(RakutenError) as caught:
        client.import_item_shipping_status(lines)
    assert caught.value.code == parsing.UNEXPECTED_STATUS and "'KO'" in caught.value.message
    assert not isinstance(caught.value, (ParameterError, TransientError)), "neither refused nor safe to resend"


def test_queued_file_is_followed_through_its_report(client, server, accepted):
    server.state.inject('queued', 'importitemshippingstatus')
    lines = [TrackingLine(accepted.purchaseid, accepted.items[0].itemid, 'Colissimo', '6A1'),
             TrackingLine(accepted.purchaseid, accepted.items[1].itemid, 'Inconnu', '6A1')]
    result = client.import_item_shipping_status(lines)
    assert result.pending and result.import_id
    assert accepted.items[0].tracking is None, "nothing applied before Rakuten processes the file"
    assert client.get_import_report(result.import_id).pending
    report = client.get_import_report(result.import_id)
    assert report.done
    by_item = {line.itemid: line for line in report.lines}
    assert not by_item[accepted.items[0].itemid].errors
    assert 'unknown transporter' in by_item[accepted.items[1].itemid].errors[0].text
    assert accepted.items[0].tracking['number'] == '6A1' and accepted.items[1].tracking is None


def test_a_despatch_shows_when_the_item_is_read_back(client, accepted):
    """After a lost answer, ``getiteminfos`` tells which units Rakuten took (our guess: a despatch entry in the
    item's history, doc/rakuten-api.md §4.8); the item's status does not change."""
    shipped, waiting = accepted.items
    client.import_item_shipping_status([TrackingLine(accepted.purchaseid, shipped.itemid, 'Colissimo', '6A1')])
    first, second = client.get_item_infos(shipped.itemid), client.get_item_infos(waiting.itemid)
    assert (first.status, first.shipped) == ('ACCEPTED', True)
    assert (second.status, second.shipped) == ('ACCEPTED', False)


def test_a_unit_refused_as_already_shipped_is_named(client, shop, accepted):
    shop.refuse_reship = True
    first, second = accepted.items
    client.import_item_shipping_status([TrackingLine(accepted.purchaseid, first.itemid, 'Colissimo', '6A1')])
    lines = [TrackingLine(accepted.purchaseid, item.itemid, 'Colissimo', '6A1') for item in accepted.items]
    with pytest.raises(ParameterError) as caught:
        client.import_item_shipping_status(lines)
    assert parsing.already_shipped(caught.value, [first.itemid, second.itemid]) == ({first.itemid}, True)
    assert (first.tracking_calls, second.tracking_calls) == (1, 0), "nothing applied, no second mail"
    other = ParameterError('Problem with parameters.', details=[f'line 1 (item {first.itemid}): the item is '
                                                                f'already shipped', 'line 2 (item 9): unknown item'])
    assert parsing.already_shipped(other, [first.itemid, '9']) == ({first.itemid}, False)
