// A filter box for long lists of checkboxes (<fieldset data-multi-pick>): typing narrows the
// list, ticked entries always stay visible, and a status line says how many are shown and
// chosen. Without this script the checkboxes work as they are.
(function () {
  "use strict";

  function fold(text) {
    // "Muelheim" and "Mülheim", "AWO" and "awo" find the same entries.
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/ae/g, "a").replace(/oe/g, "o").replace(/ue/g, "u").replace(/ß/g, "ss");
  }

  function setUp(box, index) {
    var rows = Array.prototype.slice.call(box.querySelectorAll(".option-row"));
    if (rows.length < 2) { return; }
    var id = "multi-pick-filter-" + index;
    var wrap = document.createElement("div");
    wrap.className = "pick-filter";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = box.dataset.filterLabel || "Filter";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    var status = document.createElement("p");
    status.className = "muted";
    status.id = id + "-status";
    status.setAttribute("role", "status");
    input.setAttribute("aria-describedby", status.id);
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(status);
    box.insertBefore(wrap, box.querySelector(".pick-list"));

    function update() {
      var wanted = fold(input.value.trim());
      var shown = 0, chosen = 0;
      rows.forEach(function (row) {
        var box = row.querySelector("input[type=checkbox]");
        var name = fold(row.textContent);
        var visible = box.checked || wanted === "" || name.indexOf(wanted) !== -1;
        row.hidden = !visible;
        if (visible) { shown += 1; }
        if (box.checked) { chosen += 1; }
      });
      status.textContent = (box.dataset.count || "%(shown)s / %(total)s")
        .replace("%(shown)s", shown).replace("%(total)s", rows.length)
        .replace("%(chosen)s", chosen);
    }

    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      // Enter in the filter must not send the whole form; it moves to the first match.
      if (event.key === "Enter") {
        event.preventDefault();
        var first = rows.filter(function (row) { return !row.hidden; })[0];
        if (first) { first.querySelector("input").focus(); }
      }
    });
    box.addEventListener("change", update);
    update();
  }

  function start() {
    var boxes = document.querySelectorAll("[data-multi-pick]");
    Array.prototype.forEach.call(boxes, setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
