/*
 * The "Ask us a question" chat widget: opens a panel, sends the resident's messages to the conversation
 * hub and shows the replies, and listens on the hub's event stream for later ones (officers).
 *
 * The hub owns the conversation. The widget keeps only its id and token (so a reload restores the
 * transcript), shows messages in the order of their hub ids and ignores any it has already shown:
 * the event stream repeats the replies a POST returned, and echoes the resident's own messages.
 */
import { HubError, createHubClient, loadSession, readStorage, saveSession, writeStorage } from "./chat/hub.js";
import { appendRichText, buildButtons, buildMessageElement, buildRating } from "./chat/messages.js";

const OPEN_KEY = "ca-chat-open";
const MAX_LENGTH = 2000;
const RECONNECT_MIN_MS = 1000;
const RECONNECT_MAX_MS = 30000;
const FORGOTTEN = new Set([401, 404]); // the hub no longer accepts this conversation's id or token
const BUSY = new Set([429, 503]); // the hub is busy or limiting: it sends a sentence for the resident

class ChatWidget {
  constructor(root) {
    const part = (selector) => root.querySelector(selector);
    this.hub = createHubClient(root.dataset.apiBase || "/api/chat");
    this.phone = root.dataset.councilPhone || "";
    this.launcher = part("[data-testid='chat-launcher']");
    this.panel = part("[data-testid='chat-panel']");
    this.log = part("[data-testid='chat-log']");
    this.form = part("[data-chat-form]");
    this.input = part("[data-testid='chat-input']");
    this.sendButton = part("[data-testid='chat-send']");
    this.closeButton = part("[data-chat-close]");
    this.typing = part("[data-chat-typing]");
    this.error = part("[data-chat-error]");
    this.badge = part("[data-chat-badge]");

    this.session = loadSession();
    this.shown = new Map(); // hub message id -> element
    this.lastId = 0;
    this.pending = []; // resident bubbles shown before the hub echoed them with an id, oldest first
    this.buttonTitles = new Map(); // payload -> title, to show a restored payload as the resident saw it
    this.sending = false;
    this.creating = null;
    this.source = null;
    this.reconnectTimer = null;
    this.reconnectDelay = RECONNECT_MIN_MS;
    this.unread = 0;

    this.bindEvents();
    if (this.session) this.catchUp();
    if (readStorage(OPEN_KEY) === "true") this.open({ focus: false });
  }

