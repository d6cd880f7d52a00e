/* Sticky bars stack under the navbar: each visible .sticky-bar sticks just below the ones
   before it, and --pdca-sticky-top tells the header rows of .table-sticky tables (and
   anchored rows) where the stack ends. Heights are measured, so a bar that wraps onto two
   lines on a narrow screen, or grows a message, still leaves the table header in view. */
(function () {
  "use strict";
  var root = document.documentElement;

  function layout() {
    var nav = document.querySelector("body > nav.navbar");
    var top = nav ? nav.offsetHeight : 0;
    root.style.setProperty("--pdca-nav-h", top + "px");
    document.querySelectorAll(".sticky-bar").forEach(function (bar) {
      if (!bar.offsetParent) {
        return; // not shown
      }
      bar.style.top = top + "px";
      top += bar.offsetHeight;
    });
    root.style.setProperty("--pdca-sticky-top", top + "px");
  }

  var observer = "ResizeObserver" in window ? new ResizeObserver(layout) : null;

  function watch() {
    if (observer) {
      observer.disconnect();
      document.querySelectorAll("body > nav.navbar, .sticky-bar").forEach(function (el) {
        observer.observe(el);
      });
    }
    layout();
  }

  document.addEventListener("DOMContentLoaded", watch);
  document.addEventListener("htmx:afterSettle", watch);
  document.addEventListener("pdca:layout", watch); // a page made a bar sticky or not
  window.addEventListener("resize", layout);
})();
