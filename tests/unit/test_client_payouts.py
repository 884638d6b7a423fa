"""Payouts: getoperations and getcompensationdetails, parsed from realistic answers and served by the fake shop's
wallet over real HTTP (§11)."""
import json
import urllib.request
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rakuten_connector import AuthError, ParameterError, QuotaError, RakutenClient, ResponseError, const, parsing
from rakuten_connector.fake_server import FakeRakutenServer

PARIS = ZoneInfo('Europe/Paris')

# Shaped like the samples of Rakuten's documentation (§11): old namespace, Latin-1, CDATA, a French comment left as
# text between the blocks, the compensation's date without seconds, one item per block.
COMPENSATION = '''<?xml version="1.0" encoding="ISO-8859-1"?>
<getcompensationdetailsresult xmlns="http://www.priceminister.com/res/schema/getcompensationdetails"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <request><user>boutique</user><compensationid>770001</compensationid><version>2011-03-29</version></request>
  <response>
    <sellerid>4242</sellerid>
    <lastversion>2011-03-29</lastversion>
    <compensationdetails>
      <compensationid>770001</compensationid>
      <compensationdate>26/10/2026-08:00</compensationdate>
      <invoicenumber>FA-2026-0042</invoicenumber>
      // Cas d'un article payé normalement
      <itempayment>
        <purchasedate>28/09/2026-21:15</purchasedate>
        <purchaseid>3300001</purchaseid>
        <purchasebuyerlogin>anais.b</purchasebuyerlogin>
        <item>
          <itemid>5200001</itemid>
          <sku><![CDATA[RK-THÉ-VERT]]></sku>
          <headline><![CDATA[Thé vert « Sencha » 100 g]]></headline>
          <category><![CDATA[Épicerie]]></category>
          <itemstatus>ACCEPTED</itemstatus>
          <itemsaleprice><amount>24.90</amount><currency>EUR</currency></itemsaleprice>
          <shippingsaleprice><amount>4.90</amount><currency>EUR</currency></shippingsaleprice>
          <itemcommissionvatrate>20</itemcommissionvatrate>
          <itemcommissionexcltax><amount>2.99</amount><currency>EUR</currency></itemcommissionexcltax>
          <itemcommissionvat><amount>0.60</amount><currency>EUR</currency></itemcommissionvat>
          <shippingcommissionvatrate>20</shippingcommissionvatrate>
          <shippingcommissionexcltax><amount>0.49</amount><currency>EUR</currency></shippingcommissionexcltax>
          <shippingcommissionvat><amount>0.10</amount><currency>EUR</currency></shippingcommissionvat>
          <paymentamount><amount>25.62</amount><currency>EUR</currency></paymentamount>
        </item>
      </itempayment>
      <itempayment>
        <purchasedate>29/09/2026-08:02</purchasedate>
        <purchaseid>3300002</purchaseid>
        <purchasebuyerlogin>jdupont</purchasebuyerlogin>
        <item>
          <itemid>5200002</itemid>
          <sku><![CDATA[RK-MUG]]></sku>
          <headline><![CDATA[Mug]]></headline>
          <itemstatus>ACCEPTED</itemstatus>
          <itemsaleprice><amount>9.5</amount><currency>EUR</currency></itemsaleprice>
          <shippingsaleprice><amount>0</amount><currency>EUR</currency></shippingsaleprice>
          <itemcommissionvatrate>20</itemcommissionvatrate>
          <itemcommissionexcltax><amount>1.14</amount><currency>EUR</currency></itemcommissionexcltax>
          <itemcommissionvat><amount>0.23</amount><currency>EUR</currency></itemcommissionvat>
          <shippingcommissionvatrate>20</shippingcommissionvatrate>
          <shippingcommissionexcltax><amount>0.00</amount><currency>EUR</currency></shippingcommissionexcltax>
          <shippingcommissionvat><amount>0.00</amount><currency>EUR</currency></shippingcommissionvat>
          <paymentamount><amount>8.13</amount><currency>EUR</currency></paymentamount>
        </item>
      </itempayment>
      // Cas d'un article annulé
      <cancelleditempayment>
        <purchasedate>13/09/2026-19:39</purchasedate>
        <purchaseid>3300003</purchaseid>
        <purchasebuyerlogin>shaka01</purchasebuyerlogin>
        <item>
          <itemid>5200003</itemid>
          <sku><![CDATA[RK-BOUGIE]]></sku>
          <headline><![CDATA[Bougie]]></headline>
          <itemstatus>CANCELLED</itemstatus>
          <itemsaleprice><amount>11.76</amount><currency>EUR</currency></itemsaleprice>
          <shippingsaleprice><amount>6.40</amount><currency>EUR</currency></shippingsaleprice>
          <itemcommissionvatrate>20</itemcommissionvatrate>
          <itemcommissionexcltax><amount>1.04</amount><currency>EUR</currency></itemcommissionexcltax>
          <itemcommissionvat><amount>0.0</amount><currency>EUR</currency></itemcommissionvat>
          <shippingcommissionvatrate>20</shippingcommissionvatrate>
          <shippingcommissionexcltax><amount>0.75</amount><currency>EUR</currency></shippingcommissionexcltax>
          <shippingcommissionvat><amount>0.0</amount><currency>EUR</currency></shippingcommissionvat>
          <totalcancellationamount><amount>16.37</amount><currency>EUR</currency></totalcancellationamount>
        </item>
      </cancelleditempayment>
      // Cas d'un item adjustment
      <itemadjustmentpayment>
        <purchasedate>31/08/2026-19:20</purchasedate>
        <purchaseid>3300004</purchaseid>
        <purchasebuyerlogin>ziamobile</purchasebuyerlogin>
        <item>
          <itemid>5200004</itemid>
          <sku><![CDATA[RK-CARNET]]></sku>
          <itemstatus>CANCELLED</itemstatus>
          <itemadjustmentvatrate>0</itemadjustmentvatrate>
          <itemadjustmentamount><amount>3.3</amount><currency>EUR</currency></itemadjustmentamount>
        </item>
      </itemadjustmentpayment>
      // Cas d'un abonnement marchand
      <licensefee>
        <licensefeeid>031000</licensefeeid>
        <licensefeeperiod>10/2026</licensefeeperiod>
        <licensefeevatrate>20</licensefeevatrate>
        <licensefeeamountexcltax><amount>39.99</amount><currency>EUR</currency></licensefeeamountexcltax>
        <licensefeeamountvat><amount>8.00</amount><currency>EUR</currency></licensefeeamountvat>
        <licensefeeamountincltax><amount>47.99</amount><currency>EUR</currency></licensefeeamountincltax>
      </licensefee>
      <licensefeeasset>
        <licensefeeid>030999</licensefeeid>
        <licensefeeperiod>09/2026</licensefeeperiod>
        <licensefeeassetvatrate>20</licensefeeassetvatrate>
        <licensefeeassetamountexcltax><amount>10.00</amount><currency>EUR</currency></licensefeeassetamountexcltax>
        <licensefeeassetamountvat><amount>2.00</amount><currency>EUR</currency></licensefeeassetamountvat>
        <licensefeeassetamountincltax><amount>12.00</amount><currency>EUR</currency></licensefeeassetamountincltax>
      </licensefeeasset>
    </compensationdetails>
  </response>
</getcompensationdetailsresult>'''


