// Logs in with fetch, so that a refusal is shown here rather than as a
// bare error page; without JavaScript the form posts directly.
"use strict";

const reasons = {
  reused: "A refresh token of your session was used twice, by this browser and by someone else. " +
    "The server cannot tell which one is the thief, so it revoked the whole session: every refresh token of it, the attacker's included.",
  revoked: "Your session was revoked.",
  expired: "Your session expired.",
  ended: "Your session has ended.",
  loggedout: "You are logged out: the session is revoked and both cookies are cleared.",
};
const reason = new URLSearchParams(location.search).get("reason");
if (reasons[reason]) {
  const p = document.getElementById("reason");
  p.textContent = reasons[reason];
  p.hidden = false;
}

const form = document.getElementById("login");
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const error = document.getElementById("error");
  error.hidden = true;
  const r = await fetch(form.action, {
    method: "POST",
    body: new URLSearchParams(new FormData(form)),
    credentials: "same-origin",
  });
  if (r.ok) {
    location.assign("/app");
    return;
  }
  error.textContent = "Login refused (" + r.status + "): check the user and password.";
  error.hidden = false;
});
