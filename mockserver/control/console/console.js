// The mock's live console: everything shown is read from the control plane, every action is a
// control-plane call (the same ones any client makes), so what it shows is what a client would see.
"use strict";

const ADMIN = "/__admin";
const POLL_MS = 1000;
let state = null;
let chosen = null; // {account, agent}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function problem(message) {
  document.getElementById("problem").textContent = message || "";
}

async function api(method, path, body) {
  const options = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const answer = await fetch(ADMIN + path, options);
  const payload = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    const message = `${method} ${path}: ${answer.status} ${payload.message || answer.statusText}`;
    problem(message);
    throw new Error(message);
  }
  return payload;
}

async function act(method, path, body) {
  problem("");
  try {
    await api(method, path, body);
  } catch (error) {
    return;
  }
  await refresh();
}

function agentPath() {
  return `/accounts/${encodeURIComponent(chosen.account)}/agents/${encodeURIComponent(chosen.agent)}`;
}

// -- the state --------------------------------------------------------------------------------------

async function refresh() {
  try {
    const [document_, clock, faults, health] = await Promise.all([
      api("GET", "/state"), api("GET", "/clock"), api("GET", "/faults"), api("GET", "/health"),
    ]);
    state = document_;
    document.getElementById("clock").textContent = `${clock.frozen ? "frozen at" : "now"} ${clock.now}`;
    document.getElementById("health").textContent = `${health.status} · ${health.store.kind} · state ${health.state_version}`;
    renderAgents();
    renderTokens();
    renderFaults(faults.faults);
    if (chosen) await renderAgent(clock.now);
  } catch (error) {
    // shown in the problem line already
  }
}

function renderAgents() {
  const list = document.getElementById("agents");
  list.replaceChildren();
  for (const account of state.accounts) {
    const agents = el("ul");
    for (const agent of account.agents) {
      const isChosen = chosen && chosen.account === account.key && chosen.agent === agent.id;
      agents.append(el("li", {}, el("button", {
        class: "agent" + (isChosen ? " chosen" : ""), "data-agent": agent.id, "data-account": account.key,
        onclick: () => { chosen = { account: account.key, agent: agent.id }; refresh(); },
      }, `${agent.id} (${agent.interactions.length})`)));
    }
    list.append(el("li", {}, el("strong", {}, account.key), agents));
  }
}

function renderTokens() {
  const list = document.getElementById("tokens");
  list.replaceChildren();
  for (const token of state.tokens) {
    const shown = token.token.length > 12 ? token.token.slice(0, 4) + "…" + token.token.slice(-3) : token.token;
    list.append(el("li", {}, `${shown} → ${token.account}${token.expires ? " (expires " + token.expires + ")" : ""} `,
      el("button", { "data-revoke": token.token, onclick: () => act("DELETE", "/tokens/" + encodeURIComponent(token.token)) }, "revoke")));
  }
}

function renderFaults(faults) {
  const list = document.getElementById("faults");
  list.replaceChildren();
  if (!faults.length) list.append(el("li", {}, "none"));
  for (const fault of faults) {
    const what = Object.entries(fault).filter(([name]) => name !== "id").map(([name, value]) => `${name}=${JSON.stringify(value)}`);
    list.append(el("li", { class: "fault" }, `#${fault.id} ${what.join(" ")} `,
      el("button", { onclick: () => act("DELETE", "/faults/" + fault.id) }, "remove")));
  }
}

// -- one agent: its channels on a line of time, and what each version answers -----------------------

async function renderAgent(now) {
  const account = state.accounts.find((a) => a.key === chosen.account);
  const agent = account && account.agents.find((a) => a.id === chosen.agent);
  document.getElementById("agent-title").textContent = agent ? `${chosen.agent} of ${chosen.account}` : "Choose an agent";
  const timeline = document.getElementById("timeline");
  timeline.replaceChildren();
  if (!agent) return;
  const end = Date.parse(now);
  const rows = [];
  for (const interaction of agent.interactions) {
    for (const channel of interaction.channels) {
      rows.push({ interaction, channel, from: Date.parse(channel.start), to: channel.end ? Date.parse(channel.end) : end });
    }
  }
  const first = Math.min(end, ...rows.map((row) => row.from));
  const span = Math.max(1, end - first);
  rows.sort((a, b) => a.from - b.from);
  for (const row of rows) {
    const active = !row.channel.end;
    const bar = el("div", {
      class: "bar" + (active ? " active" : ""),
      style: `left:${((row.from - first) / span) * 100}%;width:${Math.max(0.3, ((row.to - row.from) / span) * 100)}%`,
    });
    const label = `${row.interaction.type} ${row.channel.channelGuid.slice(0, 8)} ${row.channel.start}${active ? " (active)" : " → " + row.channel.end}`;
    const line = el("div", { class: "channel", "data-channel": row.channel.channelGuid, title: label }, bar, el("span", { class: "label" }, label));
    if (active) {
      line.append(el("button", {
        "data-end": row.channel.channelGuid,
        onclick: () => act("POST", `${agentPath()}/channels/${row.channel.channelGuid}/end`, {}),
      }, "end"));
    }
    timeline.append(line);
  }
  for (const interaction of agent.interactions) {
    if (interaction.channels.some((channel) => !channel.end)) {
      timeline.append(el("button", {
        "data-add-channel": interaction.guid,
        onclick: () => act("POST", `${agentPath()}/interactions/${interaction.guid}/channels`, {}),
      }, `add a channel to ${interaction.guid.slice(0, 8)}`));
    }
  }
  if (!rows.length) timeline.append("no interactions");
  await renderAnswers();
}

