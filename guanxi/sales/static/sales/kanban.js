/* Opportunity kanban: native HTML5 drag and drop; a drop posts the new stage through HTMX
   and the server answers with the re-rendered board (or a form asking for amount/reason). */
(function () {
  "use strict";
  var dragged = null;

  document.addEventListener("dragstart", function (event) {
    var card = event.target instanceof Element ? event.target.closest(".gx-kanban-card") : null;
    if (!card) return;
    dragged = card;
    card.classList.add("gx-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-deal-id") || "");
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("gx-dragging");
    dragged = null;
    document.querySelectorAll(".gx-drop-over").forEach(function (el) {
      el.classList.remove("gx-drop-over");
    });
  });

  function column(event) {
    return event.target instanceof Element ? event.target.closest(".gx-kanban-col") : null;
  }

  document.addEventListener("dragover", function (event) {
    var col = column(event);
    if (!col || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    col.classList.add("gx-drop-over");
  });

  document.addEventListener("dragleave", function (event) {
    var col = column(event);
    if (col && !col.contains(event.relatedTarget)) col.classList.remove("gx-drop-over");
  });

  document.addEventListener("drop", function (event) {
    var col = column(event);
    if (!col || !dragged) return;
    event.preventDefault();
    col.classList.remove("gx-drop-over");
    var from = dragged.closest(".gx-kanban-col");
    if (from === col) return;
    var url = dragged.getAttribute("data-move-url");
    // Show the move at once; the server's answer replaces the board either way.
    col.querySelector(".gx-kanban-cards").appendChild(dragged);
    window.htmx.ajax("POST", url, {
      target: "#board",
      swap: "innerHTML",
      values: { stage_id: col.getAttribute("data-stage-id") },
    });
  });
})();
