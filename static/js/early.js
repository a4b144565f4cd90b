// Runs before the page is drawn (the only script not deferred): marks the page as having JavaScript, so the
// header's menu is folded from the first paint instead of jumping shut when app.js runs (a layout shift of the
// whole page on phones). app.js wires the Menu button up; without JavaScript this never runs and the links stay listed.
document.documentElement.classList.add("js-menu");