function laterPane(key, version) {
  let pane = document.getElementById(`answer-${key}`);
  if (!pane) {
    const box = document.createElement("div");
    const title = document.createElement("h4");
    title.textContent = `version ${version}`;
    pane = document.createElement("pre");
    pane.id = `answer-${key}`;
    pane.dataset.testid = `answer-${key}`;
    box.append(title, pane);
    document.querySelector(".answers").append(box);
  }
  return pane;
}

async function renderAnswers() {
  const form = document.getElementById("v2-query");
  const query = new URLSearchParams({ size: form.size.value || "10", type: form.type.value });
  if (form.activeLiveFirst.checked) query.set("activeLiveFirst", "true");
  try {
    const answers = await api("GET", `${agentPath()}/answers?${query}`);
    document.getElementById("answer-v1").textContent = answers.v1 ? JSON.stringify(answers.v1, null, 1) : "(version 1 not served)";
    document.getElementById("answer-v2").textContent = answers.v2 ? JSON.stringify(answers.v2, null, 1) : "(version 2 not served)";
    for (const [key, value] of Object.entries(answers)) {
      const later = /^v(\d+)$/.exec(key);  // a version the spec declares after 2 (version 3...)
      if (later && Number(later[1]) > 2) laterPane(key, later[1]).textContent = JSON.stringify(value, null, 1);
    }
  } catch (error) {
    document.getElementById("answer-v2").textContent = error.message;
  }
}

// -- the journal, live ------------------------------------------------------------------------------

const SHOWN = 300;
let journalRows = [];
let lastId = null;
let polls = 0;

// Every second the entries after the last one shown, and every fifth time the whole journal (it may
// have been cleared, or another filter typed): the mock explains only what is new.
async function refreshJournal(whole) {
  const filter = document.getElementById("journal-filter");
  const query = new URLSearchParams();
  if (filter.agent.value) query.set("agent", filter.agent.value);
  if (filter.status.value) query.set("status", filter.status.value);
  const incremental = !whole && lastId !== null && polls++ % 5 !== 0;
  if (incremental) query.set("after", String(lastId));
  query.set("last", String(SHOWN));
  let journal;
  try {
    journal = await api("GET", "/journal" + (query.size ? "?" + query : ""));
  } catch (error) {
    return;
  }
  const fresh = journal.requests.slice().reverse();
  journalRows = (incremental ? fresh.concat(journalRows) : fresh).slice(0, SHOWN);
  if (journalRows.length) lastId = Math.max(lastId ?? 0, journalRows[0].id);
  if (!incremental) lastId = journalRows.length ? journalRows[0].id : null;
  const body = document.getElementById("journal");
  body.replaceChildren();
  for (const entry of journalRows) {
    const asked = Object.entries(entry.query || {}).map(([name, values]) => values.map((v) => `${name}=${v}`).join("&")).join("&");
    const accept = entry.accept.length ? entry.accept.join(", ") : "no Accept";
    const status = entry.status === null ? "dropped" : String(entry.status);
    body.append(el("tr", { class: "s" + status[0], "data-id": entry.id },
      el("td", {}, String(entry.id)),
      el("td", {}, entry.at.slice(11, 23)),
      el("td", {}, `${entry.method} ${entry.path}${asked ? "?" + asked : ""} · ${accept}`),
      el("td", { class: "status" }, status + (entry.fault ? ` (fault: ${entry.fault})` : "")),
      el("td", { class: "why" }, `${entry.explanation.step}: ${entry.explanation.why}`)));
  }
}

// -- actions ----------------------------------------------------------------------------------------

function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form).entries()) if (value !== "") values[name] = value;
  return values;
}

document.getElementById("start-interaction").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!chosen) return problem("Choose an agent first.");
  act("POST", `${agentPath()}/interactions`, formValues(event.target));
});
document.getElementById("add-token").addEventListener("submit", (event) => {
  event.preventDefault();
  act("POST", "/tokens", formValues(event.target));
});
document.getElementById("add-fault").addEventListener("submit", (event) => {
  event.preventDefault();
  const values = formValues(event.target);
  const fault = { kind: values.kind };
  if (values.kind === "status") fault.status = Number(values.status);
  if (values.kind === "delay") fault.delay_ms = Number(values.delay_ms);
  if (values.agent) fault.agent = values.agent;
  if (values.count) fault.count = Number(values.count);
  act("POST", "/faults", fault);
});
document.getElementById("clear-faults").addEventListener("click", () => act("DELETE", "/faults"));
document.getElementById("freeze").addEventListener("click", () => act("PUT", "/clock", {}));
document.getElementById("release").addEventListener("click", () => act("DELETE", "/clock"));
document.getElementById("advance").addEventListener("click", () => {
  const seconds = Number(document.querySelector("#clock-actions [name=seconds]").value);
  act("POST", "/clock/advance", { seconds });
});
document.getElementById("v2-query").addEventListener("change", () => renderAnswers());
document.getElementById("journal-filter").addEventListener("input", () => refreshJournal(true));

refresh();
refreshJournal(true);
setInterval(() => refreshJournal(false), POLL_MS);
setInterval(refresh, 2 * POLL_MS);
