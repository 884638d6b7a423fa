import { registry } from "@web/core/registry";

// The endpoint is set by the Python test (the fake server's port changes at each run).
registry.category("web_tour.tours").add("rakuten_settings_tour", {
    url: "/odoo/settings#sale_management",
    steps: () => [
        {
            content: "The Rakuten France block is in the Sales settings",
            trigger: ".o_settings_container:has(#rakuten_account)",
        },
        {
            content: "Enable the integration",
            trigger: "#rakuten_account .o_field_widget[name=rakuten_enabled] input",
            run: "click",
        },
        {
            content: "The login help says it is the shop name",
            trigger: "#rakuten_account .o_field_widget[name=rakuten_login] input[placeholder*='shop name']",
            run: "edit boutique-demo",
        },
        {
            content: "The token is a password field",
            trigger: "#rakuten_account .o_field_widget[name=rakuten_token] input[type=password]",
            run: "edit wrong-token",
        },
        {
            content: "Test the connection with a wrong token (saves what was typed, no dialog)",
            trigger: "button[name=action_rakuten_test_connection]",
            run: "click",
        },
        {
            content: "The verdict names the likely cause",
            trigger: ".o_notification:has(.o_notification_bar.bg-danger):contains(shop name)",
        },
        {
            content: "The failure is stored and shown",
            trigger: "[name=rakuten_connection_status] .badge.text-bg-danger:visible",
        },
        {
            content: "No seller id after a failed test",
            trigger: "[name=rakuten_connection_status]:not(:contains(Seller ID)):visible",
        },
        {
            content: "Close the failure notification",
            trigger: ".o_notification:has(.o_notification_bar.bg-danger) .o_notification_close",
            run: "click",
        },
        {
            content: "The login typed before the failure is kept",
            trigger: "#rakuten_account .o_field_widget[name=rakuten_login] input:value(boutique-demo)",
        },
        {
            content: "Enter the right token",
            trigger: "#rakuten_account .o_field_widget[name=rakuten_token] input",
            run: "edit test-token",
        },
        {
            content: "Test the connection again",
            trigger: "button[name=action_rakuten_test_connection]",
            run: "click",
        },
        {
            content: "Connected to the shop",
            trigger: ".o_notification:has(.o_notification_bar.bg-success):contains(Connected to Rakuten: shop boutique-demo.)",
        },
        {
            content: "The seller id shows on its own line of the section",
            trigger: "[name=rakuten_connection_status]:contains(Seller ID: 123456):visible",
        },
        {
            content: "The status badge says connected",
            trigger: "[name=rakuten_connection_status] .badge.text-bg-success:visible",
        },
    ],
});
