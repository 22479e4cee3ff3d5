// Vaksam: small enhancements. Every page works without this script.
(function () {
  "use strict";

  // "Skriv ut": a print button, shown only when it can work.
  document.querySelectorAll("button[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });

  // The decision form: show the fields that apply to the kind and the
  // ground chosen. Without the script they are all shown, and the server
  // says which do not apply.
  var form = document.querySelector("form[data-decision]");
  if (form) {
    var update = function () {
      var kind = form.querySelector('input[name="kind"]:checked');
      var ground = form.querySelector('input[name="ground"]:checked');
      var k = kind ? kind.value : "";
      var g = ground ? ground.value : "";
      form.querySelectorAll("[data-show-kind]").forEach(function (el) {
        el.hidden = k !== "" && el.getAttribute("data-show-kind").split(" ").indexOf(k) < 0;
      });
      form.querySelectorAll("[data-show-ground]").forEach(function (el) {
        el.hidden = g !== el.getAttribute("data-show-ground") && !el.querySelector('[aria-invalid="true"]');
      });
    };
    form.addEventListener("change", update);
    update();
  }

  // Ask before what cannot be undone by the same person.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });

  // Move focus to the error summary after a failed submit.
  var summary = document.querySelector(".errors[tabindex]");
  if (summary) { summary.focus(); }
})();
