import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("rakuten_shipping_mapping_tour", {
    url: "/odoo/action-rakuten_connector.action_rakuten_shipping_mapping",
    steps: () => [
        {
            content: "Add a line",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Type the Rakuten shipping type",
            trigger: ".o_data_row.o_selected_row .o_field_widget[name=name] input",
            run: "edit Suivi",
        },
        {
            content: "Choose the carrier",
            trigger: ".o_data_row.o_selected_row .o_field_widget[name=carrier_id] input",
            run: "edit Colissimo Tour",
        },
        {
            content: "Pick it in the list",
            trigger: ".o-autocomplete--dropdown-item:contains(Colissimo Tour)",
            run: "click",
        },
        {
            content: "Save the line",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "The line is saved, and a tracked type requires tracking",
            trigger: ".o_data_row:not(.o_selected_row):contains(Suivi):contains(Colissimo Tour) td[name=requires_tracking] input:checked",
        },
    ],
});