def _compensation(text=COMPENSATION, compensation_id='770001'):
    root = parsing.check_response(parsing.parse_document(text.encode('iso-8859-1')), 'getcompensationdetails')
    return parsing.parse_compensation_details(root, compensation_id)


def _operation(operationid, when, kind='Credit', amount='12.50'):
    return (f'<operation><operationid>{operationid}</operationid><operationdate>{when}</operationdate>'
            f'<operationcause>salestransfer</operationcause><operationtype>{kind}</operationtype>'
            f'<operationstate>FINALIZED</operationstate><operationamount><amount>{amount}</amount>'
            f'<currency>EUR</currency></operationamount><compensationid>C{operationid}</compensationid></operation>')


def _operations(*operations, more='false', beside=False):
    flag = f'<hasmoreoperations>{more}</hasmoreoperations>'
    text = (f'<getoperationsresult><request><user>v</user><version>2011-03-29</version></request><response>'
            f'<sellerid>4242</sellerid><lastversion>2011-03-29</lastversion><operations>{"".join(operations)}'
            f'{"" if beside else flag}</operations>{flag if beside else ""}</response></getoperationsresult>')
    return parsing.parse_operations_page(parsing.check_response(parsing.parse_document(text.encode()), 'getoperations'))


def _shipped(shop, lines, *, ordered, shipping_price='4.90', received=None):
    """A sale accepted and shipped, ``ordered`` (naive Paris); received at ``received`` when given."""
    sale = shop.add_sale(lines, status=const.STATUS_ACCEPTED, purchase_date=ordered, shipping_price=shipping_price)
    for item in sale.items:
        item.tracking = {'transporter': 'Colissimo', 'number': f'6A{item.itemid}', 'url': ''}
        if received:
            shop.receive(item.itemid, received)
    return sale


