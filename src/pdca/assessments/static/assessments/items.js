/* The items of an assessment page, by clause. Which clause sections are open is remembered
   in this browser for each assessment (localStorage), except while filters are on: then the
   server opens every section with a match. "Open all" and "Close all" act on every section,
   and a link to a row (#item-12) opens the section it sits in. */
(function () {
  "use strict";

  function read(box) {
    try {
      return JSON.parse(window.localStorage.getItem(box.dataset.remember) || "{}");
    } catch (error) {
      return {};
    }
  }

  function write(box, state) {
    try {
      window.localStorage.setItem(box.dataset.remember, JSON.stringify(state));
    } catch (error) {
      // Storage full or refused: the sections simply start as the server drew them.
    }
  }

  function remembered(details) {
    var box = details.closest(".item-groups[data-remember]");
    return box && !box.hasAttribute("data-filtered") ? box : null;
  }

  function reveal() {
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    var section = target && target.closest("details[data-group]");
    if (section && !section.open) {
      section.open = true;
      target.scrollIntoView();
    }
  }

  function restore() {
    document.querySelectorAll(".item-groups[data-remember]:not([data-filtered])").forEach(function (box) {
      var state = read(box);
      box.querySelectorAll("details[data-group]").forEach(function (details) {
        if (Object.prototype.hasOwnProperty.call(state, details.dataset.group)) {
          details.open = state[details.dataset.group];
        }
      });
    });
    reveal();
  }

  // `toggle` does not bubble: listen while it goes down.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details[data-group]")) {
      return;
    }
    var box = remembered(details);
    if (box) {
      var state = read(box);
      state[details.dataset.group] = details.open;
      write(box, state);
    }
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-groups]");
    if (!button) {
      return;
    }
    var open = button.dataset.groups === "open";
    document.querySelectorAll("details[data-group]").forEach(function (details) {
      details.open = open;
    });
  });

  document.addEventListener("DOMContentLoaded", restore);
  document.addEventListener("htmx:afterSettle", restore);
  window.addEventListener("hashchange", reveal);
})();
