from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = 'res.partner'

    rakuten_buyer_login = fields.Char(string="Rakuten Buyer Pseudo", index='btree_not_null', copy=False)

    # === BUSINESS METHODS === #

    @api.model
    def _rakuten_partners(self, company, sale):
        """(customer, delivery address) of a Rakuten sale: a returning buyer is found again, not duplicated."""
        person = sale.billing_address or sale.delivery_address
        if person is None:
            raise UserError(_("The Rakuten sale %s has no buyer address.", sale.purchaseid))
        customer = self.browse()
        if sale.buyer_login:
            customer = self.search([('rakuten_buyer_login', '=', sale.buyer_login),
                                    ('company_id', 'in', [False, company.id])], limit=1)
        if not customer:
            customer = self.create({
                **self._rakuten_address_values(person, sale.purchaseid),
                'rakuten_buyer_login': sale.buyer_login or False,
                'email': sale.buyer_email or False,
                'customer_rank': 1,
            })
        if sale.relay_point:
            values = self._rakuten_relay_values(sale.relay_point, person, sale.purchaseid)
        elif sale.delivery_address:
            values = self._rakuten_address_values(sale.delivery_address, sale.purchaseid)
        else:
            raise UserError(_("The Rakuten sale %s has neither a delivery address nor a relay point.",
                              sale.purchaseid))
        return customer, customer._rakuten_delivery_contact(values)

    def _rakuten_delivery_contact(self, values):
        """The customer's delivery contact with exactly this address, created when new."""
        self.ensure_one()
        keys = ('name', 'street', 'street2', 'zip', 'city', 'country_id')
        for child in self.child_ids.filtered(lambda partner: partner.type == 'delivery'):
            if all((child[key].id if key == 'country_id' else child[key] or False) == (values.get(key) or False)
                   for key in keys):
                return child
        return self.create({**values, 'parent_id': self.id, 'type': 'delivery'})

    @api.model
    def _rakuten_address_values(self, address, purchaseid):
        name = address.name or address.lastname
        if not (name and address.address1 and address.zipcode and address.city):
            raise UserError(_("The address of the Rakuten sale %s is incomplete (name, street, zip code and city "
                              "are required).", purchaseid))
        return {
            'name': name,
            'street': address.address1,
            'street2': address.address2 or False,
            'zip': address.zipcode,
            'city': address.city,
            'country_id': self._rakuten_country(address.country_code, address.country, purchaseid).id,
            'phone': address.phone or address.mobile or False,
        }

    @api.model
    def _rakuten_relay_values(self, relay, person, purchaseid):
        if not (relay.address and relay.zipcode and relay.city):
            raise UserError(_("The relay point of the Rakuten sale %s has an incomplete address.", purchaseid))
        buyer = ' '.join(filter(None, (relay.firstname, relay.lastname))) or person.name
        return {
            'name': buyer,
            'street': relay.address,
            'street2': _("%(relay)s - relay point %(id)s", relay=relay.name, id=relay.id),
            'zip': relay.zipcode,
            'city': relay.city,
            'country_id': self._rakuten_country('', relay.country or 'France', purchaseid).id,
        }

    @api.model
    def _rakuten_country(self, code, name, purchaseid):
        Country = self.env['res.country']
        country = Country.search([('code', '=', code)], limit=1) if code else Country
        if not country and name:
            country = Country.search([('name', '=ilike', name)], limit=1) \
                or Country.with_context(lang='fr_FR').search([('name', '=ilike', name)], limit=1)
        if not country:
            raise UserError(_("The country \"%(country)s\" of the Rakuten sale %(sale)s is unknown.",
                              country=code or name, sale=purchaseid))
        return country
