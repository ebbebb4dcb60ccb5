// Recast episode page: chapter buttons seek the player; the transcript follows playback.
(function () {
  "use strict";
  var audio = document.getElementById("player");
  if (!audio) { return; }
  var segs = Array.prototype.slice.call(document.querySelectorAll("#transcript > li[data-start]"));
  var chaps = Array.prototype.slice.call(document.querySelectorAll("#chapters > li[data-start]"));
  var segStarts = segs.map(function (el) { return parseFloat(el.getAttribute("data-start")); });
  var chapStarts = chaps.map(function (el) { return parseFloat(el.getAttribute("data-start")); });
  var box = document.querySelector(".transcript-box");
  var now = document.getElementById("now");
  var currentSeg = -1;
  var currentChap = -1;

  // Index of the last start <= t, or -1 (starts are sorted).
  function indexAt(starts, t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.001) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function mark(list, oldIndex, newIndex) {
    if (oldIndex === newIndex) { return newIndex; }
    if (oldIndex >= 0) { list[oldIndex].classList.remove("current"); list[oldIndex].removeAttribute("aria-current"); }
    if (newIndex >= 0) { list[newIndex].classList.add("current"); list[newIndex].setAttribute("aria-current", "true"); }
    return newIndex;
  }

  function keepVisible(el) {
    if (!box || box.scrollHeight <= box.clientHeight) { return; }
    var top = el.offsetTop, bottom = top + el.offsetHeight;
    if (top < box.scrollTop || bottom > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  function update() {
    var t = audio.currentTime;
    var seg = indexAt(segStarts, t);
    if (seg !== currentSeg) {
      currentSeg = mark(segs, currentSeg, seg);
      if (seg >= 0) {
        keepVisible(segs[seg]);
        if (now) { now.textContent = segs[seg].getAttribute("data-speaker") || ""; }
      } else if (now) { now.textContent = ""; }
    }
    currentChap = mark(chaps, currentChap, indexAt(chapStarts, t));
  }

  function seek(seconds, play) {
    if (!isFinite(seconds)) { return; }
    audio.currentTime = seconds;
    update();
    if (play) {
      var started = audio.play();
      if (started && typeof started.catch === "function") {
        // A refused or failed start shows in the player's own controls; the seek has happened anyway.
        started.catch(function () { return null; });
      }
    }
  }

  function wire(list, selector) {
    list.forEach(function (el) {
      var button = el.querySelector(selector);
      if (!button) { return; }
      button.addEventListener("click", function () { seek(parseFloat(el.getAttribute("data-start")), true); });
    });
  }

  wire(chaps, "button");
  wire(segs, "button.ts");
  ["timeupdate", "seeked", "seeking", "loadedmetadata", "play"].forEach(function (name) {
    audio.addEventListener(name, update);
  });
  var deepLink = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
  if (deepLink) { seek(parseFloat(deepLink[1]), false); }
  update();
})();
