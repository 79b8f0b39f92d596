/* Shared by the console pages: JSON calls with the session's CSRF token, and a polling loop that backs off. */

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

/** Call ``tick`` every ``everyMs`` (slower after failures, never overlapping). */
export function poll(tick, everyMs) {
  let delay = everyMs;
  const run = async () => {
    try {
      await tick();
      delay = everyMs;
    } catch {
      delay = Math.min(delay * 2, 30000);
    }
    window.setTimeout(run, delay);
  };
  window.setTimeout(run, everyMs);
}
