// The sign-in form (POST /dashboard/login) and the page for a refused request.
import { html, type Html } from "./html";

export function loginBody(message: string | undefined, next: string): Html {
  return html`<section class="panel login">
  ${message ? html`<div class="notice error" data-error>${message}</div>` : ""}
  <form method="post" action="/dashboard/login">
    <label for="key">API key (admin or service)</label>
    <input id="key" type="password" name="key" autocomplete="off" required placeholder="mq_…">
    <input type="hidden" name="next" value="${next}">
    <button class="primary" type="submit">Sign in</button>
  </form>
  <p class="muted">Create a key with <code>npm run keys -- create --role admin --name you</code>. It is kept in an HttpOnly cookie for this browser session.</p>
</section>`;
}

export function messageBody(message: string, links: Html = html`<p><a href="/dashboard">Back to the dashboard</a></p>`): Html {
  return html`<div class="notice error" data-error>${message}</div>${links}`;
}
