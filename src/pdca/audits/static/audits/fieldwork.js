/* Fieldwork checklist: every row saves as it is edited (htmx posts the row's form on change).
   An edit that fails to save (offline, server error) is kept in localStorage, keyed by item,
   the row says so with a Retry button, and it is sent again when the connection returns or
   when the page is opened again. No external libraries. */
(function () {
  "use strict";
  var PREFIX = "pdca:checklist-item:";
  var FORM = "form.checklist-save";

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function pending(id) {
    var s = store();
    if (!s) { return null; }
    try { return JSON.parse(s.getItem(PREFIX + id) || "null"); } catch (e) { return null; }
  }
  function keep(form) {
    var s = store();
    if (!s) { return; }
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name !== "csrfmiddlewaretoken") { values[el.name] = el.value; }
    });
    s.setItem(PREFIX + form.dataset.item, JSON.stringify(values));
  }
  function forget(id) {
    var s = store();
    if (s) { s.removeItem(PREFIX + id); }
  }
  function card(id) { return document.getElementById("item-" + id); }
  function statusOf(id) {
    var c = card(id);
    return c ? c.querySelector(".save-status") : null;
  }
  function say(id, text, failed) {
    var box = statusOf(id);
    if (!box) { return; }
    box.textContent = "";
    var span = document.createElement("span");
    span.className = failed ? "text-danger" : "text-muted";
    span.textContent = text;
    box.appendChild(span);
    if (failed) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-danger ms-2 checklist-retry";
      button.dataset.item = id;
      button.textContent = "Retry";
      box.appendChild(button);
    }
  }
  function formFor(id) {
    var c = card(id);
    return c ? c.querySelector(FORM) : null;
  }
  function retry(id) {
    var form = formFor(id);
    if (form && window.htmx) {
      say(id, "Saving…", false);
      window.htmx.trigger(form, "change");
    }
  }
  function retryAll() {
    document.querySelectorAll(FORM).forEach(function (form) {
      if (pending(form.dataset.item)) { retry(form.dataset.item); }
    });
  }
  // Put back what was typed but never saved (a reload, a lost connection).
  function restore(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(FORM).forEach(function (form) {
      var values = pending(form.dataset.item);
      if (!values) { return; }
      Object.keys(values).forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field) { field.value = values[name]; }
      });
      say(form.dataset.item, "Not saved yet.", true);
    });
  }
  function isRowSave(elt) { return elt && elt.matches && elt.matches(FORM); }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!isRowSave(form)) { return; }
    keep(form);
    say(form.dataset.item, "Saving…", false);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!isRowSave(form) || !event.detail.successful) { return; }
    var id = form.dataset.item;
    var row = card(id);
    // A refusal comes back as the row saying why, with what was entered: keep it stored too.
    if (row && row.hasAttribute("data-save-error")) { return; }
    forget(id);
    say(id, "Saved.", false);
  });
  function failed(event) {
    var form = event.detail.elt;
    if (!isRowSave(form)) { return; }
    var offline = navigator.onLine === false || event.type === "htmx:sendError";
    say(form.dataset.item, offline ? "Not saved: no connection. Kept on this device." :
      "Not saved: the server did not accept it. Kept on this device.", true);
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".checklist-retry");
    if (button) { retry(button.dataset.item); }
  });
  window.addEventListener("online", retryAll);
  document.addEventListener("DOMContentLoaded", function () { restore(document); });
})();
