// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Flexbox gap came late (Chrome 84, iOS 14.5): older tablets get margins instead (.no-flexgap in app.css).
  (function probeFlexGap() {
    var probe = document.createElement("div");
    probe.style.cssText = "display:flex;flex-direction:column;row-gap:1px;position:absolute;visibility:hidden";
    probe.appendChild(document.createElement("div"));
    probe.appendChild(document.createElement("div"));
    document.documentElement.appendChild(probe);
    var supported = probe.scrollHeight === 1;
    document.documentElement.removeChild(probe);
    if (!supported) {
      document.documentElement.className += " no-flexgap";
    }
  })();

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

  document.documentElement.className += " js";

  function initMenu(root) {
    var toggle = root.querySelector(".menu-toggle");
    if (!toggle) { return; }
    toggle.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Roll call: one tap marks everyone not yet marked as present (shown only when scripts run).
  function initAllPresent(root) {
    var button = root.querySelector("[data-all-present]");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      document.querySelectorAll(button.dataset.allPresent + " li").forEach(function (row) {
        var present = row.querySelector("input[type=radio][value=present]");
        if (present && !row.querySelector("input[type=radio]:checked")) { present.checked = true; }
      });
    });
  }

  // A suggestion under a box that names one student: the tap puts "name #id" in the box and closes the list.
  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-fill]");
    if (!pick) { return; }
    var box = document.querySelector(pick.dataset.fill);
    if (box) { box.value = pick.dataset.value; box.focus(); }
    var list = pick.closest(".picks");
    if (list) { list.innerHTML = ""; }
  });

  // A "Cancel" button that empties a panel (the kiosk's pickup question).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-clear]");
    if (!button) { return; }
    var panel = document.querySelector(button.dataset.clear);
    if (panel) { panel.innerHTML = ""; event.preventDefault(); }  // without JavaScript it is a link back
  });

  // Forms that ask before they act (leaving the study-room kiosk logs the tablet out).
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });

  // The kiosk: a new search clears the last message; a request that fails says so instead of doing nothing.
  document.addEventListener("input", function (event) {
    if (event.target.id !== "kiosk-q") { return; }
    var message = document.getElementById("kiosk-message");
    if (message) { message.innerHTML = ""; }
  });
  // After a sign-in or sign-out (the server sends "kiosk-changed"), the search box is emptied and ready for the next
  // child. The box itself is kept (not swapped), so what is typed next always reaches the search.
  document.addEventListener("kiosk-changed", function () {
    var box = document.getElementById("kiosk-q");
    if (box) { box.value = ""; box.focus(); }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var message = document.getElementById("kiosk-message");
    if (!message || event.detail.xhr.status === 422) { return; }
    var p = document.createElement("p");
    p.className = "flash error";
    p.setAttribute("role", "alert");
    p.textContent = message.dataset.failed + " (" + event.detail.xhr.status + ")";
    message.textContent = "";
    message.appendChild(p);
  });
  document.addEventListener("htmx:sendError", function () {
    var message = document.getElementById("kiosk-message");
    if (!message) { return; }
    var p = document.createElement("p");
    p.className = "flash error";
    p.setAttribute("role", "alert");
    p.textContent = message.dataset.failed;
    message.textContent = "";
    message.appendChild(p);
  });

  // Follow-up form: choosing a kind fills in its purpose, unless the advisor has written her own.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-purposes]");
    if (!form || event.target.name !== "kind") { return; }
    var purposes = JSON.parse(form.dataset.purposes);
    var purpose = form.querySelector("[name=purpose]");
    var known = Object.keys(purposes).map(function (k) { return purposes[k]; });
    if (purpose && (!purpose.value || known.indexOf(purpose.value) >= 0)) { purpose.value = purposes[event.target.value]; }
  });

  // Filters that apply as soon as they change, and print buttons (no inline handlers: the CSP forbids them).
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) { field.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    initTabs(document);
    initMenu(document);
    initAllPresent(document);
  });
})();
