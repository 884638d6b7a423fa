import { registry } from "@web/core/registry";

// A French salesman opens the Rakuten menu of the Sales app, reads the overview, then the lists behind its counters
// (the Python test prepares two sales to accept, a buyer's message and the jobs' runs).
registry.category("web_tour.tours").add("rakuten_overview_tour", {
    steps: () => [
        {
            content: "The Rakuten menu is in the Sales app's menu bar",
            trigger: ".o_menu_sections [data-menu-xmlid='rakuten_connector.menu_rakuten_root']:contains(Rakuten)",
            run: "click",
        },
        {
            content: "Its first entry is the overview",
            trigger: ".dropdown-item[data-menu-xmlid='rakuten_connector.menu_rakuten_overview']:contains(Vue d'ensemble Rakuten)",
            run: "click",
        },
        {
            content: "One card, the company's",
            trigger: ".o_kanban_record:contains(Boutique Tour)",
        },
        {
            content: "Two sales to accept, in French",
            trigger: ".o_kanban_record button[name=action_rakuten_open_list]:contains(2):contains(Ventes à accepter)",
        },
        {
            content: "The nearest acceptance deadline",
            trigger: ".o_kanban_record div[name=to_accept]:contains(Acceptez la première au plus tard le)",
        },
        {
            content: "The buyer's message not answered",
            trigger: ".o_kanban_record div[name=message] button:contains(1):contains(Messages sans réponse)",
        },
        {
            content: "How the order import last ran, in French",
            trigger: ".o_kanban_record [data-job=import]:contains(Import des commandes):contains(Réussi)",
        },
        {
            content: "Open the sales to accept",
            trigger: ".o_kanban_record div[name=to_accept] button",
            run: "click",
        },
        {
            content: "The list is filtered on the sales to accept",
            trigger: ".o_searchview .o_facet_value:contains(À accepter)",
        },
        {
            content: "Exactly the two sales",
            trigger: ".o_list_view:not(:has(.o_data_row:nth-child(3))) .o_data_row:nth-child(2)",
        },
        {
            content: "Back to the overview",
            trigger: ".o_breadcrumb a:contains(Vue d'ensemble Rakuten)",
            run: "click",
        },
        {
            content: "Open the messages not answered",
            trigger: ".o_kanban_record div[name=message] button",
            run: "click",
        },
        {
            content: "The buyer's message, under the Not Answered filter",
            trigger: ".o_searchview .o_facet_value:contains(Sans réponse)",
        },
        {
            content: "The buyer's message is listed",
            trigger: ".o_list_view .o_data_row:contains(Quand partira mon colis ?)",
        },
    ],
});
