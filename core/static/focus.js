// After htmx replaces a form with its new copy (the capacity buttons), the button that sent it
// gets the focus back, so a keyboard user can press it again. htmx does this itself only when
// the button still holds the focus at the swap, which some browsers drop on submit.
(function () {
  "use strict";
  var submitterId = null;

  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    submitterId = submitter && submitter.id ? submitter.id : null;
  }, true);

  document.addEventListener("htmx:afterSettle", function () {
    var id = submitterId;
    submitterId = null;
    var active = document.activeElement;
    if (!id || (active && active !== document.body)) { return; }
    var again = document.getElementById(id);
    if (again) { again.focus({ preventScroll: true }); }
  });
})();
