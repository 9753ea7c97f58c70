/* Guanxi web shell: CSRF for HTMX, the phone sidebar, confirm dialogs, copy buttons.
   No inline scripts anywhere (CSP script-src 'self'); behaviour hangs off data- attributes. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Every HTMX request carries the CSRF token Django expects.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // Expected errors come back as an alert retargeted to #messages: show them, not nothing.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Anything else that fails (network, 500) gets a plain message in #messages.
  function showGenericError() {
    var box = document.getElementById("messages");
    if (!box) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.textContent = box.getAttribute("data-error-text") || "Error";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", box.getAttribute("data-close-text") || "Close");
    alert.appendChild(close);
    box.appendChild(alert);
  }
  // Background polling (the notification bell) fails quietly and tries again next time.
  function isPolling(event) {
    var elt = event.detail && event.detail.elt;
    return elt instanceof Element && elt.closest("[data-gx-poll]") !== null;
  }
  document.addEventListener("htmx:responseError", function (event) {
    if (isPolling(event)) return;
    if (!event.detail.xhr.getResponseHeader("HX-Retarget")) showGenericError();
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (!isPolling(event)) showGenericError();
  });

  // Sidebar on phones: a toggle button, and closing by backdrop, Escape or following a link.
  function setSidebar(open) {
    document.body.classList.toggle("gx-sidebar-open", open);
    var btn = document.querySelector('[data-gx-toggle="sidebar"]');
    if (btn) btn.setAttribute("aria-expanded", open ? "true" : "false");
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (target.closest('[data-gx-toggle="sidebar"]')) {
      setSidebar(!document.body.classList.contains("gx-sidebar-open"));
    } else if (target.closest('[data-gx-close="sidebar"]') || target.closest(".gx-sidebar a")) {
      setSidebar(false);
    }
    var copy = target.closest("[data-copy-target]");
    if (copy) {
      var field = document.querySelector(copy.getAttribute("data-copy-target"));
      if (field) {
        field.select();
        var done = function () {
          var label = copy.getAttribute("data-copied-label");
          if (label) copy.textContent = label;
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () {});
        } else if (document.execCommand("copy")) {
          done();
        }
      }
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") setSidebar(false);
  });

  // A field shown only for one choice of another field in its form:
  // data-gx-show-if="remind=custom" shows the element while the "remind" control is "custom".
  function applyShowIf(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("[data-gx-show-if]").forEach(function (el) {
      var rule = el.getAttribute("data-gx-show-if").split("=");
      var form = el.closest("form");
      var control = form ? form.elements.namedItem(rule[0]) : null;
      if (control && "value" in control) el.hidden = control.value !== rule[1];
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof Element && target.form) applyShowIf(target.form);
  });
  document.addEventListener("htmx:load", function (event) { applyShowIf(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { applyShowIf(document); });
  } else {
    applyShowIf(document);
  }

  // Forms that destroy or restore something ask first (data-confirm="question").
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    }
  }, true);
})();
