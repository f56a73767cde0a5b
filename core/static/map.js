// Maps of places (search results, an offer's locations), drawn with Leaflet. The list on the
// page stays the primary view: a map repeats it. Everything comes from data attributes, so no
// inline script is needed; without tiles (none configured or none reachable) the markers still
// show on a plain background.
(function () {
  "use strict";

  function read(element, name, fallback) {
    try {
      var value = JSON.parse(element.getAttribute(name) || "null");
      return value === null ? fallback : value;
    } catch (error) {
      return fallback;
    }
  }

  function source(box) {
    var id = box.getAttribute("data-source");
    return (id && document.getElementById(id)) || box;
  }

  function popup(point) {
    // Built from text nodes: names are never read as HTML.
    var wrap = document.createElement("div");
    var title = document.createElement(point.url ? "a" : "strong");
    if (point.url) { title.href = point.url; }
    title.textContent = (point.number ? point.number + ". " : "") + point.name;
    wrap.appendChild(title);
    if (point.place) {
      var where = document.createElement("div");
      where.textContent = point.place;
      wrap.appendChild(where);
    }
    return wrap;
  }

  function setUp(box, canvas) {
    var map = L.map(canvas, { scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({
      zoomInTitle: box.getAttribute("data-zoom-in") || "+",
      zoomOutTitle: box.getAttribute("data-zoom-out") || "-"
    }).addTo(map);
    var tiles = box.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 19,
        attribution: box.getAttribute("data-attribution") || ""
      }).addTo(map);
    }
    return { map: map, layer: L.layerGroup().addTo(map) };
  }

  function draw(box) {
    var canvas = box.querySelector(".map");
    if (!canvas || !window.L) { return; }
    var data = source(box);
    var points = read(data, "data-points", []);
    var origin = read(data, "data-origin", null);
    canvas.hidden = points.length === 0 && !origin;
    var empty = box.querySelector(".map-empty");
    if (empty) { empty.hidden = !canvas.hidden; }
    if (canvas.hidden || box.closest("details:not([open])")) { return; }
    var state = canvas.lotseMap || (canvas.lotseMap = setUp(box, canvas));
    state.map.invalidateSize();
    var signature = JSON.stringify([points, origin]);
    var size = state.map.getSize().toString();
    // Redrawn when the places change, fitted again when the map's size changes.
    if (state.signature === signature && state.size === size) { return; }
    state.size = size;
    if (state.signature !== signature) {
      state.signature = signature;
      state.corners = pin(state, box, points, origin);
    }
    if (state.corners.length === 1) {
      state.map.setView(state.corners[0], 15);
    } else {
      // More room below: the credit line covers the bottom of the map.
      state.map.fitBounds(state.corners, {
        paddingTopLeft: [24, 24], paddingBottomRight: [24, 56], maxZoom: 15
      });
    }
    canvas.setAttribute("data-drawn", String(points.length));
  }

  function pin(state, box, points, origin) {
    // Puts the pins on the map; answers the corners to fit it to.
    state.layer.clearLayers();
    var corners = [];
    points.forEach(function (point) {
      var marker;
      if (point.number) {
        // A numbered pin, reachable with the keyboard; Enter opens its popup.
        var label = document.createElement("span");
        label.textContent = String(point.number);
        marker = L.marker([point.lat, point.lon], {
          title: point.number + ". " + point.name,
          icon: L.divIcon({ className: "map-number", html: label, iconSize: [28, 28] })
        });
      } else {
        marker = L.circleMarker([point.lat, point.lon], {
          radius: 10, color: "#ffffff", weight: 2, fillColor: "#1f4e8c", fillOpacity: 1
        });
      }
      marker.bindPopup(popup(point));
      if (point.number) {
        // Named as in the list, not just by its number (the pin exists once the map has a view).
        marker.on("add", function () {
          marker.getElement().setAttribute("aria-label", point.number + ". " + point.name);
        });
      }
      marker.addTo(state.layer);
      corners.push([point.lat, point.lon]);
    });
    if (origin) {
      L.circleMarker([origin.lat, origin.lon], {
        radius: 8, color: "#ffffff", weight: 2, fillColor: "#b3261e", fillOpacity: 1
      }).bindTooltip(box.getAttribute("data-origin-label") || "", { direction: "top" })
        .addTo(state.layer);
      corners.push([origin.lat, origin.lon]);
    }
    return corners;
  }

  function drawAll() {
    document.querySelectorAll(".map-box").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details.map-box").forEach(function (details) {
      // Open beside the list on wide screens; on a phone the list comes first.
      if (window.matchMedia("(min-width: 48.01rem)").matches) { details.open = true; }
      details.addEventListener("toggle", function () { draw(details); });
    });
    drawAll();
  });
  // The search page swaps its results in place: the map follows them.
  document.addEventListener("htmx:afterSettle", drawAll);
})();
