/* Pickers: a <select data-picker> becomes a searchable list (Tom Select, vendored): options
   grouped as the server grouped them (by standard), found by number or by words, chosen with
   the keyboard or a finger. Without JavaScript the plain <select> still works (a list kept
   once in a <template> for many pickers then offers nothing to pick). */
(function () {
  "use strict";

  function init(root) {
    if (typeof TomSelect === "undefined") {
      return;
    }
    root.querySelectorAll("select[data-picker]").forEach(function (select) {
      if (select.tomselect) {
        return;
      }
      // A long list shared by many pickers on one page lives once, in a <template>.
      var source = select.dataset.options && document.querySelector(select.dataset.options);
      if (source && !select.dataset.filled) {
        select.appendChild(source.content.cloneNode(true));
        select.dataset.filled = "1";
      }
      var multiple = select.multiple;
      new TomSelect(select, {
        plugins: multiple ? ["remove_button", "clear_button"] : [],
        maxOptions: null,
        placeholder: select.dataset.placeholder || "Type to search",
        hidePlaceholder: false,
        closeAfterSelect: !multiple,
        searchField: ["text", "optgroup"],
        lockOptgroupOrder: true,
        // The options are on the page: filter at each keystroke, so that Enter picks the match
        // the person sees highlighted (Tom Select waits 300 ms by default, built for remote data).
        refreshThrottle: 0,
        // Catalog order within a standard (8.2 before 8.2.1), not match score.
        sortField: [{ field: "$order" }, { field: "$score" }],
        render: {
          no_results: function () {
            return '<div class="no-results">Nothing matches: try a clause number such as 8.7, or a word of its title.</div>';
          },
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  // Forms that htmx swaps in (inline edits, dialogs) get their pickers too.
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
