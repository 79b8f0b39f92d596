/* How one message looks in the log: who said it (shown, and spoken to screen readers) and its text. */

export const SENDERS = {
  resident: { label: "You", said: "You said:" },
  bot: { label: "Council Assistant", said: "Council Assistant said:" },
  officer: { label: "Officer", said: "Officer said:" },
  system: { label: "Notice", said: "Notice:" },
};

// A Markdown link [title](https://...) or a bare https:// address, without trailing punctuation.
const LINK_PATTERN = /\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)'])/g;

/** Append text to a container as text nodes, turning web addresses into links (never as HTML). */
export function appendRichText(container, text) {
  let last = 0;
  for (const match of text.matchAll(LINK_PATTERN)) {
    container.append(text.slice(last, match.index));
    const link = document.createElement("a");
    link.href = match[2] || match[3];
    link.textContent = match[1] || match[3];
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    const note = document.createElement("span");
    note.className = "visually-hidden";
    note.textContent = " (opens in a new tab)";
    link.append(note);
    container.append(link);
    last = match.index + match[0].length;
  }
  container.append(text.slice(last));
}

/**
 * Build a message element: class "chat-message", data-sender resident|bot|officer|system. An officer's
 * message is labelled with the officer's first name and team ("Priya, Customer Focus") when the hub gives it.
 */
export function buildMessageElement(sender, text, author = null) {
  const known = Object.hasOwn(SENDERS, sender) ? sender : "system";
  const element = document.createElement("div");
  element.className = known === "bot" ? "chat-message chat-message--bot" : "chat-message";
  element.dataset.sender = known;

  const label = document.createElement("p");
  label.className = "chat-message__who";
  label.setAttribute("aria-hidden", "true");
  const named = known === "officer" && author;
  label.textContent = named ? author : SENDERS[known].label;
  const spoken = document.createElement("span");
  spoken.className = "visually-hidden";
  spoken.textContent = named ? `${author} said: ` : `${SENDERS[known].said} `;
  const body = document.createElement("p");
  body.className = "chat-message__text";
  appendRichText(body, text);

  element.append(label, spoken, body);
  return element;
}

/** Build the group of reply buttons a bot message offers; each sends its payload when pressed. */
export function buildButtons(buttons) {
  const group = document.createElement("div");
  group.className = "chat-message__buttons";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Suggested replies");
  for (const { title, payload } of buttons) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chat-button";
    button.dataset.payload = payload;
    button.textContent = title;
    group.append(button);
  }
  return group;
}

/**
 * Build the "Was this helpful?" control under a knowledge answer: two buttons that say whether it helped,
 * and a line for the hub's thank-you. The group's name says what is asked; the pressed button stays pressed.
 */
export function buildRating(messageId) {
  const group = document.createElement("div");
  group.className = "chat-rating";
  group.dataset.messageId = String(messageId);
  group.setAttribute("role", "group");
  const question = document.createElement("span");
  question.className = "chat-rating__question";
  question.id = `chat-rating-${messageId}`;
  question.textContent = "Was this helpful?";
  group.setAttribute("aria-labelledby", question.id);
  group.append(question);
  for (const [helpful, title] of [[true, "Yes"], [false, "No"]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chat-rating__button";
    button.dataset.helpful = String(helpful);
    button.setAttribute("aria-pressed", "false");
    button.textContent = title;
    group.append(button);
  }
  const thanks = document.createElement("p");
  thanks.className = "chat-rating__thanks";
  group.append(thanks);
  return group;
}
