// The wallboard: reads /api/realtime/* (same origin) for the page's own ?account=, with the page's own ?code= key
// passed on in the x-functions-key header (never in the JSON URLs, so the key stays out of every refresh's request
// line and log), and redraws every data-refresh-seconds. No framework, no CDN: plain DOM and hand-drawn SVG.
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const wall = params.get("mode") === "wall";
  const code = params.get("code");
  const account = params.get("account");
  let selected = (params.get("queues") || "").split(",").map(s => s.trim()).filter(Boolean);
  let range = params.get("range") || "today";
  let hour = params.has("hour") ? Number(params.get("hour")) : new Date().getHours();
  const refreshSeconds = Number(document.body.dataset.refreshSeconds) || 10;
  const svgNs = "http://www.w3.org/2000/svg";

  function api(view, extra, allQueues) {
    const q = new URLSearchParams(extra || {});
    if (selected.length && !allQueues) q.set("queues", selected.join(","));
    if (account) q.set("account", account);
    const s = q.toString();
    const headers = code ? { "x-functions-key": code } : {};
    return fetch("/api/realtime/" + view + (s ? "?" + s : ""), { cache: "no-store", headers: headers, referrerPolicy: "no-referrer" }).then(r => {
      if (!r.ok) throw new Error(view + ": HTTP " + r.status);
      return r.json();
    });
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const s = Math.round(seconds);
    if (s < 60) return s + "s";
    const m = Math.floor(s / 60), rest = s % 60;
    if (m < 60) return m + "m " + String(rest).padStart(2, "0") + "s";
    return Math.floor(m / 60) + "h " + String(m % 60).padStart(2, "0") + "m";
  }
  function format(value, kind) {
    if (value === null || value === undefined) return "–";
    if (kind === "duration") return duration(value);
    if (kind === "pct") return (Math.round(value * 10) / 10).toFixed(1) + "%";
    return String(value);
  }
  function cell(row, text, cls, raw) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    if (raw !== undefined) td.dataset.value = raw === null ? "" : String(raw);
    row.appendChild(td);
    return td;
  }
  function setSla(el, status) {
    el.classList.remove("sla-ok", "sla-warning", "sla-breached");
    if (status) el.classList.add("sla-" + status);
    el.dataset.sla = status || "";
  }

  function renderSummary(summary) {
    const totals = summary.totals;
    document.querySelectorAll("#tiles .value").forEach(el => {
      const field = el.dataset.field;
      let value = totals[field];
      if (el.dataset.source === "agents.available" && !selected.length) value = summary.agents.available;
      el.textContent = format(value, el.dataset.format);
      el.dataset.value = value === null || value === undefined ? "" : String(value);
    });
    ["tile-waiting", "tile-longest", "tile-sl"].forEach(id => setSla(document.getElementById(id), totals.sla_status));
    document.getElementById("as-of").textContent = new Date(summary.as_of).toLocaleTimeString();
    document.getElementById("as-of").dateTime = summary.as_of;
    document.body.dataset.asOf = summary.as_of;
    const counts = Object.entries(summary.agents.by_activity).map(([k, v]) => k + ": " + v).join(" · ");
    document.getElementById("activity-counts").textContent = counts || "No agent has reported a state yet.";
  }

  function renderQueues(result) {
    const body = document.querySelector("#queues tbody");
    body.replaceChildren();
    for (const q of result.queues) {
      const tr = document.createElement("tr");
      tr.dataset.accountSid = q.account_sid; // a row is one account's queue
      tr.dataset.queueSid = q.queue_sid;
      setSla(tr, q.sla_status);
      cell(tr, q.queue_name || q.queue_sid);
      cell(tr, format(q.waiting), "", q.waiting);
      cell(tr, format(q.longest_waiting, "duration"), "", q.longest_waiting);
      cell(tr, format(q.received), "", q.received);
      cell(tr, format(q.handled), "", q.handled);
      cell(tr, format(q.abandoned), "", q.abandoned);
      cell(tr, format(q.avg_wait_time, "duration"), "", q.avg_wait_time);
      cell(tr, format(q.avg_abandon_time, "duration"), "", q.avg_abandon_time);
      cell(tr, format(q.service_level_pct, "pct"), "", q.service_level_pct);
      cell(tr, q.sla_status + " (" + q.sla_threshold_seconds + "s)", "sla", q.sla_status);
      cell(tr, format(q.agents_available), "", q.agents_available);
      body.appendChild(tr);
    }
  }

  function renderFilter(result) {
    const box = document.getElementById("queue-filter");
    if (box.dataset.built === "1" && box.dataset.count === String(result.queues.length)) return;
    box.replaceChildren();
    const legend = document.createElement("legend");
    legend.textContent = "Queues";
    box.appendChild(legend);
    for (const q of result.queues) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.value = q.queue_sid;
      input.checked = selected.includes(q.queue_sid);
      input.addEventListener("change", () => {
        selected = [...box.querySelectorAll("input:checked")].map(i => i.value);
        updateUrl();
        refresh();
      });
      label.append(input, " " + (q.queue_name || q.queue_sid));
      box.appendChild(label);
    }
    box.dataset.built = "1";
    box.dataset.count = String(result.queues.length);
  }

  function renderAgents(result) {
    const body = document.querySelector("#agents tbody");
    body.replaceChildren();
    for (const a of result.agents) {
      const tr = document.createElement("tr");
      tr.dataset.agentSid = a.agent_sid;
      tr.className = a.available ? "available" : "";
      cell(tr, a.agent_name || a.agent_sid);
      cell(tr, a.activity_name || "–");
      cell(tr, duration(a.seconds_in_activity));
      cell(tr, String(a.active_reservations), "", a.active_reservations);
      cell(tr, a.channels.map(c => c.channel + " " + c.active_reservations + (c.capacity !== null ? "/" + c.capacity : "")).join(", ") || "–");
      body.appendChild(tr);
    }
  }

  // Hand-drawn SVG: bars (one or several series) or a line with an optional target line.
  function chart(id, labels, series, options) {
    const svg = document.getElementById(id);
    svg.replaceChildren();
    const w = 400, h = 180, left = 34, bottom = 22, top = 8;
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    const max = Math.max(options.max || 0, 1, ...series.flatMap(s => s.values.filter(v => v !== null)));
    const plotW = w - left - 6, plotH = h - bottom - top;
    const y = v => top + plotH - (v / max) * plotH;
    const add = (name, attrs, text) => {
      const el = document.createElementNS(svgNs, name);
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      if (text !== undefined) el.textContent = text;
      svg.appendChild(el);
      return el;
    };
    add("line", { x1: left, y1: top + plotH, x2: w - 6, y2: top + plotH, class: "axis" });
    add("text", { x: 2, y: top + 8 }, String(Math.round(max)));
    add("text", { x: 2, y: top + plotH }, "0");
    const n = Math.max(labels.length, 1), slot = plotW / n;
    const step = Math.ceil(n / 8);
    labels.forEach((label, i) => { if (i % step === 0) add("text", { x: left + i * slot, y: h - 6 }, label); });
    if (options.line) {
      const s = series[0];
      const points = s.values.map((v, i) => v === null ? null : (left + i * slot + slot / 2) + "," + y(v)).filter(Boolean);
      if (points.length) add("polyline", { points: points.join(" "), class: "line-sl" });
      if (options.target !== undefined) add("line", { x1: left, x2: w - 6, y1: y(options.target), y2: y(options.target), class: "line-target" });
    } else {
      const barW = Math.max(1, slot / series.length - 1);
      series.forEach((s, k) => s.values.forEach((v, i) => {
        if (v === null || v === 0) return;
        const r = add("rect", { x: left + i * slot + k * barW, y: y(v), width: barW, height: top + plotH - y(v), class: s.cls });
        r.appendChild(Object.assign(document.createElementNS(svgNs, "title"), { textContent: s.name + " " + labels[i] + ": " + v }));
      }));
    }
  }

  function renderHistory(history) {
    const labels = history.buckets.map(b => b.label);
    document.getElementById("history-label").textContent =
      history.range === "week" ? "(last 7 days)" : history.range === "hour" ? "(" + history.date + " " + String(history.hour).padStart(2, "0") + ":00)" : "(" + history.date + ")";
    chart("chart-wait", labels, [{ name: "avg wait", cls: "bar-wait", values: history.buckets.map(b => b.avg_wait_time) }], {});
    chart("chart-volume", labels, [
      { name: "queued", cls: "bar-offered", values: history.buckets.map(b => b.offered) },
      { name: "handled", cls: "bar-handled", values: history.buckets.map(b => b.handled) },
      { name: "abandoned", cls: "bar-abandoned", values: history.buckets.map(b => b.abandoned) },
    ], {});
    chart("chart-sl", labels, [{ name: "service level", values: history.buckets.map(b => b.service_level_pct) }], { line: true, max: 100, target: 80 });
  }

  function historyQuery() {
    if (range === "today-hour") return { range: "today", by: "hour" };
    if (range === "hour") return { range: "hour", hour: String(hour) };
    return { range: range };
  }

  function updateUrl() {
    const q = new URLSearchParams(location.search);
    if (selected.length) q.set("queues", selected.join(",")); else q.delete("queues");
    q.set("range", range);
    if (range === "hour") q.set("hour", String(hour)); else q.delete("hour");
    history.replaceState(null, "", "?" + q.toString());
  }

  async function refresh() {
    const error = document.getElementById("error");
    try {
      const [summary, queues] = await Promise.all([api("summary"), api("queues")]);
      renderSummary(summary);
      renderQueues(queues);
      if (!wall) {
        const [all, agents, history] = await Promise.all([
          selected.length ? api("queues", {}, true) : Promise.resolve(queues),
          api("agents"), api("history", historyQuery())]);
        renderFilter(all);
        renderAgents(agents);
        renderHistory(history);
      }
      error.textContent = "";
      document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
    } catch (e) {
      error.textContent = "Could not refresh: " + e.message;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (wall) document.body.classList.add("wall");
    document.getElementById("cadence").textContent = String(refreshSeconds);
    const hourSelect = document.getElementById("hour");
    for (let h = 0; h < 24; h++) hourSelect.add(new Option(String(h).padStart(2, "0") + ":00", String(h), false, h === hour));
    document.querySelectorAll("input[name=range]").forEach(r => {
      r.checked = r.value === range;
      r.addEventListener("change", () => { range = r.value; updateUrl(); refresh(); });
    });
    hourSelect.addEventListener("change", () => { hour = Number(hourSelect.value); range = "hour"; document.querySelector("input[value=hour]").checked = true; updateUrl(); refresh(); });
    const wallLink = document.getElementById("wall-link");
    const wq = new URLSearchParams(location.search); wq.set("mode", "wall"); wallLink.href = "?" + wq.toString();
    refresh();
    setInterval(refresh, refreshSeconds * 1000);
  });
})();