  bindEvents() {
    this.launcher.addEventListener("click", () => {
      if (this.panel.hidden) this.open({ focus: true });
      else this.close();
    });
    this.closeButton.addEventListener("click", () => this.close());
    this.panel.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      this.close();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      this.sendTyped();
    });
    this.input.addEventListener("input", () => this.clearError());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendTyped();
    });
    this.log.addEventListener("click", (event) => {
      const rating = event.target.closest(".chat-rating__button");
      if (rating) {
        this.rate(rating);
        return;
      }
      const button = event.target.closest(".chat-button");
      if (!button) return;
      // Back to the input, so a keyboard or screen reader user carries on where they type.
      this.input.focus();
      if (button.dataset.action === "rephrase") return; // "Ask in other words": the input is ready
      this.send(button.dataset.payload, button.textContent, { typed: false });
    });
  }

  /* ----- the panel ----- */

  open({ focus }) {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    writeStorage(OPEN_KEY, "true");
    this.setUnread(0);
    this.scrollToEnd();
    if (focus) this.input.focus();
    // The conversation exists from the first open (nothing is sent), so the event stream can start.
    this.ensureConversation().catch(() => { /* tried again when the resident sends */ });
  }

  close() {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    writeStorage(OPEN_KEY, null);
    this.launcher.focus();
  }

  setUnread(count) {
    this.unread = count;
    this.badge.hidden = count === 0;
    this.badge.replaceChildren();
    if (count === 0) return;
    const number = document.createElement("span");
    number.setAttribute("aria-hidden", "true");
    number.textContent = String(count);
    const spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.textContent = `, ${count} new ${count === 1 ? "message" : "messages"}`;
    this.badge.append(number, spoken);
  }

  /* ----- the conversation and its event stream ----- */

  ensureConversation() {
    if (this.session) return Promise.resolve(this.session);
    this.creating ??= this.hub.createConversation()
      .then(({ conversation_id, token }) => {
        this.session = { conversation_id, token };
        saveSession(this.session);
        this.connectEvents();
        return this.session;
      })
      .finally(() => { this.creating = null; });
    return this.creating;
  }

  forgetConversation() {
    this.disconnectEvents();
    this.session = null;
    saveSession(null);
    // Ids belong to the old conversation: its messages stay on screen, out of the ordering.
    for (const element of this.shown.values()) element.removeAttribute("data-id");
    this.shown.clear();
    this.lastId = 0;
  }

  /** Fetch the whole transcript (after a reload or a lost stream), then listen for new messages. */
  async catchUp() {
    const session = this.session;
    try {
      const transcript = await this.hub.listMessages(session);
      if (this.session !== session) return;
      for (const message of transcript.messages) this.render(message, { live: false });
      this.connectEvents();
    } catch (error) {
      if (this.session !== session) return;
      if (FORGOTTEN.has(error.status)) this.forgetConversation();
      else this.scheduleReconnect();
    }
  }

  connectEvents() {
    if (!this.session || typeof window.EventSource !== "function") return;
    this.disconnectEvents();
    const source = new EventSource(this.hub.eventsUrl(this.session, this.lastId));
    source.addEventListener("open", () => { this.reconnectDelay = RECONNECT_MIN_MS; });
    source.addEventListener("message", (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      this.render(message, { live: true });
    });
    source.addEventListener("error", () => {
      // EventSource would reconnect by itself, but with the old `after`: reconnect from the newest id.
      if (this.source !== source) return;
      this.disconnectEvents();
      this.scheduleReconnect();
    });
    this.source = source;
  }

  disconnectEvents() {
    this.source?.close();
    this.source = null;
    window.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  scheduleReconnect() {
    if (!this.session || this.reconnectTimer) return;
    this.reconnectTimer = window.setTimeout(() => {
      this.reconnectTimer = null;
      if (this.session) this.catchUp();
    }, this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
  }

  /* ----- sending ----- */

  sendTyped() {
    const text = this.input.value.trim();
    this.send(text, text, { typed: true });
  }

  async send(text, shownText, { typed }) {
    if (this.sending || typeof text !== "string") return;
    if (!text.trim()) {
      this.showError("Please type your question first.");
      return;
    }
    if (text.length > MAX_LENGTH) {
      this.showError("Please keep your message to 2,000 characters or fewer.");
      return;
    }
    this.clearError();
    this.setSending(true);
    const bubble = this.addPendingResident(shownText);
    if (typed) this.input.value = "";
    try {
      const reply = await this.postWithRetry(text);
      bubble.classList.remove("is-pending");
      for (const message of reply.rewritten ?? []) this.render(message, { live: false });
      for (const message of reply.messages) this.render(message, { live: true });
    } catch (error) {
      this.dropPending(bubble);
      if (typed && !this.input.value) this.input.value = text;
      if (error instanceof HubError && (error.status === 422 || error.status === 413)) {
        // The hub's own sentence when it sent one (a message over the limit), never its list of problems.
        this.showError(error.detail ||
          "Sorry, we couldn't send that. Please write your question in 2,000 characters or fewer.");
      } else if (error instanceof HubError && BUSY.has(error.status) && error.detail) {
        this.addNote(error.detail);
      } else {
        this.addNote("Sorry, we couldn't send that. Please check your connection and try again, " +
          `or call ${this.phone}.`);
      }
    } finally {
      this.setSending(false);
    }
  }

  /** Send once; if the hub no longer knows the conversation, start a new one silently and send again. */
  async postWithRetry(text) {
    const session = await this.ensureConversation();
    try {
      return await this.hub.sendMessage(session, text);
    } catch (error) {
      if (!FORGOTTEN.has(error.status)) throw error;
      this.forgetConversation();
      return this.hub.sendMessage(await this.ensureConversation(), text);
    }
  }

  setSending(sending) {
    this.sending = sending;
    this.typing.hidden = !sending;
    // aria-disabled rather than disabled, so a focused Send button keeps the focus.
    if (sending) this.sendButton.setAttribute("aria-disabled", "true");
    else this.sendButton.removeAttribute("aria-disabled");
    this.scrollToEnd();
  }

  showError(text) {
    this.error.textContent = text;
    this.input.setAttribute("aria-invalid", "true");
    this.input.focus();
  }

  clearError() {
    if (!this.error.textContent) return;
    this.error.textContent = "";
    this.input.removeAttribute("aria-invalid");
  }

  /** Tell the hub whether a knowledge answer helped; the focus stays on the pressed button. */
  async rate(button) {
    const group = button.closest(".chat-rating");
    const thanks = group.querySelector(".chat-rating__thanks");
    if (!this.session || group.dataset.busy) return;
    group.dataset.busy = "true";
    try {
      const rated = await this.hub.rateAnswer(this.session, Number(group.dataset.messageId),
        button.dataset.helpful === "true");
      for (const other of group.querySelectorAll(".chat-rating__button")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      thanks.textContent = rated.thanks;
      this.offerNextSteps(group, button.dataset.helpful !== "true");
    } catch (error) {
      thanks.textContent = "Sorry, we couldn't save that. Please try again.";
    } finally {
      delete group.dataset.busy;
      this.scrollToEnd();
    }
  }

  /**
   * After "No", offer the two ways on as buttons as well as in words: talk to a person (sent as those words,
   * which the bot hands over on), or ask again (back to the input). "Yes" takes the offer away again.
   */
  offerNextSteps(group, notHelpful) {
    group.querySelector(".chat-rating__next")?.remove();
    if (!notHelpful) return;
    const next = buildButtons([
      { title: "Talk to a person", payload: "talk to a person" },
      { title: "Ask in other words", payload: "" },
    ]);
    next.classList.add("chat-rating__next");
    next.setAttribute("aria-label", "What next?");
    next.lastElementChild.dataset.action = "rephrase";
    group.append(next);
  }

  /* ----- the log ----- */

  addPendingResident(text) {
    const element = buildMessageElement("resident", text);
    element.classList.add("is-pending");
    this.pending.push(element);
    this.log.append(element);
    this.scrollToEnd();
    return element;
  }

  dropPending(element) {
    const index = this.pending.indexOf(element);
    if (index === -1) return; // the hub echoed it, so it was stored after all: keep it
    this.pending.splice(index, 1);
    element.remove();
  }

  addNote(text) {
    this.log.append(buildMessageElement("system", text));
    this.scrollToEnd();
  }

  /** Show a hub message once, in id order; a resident echo confirms the oldest pending bubble. */
  render(message, { live }) {
    if (!message || typeof message.id !== "number") return;
    if (this.shown.has(message.id)) {
      this.showStoredText(this.shown.get(message.id), message);
      return;
    }
    let element;
    if (message.sender === "resident" && this.pending.length) {
      element = this.pending.shift();
      element.classList.remove("is-pending");
      this.showStoredText(element, message);
    } else {
      element = buildMessageElement(message.sender, this.displayText(message), message.author);
      element.dataset.text = this.displayText(message);
      if (message.buttons?.length) {
        for (const { title, payload } of message.buttons) this.buttonTitles.set(payload, title);
        element.append(buildButtons(message.buttons));
      }
      if (message.rateable && message.sender === "bot") element.append(buildRating(message.id));
    }
    element.dataset.id = String(message.id);
    this.shown.set(message.id, element);
    this.lastId = Math.max(this.lastId, message.id);
    this.insertInOrder(element, message.id);

    if (message.sender !== "resident") this.typing.hidden = true;
    if (live && this.panel.hidden && (message.sender === "bot" || message.sender === "officer")) {
      this.setUnread(this.unread + 1);
    }
    this.scrollToEnd();
  }

  /**
   * Show what the hub stored: it hides a card number before storing, and rewrites earlier messages (and a
   * reply that repeated them) when a later one completes a number they began, so no bubble keeps it.
   */
  showStoredText(element, message) {
    const body = element.querySelector(".chat-message__text");
    const stored = this.displayText(message);
    if (!body || element.dataset.text === stored) return;
    body.replaceChildren();
    appendRichText(body, stored);
    element.dataset.text = stored;
  }

  displayText(message) {
    const text = String(message.text ?? "");
    if (message.sender === "resident" && text.startsWith("/")) return this.buttonTitles.get(text) ?? text;
    return text;
  }

  /** Place an element by hub id; elements without one (notes, unconfirmed bubbles) keep their place. */
  insertInOrder(element, id) {
    let later = null;
    let earlier = null;
    for (const other of this.log.children) {
      const otherId = Number(other.dataset.id);
      if (other === element || !otherId) continue;
      if (otherId > id && !later) later = other;
      if (otherId < id) earlier = other;
    }
    if (later) {
      if (element.nextElementSibling !== later) this.log.insertBefore(element, later);
    } else if (!element.parentNode) {
      this.log.append(element);
    } else if (earlier && element.compareDocumentPosition(earlier) & Node.DOCUMENT_POSITION_FOLLOWING) {
      earlier.after(element);
    }
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
    // In a short window the whole panel scrolls instead of the log (chat.css, max-height: 480px).
    this.panel.scrollTop = this.panel.scrollHeight;
  }
}

const root = document.querySelector("[data-chat]");
if (root) new ChatWidget(root);
