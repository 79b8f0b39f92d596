// A minimal Telegram client for the emulator's demo user: send text, show the bot's replies and its
// reply keyboard (pressing a button sends the button's text, as Telegram does).
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

function show(message) {
  const item = document.createElement("li");
  item.className = message.from;
  item.dataset.id = String(message.message_id);
  item.textContent = message.text;
  list.append(item);
  const markup = message.reply_markup;
  if (message.from === "bot" && markup) {
    if (markup.keyboard) { state.keyboard = markup; state.keyboardAnswered = false; }
    if (markup.remove_keyboard) state.keyboard = null;
  }
}

async function refresh() {
  // The whole chat each time: a message the bot deleted (one holding a card number) disappears, as in Telegram.
  const response = await fetch(`/emulator/chats/${state.chatId}/messages`);
  if (!response.ok) return;
  const { messages } = await response.json();
  const present = new Set(messages.map((message) => String(message.message_id)));
  for (const item of [...list.children]) if (!present.has(item.dataset.id)) item.remove();
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
