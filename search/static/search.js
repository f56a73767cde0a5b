// "Use my location": fills the point for distances from the browser's position (if allowed).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Phones see the results first; the filters stay folded until asked for.
    var filters = document.getElementById("filters");
    if (filters && window.matchMedia("(max-width: 48rem)").matches) { filters.open = false; }
    var button = document.getElementById("use-location");
    if (!button || !navigator.geolocation) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var state = document.getElementById("location-state");
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("lat").value = position.coords.latitude.toFixed(5);
        document.getElementById("lon").value = position.coords.longitude.toFixed(5);
        var radius = document.getElementById("radius");
        if (!radius.value) { radius.value = "5"; }
        document.getElementById("sort").querySelector("option[value=distance]").disabled = false;
        radius.dispatchEvent(new Event("change", { bubbles: true }));
      }, function () {
        state.textContent = button.dataset.failed || state.textContent;
      });
    });
  });
})();
