/*
 * The conversation hub's resident-facing HTTP contract (/api/chat), and where the widget keeps the
 * conversation's id and token between page loads (sessionStorage, key "ca-chat").
 */

const STORAGE_KEY = "ca-chat";

/** A refused or failed call; `status` is 0 when the network failed. */
export class HubError extends Error {
  /** `detail` is the hub's own sentence for the resident (a busy or rate-limit answer), when it sent one. */
  constructor(status, detail = "") {
    super(`the hub answered ${status}`);
    this.name = "HubError";
    this.status = status;
    this.detail = detail;
  }
}

async function readDetail(response) {
  try {
    const body = await response.json();
    return typeof body.detail === "string" ? body.detail : "";
  } catch (error) {
    return "";
  }
}

export function createHubClient(base) {
  const conversationPath = (session, suffix) =>
    `${base}/conversations/${encodeURIComponent(session.conversation_id)}${suffix}`;

  async function request(method, url, token, body) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch (error) {
      throw new HubError(0);
    }
    if (!response.ok) throw new HubError(response.status, await readDetail(response));
    return response.json();
  }

  return {
    createConversation: () => request("POST", `${base}/conversations`, null, { channel: "web" }),
    sendMessage: (session, text) =>
      request("POST", conversationPath(session, "/messages"), session.token, { text }),
    listMessages: (session) => request("GET", conversationPath(session, "/messages"), session.token),
    rateAnswer: (session, messageId, helpful) =>
      request("PUT", conversationPath(session, `/messages/${encodeURIComponent(String(messageId))}/rating`),
        session.token, { helpful }),
    // EventSource cannot send headers, so the stream takes the token as a query parameter.
    eventsUrl: (session, afterId) =>
      `${conversationPath(session, "/events")}?token=${encodeURIComponent(session.token)}` +
      `&after=${encodeURIComponent(String(afterId))}`,
  };
}

/* sessionStorage can be unavailable (some private modes): the chat then works but won't survive a reload. */

export function readStorage(key) {
  try { return window.sessionStorage.getItem(key); } catch (error) { return null; }
}

export function writeStorage(key, value) {
  try {
    if (value === null) window.sessionStorage.removeItem(key);
    else window.sessionStorage.setItem(key, value);
  } catch (error) { /* see above */ }
}

export function loadSession() {
  try {
    const session = JSON.parse(readStorage(STORAGE_KEY) || "null");
    if (session && session.conversation_id && session.token) return session;
  } catch (error) { /* a damaged entry counts as no conversation */ }
  return null;
}

export function saveSession(session) {
  writeStorage(STORAGE_KEY, session ? JSON.stringify(session) : null);
}
