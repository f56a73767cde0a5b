// The search page: filters folded on a phone; a typed place sorts by distance from it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Phones see the results first; the filters stay folded until asked for.
    var filters = document.getElementById("filters");
    if (filters && window.matchMedia("(max-width: 48rem)").matches) { filters.open = false; }
    var place = document.getElementById("place");
    var sort = document.getElementById("sort");
    if (!place || !sort) { return; }
    var byDistance = sort.querySelector("option[value=distance]");
    // Runs before the form hears the change, so the request already carries the new order.
    place.addEventListener("change", function () {
      if (place.value.trim()) {
        byDistance.disabled = false;
        sort.value = "distance";
      } else if (sort.value === "distance") {
        sort.value = "relevance";
        byDistance.disabled = true;
      }
    });
  });
})();
