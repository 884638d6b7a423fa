"""Sales actions against the fake service: new sales, acceptance, current sales, after-sale reads."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from rakuten_connector import ParameterError, const
from rakuten_connector.fake_server import seed_shop

RELAY = {'id': '031337', 'name': 'Pressing Éclair', 'address': '12 rue de l’Église', 'zipcode': '69003',
         'city': 'Lyon', 'country': 'France', 'firstname': 'Zoé', 'lastname': 'Lefèvre'}
BUYER = {'firstname': 'Gaëlle', 'lastname': 'Château', 'address1': '3 allée des Châtaigniers',
         'address2': 'Bâtiment B', 'zipcode': '97400', 'city': 'Saint-Denis', 'countryalpha2': 'FX'}


def test_new_sales_are_parsed_with_accents_units_and_paris_dates(client, shop):
    sale = shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')], buyer=BUYER,
                         shipping_type='Recommandé', purchase_date=datetime(2026, 7, 14, 9, 12))
    page = client.get_new_sales()
    assert page.seller_id == shop.seller_id
    [parsed] = page.sales
    assert parsed.purchaseid == sale.purchaseid
    assert parsed.purchase_date == datetime(2026, 7, 14, 7, 12, tzinfo=timezone.utc)  # CEST = UTC+2
    assert parsed.shipping_type == 'Recommandé'
    assert parsed.delivery_address.name == 'Gaëlle Château'
    assert parsed.delivery_address.address2 == 'Bâtiment B'
    assert parsed.delivery_address.country_code == 'FR'  # Rakuten's FX
    assert parsed.relay_point is None
    assert [item.sku for item in parsed.items] == ['RK-MUG', 'RK-MUG', 'RK-TEE']
    assert len({item.itemid for item in parsed.items}) == 3  # one item per unit
    assert parsed.items[0].price.amount == Decimal('9.50')
    assert parsed.items[0].status == const.STATUS_TO_CONFIRM


def test_relay_point_sale_has_no_home_address(client, shop):
    shop.add_sale([('RK-BOUGIE', '14.00')], relay=RELAY, shipping_type='Point relais Mondial Relay',
                  purchase_date=datetime(2026, 1, 10, 23, 30))
    [sale] = client.get_new_sales().sales
    assert sale.delivery_address is None
    assert sale.relay_point.id == '031337'
    assert sale.relay_point.name == 'Pressing Éclair'
    assert sale.relay_point.address == '12 rue de l’Église'
    assert sale.billing_address.lastname == 'Dupont'
    assert sale.purchase_date == datetime(2026, 1, 10, 22, 30, tzinfo=timezone.utc)  # CET = UTC+1


def test_new_sales_follow_every_page(client, server):
    seed_shop(server.shop, sales=23)
    server.state.page_size = 5
    sales = list(client.iter_new_sales())
    assert len(sales) == 23
    assert len({sale.purchaseid for sale in sales}) == 23
    assert server.state.count('getnewsales') == 5


def test_accept_sends_numeric_country_and_is_idempotent(client, shop):
    sale = shop.add_sale([('RK-MUG', '9.50')])
    item = sale.items[0]
    decision = client.accept_sale(item.itemid)
    assert decision.outcome == const.OUTCOME_ACCEPTED and decision.accepted
    assert item.status == const.STATUS_ACCEPTED
    assert item.shipping_from_country == '249'
    again = client.accept_sale(item.itemid)
    assert again.outcome == const.OUTCOME_ALREADY_ACCEPTED and again.accepted


def test_refuse_then_accept_says_already_cancelled(client, shop):
    item = shop.add_sale([('RK-MUG', '9.50')]).items[0]
    assert client.refuse_sale(item.itemid).outcome == const.OUTCOME_REFUSED
    decision = client.accept_sale(item.itemid)
    assert decision.outcome == const.OUTCOME_ALREADY_CANCELLED and not decision.accepted
    assert client.get_new_sales().sales == ()


def test_accept_unknown_item_is_a_parameter_error(client):
    with pytest.raises(ParameterError) as caught:
        client.accept_sale('999')
    assert "'itemid' is invalid" in str(caught.value)


def test_current_sales_pages_and_date_filter(client, server, shop):
    old = shop.add_sale([('RK-MUG', '9.50')], purchase_date=datetime(2026, 3, 1, 10, 0), status='ACCEPTED')
    for _index in range(7):
        shop.add_sale([('RK-TEE', '19.90')], purchase_date=datetime(2026, 3, 5, 10, 0), status='ACCEPTED')
    shop.add_sale([('RK-TEE', '19.90')], purchase_date=datetime(2026, 3, 5, 11, 0))  # not accepted yet
    server.state.page_size = 3
    pages = list(client.iter_current_sales_pages(since=date(2026, 3, 2)))
    assert [len(page.sales) for page in pages] == [3, 3, 1]
    ids = {sale.purchaseid for page in pages for sale in page.sales}
    assert old.purchaseid not in ids and len(ids) == 7
    everything = list(client.iter_current_sales_pages())
    assert sum(len(page.sales) for page in everything) == 8


def test_shipping_and_billing_information_after_acceptance(client, shop):
    sale = shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50')], shipping_price='4.90', buyer=BUYER)
    with pytest.raises(ParameterError):
        client.get_shipping_information(sale.purchaseid)  # not accepted yet
    for item in sale.items:
        client.accept_sale(item.itemid)
    shipping = client.get_shipping_information(sale.purchaseid)
    assert shipping.shipping_cost.amount == Decimal('4.90')
    assert shipping.billing_address.city == 'Saint-Denis'
    billing = client.get_billing_information(sale.purchaseid)
    assert [item.item_price for item in billing.items] == [Decimal('9.50'), Decimal('9.50')]
    assert billing.shipping_total == Decimal('4.90')
    assert all(item.payment_amount < item.item_price + item.shipping_price for item in billing.items)


def test_todo_list_and_cancel_item(client, shop):
    item = shop.add_sale([('RK-MUG', '9.50')], status='ACCEPTED').items[0]
    shop.todo.append((item.itemid, ['CLAIM', 'UNREAD_MESSAGE_FROM_BUYER']))
    [todo] = client.get_item_todo_list()
    assert todo.itemid == item.itemid and todo.causes == ('CLAIM', 'UNREAD_MESSAGE_FROM_BUYER')
    with pytest.raises(ParameterError):
        client.cancel_item(item.itemid, '  ')
    assert client.cancel_item(item.itemid, 'Produit endommagé, désolé.') == 'CANCELLED'
    assert item.status == const.STATUS_CANCELLED


def test_check_connection_returns_the_seller_id(client, shop):
    assert client.check_connection().seller_id == shop.seller_id
