/* The queue page: rebuilds its rows whenever the server pushes the queue (a handoff was added or changed), so new
   handoffs appear; without a stream it polls /console/api/queue every two seconds. */
import { getJson, listen } from "./poll.js";

const table = document.querySelector("[data-testid='queue']");
const rows = document.querySelector("[data-queue-rows]");
const empty = document.querySelector("[data-queue-empty]");
const csrf = table.dataset.csrf;
const baseTitle = document.title;

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function row(item, isNew) {
  const tr = document.createElement("tr");
  tr.dataset.reference = item.reference;
  tr.className = `priority-${item.priority}${isNew ? " is-new" : ""}`;
  const priority = document.createElement("td");
  const pill = document.createElement("span");
  pill.className = `pill pill--${item.priority}`;
  pill.textContent = item.priority;
  priority.append(pill);
  const reason = cell(item.reason_name);
  const reference = document.createElement("span");
  reference.className = "hint";
  reference.textContent = item.reference;
  reason.append(document.createElement("br"), reference);
  const status = item.status === "claimed" ? `With ${item.claimed_by}` : item.status === "callback" ? "Callback" : "Waiting";
  const action = document.createElement("td");
  if (item.status === "claimed") {
    const link = document.createElement("a");
    link.href = `/console/conversations/${item.conversation_id}`;
    link.textContent = "Open";
    action.append(link);
  } else {
    const form = document.createElement("form");
    form.method = "post";
    form.action = `/console/handoffs/${item.reference}/claim`;
    const token = document.createElement("input");
    Object.assign(token, { type: "hidden", name: "csrf_token", value: csrf });
    const button = document.createElement("button");
    Object.assign(button, { type: "submit", className: "primary", textContent: "Take" });
    button.dataset.testid = "claim";
    form.append(token, button);
    action.append(form);
  }
  tr.append(priority, reason, cell(item.wanted || "Not known"), cell(item.channel), cell(`${item.waited_minutes} min`),
    cell(status), action);
  return tr;
}

function show(items) {
  const known = new Set([...rows.querySelectorAll("tr")].map((tr) => tr.dataset.reference));
  rows.replaceChildren(...items.map((item) => row(item, !known.has(item.reference))));
  empty.hidden = items.length > 0;
  const waiting = items.filter((item) => item.status !== "claimed").length;
  document.title = waiting ? `(${waiting}) ${baseTitle}` : baseTitle;
}

listen(
  () => "/console/api/queue/events",
  { queue: ({ items }) => show(items) },
  async () => show((await getJson("/console/api/queue")).items),
  2000,
);
