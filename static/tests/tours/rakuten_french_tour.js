import { registry } from "@web/core/registry";

// The administrator works in French; the Python test prepares the sales (imported by the job, as OdooBot).
registry.category("web_tour.tours").add("rakuten_french_sales_tour", {
    steps: () => [
        {
            content: "The reason written by the scheduled job is in French",
            trigger: ".o_data_row td[name=error_message]:contains(Acceptez ou refusez cette vente Rakuten.)",
            run: "click",
        },
        {
            content: "The sale's form repeats it, in French",
            trigger: ".o_form_view .alert-warning:contains(Acceptez ou refusez cette vente Rakuten.)",
        },
        {
            content: "The item status is a French label, not Rakuten's code",
            trigger: ".o_field_widget[name=item_ids] td[name=status_label]:contains(À accepter)",
        },
    ],
});

registry.category("web_tour.tours").add("rakuten_french_relay_tour", {
    steps: () => [
        {
            content: "The front page shows the parcel's destination: the relay point, named for the label",
            trigger: ".o_form_view .o_group .o_field_widget[name=rakuten_relay_partner_id]:contains(point relais 024680)",
        },
        {
            content: "with its street and city (not only the buyer's home, shown as the customer)",
            trigger: ".o_form_view .o_field_widget[name=rakuten_relay_partner_id] .o_field_many2one_extra:contains(2 place de la Gare):contains(33800 Bordeaux)",
        },
        {
            content: "named by the relay point alone: the buyer is the customer just above",
            trigger: ".o_form_view .o_field_widget[name=rakuten_relay_partner_id]:contains(Tabac de la Gare):not(:contains(Lefèvre))",
        },
        {
            content: "labelled in French",
            trigger: ".o_form_view .o_group label:contains(Point relais)",
        },
        {
            content: "Open the Rakuten tab of the order (Other information)",
            trigger: ".o_notebook a.nav-link[name=other_information]",
            run: "click",
        },
        {
            content: "The delivery contact names the relay point and its id, for the label",
            trigger: ".o_form_view .o_field_widget[name=partner_shipping_id]:contains(point relais 024680)",
        },
        {
            content: "The buyer's name is not repeated",
            trigger: ".o_form_view .o_field_widget[name=partner_shipping_id]:contains(Tabac de la Gare):not(:contains(Lefèvre, Héloïse))",
        },
    ],
});

registry.category("web_tour.tours").add("rakuten_french_settings_tour", {
    url: "/odoo/settings#rakuten_orders",
    steps: () => [
        {
            content: "Import orders now",
            trigger: "button[name=action_rakuten_import_now]",
            run: "click",
        },
        {
            content: "The result stays in the Rakuten section, in French",
            trigger: "[name=rakuten_import_status]:contains(1 commande créée.):visible",
        },
        {
            content: "Push stock now",
            trigger: "button[name=action_rakuten_push_stock]",
            run: "click",
        },
        {
            content: "The stock result is shown in the section, with a success badge",
            trigger: "[name=rakuten_stock_status]:has(.badge.text-bg-success):contains(Fichier de stock envoyé à Rakuten avec 1 SKU.):visible",
        },
        {
            content: "Read Rakuten adverts: a real button, not a link",
            trigger: "button.btn-secondary[name=action_rakuten_read_adverts]",
            run: "click",
        },
        {
            content: "The adverts result is shown in the section",
            trigger: "[name=rakuten_stock_status]:contains(Annonces Rakuten lues :):visible",
        },
        {
            content: "Test connection",
            trigger: "button[name=action_rakuten_test_connection]",
            run: "click",
        },
        {
            content: "The verdict is shown in the section",
            trigger: "[name=rakuten_connection_status]:contains(Connecté à Rakuten):visible",
        },
        {
            content: "The seller id shows once",
            trigger: "[name=rakuten_connection_status]:contains(ID vendeur):visible",
            run() {
                const text = document.querySelector("[name=rakuten_connection_status]").textContent;
                const count = text.split("123456").length - 1;
                if (count !== 1) {
                    throw new Error(`The seller id shows ${count} times`);
                }
            },
        },
        {
            content: "The quantity rules have a hint",
            trigger: "#rakuten_stock:contains(Ne jamais publier plus que cette quantité):visible",
        },
        {
            content: "Still in the Rakuten section: its buttons are on screen",
            trigger: "button[name=action_rakuten_import_now]:visible",
        },
    ],
});

// A sales manager in French on a product never published on Rakuten, with no fixed price nor floor.
registry.category("web_tour.tours").add("rakuten_unset_price_tour", {
    steps: () => [
        {
            content: "Open the product's Rakuten tab",
            trigger: ".o_notebook a.nav-link:contains(Rakuten)",
            run: "click",
        },
        {
            content: "The last published price says it never was, not 0,00",
            trigger: ".o_field_widget[name=rakuten_published_price]:contains(Jamais publié):not(:contains(0,00))",
        },
        {
            content: "The price floor is empty and says what that means",
            trigger: ".o_field_widget[name=rakuten_min_price] input[placeholder*='coût + marge minimale']",
            run() {
                const value = document.querySelector(".o_field_widget[name=rakuten_min_price] input").value;
                if (value !== "") {
                    throw new Error(`The floor shows "${value}"`);
                }
            },
        },
        {
            content: "The fixed price is empty: type one, in French",
            trigger: ".o_field_widget[name=rakuten_fixed_price] input[placeholder*='prix calculé']",
            run: "edit 24,90",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, shown in French",
            trigger: ".o_form_saved .o_field_widget[name=rakuten_fixed_price] input:value(24,90)",
        },
    ],
});
