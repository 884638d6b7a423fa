"""Stock actions: inventory export and the asynchronous advert import file with its report."""
from decimal import Decimal

import pytest

from rakuten_connector import ParameterError, RakutenError, const
from rakuten_connector.fake_server import seed_shop
from rakuten_connector.records import StockLine


def test_export_reads_every_page(client, server):
    seed_shop(server.shop, sales=0)
    server.state.page_size = 4
    adverts = list(client.iter_inventory())
    assert len(adverts) == len(server.shop.adverts) == 10
    assert server.state.count('export') == 3
    mug = next(advert for advert in adverts if advert.sku == 'RK-MUG-CAFE')
    assert mug.headline == 'Mug « Café crème »'
    assert mug.price.amount == Decimal('9.50')


def test_import_file_is_processed_asynchronously(client, server, shop):
    mug = shop.add_advert('RK-MUG', stock=5)
    result = client.generic_import_file([StockLine(sku='RK-MUG', quantity=0),
                                         StockLine(sku='UNKNOWN', quantity=2)])
    assert result.status == 'OK'
    first = client.get_import_report(result.import_id)
    assert first.pending and first.lines == ()
    assert mug.stock == 5
    report = client.get_import_report(result.import_id)
    assert report.done
    assert mug.stock == 0
    by_sku = {line.sku: line for line in report.lines}
    assert by_sku['RK-MUG'].advertid == mug.advertid and not by_sku['RK-MUG'].errors
    assert by_sku['UNKNOWN'].errors[0].code == '1015'
    assert report.error_lines == 1 and report.total_lines == 2


def test_report_pages_are_merged(client, server, shop):
    for index in range(7):
        shop.add_advert(f'SKU-{index}', stock=1)
    server.state.page_size = 3
    server.state.import_polls = 0
    result = client.generic_import_file([StockLine(sku=f'SKU-{index}', quantity=9) for index in range(7)])
    report = client.get_import_report(result.import_id)
    assert len(report.lines) == 7 and report.done
    assert {advert.stock for advert in shop.adverts.values()} == {9}


def test_identical_file_is_skipped(client, server, shop):
    shop.add_advert('RK-MUG', stock=5)
    server.state.import_polls = 0
    lines = [StockLine(sku='RK-MUG', quantity=3)]
    assert client.get_import_report(client.generic_import_file(lines).import_id).done
    report = client.get_import_report(client.generic_import_file(lines).import_id)
    assert report.status == const.IMPORT_IDENTICAL and not report.done and not report.pending


def test_relist_by_advert_id_with_price(client, server, shop):
    advert = shop.add_advert('RK-TEE', stock=0, price='19.90')
    server.state.import_polls = 0
    result = client.generic_import_file([StockLine(advertid=advert.advertid, quantity=4, price=Decimal('17.5'))])
    assert client.get_import_report(result.import_id).done
    assert (advert.stock, advert.price) == (4, Decimal('17.50'))


def test_empty_import_and_unknown_report(client):
    with pytest.raises(ParameterError):
        client.generic_import_file([])
    with pytest.raises(ParameterError, match='fileid'):
        client.get_import_report('123')


def test_answer_without_file_id_or_ok_status(client, server, shop):
    shop.add_advert('RK-MUG', stock=5)
    server.state.inject('no_file_id', 'genericimportfile')
    result = client.generic_import_file([StockLine(sku='RK-MUG', quantity=3)])
    assert result.status == 'OK' and result.import_id == '', "taken, but its report cannot be asked for"
    server.state.inject('bad_status', 'genericimportfile')
    with pytest.raises(RakutenError, match="'KO'"):
        client.generic_import_file([StockLine(sku='RK-MUG', quantity=3)])


def test_prices_are_kept_and_zero_or_negative_prices_refused(client, server, shop):
    mug = shop.add_advert('RK-MUG', stock=2, price='9.50')
    tee = shop.add_advert('RK-TEE', stock=1, price='19.90')
    cap = shop.add_advert('RK-CAP', stock=1, price='5.00')
    server.state.import_polls = 0
    result = client.generic_import_file([StockLine(sku='RK-MUG', quantity=3, price=Decimal('11.40')),
                                         StockLine(sku='RK-TEE', quantity=4, price=Decimal('0')),
                                         StockLine(sku='RK-CAP', quantity=5, price=Decimal('-1'))])
    assert b'<key>sellingPrice</key><value>11.40</value>' in shop.imports[result.import_id].content
    report = client.get_import_report(result.import_id)
    by_sku = {line.sku: line for line in report.lines}
    assert (mug.stock, mug.price) == (3, Decimal('11.40'))
    assert not by_sku['RK-MUG'].errors
    for sku, advert, price, stock in (('RK-TEE', tee, '19.90', 1), ('RK-CAP', cap, '5.00', 1)):
        assert by_sku[sku].errors[0].key == 'sellingPrice'
        assert (advert.price, advert.stock) == (Decimal(price), stock), "a refused line changes nothing"
    assert report.error_lines == 2 and report.done