# ------------------------------------------------------------------------------------------------
# Parsing
# ------------------------------------------------------------------------------------------------

def test_compensation_sample_is_read_whole():
    compensation = _compensation()
    assert (compensation.id, compensation.invoice_number, compensation.seller_id) == ('770001', 'FA-2026-0042', '4242')
    assert compensation.date == datetime(2026, 10, 26, 7, 0, tzinfo=timezone.utc), 'winter time: UTC+1, no seconds'
    first, second = compensation.item_payments
    assert (first.purchaseid, first.itemid, first.sku, first.buyer_login) == ('3300001', '5200001', 'RK-THÉ-VERT',
                                                                             'anais.b')
    assert first.headline == 'Thé vert « Sencha » 100 g'
    assert first.purchase_date == datetime(2026, 9, 28, 19, 15, tzinfo=timezone.utc), 'summer time: UTC+2'
    assert (first.item_price, first.shipping_price, first.item_commission, first.item_commission_vat,
            first.shipping_commission, first.shipping_commission_vat, first.amount) == tuple(
        Decimal(value) for value in ('24.90', '4.90', '2.99', '0.60', '0.49', '0.10', '25.62'))
    assert first.item_commission_vat_rate == Decimal('20') and first.commission_total == Decimal('4.18')
    assert first.computed_amount == first.amount and second.computed_amount == second.amount == Decimal('8.13')
    [cancelled] = compensation.cancelled_item_payments
    assert cancelled.signed_amount == Decimal('-16.37') and cancelled.computed_amount == Decimal('16.37')
    [adjustment] = compensation.adjustments
    assert (adjustment.signed_amount, adjustment.adjustment_vat_rate) == (Decimal('3.3'), Decimal('0'))
    assert adjustment.item_price is None and adjustment.unreadable == (), 'an adjustment has only its amount'
    [fee], [asset] = compensation.license_fees, compensation.license_fee_assets
    assert (fee.id, fee.period, fee.amount_excl_tax, fee.vat, fee.signed_amount) == (
        '031000', '10/2026', Decimal('39.99'), Decimal('8.00'), Decimal('-47.99'))
    assert asset.asset and asset.signed_amount == Decimal('12.00') and asset.period == '09/2026'
    assert compensation.unreadable == ()
    assert compensation.total == Decimal('25.62') + Decimal('8.13') - Decimal('16.37') + Decimal('3.3') \
        - Decimal('47.99') + Decimal('12.00')


@pytest.mark.parametrize('amount', ['abc', 'NaN', '', 'Infinity'])
def test_unreadable_amount_is_none_and_blocks_the_total(amount):
    compensation = _compensation(COMPENSATION.replace('<amount>8.13</amount>', f'<amount>{amount}</amount>'))
    assert compensation.item_payments[1].amount is None, 'never a 0 that would book a wrong entry'
    assert compensation.unreadable == ('itempayment 5200002: amount',)
    assert compensation.total is None


def test_missing_commission_vat_is_unreadable_not_zero():
    text = COMPENSATION.replace('<itemcommissionvat><amount>0.60</amount><currency>EUR</currency></itemcommissionvat>',
                                '')
    compensation = _compensation(text)
    assert compensation.item_payments[0].item_commission_vat is None
    assert compensation.item_payments[0].computed_amount is None
    assert compensation.unreadable == ('itempayment 5200001: item_commission_vat',) and compensation.total is None


