"""Concurrent calls of one run (``RakutenClient.map_calls``) against the fake service with network latency."""
from rakuten_connector import QuotaError, RakutenClient, const


def _units(shop, count):
    sale = shop.add_sale([('RK-MUG', '9.50')] * count)
    return [item.itemid for item in sale.items]


def test_independent_calls_overlap_within_the_pool_bound(server, shop):
    server.state.latency = 0.05
    itemids = _units(shop, 24)
    client = RakutenClient(server.url, shop.login, shop.token, timeout=5, backoff=0)
    results, stopped = client.map_calls(lambda itemid: client.accept_sale(itemid), itemids, workers=6)
    client.close()
    assert stopped is None
    assert sorted(results) == sorted(itemids)
    assert all(decision.accepted for decision in results.values())
    assert 1 < server.state.max_in_flight <= 6  # overlapped, never more than the pool allows
    assert server.state.count('acceptsale') == 24  # each unit accepted once
    assert {item.status for _sale, item in shop.items()} == {const.STATUS_ACCEPTED}


def test_one_worker_calls_one_at_a_time(server, shop, client):
    server.state.latency = 0.01
    itemids = _units(shop, 5)
    results, stopped = client.map_calls(client.accept_sale, itemids, workers=1)
    assert stopped is None and len(results) == 5
    assert server.state.max_in_flight == 1


def test_quota_stops_the_batch_and_keeps_what_was_done(server, shop):
    server.state.latency = 0.02
    itemids = _units(shop, 40)
    server.state.inject('quota', 'acceptsale', times=100, after=10)
    client = RakutenClient(server.url, shop.login, shop.token, timeout=5, backoff=0)
    results, stopped = client.map_calls(client.accept_sale, itemids, workers=4)
    client.close()
    assert isinstance(stopped, QuotaError)
    accepted = {itemid for itemid, decision in results.items() if getattr(decision, 'accepted', False)}
    on_rakuten = {item.itemid for _sale, item in shop.items() if item.status == const.STATUS_ACCEPTED}
    assert accepted == on_rakuten and len(accepted) == 10  # every unit Rakuten accepted is reported
    # No new call starts after the quota answer: at most the calls already under way follow it.
    assert server.state.count('acceptsale') <= 10 + 4


def test_other_errors_stay_with_their_argument(server, shop, client):
    itemids = _units(shop, 3)
    results, stopped = client.map_calls(client.accept_sale, [*itemids, 'not-an-item'], workers=3)
    assert stopped is None
    assert all(results[itemid].accepted for itemid in itemids)
    assert isinstance(results['not-an-item'], Exception)
    assert 'itemid' in str(results['not-an-item'])


def test_first_answers_are_collected_while_the_next_calls_are_under_way(server, shop):
    server.state.latency = 0.2
    itemids = _units(shop, 16)
    client = RakutenClient(server.url, shop.login, shop.token, timeout=5, backoff=0)
    with client.calls_under_way(client.accept_sale, itemids, workers=4) as collect:
        first, stopped = collect(itemids[:4])
        assert stopped is None and sorted(first) == sorted(itemids[:4])
        assert all(decision.accepted for decision in first.values())
        assert server.state.count('acceptsale') <= 8, "only the first answers were waited for"
        rest, stopped = collect(itemids[4:])
    client.close()
    assert stopped is None and sorted(rest) == sorted(itemids[4:])
    assert server.state.count('acceptsale') == 16  # each unit called once


def test_leaving_the_block_starts_no_new_call(server, shop):
    server.state.latency = 0.2
    itemids = _units(shop, 16)
    client = RakutenClient(server.url, shop.login, shop.token, timeout=5, backoff=0)
    with client.calls_under_way(client.accept_sale, itemids, workers=4) as collect:
        collect(itemids[:4])
    client.close()
    assert server.state.count('acceptsale') <= 8, "the calls under way ended, no other started"
    on_rakuten = {item.itemid for _sale, item in shop.items() if item.status == const.STATUS_ACCEPTED}
    assert len(on_rakuten) == server.state.count('acceptsale')
