"""Parsing details that do not need a server: encodings, namespaces, dates, repeated elements."""
from datetime import datetime, timezone

import pytest
from lxml import etree

from rakuten_connector import ResponseError, parsing
from rakuten_connector.records import StockLine, TrackingLine


def _sales_document(namespace, encoding, sales):
    body = ''.join(
        f'<sale><purchaseid>{pid}</purchaseid><purchasedate>31/10/2026-02:30</purchasedate>'
        f'<deliveryinformation><deliveryaddress><lastname>Müller</lastname><city>Besançon</city>'
        f'<countryalpha2>FX</countryalpha2></deliveryaddress></deliveryinformation>'
        f'<items><item><itemid>{pid}1</itemid><sku>Œuvre–1</sku></item></items></sale>' for pid in sales)
    text = (f'<?xml version="1.0" encoding="{encoding}"?><getnewsalesresult xmlns="{namespace}"><response>'
            f'<sellerid>42</sellerid><sales>{body}</sales></response></getnewsalesresult>')
    return text.encode('cp1252' if encoding != 'UTF-8' else 'utf-8')


@pytest.mark.parametrize('namespace', ['http://pmcdn.priceminister.com/res/schema/getnewsales',
                                       'https://fr.shopping.rakuten.com/res/schema/getnewsales'])
@pytest.mark.parametrize('encoding', ['ISO-8859-1', 'windows-1252', 'UTF-8'])
def test_any_namespace_and_encoding(namespace, encoding):
    root = parsing.check_response(parsing.parse_document(_sales_document(namespace, encoding, ['7'])),
                                  'getnewsales')
    [sale] = parsing.parse_sales_page(root).sales
    assert sale.delivery_address.lastname == 'Müller'
    assert sale.delivery_address.city == 'Besançon'
    assert sale.delivery_address.country_code == 'FR'
    assert sale.items[0].sku == 'Œuvre–1'  # windows-1252 characters behind an ISO-8859-1 declaration


def test_single_and_repeated_sales_are_both_lists():
    for ids in (['1'], ['1', '2', '3']):
        root = parsing.parse_document(_sales_document('urn:x', 'UTF-8', ids))
        assert [sale.purchaseid for sale in parsing.parse_sales_page(root).sales] == ids


def test_sale_date_is_paris_time_across_dst():
    assert parsing.parse_sale_date('24/10/2026-02:30') == datetime(2026, 10, 24, 0, 30, tzinfo=timezone.utc)
    assert parsing.parse_sale_date('25/10/2026-04:30') == datetime(2026, 10, 25, 3, 30, tzinfo=timezone.utc)
    assert parsing.parse_sale_date('01/12/2026-12:00') == datetime(2026, 12, 1, 11, 0, tzinfo=timezone.utc)
    assert parsing.parse_sale_date('not a date') is None
    assert parsing.parse_sale_date('01/01/0001-00:00') is None, "before UTC's first day: unreadable, not a crash"


def test_external_entities_are_refused():
    hostile = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    with pytest.raises(ResponseError, match='DTD'):
        parsing.parse_document(hostile)


def test_error_response_maps_to_exception_classes():
    def error(code, message, detail=''):
        return parsing.error_from_response(parsing.parse_document(
            f'<errorresponse><error><type>Sender</type><code>{code}</code><message>{message}</message>'
            f'<details><detail>{detail}</detail></details></error></errorresponse>'.encode()))
    assert type(error('InvalidUserConnection', 'Unknown user or password.')).__name__ == 'AuthError'
    assert type(error('InvalidUserRights', 'Quota exceeded.')).__name__ == 'QuotaError'
    assert type(error('InvalidUserRights', 'Not PRO')).__name__ == 'RightsError'
    assert type(error('ParameterError', 'Problem with parameters.')).__name__ == 'ParameterError'
    assert type(error('Unknown error', 'Service unavailable')).__name__ == 'TransientError'


def test_upload_files_are_built_with_lxml():
    tracking = etree.fromstring(parsing.build_shipping_status_file(
        [TrackingLine('P1', 'I1', 'Autre', 'N°1 & co', 'https://t.example/?a=1&b=2')]))
    assert tracking.findtext('item/trackingnumber') == 'N°1 & co'
    assert tracking.findtext('item/trackingurl') == 'https://t.example/?a=1&b=2'
    stock = etree.fromstring(parsing.build_stock_file([StockLine(sku='SKU<1>', quantity=3)]))
    keys = [attribute.findtext('key') for attribute in stock.iter('attribute')]
    assert keys == ['sellerReference', 'qty']
    assert stock.findtext('item/attributes/advert/attribute/value') == 'SKU<1>'


def test_sale_survives_json_storage():
    from rakuten_connector.records import sale_from_json, sale_to_json
    root = parsing.parse_document(_sales_document('urn:x', 'UTF-8', ['1', '2']))
    for sale in parsing.parse_sales_page(root).sales:
        assert sale_from_json(sale_to_json(sale)) == sale


@pytest.mark.parametrize('namespace', [' https://fr.shopping.rakuten.com/res/schema/getnewsales ',
                                       'https://fr.shopping.rakuten.com/res/schema/getnewsales   ',
                                       '\n  http://pmcdn.priceminister.com/res/schema/getnewsales\n'])
def test_namespace_padded_with_spaces_is_read(namespace):
    root = parsing.parse_document(_sales_document(namespace, 'ISO-8859-1', ['7']))
    assert [sale.purchaseid for sale in parsing.parse_sales_page(root).sales] == ['7']


def test_padded_namespace_does_not_let_entities_in():
    document = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<getnewsalesresult xmlns=" urn:x "><response>&x;</response></getnewsalesresult>')
    with pytest.raises(ResponseError, match='DTD'):
        parsing.parse_document(document)


def test_padded_namespace_over_http(client, server):
    server.shop.add_sale([('RK-MUG', '9.50')])
    server.state.inject('padded_namespace', 'getnewsales', times=10)
    assert len(client.get_new_sales().sales) == 1


@pytest.mark.parametrize('price, expected', [
    ('<price><amount>9.50</amount><currency>EUR</currency></price>', '9.50'),
    ('<price>9.50</price>', '9.50'),  # a plain amount, as billing may give it
    ('<price> 12,90 </price>', '12.90'),
    ('<price><amount>abc</amount></price>', None),
    ('<price>NaN</price>', None),
    ('<price><amount>Infinity</amount></price>', None),
    ('<price></price>', None),
    ('', None),
])
def test_unit_price_is_read_plain_or_structured_and_never_guessed(price, expected):
    document = (f'<getnewsalesresult><response><sales><sale><purchaseid>1</purchaseid><items><item>'
                f'<itemid>11</itemid>{price}</item></items></sale></sales></response></getnewsalesresult>')
    [sale] = parsing.parse_sales_page(parsing.parse_document(document.encode())).sales
    money = sale.items[0].price
    assert (money and str(money.amount)) == (expected and str(expected)), "an unreadable price is None, not 0"