def test_unreadable_license_fee_blocks_the_total():
    compensation = _compensation(COMPENSATION.replace('<amount>47.99</amount>', '<amount>n/a</amount>'))
    assert compensation.unreadable == ('licensefee 031000: amount_incl_tax',) and compensation.total is None


def test_compensation_without_details_or_of_another_id_is_refused():
    with pytest.raises(ResponseError, match='no compensation'):
        _compensation(COMPENSATION.replace('compensationdetails>', 'nothing>'))
    with pytest.raises(ResponseError, match='got 770001'):
        _compensation(compensation_id='770002')


def test_operations_one_or_several_with_paris_dates_across_dst():
    [single] = _operations(_operation('1', '25/10/2026-02:30:00')).operations
    # 02:30 happens twice that night: read as the first one (summer time, UTC+2).
    assert single.date == datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)
    page = _operations(_operation('2', '24/10/2026-23:59:59'), _operation('3', '26/10/2026-08:00:00', 'Debit', '47.99'),
                       _operation('4', '29/03/2026-10:00:00', amount='1 234,50'), more='true')
    assert [operation.date for operation in page.operations] == [
        datetime(2026, 10, 24, 21, 59, 59, tzinfo=timezone.utc), datetime(2026, 10, 26, 7, 0, tzinfo=timezone.utc),
        datetime(2026, 3, 29, 8, 0, tzinfo=timezone.utc)]
    assert page.has_more and page.seller_id == '4242'
    credit, debit, _odd = page.operations
    assert (credit.signed_amount, debit.signed_amount) == (Decimal('12.50'), Decimal('-47.99'))
    assert credit.is_transfer and credit.compensation_id == 'C2' and credit.state == 'FINALIZED'
    assert _odd.amount is None, "'1 234,50' is not read as a number"


def test_has_more_is_read_inside_or_beside_the_operations():
    assert _operations(_operation('1', '01/11/2026-08:00:00'), more='true', beside=True).has_more
    assert not _operations(_operation('1', '01/11/2026-08:00:00')).has_more
    assert _operations().operations == ()


@pytest.mark.parametrize('kind, amount', [('Credit', 'oops'), ('Transfer', '10.00'), ('', '10.00')])
def test_operation_without_a_known_amount_or_direction_has_no_signed_amount(kind, amount):
    [operation] = _operations(_operation('1', '01/11/2026-08:00:00', kind, amount)).operations
    assert operation.signed_amount is None


def test_operation_date_is_sent_in_paris_time_with_seconds():
    assert parsing.format_operation_date(datetime(2026, 7, 1, 6, 0, 5, tzinfo=timezone.utc)) == '01/07/2026-08:00:05'
    assert parsing.format_operation_date(datetime(2026, 12, 1, 6, 0)) == '01/12/2026-07:00:00', 'naive means UTC'
    assert parsing.parse_operation_date('01/12/2026-07:00:00') == datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)
    assert parsing.parse_operation_date('2026-12-01') is None


def test_billing_unreadable_amount_is_named():
    text = ('<getbillinginformationresult><response><billinginformation><items><item><itemid>1</itemid>'
            '<itemsaleprice><amount>9.50</amount></itemsaleprice><itemcommissionvat><amount>x</amount>'
            '</itemcommissionvat></item></items></billinginformation></response></getbillinginformationresult>')
    [item] = parsing.parse_billing_information(parsing.parse_document(text.encode()), 'P').items
    assert item.item_price == Decimal('9.50') and item.unreadable == ('itemcommissionvat',)


# ------------------------------------------------------------------------------------------------
# The fake shop's wallet over HTTP
# ------------------------------------------------------------------------------------------------

