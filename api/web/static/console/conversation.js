/* The conversation page: new messages appear as the server pushes them, and replies are sent without a reload.
   Without a stream it polls /console/api/conversations/{id}. */
import { getJson, listen, postForm } from "./poll.js";

const layout = document.querySelector("[data-conversation]");
const id = layout.dataset.conversation;
const transcript = document.querySelector("[data-testid='transcript']");
const status = document.querySelector("[data-testid='handoff-status']");
const form = document.querySelector("[data-reply-form]");
const error = document.querySelector("[data-reply-error]");
let lastId = Number(layout.dataset.lastId || 0);

function addLine(message) {
  if (message.id <= lastId) return;
  lastId = message.id;
  const li = document.createElement("li");
  li.className = `line line--${message.sender}`;
  li.dataset.id = message.id;
  const who = document.createElement("span");
  who.className = "line__who";
  who.textContent = message.sender === "officer" ? message.author : message.sender[0].toUpperCase() + message.sender.slice(1);
  const text = document.createElement("span");
  text.className = "line__text";
  text.textContent = message.text;
  const time = document.createElement("time");
  time.className = "line__time";
  time.dateTime = message.created_at;
  time.textContent = new Date(message.created_at).toLocaleTimeString("en-GB", {
    hour: "2-digit", minute: "2-digit", timeZone: layout.dataset.timezone || "Europe/London",
  });
  li.append(who, text, time);
  transcript.append(li);
  transcript.scrollTop = transcript.scrollHeight;
}

/** Show the hub's new text of an earlier message (it hid a card number the resident finished later). */
function replaceText(message) {
  const text = transcript.querySelector(`li[data-id="${message.id}"] .line__text`);
  if (text && text.textContent !== message.text) text.textContent = message.text;
}

transcript.scrollTop = transcript.scrollHeight;

/** A change of the handoff (taken, handed back, resolved) changes what the page offers: load it again. */
function showStatus(state) {
  if (state.status !== status.dataset.status) window.location.reload();
}

listen(
  () => `/console/api/conversations/${id}/events?after=${lastId}`,
  { message: addLine, rewritten: replaceText, status: showStatus },
  async () => {
    const update = await getJson(`/console/api/conversations/${id}?after=${lastId}`);
    for (const message of update.messages) addLine(message);
    for (const message of update.rewritten ?? []) replaceText(message);
    showStatus(update);
  },
  1500,
);

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = form.querySelector("textarea");
  const text = input.value.trim();
  if (!text) return;
  error.hidden = true;
  try {
    const { message } = await postForm(form.action, { text });
    addLine(message);
    input.value = "";
    input.focus();
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  }
});

form?.querySelector("textarea").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});
