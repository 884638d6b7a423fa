import { registry } from "@web/core/registry";
import { FloatField, floatField } from "@web/views/fields/float/float_field";

/**
 * A price whose 0 means "none" (never sent, never published, no fixed price, no floor): shown empty, with the
 * field's placeholder saying what that means ("Not sent", "Pricelist price"...) rather than "0,00".
 */
export class RakutenUnsetPriceField extends FloatField {
    static template = "rakuten_connector.RakutenUnsetPriceField";
    static props = { ...FloatField.props, placeholder: { type: String, optional: true } };

    get isUnset() {
        return !this.value;
    }

    get formattedValue() {
        return this.isUnset ? "" : super.formattedValue;
    }

    parse(value) {
        return value.trim() ? super.parse(value) : 0;
    }
}

export const rakutenUnsetPriceField = {
    ...floatField,
    component: RakutenUnsetPriceField,
    extractProps: (fieldInfo, dynamicInfo) => ({
        ...floatField.extractProps(fieldInfo, dynamicInfo),
        placeholder: fieldInfo.attrs.placeholder,
    }),
};

registry.category("fields").add("rakuten_unset_price", rakutenUnsetPriceField);
