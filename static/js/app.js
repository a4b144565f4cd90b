// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The header's disclosure menu on small screens: a real button with aria-expanded. CSS folds the menu only when
  // this script has marked the header (html.js-menu), so without JavaScript the links are simply listed.
  var toggle = document.getElementById("nav-toggle");
  var menu = document.getElementById("site-menu");
  if (toggle && menu) {
    document.documentElement.classList.add("js-menu");
    toggle.hidden = false;
    var setOpen = function (open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    };
    toggle.addEventListener("click", function () { setOpen(toggle.getAttribute("aria-expanded") !== "true"); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

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

  // An htmx request that fails swaps nothing (a 422 with field errors is swapped, see the htmx-config meta), so
  // without this the page would look as if the click did nothing. The notice at the top of main shows what went
  // wrong and the polite live region says it; focus stays where it was. The words are the layout's (in the page's
  // language), or the heading and sentence of the error page the server answered with ("This form has expired").
  var failedElement = null;

  function errorPageWords(xhr) {
    var type = xhr && xhr.getResponseHeader("Content-Type");
    if (!type || type.indexOf("text/html") !== 0) return null;
    var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var title = page.querySelector("main h1");
    var text = page.querySelector("main .lead");
    if (!title || !text || !title.textContent.trim()) return null;
    return { title: title.textContent.trim(), text: text.textContent.trim() };
  }

  function showRequestError(kind, event) {
    var notice = document.getElementById("request-error");
    var status = document.getElementById("sr-status");
    if (!notice || !status) return;
    var words = (kind === "server" && errorPageWords(event.detail.xhr)) || {
      title: notice.getAttribute("data-" + kind + "-title"),
      text: notice.getAttribute("data-" + kind + "-text"),
    };
    var unchanged = !notice.hidden && document.getElementById("request-error-title").textContent === words.title &&
      document.getElementById("request-error-text").textContent === words.text;
    failedElement = event.detail.elt || null;
    if (unchanged) return; // a poll failing again every 20 s is said once, not every time
    document.getElementById("request-error-title").textContent = words.title;
    document.getElementById("request-error-text").textContent = words.text;
    notice.hidden = false;
    // Emptied first, filled a moment later, so a message equal to the region's last one is still spoken.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = words.title + ". " + words.text;
    }, 50);
  }

  document.addEventListener("htmx:responseError", function (event) {
    showRequestError("server", event);
  });
  document.addEventListener("htmx:sendError", function (event) {
    showRequestError("network", event);
  });
  document.addEventListener("htmx:timeout", function (event) {
    showRequestError("timeout", event);
  });
  // The notice goes once the control that failed works again (the action retried, or the poll answers again).
  // When that answer replaced the control itself, htmx tells its nearest ancestor still in the page instead.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful || !failedElement) return;
    if (event.detail.elt === failedElement || !document.body.contains(failedElement)) {
      document.getElementById("request-error").hidden = true;
      failedElement = null;
    }
  });
})();
