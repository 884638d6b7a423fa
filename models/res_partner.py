from collections import namedtuple

from odoo import api, fields, models
from odoo.exceptions import UserError

# Overseas departments: Rakuten sends them as France (FX/FR) with their 97x zip code; Odoo gives them their own
# country, which picks the matching fiscal position.
OVERSEAS_ZIP_COUNTRIES = {'971': 'GP', '972': 'MQ', '973': 'GF', '974': 'RE', '975': 'PM', '976': 'YT'}
ADDRESS_KEYS = ('name', 'street', 'street2', 'zip', 'city', 'country_id')
# The buyer of a Rakuten sale, checked: its login, the returning customer or the values of a new one, the delivery
# address values, and the relay point (its recipient is named once the customer is known).
RakutenBuyer = namedtuple('RakutenBuyer', 'login customer values delivery relay')


class ResPartner(models.Model):
    _inherit = 'res.partner'

    rakuten_buyer_login = fields.Char(string="Rakuten Buyer Pseudo", index='btree_not_null', copy=False)

    # === BUSINESS METHODS === #

    @api.model
    def _rakuten_returning(self, company, logins):
        """{buyer login: customer} of the returning buyers among ``logins``, owned by ``company`` (another
        company's buyers are never reused): one query."""
        logins = [login for login in set(logins) if login]
        customers = self.search([('rakuten_buyer_login', 'in', logins), ('company_id', '=', company.id)]) \
            if logins else self.browse()
        returning = {}
        for customer in customers:
            returning.setdefault(customer.rakuten_buyer_login, customer)
        return returning

    @api.model
    def _rakuten_buyer(self, company, sale, returning):
        """What the customer and the delivery address of a Rakuten sale are made of, checked (a user error
        says what is missing): the returning customer (``returning``: see ``_rakuten_returning``) or the
        values of a new one, and the delivery address values."""
        person = sale.billing_address or sale.delivery_address
        if person is None:
            raise UserError(self.env._("The Rakuten sale %s has no buyer address.", sale.purchaseid))
        customer = returning.get(sale.buyer_login, self.browse()) if sale.buyer_login else self.browse()
        values = {} if customer else {
            **self._rakuten_address_values(person, sale.purchaseid),
            **self._rakuten_owner_values(company),
            'rakuten_buyer_login': sale.buyer_login or False,
            'email': sale.buyer_email or False,
            'customer_rank': 1,
        }
        if sale.relay_point:
            delivery = self._rakuten_relay_values(sale.relay_point, sale.purchaseid)
        elif sale.delivery_address:
            delivery = self._rakuten_address_values(sale.delivery_address, sale.purchaseid)
        else:
            raise UserError(self.env._("The Rakuten sale %s has neither a delivery address nor a relay point.",
                              sale.purchaseid))
        return RakutenBuyer(sale.buyer_login, customer, values, delivery, sale.relay_point)

    @api.model
    def _rakuten_partners(self, company, buyers):
        """[(customer, delivery address)] of ``buyers`` (see ``_rakuten_buyer``), all new partners created in
        two queries: a buyer met twice is created once, and so is a delivery address used twice."""
        keys = [buyer.login or index for index, buyer in enumerate(buyers)]
        new = {}
        for key, buyer in zip(keys, buyers):
            if not buyer.customer:
                new.setdefault(key, buyer.values)
        created = dict(zip(new, self.create(list(new.values())))) if new else {}
        customers = [buyer.customer or created[key] for key, buyer in zip(keys, buyers)]
        targets, new = [], {}
        for customer, buyer in zip(customers, buyers):
            values = buyer.delivery
            if buyer.relay:
                values = dict(values, name=self._rakuten_relay_name(buyer.relay, customer))
            contact, values = customer._rakuten_delivery_contact(values)
            if not contact:
                contact = (customer.id, *(values.get(key) or False for key in ADDRESS_KEYS))
                new.setdefault(contact, {**values, **self._rakuten_owner_values(company), 'parent_id': customer.id,
                                         'type': 'delivery'})
            targets.append(contact)
        created = dict(zip(new, self.create(list(new.values())))) if new else {}
        return [(customer, created[target] if isinstance(target, tuple) else target)
                for customer, target in zip(customers, targets)]

    @api.model
    def _rakuten_owner_values(self, company):
        """Buyers belong to the company that imported them and speak French on Rakuten France."""
        installed = dict(self.env['res.lang'].get_installed())
        return {'company_id': company.id, 'lang': 'fr_FR' if 'fr_FR' in installed else company._rakuten_lang()}

    def _rakuten_delivery_contact(self, values):
        """Where to ship among existing partners: the customer itself when it is its own address, else its
        delivery contact with exactly this address; ``(False, values)`` when a contact is to be created with
        ``values`` (the contact does not repeat the customer's name).

        :return: ``(partner or False, values)``
        """
        self.ensure_one()
        if values.get('name') == self.name:
            if self._rakuten_same_address(values):
                return self, values
            values = dict(values, name=False)
        for child in self.child_ids.filtered(lambda partner: partner.type == 'delivery'):
            if child._rakuten_same_address(values):
                return child, values
        return False, values

    def _rakuten_same_address(self, values):
        self.ensure_one()
        return all((self[key].id if key == 'country_id' else self[key] or False) == (values.get(key) or False)
                   for key in ADDRESS_KEYS)

    @api.model
    def _rakuten_address_values(self, address, purchaseid):
        name = address.name or address.lastname
        if not (name and address.address1 and address.zipcode and address.city):
            raise UserError(self.env._("The address of the Rakuten sale %s is incomplete (name, street, zip code and "
                              "city are required).", purchaseid))
        return {
            'name': name,
            'street': address.address1,
            'street2': address.address2 or False,
            'zip': address.zipcode,
            'city': address.city,
            'country_id': self._rakuten_country(address.country_code, address.country, purchaseid,
                                                address.zipcode).id,
            'phone': address.phone or address.mobile or False,
        }

    @api.model
    def _rakuten_relay_values(self, relay, purchaseid):
        """The relay point's address as delivery contact (its name: ``_rakuten_relay_name``)."""
        if not (relay.address and relay.zipcode and relay.city):
            raise UserError(self.env._("The relay point of the Rakuten sale %s has an incomplete address.", purchaseid))
        return {
            'street': relay.address,
            'street2': False,
            'zip': relay.zipcode,
            'city': relay.city,
            'country_id': self._rakuten_country('', relay.country or 'France', purchaseid, relay.zipcode).id,
        }

    @api.model
    def _rakuten_relay_name(self, relay, customer):
        """The relay point's name and id are what the packer puts on the label; the recipient is named too
        when it is not the customer."""
        name = self.env._("%(relay)s (relay point %(id)s)", relay=relay.name or '', id=relay.id).strip()
        recipient = ' '.join(filter(None, (relay.firstname, relay.lastname)))
        return f'{recipient} – {name}' if recipient and recipient != customer.name else name

    @api.model
    def _rakuten_country(self, code, name, purchaseid, zipcode=''):
        Country = self.env['res.country']
        country = Country.search([('code', '=', code)], limit=1) if code else Country
        if not country and name:
            country = Country.search([('name', '=ilike', name)], limit=1) \
                or Country.with_context(lang='fr_FR').search([('name', '=ilike', name)], limit=1)
        if not country:
            raise UserError(self.env._("The country \"%(country)s\" of the Rakuten sale %(sale)s is unknown.",
                              country=code or name, sale=purchaseid))
        overseas = country.code == 'FR' and OVERSEAS_ZIP_COUNTRIES.get((zipcode or '').strip()[:3])
        return Country.search([('code', '=', overseas)], limit=1) or country if overseas else country
