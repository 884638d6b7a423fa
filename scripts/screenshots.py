"""Screenshots of a running demo for README.rst (headless Chromium driven over its DevTools protocol).

    python3 scripts/screenshots.py --url http://127.0.0.1:8069 --db rakuten_demo --out static/description
"""
import argparse
import base64
import json
import os
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


def session_cookie(url, db, login, password):
    session = requests.Session()
    answer = session.post(f'{url}/web/session/authenticate', json={
        'jsonrpc': '2.0', 'params': {'db': db, 'login': login, 'password': password}}, timeout=30)
    answer.raise_for_status()
    return session.cookies['session_id']


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--url', default='http://127.0.0.1:8069')
    parser.add_argument('--db', default='rakuten_demo')
    parser.add_argument('--out', default='static/description')
    args = parser.parse_args()
    cookie = session_cookie(args.url, args.db, 'admin', 'admin')
    profile = tempfile.mkdtemp()
    browser = subprocess.Popen([
        'chromium', '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--remote-debugging-port=9333',
        f'--user-data-dir={profile}', '--window-size=1400,1000', 'about:blank',
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                targets = json.load(urllib.request.urlopen('http://127.0.0.1:9333/json'))
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
        for name, path in PAGES.items():
            call('Page.navigate', url=args.url + path)
            time.sleep(6)  # the web client loads its assets and data
            if name == 'settings.png':
                call('Runtime.evaluate', expression="document.getElementById('rakuten_account')"
                                                    "?.scrollIntoView({block: 'start'})")
                time.sleep(1)
            data = call('Page.captureScreenshot', format='png')['data']
            with open(os.path.join(args.out, name), 'wb') as file:
                file.write(base64.b64decode(data))
            print('saved', os.path.join(args.out, name))
        ws.close()
    finally:
        browser.terminate()


if __name__ == '__main__':
    main()
