// The protected page: shows the session the server keeps in HttpOnly
// cookies, refreshes the access token silently before it expires, and
// returns to the login page once the session cannot be refreshed.
"use strict";

const paths = document.body.dataset;
const state = {
  expiresAt: 0, // access token expiry, in this browser's clock (ms)
  refreshes: 0,
  refreshing: null, // the refresh in flight, shared by every caller
  timer: 0,
};

function log(text) {
  const li = document.createElement("li");
  const t = document.createElement("time");
  t.textContent = new Date().toLocaleTimeString();
  li.append(t, text);
  document.getElementById("log").prepend(li);
}

function toLogin(reason) {
  location.replace(reason ? "/?reason=" + encodeURIComponent(reason) : "/");
}

// refresh presents the refresh cookie once, however many callers ask at
// the same moment: a second concurrent refresh would present a consumed
// token.
function refresh(why) {
  if (!state.refreshing) {
    state.refreshing = doRefresh(why).finally(() => { state.refreshing = null; });
  }
  return state.refreshing;
}

async function doRefresh(why) {
  const r = await fetch(paths.refresh, { method: "POST", credentials: "same-origin" });
  if (!r.ok) {
    const problem = await r.json().catch(() => ({}));
    log("Refresh refused (" + r.status + " " + (problem.title || "") + "). Back to the login page.");
    toLogin(reasonOf(problem.title || ""));
    return false;
  }
  state.refreshes++;
  document.getElementById("refreshes").textContent = state.refreshes;
  log("Silent refresh #" + state.refreshes + " (" + why + "): new access token, new refresh token; the old refresh token is now spent.");
  return true;
}

// reasonOf names, for the login page, why the server refused a refresh;
// nothing when this page never had a session to lose.
function reasonOf(title) {
  for (const reason of ["reused", "revoked", "expired"]) {
    if (title.includes(reason)) return reason;
  }
  return state.expiresAt ? "ended" : "";
}

// me calls the protected API; on 401 it refreshes once and tries again.
async function me() {
  let r = await fetch(paths.me, { credentials: "same-origin" });
  if (r.status === 401) {
    log("API answered 401: the access token has expired.");
    if (!(await refresh("after a 401"))) return;
    r = await fetch(paths.me, { credentials: "same-origin" });
  }
  if (!r.ok) {
    log("API answered " + r.status + ".");
    if (r.status === 401) toLogin("ended");
    return;
  }
  const body = await r.json();
  state.expiresAt = Date.now() + body.expires_in_ms;
  document.getElementById("subject").textContent = body.subject;
  document.getElementById("expires").textContent = new Date(state.expiresAt).toLocaleTimeString();
  log("API answered 200 for " + body.subject + "; access token valid for " + Math.round(body.expires_in_ms / 1000) + " s more.");
  schedule(body.refresh_before_ms);
}

// schedule plans the next silent refresh a margin before expiry.
function schedule(marginMs) {
  clearTimeout(state.timer);
  const wait = Math.max(state.expiresAt - marginMs - Date.now(), 0);
  state.timer = setTimeout(async () => {
    if (await refresh("before expiry")) await me();
  }, wait);
}

function tick() {
  const left = Math.max(0, state.expiresAt - Date.now());
  document.getElementById("countdown").textContent = state.expiresAt ? (left / 1000).toFixed(1) + " s" : "–";
}

async function replay() {
  const out = document.getElementById("attacker");
  const r = await fetch(paths.replay, { method: "POST", credentials: "same-origin" });
  const body = await r.json().catch(() => ({}));
  out.hidden = false;
  out.className = r.ok ? "bad" : "note";
  out.textContent = body.message || ("The replay answered " + r.status + ".");
  if (!r.ok) return;
  log("The attacker presented the stolen refresh token and got a session of its own.");
  // Past the grace window, this page's next refresh is a reuse.
  clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    if (await refresh("after the attacker's replay")) await me();
  }, body.grace_ms + 1000);
  log("This page will refresh in " + (body.grace_ms + 1000) / 1000 + " s, with the token the attacker already spent.");
}

async function logout() {
  clearTimeout(state.timer);
  const r = await fetch(paths.logout, { method: "POST", credentials: "same-origin" });
  if (!r.ok) {
    log("Logout answered " + r.status + ".");
    return;
  }
  toLogin("loggedout");
}

document.getElementById("jscookies").textContent = JSON.stringify(document.cookie);
document.getElementById("call").addEventListener("click", me);
document.getElementById("refresh").addEventListener("click", async () => {
  if (await refresh("on request")) await me();
});
document.getElementById("replay").addEventListener("click", replay);
document.getElementById("logout").addEventListener("click", logout);
setInterval(tick, 100);
me();
