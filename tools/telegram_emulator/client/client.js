// A minimal Telegram client for the emulator's demo user: send text, show the bot's replies, its reply
// keyboard (pressing a button sends the button's text, as Telegram does) and inline buttons under a reply
// (a tap goes to the bot as a callback query; the bot's answer shows in the status line).
"use strict";

const state = { chatId: null, lastId: 0, keyboard: null, keyboardAnswered: false };
const list = document.getElementById("messages");
const keyboard = document.getElementById("keyboard");
const input = document.getElementById("text");
const statusLine = document.getElementById("status");

async function send(text) {
  const response = await fetch(`/emulator/chats/${state.chatId}/messages`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }),
  });
  if (!response.ok) statusLine.textContent = "The message could not be sent.";
  if (state.keyboard && state.keyboard.one_time_keyboard) state.keyboardAnswered = true;
  renderKeyboard();
  await refresh();
}

function renderKeyboard() {
  keyboard.replaceChildren();
  const rows = state.keyboard && !state.keyboardAnswered ? state.keyboard.keyboard : [];
  for (const row of rows) {
    for (const button of row) {
      const element = document.createElement("button");
      element.type = "button";
      element.textContent = typeof button === "string" ? button : button.text;
      element.addEventListener("click", () => send(element.textContent));
      keyboard.append(element);
    }
  }
  keyboard.hidden = rows.length === 0;
}

async function tap(messageId, data) {
  const response = await fetch(`/emulator/chats/${state.chatId}/taps`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ message_id: messageId, data }),
  });
  if (!response.ok) { statusLine.textContent = "That button no longer works."; return; }
  const { callback_query_id: queryId } = await response.json();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const answer = await (await fetch(`/emulator/callbacks/${encodeURIComponent(queryId)}`)).json();
    if (answer.answered) { statusLine.textContent = answer.text; return; }
    await new Promise((resolve) => { setTimeout(resolve, 200); });
  }
}

function inlineButtons(message) {
  const group = document.createElement("div");
  group.className = "inline-keyboard";
  for (const row of message.reply_markup.inline_keyboard) {
    for (const button of row) {
      const element = document.createElement("button");
      element.type = "button";
      element.textContent = button.text;
      element.addEventListener("click", () => tap(message.message_id, button.callback_data));
      group.append(element);
    }
  }
  return group;
}

function show(message) {
  const item = document.createElement("li");
  item.className = message.from;
  item.dataset.id = String(message.message_id);
  fill(item, message);
  list.append(item);
  const markup = message.reply_markup;
  if (message.from === "bot" && markup) {
    if (markup.keyboard) { state.keyboard = markup; state.keyboardAnswered = false; }
    if (markup.remove_keyboard) state.keyboard = null;
  }
}

function fill(item, message) {
  item.textContent = message.text;
  item.dataset.markup = JSON.stringify(message.reply_markup || null);
  if (message.reply_markup && message.reply_markup.inline_keyboard) item.append(inlineButtons(message));
}

async function refresh() {
  // The whole chat each time: a message the bot deleted (one holding a card number) disappears, as in Telegram.
  const response = await fetch(`/emulator/chats/${state.chatId}/messages`);
  if (!response.ok) return;
  const { messages } = await response.json();
  const present = new Set(messages.map((message) => String(message.message_id)));
  for (const item of [...list.children]) if (!present.has(item.dataset.id)) item.remove();
  // A message whose inline buttons the bot edited (a tick on the chosen rating) is drawn again.
  for (const message of messages) {
    const item = list.querySelector(`li[data-id="${message.message_id}"]`);
    if (item && item.dataset.markup !== JSON.stringify(message.reply_markup || null)) fill(item, message);
  }
  const added = messages.filter((message) => message.message_id > state.lastId);
  for (const message of added) {
    show(message);
    state.lastId = message.message_id;
  }
  if (added.length) {
    renderKeyboard();
    list.scrollTop = list.scrollHeight;
  }
}

async function start() {
  const status = await (await fetch("/emulator/status")).json();
  state.chatId = status.demo_chat_id;
  document.getElementById("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    input.value = "";
    if (text) send(text);
  });
  if (!(await (await fetch(`/emulator/chats/${state.chatId}/messages`)).json()).messages.length) {
    await send("/start");
  }
  await refresh();
  setInterval(refresh, 700);
}

start();
