// Report and statement downloads with progress: a link marked data-download is fetched in the page; when it takes
// more than a second, the nearest status line says so and counts what has arrived. The file is then saved under
// the name the server gives (Content-Disposition). Without JavaScript the link is an ordinary download.
(function () {
  "use strict";

  var SLOW_MS = 1000;

  function statusFor(link) {
    var box = link.closest("[data-downloads]");
    return box ? box.querySelector(".download-status") : null;
  }

  function say(status, text) {
    if (status) status.textContent = text;
  }

  function filenameOf(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var match = /filename="([^"]+)"/.exec(header);
    return match ? match[1] : fallback;
  }

  function kilobytes(bytes) {
    return (bytes / 1024).toFixed(0) + " KB";
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = name;
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  async function readAll(response, onChunk) {
    if (!response.body || !response.body.getReader) return response.blob();
    var reader = response.body.getReader();
    var parts = [];
    var received = 0;
    for (;;) {
      var step = await reader.read();
      if (step.done) break;
      parts.push(step.value);
      received += step.value.length;
      onChunk(received);
    }
    return new Blob(parts, { type: response.headers.get("Content-Type") || "application/octet-stream" });
  }

  async function download(link) {
    var status = statusFor(link);
    var label = link.textContent.trim();
    var slow = false;
    var received = 0;
    var timer = setTimeout(function () {
      slow = true;
      link.setAttribute("aria-busy", "true");
      say(status, "Preparing " + label + "…" + (received ? " " + kilobytes(received) + " received" : ""));
    }, SLOW_MS);
    try {
      var response = await fetch(link.href, { credentials: "same-origin" });
      if (!response.ok) {
        var problem = "The download failed (" + response.status + ").";
        try { problem = (await response.json()).error.message || problem; } catch (e) { /* not JSON */ }
        say(status, problem);
        return;
      }
      var blob = await readAll(response, function (bytes) {
        received = bytes;
        if (slow) say(status, "Downloading " + label + "… " + kilobytes(bytes) + " received");
      });
      save(blob, filenameOf(response, "download"));
      say(status, slow ? label + " ready (" + kilobytes(blob.size) + ")." : "");
    } catch (error) {
      say(status, "The download failed: check your connection and try again.");
    } finally {
      clearTimeout(timer);
      link.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-download]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    download(link);
  });
})();
