// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Links in the error summary and the "still to fill in" list move focus to the field, not just scroll to it
  // (GOV.UK error summary behaviour), so a keyboard or screen reader user lands ready to type.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#'], .checklist a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var label = document.querySelector("label[for='" + target.id + "']");
    (label && !label.classList.contains("visually-hidden") ? label : target).scrollIntoView();
    target.focus({ preventScroll: true });
  });
})();