def test_billing_carries_commissions_and_their_vat(client, shop):
    sale = _shipped(shop, [('RK-MUG', '9.50'), ('RK-THE', '24.90')], ordered=datetime(2026, 11, 2, 10, 0),
                    shipping_price=['4.90', '2.50'])
    billing = client.get_billing_information(sale.purchaseid)
    mug, tea = billing.items
    assert (mug.commission, mug.commission_vat, mug.shipping_commission, mug.shipping_commission_vat) == (
        Decimal('1.14'), Decimal('0.23'), Decimal('0.49'), Decimal('0.10'))
    assert tea.payment_amount == Decimal('24.90') + Decimal('2.50') - tea.commission_total == Decimal('23.51')
    assert all(item.unreadable == () for item in billing.items)


def test_a_month_of_payouts_end_to_end(client, server, shop):
    server.state.page_size = 2
    received = _shipped(shop, [('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-THE', '24.90')],
                        ordered=datetime(2026, 11, 2, 10, 0), shipping_price=['4.90', '0', '2.50'],
                        received=datetime(2026, 11, 4, 18, 0))
    unconfirmed = _shipped(shop, [('RK-CARNET', '7.90')], ordered=datetime(2026, 11, 3, 9, 30))
    claimed = _shipped(shop, [('RK-BOUGIE', '14.00')], ordered=datetime(2026, 11, 3, 9, 45),
                       received=datetime(2026, 11, 5, 9, 0))
    shop.open_claim(claimed.items[0].itemid, date=datetime(2026, 11, 5, 10, 0))
    never_shipped = shop.add_sale([('RK-SAC', '12.00')], status=const.STATUS_ACCEPTED,
                                  purchase_date=datetime(2026, 11, 2, 11, 0))
    [first] = shop.pay_outs(date(2026, 11, 3), date(2026, 11, 5))  # Thursday 5
    received.items[1].status = const.STATUS_CANCELLED  # a retraction after the payment
    shop.add_adjustment(received.items[0].itemid, '2.00')
    shop.pay_outs(date(2026, 11, 6), date(2026, 12, 3))
    operations = list(client.iter_operations())
    assert [operation.id for operation in operations] == [operation.operationid for operation in shop.operations]
    assert server.state.count('getoperations') == 2, 'four transfers, two a page'
    details = {operation.compensation_id: client.get_compensation_details(operation.compensation_id)
               for operation in operations}
    for operation in operations:
        assert details[operation.compensation_id].total == operation.signed_amount
        assert operation.date.astimezone(PARIS).weekday() in const.PAYOUT_WEEKDAYS
    paid = [line.itemid for compensation in details.values() for line in compensation.item_payments]
    assert sorted(paid) == sorted(item.itemid for item in received.items + unconfirmed.items)
    assert never_shipped.items[0].itemid not in paid and claimed.items[0].itemid not in paid
    assert all(line.amount == line.computed_amount for c in details.values() for line in c.item_payments)
    november = details[first.compensationid]
    assert november.date == datetime(2026, 11, 5, 7, 0, tzinfo=timezone.utc)
    assert [line.itemid for line in november.item_payments] == [item.itemid for item in received.items]
    assert [fee.period for fee in november.license_fees] == ['11/2026']
    # 9.50 + 4.90 - 1.14 - 0.23 - 0.49 - 0.10 = 12.44; 9.50 - 1.37 = 8.13; 24.90 + 2.50 - 3.89 = 23.51; fee 47.99
    assert november.total == Decimal('12.44') + Decimal('8.13') + Decimal('23.51') - Decimal('47.99')
    later = [details[operation.compensation_id] for operation in operations[1:]]
    [cancelled] = [line for compensation in later for line in compensation.cancelled_item_payments]
    assert (cancelled.itemid, cancelled.status, cancelled.signed_amount) == (
        received.items[1].itemid, const.STATUS_CANCELLED, Decimal('-8.13'))
    [adjustment] = [line for compensation in later for line in compensation.adjustments]
    assert adjustment.signed_amount == Decimal('2.00')
    assert [fee.period for compensation in later for fee in compensation.license_fees] == ['12/2026']
    assert [c.item_payments[0].itemid for c in later if c.item_payments] == [unconfirmed.items[0].itemid], \
        'paid on the first Monday or Thursday 23 days after the order'
    assert later[-1].date.date() == date(2026, 12, 3)


