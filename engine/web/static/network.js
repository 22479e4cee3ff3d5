// Vaksam: the supplier dossier's network view. The page works without
// it: the network is a table there (details.nettable). With it, the
// network is drawn with Cytoscape.js (vendor/cytoscape) and listed as
// buttons, each of which shows its node in the graph and, for an
// organisation not yet expanded, fetches and adds that organisation's
// own network (GET /api/v1/suppliers/{orgnr}/network?depth=1). A click
// on a node in the graph does the same. Pan and zoom with the pointer,
// or with the zoom buttons from the keyboard.
(function () {
  "use strict";

  var view = document.querySelector(".netview[data-network]");
  if (!view || typeof window.cytoscape !== "function") { return; }

  // Cytoscape adds an inline <style> unless an element with this id is
  // there; the page's CSP forbids inline styles, and app.css gives the
  // container its position instead.
  if (!document.getElementById("__________cytoscape_stylesheet")) {
    var marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.appendChild(marker);
  }

  var MAX_NODES = 400; // in the graph, across expansions
  var labels = JSON.parse(view.getAttribute("data-labels"));
  var api = view.getAttribute("data-api");
  var first = JSON.parse(view.getAttribute("data-network"));
  var status = view.querySelector('[data-net="status"]');
  var list = view.querySelector(".netlist");
  var nodes = {}; // id → node as the API gave it, with .hop from the supplier

  var t = function (key) {
    var s = labels[key] || key;
    for (var i = 1; i < arguments.length; i++) { s = s.replace(/%[sd]/, String(arguments[i])); }
    return s;
  };
  var marks = function (n) {
    var m = [];
    if (n.bankruptcy) { m.push(t("bankrupt")); }
    if (n.deregistered) { m.push(t("dereg")); }
    if (n.trading_ban) { m.push(t("ban")); }
    if (n.mass_address) { m.push(t("mass")); }
    return m;
  };
  // number: NNNNNN-NNNN (a masked number as it is).
  var number = function (n) { return /^\d{10}$/.test(n.orgnr) ? n.orgnr.slice(0, 6) + "-" + n.orgnr.slice(6) : n.orgnr; };
  var nameOf = function (n) {
    if (n.kind === "person") { return n.name || t("person"); }
    return n.name || number(n);
  };
  var classes = function (n) {
    var c = [n.kind];
    if (n.root) { c.push("root"); }
    if (n.bankruptcy || n.trading_ban) { c.push("alarm"); }
    if (n.deregistered) { c.push("dereg"); }
    if (n.mass_address) { c.push("mass"); }
    if (n.kind === "organisation" && !n.expanded) { c.push("closed"); }
    return c.join(" ");
  };
  var label = function (n) {
    var m = marks(n);
    return nameOf(n) + (m.length ? "\n" + m.join(", ") : "");
  };

  // add merges an answer into the graph; base is the hop of its root,
  // scope makes its withheld persons' ids (x1, x2… within one answer)
  // its own. It returns the number of nodes added.
  var add = function (answer, base, scope) {
    var local = function (id) { return /^x\d+$/.test(id) ? scope + "/" + id : id; };
    var els = [], added = 0;
    answer.nodes.forEach(function (n) {
      var id = local(n.id);
      var known = nodes[id];
      if (known) {
        if (n.expanded && !known.expanded && n.kind === "organisation") {
          known.expanded = true;
          cy.getElementById(id).removeClass("closed");
        }
        return;
      }
      if (Object.keys(nodes).length >= MAX_NODES) { return; }
      var copy = Object.assign({}, n, { id: id, hop: base + n.hop });
      nodes[id] = copy;
      added++;
      els.push({ group: "nodes", data: { id: id, label: label(copy) }, classes: classes(copy) });
    });
    answer.edges.forEach(function (e) {
      var s = local(e.source), d = local(e.target), id = s + ">" + d + ">" + e.role;
      if (!nodes[s] || !nodes[d] || cy.getElementById(id).length) { return; }
      els.push({ group: "edges", data: { id: id, source: s, target: d, label: labels["rrole." + e.role] || e.role },
        classes: e.current ? "current" : "ended" });
    });
    cy.add(els);
    return added;
  };

  var cy = window.cytoscape({
    container: view.querySelector(".netcanvas"),
    minZoom: 0.2,
    maxZoom: 3,
    style: [
      { selector: "node", style: { "label": "data(label)", "text-wrap": "wrap", "text-max-width": "140px", "font-size": "11px",
        "text-valign": "bottom", "text-margin-y": "4px", "color": "#1b1b1b", "border-width": 2, "border-color": "#5c6670",
        "background-color": "#e8eef4", "width": 28, "height": 28 } },
      { selector: "node.organisation", style: { "shape": "round-rectangle", "width": 40, "height": 26, "background-color": "#d7e6f5" } },
      { selector: "node.person", style: { "shape": "ellipse", "background-color": "#f2f2f2" } },
      { selector: "node.root", style: { "border-width": 4, "border-color": "#0b3d6e", "font-weight": "bold" } },
      { selector: "node.closed", style: { "background-color": "#ffffff" } },
      { selector: "node.mass", style: { "border-color": "#b35900", "border-width": 4 } },
      { selector: "node.dereg", style: { "border-style": "dashed" } },
      { selector: "node.alarm", style: { "border-color": "#b00020", "border-width": 4 } },
      { selector: "node:selected", style: { "overlay-opacity": 0.2, "overlay-color": "#0b3d6e" } },
      { selector: "edge", style: { "width": 1.5, "line-color": "#5c6670", "curve-style": "bezier", "label": "data(label)",
        "font-size": "9px", "color": "#444", "text-rotation": "autorotate", "text-background-color": "#fff",
        "text-background-opacity": 1 } },
      { selector: "edge.ended", style: { "line-style": "dashed", "line-color": "#9aa3ab" } }
    ]
  });

  // layout: Cytoscape's force-directed layout (cose), the same on every
  // load (no randomness), fitted to the canvas.
  var layout = function () {
    cy.layout({ name: "cose", animate: false, randomize: false, fit: true, padding: 24, idealEdgeLength: function () { return 90; },
      nodeRepulsion: function () { return 400000; }, nodeDimensionsIncludeLabels: true }).run();
  };

  var say = function (text) { status.textContent = text; };

  var expand = function (n) {
    if (n.kind !== "organisation" || n.expanded) { return Promise.resolve(); }
    if (Object.keys(nodes).length >= MAX_NODES) { say(t("full")); return Promise.resolve(); }
    var name = nameOf(n);
    say(t("loading", name));
    return fetch(api + encodeURIComponent(n.orgnr_ref || n.orgnr) + "/network?depth=1",
      { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (answer) {
        n.expanded = true;
        cy.getElementById(n.id).removeClass("closed");
        var added = add(answer, n.hop, n.id);
        layout();
        render();
        say(t("added", name, added));
      })
      .catch(function () { say(t("failed", name)); });
  };

  var show = function (id) {
    var el = cy.getElementById(id);
    cy.elements().unselect();
    el.select();
    cy.animate({ center: { eles: el }, duration: 200 });
  };

  // choose: show a node, expand it if it is an organisation not yet
  // expanded, and keep the keyboard on its button.
  var choose = function (id) {
    var n = nodes[id];
    expand(n).then(function () {
      show(id);
      var b = list.querySelector('button[data-id="' + CSS.escape(id) + '"]');
      if (b) { b.focus(); }
    });
  };

  // render lists the nodes, by hop, organisations before persons.
  var render = function () {
    var ids = Object.keys(nodes).sort(function (a, b) {
      var x = nodes[a], y = nodes[b];
      return x.hop - y.hop || (x.kind === y.kind ? 0 : x.kind === "organisation" ? -1 : 1) || nameOf(x).localeCompare(nameOf(y));
    });
    list.textContent = "";
    ids.forEach(function (id) {
      var n = nodes[id];
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.setAttribute("data-id", id);
      var parts = [n.root ? t("root") : t("hop", n.hop)];
      if (n.kind === "organisation") {
        if (n.name) { parts.push(number(n)); }
        if (!n.expanded) { parts.push(t("expand")); }
      }
      var m = marks(n);
      b.textContent = nameOf(n) + " (" + parts.concat(m).join(", ") + ")";
      if (n.kind === "organisation") { b.setAttribute("aria-expanded", n.expanded ? "true" : "false"); }
      b.addEventListener("click", function () { choose(id); });
      li.appendChild(b);
      if (n.kind === "organisation" && !n.root) {
        var a = document.createElement("a");
        a.href = "/suppliers/" + encodeURIComponent(n.orgnr_ref || n.orgnr);
        a.textContent = t("open");
        li.appendChild(document.createTextNode(" "));
        li.appendChild(a);
      }
      list.appendChild(li);
    });
  };

  cy.on("tap", "node", function (e) { choose(e.target.id()); });
  view.querySelectorAll("button[data-net]").forEach(function (b) {
    b.addEventListener("click", function () {
      var what = b.getAttribute("data-net");
      if (what === "fit") { cy.fit(undefined, 20); return; }
      var z = cy.zoom() * (what === "in" ? 1.25 : 0.8);
      cy.zoom({ level: z, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    });
  });

  view.hidden = false;
  cy.resize();
  add(first, 0, "root");
  layout();
  render();
})();
