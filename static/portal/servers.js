/* The servers' admin pages: copy buttons of ids, buttons that ask before they post
   (data-confirm), and the server page's tabs (anchored sections without JavaScript). */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http: the clipboard API is missing, the older copy command still works.
    const field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.append(field);
    field.select();
    const copied = document.execCommand("copy");
    field.remove();
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function onCopy(button) {
    copyText(button.dataset.copy).then(() => {
      button.classList.add("copied");
      button.title = gettext("Copied");
      setTimeout(() => { button.classList.remove("copied"); button.title = gettext("Copy"); }, 1500);
    }, () => { button.title = gettext("Copy failed: select the id and copy it by hand"); });
  }

  document.addEventListener("click", (event) => {
    const copy = event.target.closest("button.copy-id");
    if (copy) {
      event.preventDefault();
      onCopy(copy);
      return;
    }
    const asking = event.target.closest("[data-confirm]");
    if (asking && !window.confirm(asking.dataset.confirm)) event.preventDefault();
  });

  // ---- tabs (WAI-ARIA tabs: one tab stop, arrow keys, Home and End) -------------------

  function setUpTabs(list) {
    const tabs = Array.from(list.querySelectorAll("[role=tab]"));
    const panelOf = (tab) => document.getElementById(tab.getAttribute("aria-controls"));

    function show(tab) {
      tabs.forEach((other) => {
        const chosen = other === tab;
        other.setAttribute("aria-selected", String(chosen));
        other.tabIndex = chosen ? 0 : -1;
        panelOf(other).hidden = !chosen;
      });
    }

    function select(tab, focus) {
      show(tab);
      if (focus) tab.focus();
      // The tab outlives a reload (tasks.js reloads the page when a Task ends).
      history.replaceState(null, "", "#" + tab.getAttribute("aria-controls"));
    }

    list.addEventListener("click", (event) => {
      const tab = event.target.closest("[role=tab]");
      if (tab) {
        event.preventDefault();
        select(tab, false);
      }
    });
    list.addEventListener("keydown", (event) => {
      const at = tabs.indexOf(document.activeElement);
      if (at < 0) return;
      const next = {
        ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1,
      }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length], true);
    });

    const wanted = window.location.hash.slice(1) || "tab-" + (list.dataset.active || "");
    show(tabs.find((tab) => tab.getAttribute("aria-controls") === wanted) || tabs[0]);
    list.classList.add("tabs-ready");
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".server-tabs[role=tablist]").forEach(setUpTabs);
  });
})();
