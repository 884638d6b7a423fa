"""Screenshots of a running demo for README.rst (headless Chromium driven over its DevTools protocol).

    python3 scripts/screenshots.py --url http://127.0.0.1:8069 --db rakuten_demo --out static/description
"""
import argparse
import base64
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

import requests
import websocket

PAGES = {
    'settings.png': '/odoo/settings#sale_management',
    'shipping_mapping.png': '/odoo/action-rakuten_connector.action_rakuten_shipping_mapping',
    'rakuten_sales.png': '/odoo/action-rakuten_connector.action_rakuten_sale',
    'stock_files.png': '/odoo/action-rakuten_connector.action_rakuten_stock_import',
}
# --walk: every Rakuten screen, for a person to look at before a release (not for the README).
WALK = {
    'walk_settings_orders.png': ('/odoo/settings#rakuten_orders', "document.getElementById('rakuten_orders')"
                                 "?.scrollIntoView({block: 'start'})"),
    'walk_settings_stock.png': ('/odoo/settings#rakuten_stock', "document.getElementById('rakuten_despatch')"
                                "?.scrollIntoView({block: 'start'})"),
    'walk_overview.png': ('/odoo/action-rakuten_connector.action_rakuten_overview', None),
    'walk_sales.png': ('/odoo/action-rakuten_connector.action_rakuten_sale', None),
    'walk_sale_to_accept.png': ('/odoo/action-rakuten_connector.action_rakuten_sale/{to_accept}', None),
    'walk_order_lines.png': ('/odoo/action-sale.action_orders/{relay_order}', None),
    'walk_relay_order.png': ('/odoo/action-sale.action_orders/{relay_order}',
                             "document.querySelector('a.nav-link[name=other_information]')?.click();"
                             "setTimeout(() => document.querySelector('.o_field_widget[name=rakuten_purchase_ref]')"
                             "?.scrollIntoView({block: 'center'}), 500)"),
    'walk_relay_picking.png': ('/odoo/action-stock.action_picking_tree_all/{relay_picking}', None),
    'walk_sent_picking.png': ('/odoo/action-stock.action_picking_tree_all/{sent_picking}', None),
    'walk_stock_files.png': ('/odoo/action-rakuten_connector.action_rakuten_stock_import', None),
    'walk_stock_file.png': ('/odoo/action-rakuten_connector.action_rakuten_stock_import/{stock_file}', None),
    'walk_stock_errors.png': ('/odoo/action-rakuten_connector.action_rakuten_stock_import_line', None),
    'walk_adverts.png': ('/odoo/action-rakuten_connector.action_rakuten_advert', None),
    'walk_no_advert.png': ('/odoo/action-rakuten_connector.action_rakuten_products_without_advert', None),
    'walk_product.png': ('/odoo/action-rakuten_connector.action_rakuten_products_without_advert/{product}',
                         "[...document.querySelectorAll('a.nav-link')].find(a => /Rakuten/.test(a.textContent))"
                         "?.click()"),
    'walk_carrier.png': ('/odoo/action-delivery.action_delivery_carrier_form/{carrier}',
                         "[...document.querySelectorAll('a.nav-link')].find(a => /Rakuten/.test(a.textContent))"
                         "?.click()"),
}


def login(url, db, user, password):
    session = requests.Session()
    answer = session.post(f'{url}/web/session/authenticate', json={
        'jsonrpc': '2.0', 'params': {'db': db, 'login': user, 'password': password}}, timeout=30)
    answer.raise_for_status()
    return session


def first_id(session, url, model, domain):
    answer = session.post(f'{url}/web/dataset/call_kw', json={'jsonrpc': '2.0', 'params': {
        'model': model, 'method': 'search', 'args': [domain], 'kwargs': {'limit': 1}}}, timeout=30).json()
    return (answer.get('result') or [0])[0]


def walk_pages(session, url):
    """The --walk screens, with the records they show taken from the demo."""
    relay = [('rakuten_sale_id.relay_point', '!=', False)]
    ids = {
        'to_accept': first_id(session, url, 'rakuten.sale', [('state', '=', 'to_accept')]),
        'relay_order': first_id(session, url, 'sale.order', relay),
        'relay_picking': first_id(session, url, 'stock.picking', [('sale_id.' + relay[0][0], '!=', False)]),
        'sent_picking': first_id(session, url, 'stock.picking', [('rakuten_despatch_state', '=', 'sent')]),
        'stock_file': first_id(session, url, 'rakuten.stock.import', []),
        'product': first_id(session, url, 'product.product', [('default_code', '=like', 'RK-%')]),
        'carrier': first_id(session, url, 'delivery.carrier', [('rakuten_transporter_id', '!=', False)]),
    }
    return {name: (path.format(**ids), script) for name, (path, script) in WALK.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--url', default='http://127.0.0.1:8069')
    parser.add_argument('--db', default='rakuten_demo')
    parser.add_argument('--out', default='static/description')
    parser.add_argument('--walk', action='store_true', help="every Rakuten screen (walk_*.png), not the README's")
    args = parser.parse_args()
    session = login(args.url, args.db, 'admin', 'admin')
    cookie = session.cookies['session_id']
    if args.walk:
        pages = walk_pages(session, args.url)
    else:
        scroll = "document.getElementById('rakuten_account')?.scrollIntoView({block: 'start'})"
        pages = {name: (path, scroll if name == 'settings.png' else None) for name, path in PAGES.items()}
    profile = tempfile.mkdtemp()
    with socket.socket() as probe:  # a free DevTools port: other browsers may run on this machine
        probe.bind(('127.0.0.1', 0))
        devtools = probe.getsockname()[1]
    browser = subprocess.Popen([
        'chromium', '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', f'--remote-debugging-port={devtools}',
        f'--user-data-dir={profile}', '--window-size=1400,1000', 'about:blank',
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                targets = json.load(urllib.request.urlopen(f'http://127.0.0.1:{devtools}/json'))
                break
            except OSError:
                time.sleep(0.2)
        page = next(target for target in targets if target['type'] == 'page')
        ws = websocket.create_connection(page['webSocketDebuggerUrl'], timeout=60)
        counter = iter(range(1, 10000))

        def call(method, **params):
            ident = next(counter)
            ws.send(json.dumps({'id': ident, 'method': method, 'params': params}))
            while True:
                message = json.loads(ws.recv())
                if message.get('id') == ident:
                    return message.get('result', {})

        call('Network.enable')
        call('Network.setCookie', name='session_id', value=cookie, url=args.url)
        call('Emulation.setDeviceMetricsOverride', width=1400, height=1000, deviceScaleFactor=1, mobile=False)
        call('Page.navigate', url=args.url + '/odoo')
        time.sleep(20)  # the first load builds the web client's asset bundles
        for name, (path, script) in pages.items():
            call('Page.navigate', url=args.url + path)
            time.sleep(6)  # the web client loads its assets and data
            if script:
                call('Runtime.evaluate', expression=script)
                time.sleep(1.5)
            data = call('Page.captureScreenshot', format='png')['data']
            with open(os.path.join(args.out, name), 'wb') as file:
                file.write(base64.b64decode(data))
            print('saved', os.path.join(args.out, name))
        ws.close()
    finally:
        browser.terminate()


if __name__ == '__main__':
    main()