def test_a_transfer_of_fees_only_is_a_debit(client, shop):
    compensation = shop.pay_out(date(2026, 11, 2))
    [operation] = client.iter_operations()
    assert (operation.type, operation.signed_amount) == (const.OPERATION_DEBIT, Decimal('-47.99'))
    assert client.get_compensation_details(operation.compensation_id).total == compensation.total
    assert shop.pay_out(date(2026, 11, 5)) is None, 'nothing left to pay: no transfer'


def test_operations_after_a_date_and_the_date_sent(client, server, shop):
    shop.pay_outs(date(2026, 10, 1), date(2026, 12, 31))
    since = datetime(2026, 11, 2, 7, 0, tzinfo=timezone.utc)  # 08:00 in Paris: the transfer of that Monday
    operations = list(client.iter_operations(since=since))
    assert [operation.date.date() for operation in operations] == [date(2026, 12, 3)]
    assert server.state.calls[-1][2]['lastoperationdate'] == '02/11/2026-08:00:00'
    assert server.state.calls[-1][2]['operationcause'] == const.OPERATION_CAUSE_TRANSFER


def test_a_page_repeating_the_last_operation_gives_each_once(client, server, shop):
    server.state.page_size = 2
    for month in range(1, 6):
        shop.pay_out(next(date(2026, month, day) for day in range(1, 8) if date(2026, month, day).weekday() == 0))
    server.state.inject('inclusive_dates', 'getoperations', times=10)
    assert len(list(client.iter_operations())) == 5


def test_payout_days_only(shop):
    with pytest.raises(ValueError, match='Mondays and Thursdays'):
        shop.pay_out(date(2026, 11, 3))


def test_unknown_compensation_is_a_parameter_error(client):
    with pytest.raises(ParameterError):
        client.get_compensation_details('404')
    with pytest.raises(ParameterError):
        client.get_compensation_details('')


@pytest.mark.parametrize('action', ['getoperations', 'getcompensationdetails'])
def test_quota_and_credentials(client, server, shop, action):
    compensation = shop.pay_out(date(2026, 11, 2))
    call = {'getoperations': lambda: list(client.iter_operations()),
            'getcompensationdetails': lambda: client.get_compensation_details(compensation.compensationid)}[action]
    server.state.inject('quota', action)
    with pytest.raises(QuotaError):
        call()
    server.state.inject('auth', action)
    with pytest.raises(AuthError):
        call()
    assert call()


@pytest.mark.parametrize('action', ['getoperations', 'getcompensationdetails'])
@pytest.mark.parametrize('kind', ['malformed', 'truncated', 'empty'])
def test_unreadable_answers_are_response_errors_after_retries(client, server, shop, action, kind):
    compensation = shop.pay_out(date(2026, 11, 2))
    server.state.inject(kind, action, times=10)
    with pytest.raises(ResponseError):
        if action == 'getoperations':
            client.get_operations()
        else:
            client.get_compensation_details(compensation.compensationid)
    assert server.state.count(action) == 4, 'a read is asked again, within the retry budget'


def test_one_truncated_page_is_asked_again(client, server, shop):
    shop.pay_out(date(2026, 11, 2))
    server.state.inject('truncated', 'getoperations')
    assert len(client.get_operations().operations) == 1


def test_repeated_page_stops_paging(client, server, shop):
    server.state.page_size = 2
    for month in (1, 2, 3):
        shop.pay_out(next(date(2026, month, day) for day in range(1, 8) if date(2026, month, day).weekday() == 3))
    server.state.inject('repeat_page', 'getoperations', times=5)
    with pytest.raises(ResponseError) as caught:
        list(client.iter_operations())
    assert caught.value.code == 'RepeatedPage'


def test_wrong_path_is_refused(server, shop):
    url = f'{server.url}{const.SALES_PATH}?action=getoperations&login={shop.login}&pwd={shop.token}&version=2011-03-29'
    with urllib.request.urlopen(url) as answer:
        assert b'errorresponse' in answer.read()


