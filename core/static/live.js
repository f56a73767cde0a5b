// Live updates for a signed-in person: the unread count in the header, and a referral page that
// reloads when the other side acted on it (server-sent events from /notifications/stream).
(function () {
  "use strict";
  if (!window.EventSource) { return; }
  document.addEventListener("DOMContentLoaded", function () {
    var badge = document.getElementById("unread-count");
    var watched = document.querySelector("[data-live-referral]");
    var source = new EventSource("/notifications/stream");
    var unread = 0;
    function show() {
      if (!badge) { return; }
      badge.hidden = unread < 1;
      badge.textContent = badge.dataset.label.replace("%(num)s", String(unread));
    }
    source.addEventListener("unread", function (event) {
      unread = JSON.parse(event.data).unread;
      show();
    });
    source.addEventListener("notification", function (event) {
      var data = JSON.parse(event.data);
      unread += 1;
      show();
      if (!watched || data.referral_id !== watched.dataset.liveReferral) { return; }
      var busy = document.activeElement && /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)
        || document.querySelector("dialog[open]");
      if (busy) {
        // Someone is typing: tell them instead of throwing their input away.
        var notice = document.getElementById("live-changed");
        if (notice) { notice.hidden = false; }
      } else {
        window.location.reload();
      }
    });
  });
})();
