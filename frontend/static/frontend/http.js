// The one way the pages talk HTTP to the console: same-origin JSON with the session
// cookie and the CSRF token. Error answers are {"code", "detail", ...}.

/** A refused request: status and the answer's body ({code, detail, ...}). */
export class HttpError extends Error {
  constructor(url, status, body) {
    super(`${url}: HTTP ${status}${body.detail ? `: ${body.detail}` : ""}`);
    this.status = status;
    this.body = body;
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/** Send a request (body: sent as JSON when given); {status, body} whatever the status. */
export async function request(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {"Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken()},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data;
  try {
    data = await response.json();
  } catch {
    data = {detail: `HTTP ${response.status}`};
  }
  return {status: response.status, body: data};
}

/** The JSON document at url; throws HttpError unless 2xx. */
export async function getJson(url) {
  const {status, body} = await request("GET", url);
  if (status < 200 || status > 299) throw new HttpError(url, status, body);
  return body;
}