def test_control_api_receives_adjusts_and_pays(client, server, shop):
    sale = _shipped(shop, [('RK-MUG', '9.50')], ordered=datetime(2026, 11, 2, 10, 0))

    def post(command, payload):
        request = urllib.request.Request(f'{server.url}/_fake/{command}', data=json.dumps(payload).encode(),
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)

    post('receive', {'itemid': sale.items[0].itemid, 'date': '2026-11-03T12:00'})
    post('adjustment', {'itemid': sale.items[0].itemid, 'amount': '-1.50'})
    [paid] = post('payout', {'date': '2026-11-05'})['compensations']
    assert Decimal(paid['total']) == Decimal('12.44') - Decimal('1.50') - Decimal('47.99')
    assert post('payout', {'date': '2026-11-06', 'until': '2026-12-31'})['compensations'][0]['total'] == '-47.99'
    details = client.get_compensation_details(paid['compensationid'])
    assert [line.signed_amount for line in details.adjustments] == [Decimal('-1.50')]


# ------------------------------------------------------------------------------------------------
# Property: whatever the sales, every transfer is the sum of its lines, and every item is paid once
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def wallet_server():
    with FakeRakutenServer() as fake:
        fake.state.page_size = 3
        yield fake


_PRICES = st.decimals(min_value=Decimal('0.50'), max_value=Decimal('450'), places=2)
_SALE = st.fixed_dictionaries({
    'units': st.lists(st.tuples(st.sampled_from(['RK-MUG', 'RK-THE', 'RK-CARNET']), _PRICES,
                                st.decimals(min_value=0, max_value=Decimal('15'), places=2)), min_size=1, max_size=4),
    'ordered': st.integers(min_value=0, max_value=20),  # days after 1 November 2026
    'received': st.one_of(st.none(), st.integers(min_value=1, max_value=10)),  # days after the order
    'cancel_first': st.booleans(),  # after its payment
    'adjustment': st.one_of(st.none(), st.decimals(min_value=Decimal('-20'), max_value=Decimal('20'), places=2)),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=st.lists(_SALE, min_size=1, max_size=5), number=st.uuids())
def test_every_transfer_is_the_sum_of_its_lines(wallet_server, sales, number):
    shop = wallet_server.state.add_shop(f'shop-{number}', 'token')
    client = RakutenClient(wallet_server.url, shop.login, shop.token, timeout=2, backoff=0)
    start = datetime(2026, 11, 1, 9, 0)
    created = []
    for sale in sales:
        ordered = start + timedelta(days=sale['ordered'])
        created.append(_shipped(
            shop, [(sku, str(price)) for sku, price, _shipping in sale['units']], ordered=ordered,
            shipping_price=[str(shipping) for _sku, _price, shipping in sale['units']],
            received=ordered + timedelta(days=sale['received']) if sale['received'] else None))
    shop.pay_outs(date(2026, 11, 1), date(2026, 11, 19))
    for sale, fake in zip(sales, created, strict=True):
        if sale['cancel_first'] and fake.items[0].paid_in:
            fake.items[0].status = const.STATUS_CANCELLED
        if sale['adjustment'] is not None:
            shop.add_adjustment(fake.items[-1].itemid, sale['adjustment'])
    shop.pay_outs(date(2026, 11, 20), date(2026, 12, 31))
    operations = list(client.iter_operations())
    assert len(operations) == len(shop.operations)
    paid, taken_back, total = [], [], Decimal(0)
    for operation in operations:
        compensation = client.get_compensation_details(operation.compensation_id)
        assert compensation.unreadable == ()
        assert compensation.total == operation.signed_amount
        assert all(line.amount == line.computed_amount for line in compensation.item_payments)
        paid += [line.itemid for line in compensation.item_payments]
        taken_back += [line.itemid for line in compensation.cancelled_item_payments]
        total += operation.signed_amount
    items = [item for fake in created for item in fake.items]
    assert sorted(paid) == sorted(item.itemid for item in items), 'every shipped item paid once, by 23 days'
    assert sorted(taken_back) == sorted(item.itemid for item in items if item.status == const.STATUS_CANCELLED)
    expected = (sum((item.charges()['payment'] for item in items if item.status != const.STATUS_CANCELLED),
                    Decimal(0))
                + sum((sale['adjustment'] for sale in sales if sale['adjustment'] is not None), Decimal(0))
                - 2 * (Decimal('39.99') + Decimal('8.00')))
    assert total == expected
    client.close()
