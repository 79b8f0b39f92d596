/* Shared by the console pages: JSON calls with the session's CSRF token, a polling loop that backs off, and
   `listen`, which takes the page's updates from a server-sent event stream and polls only without one. */

export function csrfToken() {
  return document.querySelector("meta[name='csrf-token']")?.content ?? "";
}

export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (response.status === 401) {
    window.location.assign("/console/sign-in?expired=true");
    throw new Error("signed out");
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

export async function postForm(url, fields) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
    body: new URLSearchParams(fields),
  });
  if (response.status === 401) window.location.assign("/console/sign-in?expired=true");
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || "That did not work. Please try again.");
  return body;
}

/** Call ``tick`` every ``everyMs`` (slower after failures, never overlapping); return a function that stops it. */
export function poll(tick, everyMs) {
  let delay = everyMs;
  let timer = null;
  let stopped = false;
  const run = async () => {
    try {
      await tick();
      delay = everyMs;
    } catch {
      delay = Math.min(delay * 2, 30000);
    }
    if (!stopped) timer = window.setTimeout(run, delay);
  };
  timer = window.setTimeout(run, everyMs);
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}

const RETRY_MIN_MS = 5000;
const RETRY_MAX_MS = 60000;

/**
 * Take the page's updates from the event stream at ``url()`` (``handlers``: event name -> function of its data).
 *
 * A dropped connection is reconnected by EventSource itself, resuming after the last event's id. A stream that
 * cannot be had (no EventSource in this browser, or refused: signed out, too many windows, the server away)
 * leaves the page polling with ``tick`` every ``everyMs``, which also notices a signed-out session; the stream
 * is tried again now and then, and polling stops once it opens. A ``gone`` event (the session ended, or the
 * conversation may no longer be seen) reloads the page, which then says why as any page would.
 */
export function listen(url, handlers, tick, everyMs) {
  if (typeof window.EventSource !== "function") {
    poll(tick, everyMs);
    return;
  }
  let stopPolling = null;
  let retryMs = RETRY_MIN_MS;
  let leaving = false;
  // A form submitted the ordinary way (not taken over by a script) is leaving the page.
  window.addEventListener("submit", (event) => { if (!event.defaultPrevented) leaving = true; });
  const connect = () => {
    const source = new EventSource(url());
    source.addEventListener("open", () => {
      stopPolling?.();
      stopPolling = null;
      retryMs = RETRY_MIN_MS;
    });
    for (const [name, handle] of Object.entries(handlers)) {
      source.addEventListener(name, (event) => {
        let data;
        try { data = JSON.parse(event.data); } catch { return; }
        handle(data);
      });
    }
    source.addEventListener("gone", () => {
      source.close();
      // Signing out ends the stream too: the sign-out's own page ("You have signed out.") is on its way.
      if (!leaving) window.location.reload();
    });
    source.addEventListener("error", () => {
      if (source.readyState !== EventSource.CLOSED) return; // reconnecting by itself
      stopPolling ??= poll(tick, everyMs);
      window.setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    });
  };
  connect();
}
