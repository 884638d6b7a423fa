"""Realistic French shop data for the fake service: accents, relay points, multi-item baskets."""
import random
from datetime import datetime, timedelta

from .state import PARIS

FIRST_NAMES = ('Élodie', 'François', 'Gaëlle', 'Jérôme', 'Anaïs', 'Benoît', 'Céline', 'Hélène', 'Loïc',
               'Maëlys', 'Noël', 'Zoé', 'Stéphane', 'Inès', 'Théo')
LAST_NAMES = ('Lefèvre', 'Dupré', 'Bézier', 'Château', "N'Diaye", 'Moreau-Lévêque', 'Garçon', 'Bœuf',
              'Müller', 'Da Silva', 'Rouzé', 'Périer', 'Fontaine')
CITIES = (('75011', 'Paris'), ('69003', 'Lyon'), ('13006', 'Marseille'), ('33000', 'Bordeaux'),
          ('59800', 'Lille'), ('44000', 'Nantes'), ('67000', 'Strasbourg'), ('97400', 'Saint-Denis'),
          ('06000', 'Nice'), ('35000', 'Rennes'), ('20000', 'Ajaccio'))
STREETS = ('rue de la République', 'avenue Jean-Jaurès', 'boulevard Saint-Michel', 'place de l’Église',
           'chemin des Écoliers', 'allée des Châtaigniers', 'impasse du Moulin')
RELAYS = (('023456', 'Tabac Presse Le Balto'), ('031337', 'Pressing Éclair'), ('045678', 'Épicerie Chez Loïc'),
          ('078901', 'Fleuriste Les Iris'))
SHIPPING_TYPES = ('Normal', 'Suivi', 'Recommandé', 'So Colissimo', 'Point relais Mondial Relay')
PRODUCTS = (('RK-TEE-BLEU', 'T-shirt coton bio bleu', '19.90'), ('RK-MUG-CAFE', 'Mug « Café crème »', '9.50'),
            ('RK-CASQUE-BT', 'Casque Bluetooth réduction de bruit', '79.00'),
            ('RK-LIVRE-CUISINE', 'Livre : La cuisine française facile', '24.95'),
            ('RK-THE-VERT', 'Thé vert Sencha 100 g', '6.80'), ('RK-BOUGIE', 'Bougie parfumée à la lavande', '14.00'),
            ('RK-SAC-TOILE', 'Sac en toile « Bonne journée »', '12.00'), ('RK-JEU-CARTES', 'Jeu de 54 cartes', '4.50'),
            ('RK-CHARGEUR', 'Chargeur USB-C 65 W', '29.99'), ('RK-CARNET', 'Carnet A5 pointillés', '7.90'))


def buyer(rng):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    zipcode, city = rng.choice(CITIES)
    return {
        'civility': rng.choice(('M.', 'Mme')), 'firstname': first, 'lastname': last,
        'address1': f'{rng.randint(1, 180)} {rng.choice(STREETS)}',
        'address2': rng.choice(('', '', 'Bâtiment B, 3e étage', 'Résidence Les Érables')),
        'zipcode': zipcode, 'city': city, 'country': 'France', 'countryalpha2': 'FX',
        'phonenumber1': f'06{rng.randint(10000000, 99999999)}',
    }


def relay(rng, person):
    relay_id, name = rng.choice(RELAYS)
    zipcode, city = rng.choice(CITIES)
    return {'civility': person['civility'], 'firstname': person['firstname'], 'lastname': person['lastname'],
            'id': relay_id, 'name': name, 'address': f'{rng.randint(1, 90)} {rng.choice(STREETS)}',
            'zipcode': zipcode, 'city': city, 'country': 'France'}


def seed_shop(shop, sales=50, seed=42, products=PRODUCTS):
    """Give ``shop`` adverts for ``products`` and ``sales`` new baskets of mixed shapes."""
    rng = random.Random(seed)
    for sku, headline, price in products:
        if shop.advert_by_sku(sku) is None:
            shop.add_advert(sku, stock=rng.randint(0, 40), price=price, headline=headline,
                            barcode=f'376{rng.randint(10 ** 9, 10 ** 10 - 1)}')
    now = datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0)
    created = []
    for index in range(sales):
        person = buyer(rng)
        shipping_type = rng.choice(SHIPPING_TYPES)
        lines = []
        for _line in range(rng.choice((1, 1, 1, 2, 3))):
            sku, _headline, price = rng.choice(products)
            lines += [(sku, price)] * rng.choice((1, 1, 1, 2, 3))  # several units = several items
        created.append(shop.add_sale(
            lines, shipping_type=shipping_type, buyer=person,
            relay=relay(rng, person) if 'relais' in shipping_type else None,
            purchase_date=now - timedelta(minutes=7 * (sales - index)),
            shipping_price=rng.choice(('0', '2.90', '4.90', '6.50')),
        ))
    seed_aftersales(shop, created, random.Random(seed + 1))
    return created


BUYER_MESSAGES = ('Bonjour, quand mon colis partira-t-il ?', "Pouvez-vous l'emballer soigneusement ? C'est un cadeau.",
                  'Bonjour, le produit est-il bien neuf ?', 'Merci de livrer plutôt en point relais si possible.')


def seed_aftersales(shop, sales, rng):
    """Buyer messages on about one sale in ten, and a customer-service mail on one, for the demo (claims come
    after delivery: open one with the control API's ``claim`` command)."""
    for sale in sales:
        if rng.random() < 0.1:
            shop.add_message(sale.items[0].itemid, rng.choice(BUYER_MESSAGES))
    if sales:
        shop.add_mail(rng.choice(sales).items[0].itemid, 'Bonjour, merci de confirmer la date d’expédition de cette '
                                                         'commande à votre acheteur.', subject='Suivi de votre vente')
