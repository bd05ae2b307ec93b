// The demo host application's own behaviour: submitting the form adds a row.
// Sign the employee in to Cairn, as a host application does after its own login. The hash comes from
// the host's backend (here: Cairn's demo page), never from the browser.
(function identify() {
  var body = document.body;
  if (!body || !body.dataset.demoUser) return;
  if (!window.cairn) return setTimeout(identify, 50);
  window.cairn.identify({
    id: body.dataset.demoUser,
    attributes: { name: "Sam Rivera", role: "employee", department: "Finance" },
    hash: body.dataset.demoHash
  });
})();

document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("request-form");
  var status = document.getElementById("form-status");
  document.getElementById("new-request").addEventListener("click", function () {
    document.getElementById("supplier").focus();
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var item = form.description.value.trim() || "Unnamed item";
    var row = document.createElement("tr");
    ["PR-" + (1043 + document.querySelectorAll("#recent tr").length - 3), item, form.supplier.value || "—",
      "€" + (Number(form.amount.value) || 0).toFixed(2), "Waiting for manager"].forEach(function (text) {
      var td = document.createElement("td");
      td.textContent = text;
      row.appendChild(td);
    });
    document.getElementById("recent").prepend(row);
    status.textContent = "Request submitted for approval.";
    // Tell Cairn: the checklist item "Submit your first purchase request" is done by this event.
    if (window.cairn) window.cairn.track("purchase_request.submitted");
    form.reset();
  });
});
