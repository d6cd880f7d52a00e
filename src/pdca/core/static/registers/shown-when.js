// Shows a form field only while another field holds one of the listed values
// (data-shown-when="kind:aspect,hazard"), so each register variant asks only its own questions.
(function () {
  function update(form) {
    form.querySelectorAll("[data-shown-when]").forEach(function (input) {
      var parts = input.dataset.shownWhen.split(":");
      var other = form.elements[parts[0]];
      var values = parts[1].split(",");
      var show = other && values.indexOf(other.value) !== -1;
      var box = input.closest(".mb-3");
      if (box) box.hidden = !show;
    });
  }
  document.querySelectorAll("form.register-form").forEach(function (form) {
    update(form);
    form.addEventListener("change", function () { update(form); });
  });
})();
