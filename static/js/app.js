// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  function initTabs(root) {
    root.querySelectorAll(".tabs [data-tab]").forEach(function (tab) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        var tabs = tab.closest(".tabs");
        tabs.querySelectorAll("[data-tab]").forEach(function (other) {
          other.classList.toggle("active", other === tab);
          var panel = document.getElementById(other.dataset.tab);
          if (panel) { panel.hidden = other !== tab; }
        });
        var first = document.querySelector("#" + tab.dataset.tab + " input:not([type=hidden])");
        if (first) { first.focus(); }
      });
    });
  }

  function initMenu(root) {
    var toggle = root.querySelector(".menu-toggle");
    if (!toggle) { return; }
    toggle.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initTabs(document);
    initMenu(document);
  });
})();
