// Keeps what was typed into a form when sending it fails because the session or the form's
// security token expired: the server then sends the person (through the log-in) back to the
// page with ?restore=1, and this script puts the input back. Kept in sessionStorage of this
// tab only, and dropped at the next page that does not ask for it.
(function () {
  "use strict";
  var PREFIX = "lotse-form:";
  var SKIPPED = { csrf_token: true, password: true, password_repeat: true };

  function actionPath(form) {
    return new URL(form.getAttribute("action") || location.href, location.href).pathname;
  }

  function save(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIPPED[el.name] || el.type === "file" || el.type === "password" ||
          el.type === "submit" || el.type === "button") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) {
          fields.push([el.name, o.value]);
        });
        return;
      }
      fields.push([el.name, el.value]);
    });
    try {
      sessionStorage.setItem(PREFIX + location.pathname,
                             JSON.stringify({ action: actionPath(form), fields: fields }));
    } catch (ignored) { /* storage full or off: nothing is kept, nothing breaks */ }
  }

  function fill(form, fields) {
    var byName = {};
    fields.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      var values = byName[el.name];
      if (!values || SKIPPED[el.name] || el.type === "hidden" || el.type === "submit") { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = values.indexOf(o.value) !== -1;
        });
      } else {
        el.value = values[0];
      }
    });
  }

  function restore() {
    var params = new URLSearchParams(location.search);
    var key = PREFIX + location.pathname;
    if (!params.has("restore")) {
      // Not asked for here: a kept form is dropped, except on the log-in page in between.
      if (location.pathname !== "/login") {
        Object.keys(sessionStorage).forEach(function (k) {
          if (k.indexOf(PREFIX) === 0) { sessionStorage.removeItem(k); }
        });
      }
      return;
    }
    var kept = sessionStorage.getItem(key);
    sessionStorage.removeItem(key);
    params.delete("restore");
    params.delete("expired");
    var rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
    if (!kept) { return; }
    var data = JSON.parse(kept);
    var form = Array.prototype.filter.call(document.forms, function (f) {
      return (f.method || "").toLowerCase() === "post" && actionPath(f) === data.action;
    })[0];
    if (!form) { return; }
    fill(form, data.fields);
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "status");
    note.textContent = document.body.dataset.kept || "";
    form.parentNode.insertBefore(note, form);
    var first = form.querySelector("input:not([type=hidden]), textarea, select");
    if (first) { first.focus(); }
  }

  document.addEventListener("submit", save, true);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
}());
