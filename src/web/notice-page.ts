// The pages the bridge shows instead of the app: how to get in (no session yet, or the server was
// restarted and the old one ended) and "the data folder is in use". Static HTML with no inline
// script or style, under a CSP of their own; the bridge client script does the sign-in step.

/** Shown instead of the app; `address` is the one the terminal printed, without its token. */
export type Notice =
  { kind: 'sign-in'; address: string } | { kind: 'in-use'; message: string; dataDir: string }

/** The notice pages' Content-Security-Policy: their own script and stylesheet, nothing else. */
export const NOTICE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
  )
}

function page(title: string, body: string, script: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${escapeHtml(title)} · Printago Send</title>
    <link rel="stylesheet" href="/__bridge/notice.css" />
  </head>
  <body>
    <main class="card">
${body}
    </main>
${script}
  </body>
</html>
`
}

/** The HTML of a notice page. */
export function noticePage(notice: Notice): string {
  if (notice.kind === 'in-use')
    return page(
      'Data folder in use',
      `      <h1 data-testid="in-use">Printago Send cannot use its data folder yet</h1>
      <p class="warning" role="alert">${escapeHtml(notice.message)}</p>
      <p>The desktop app and the browser version keep history, saved stores and unfinished sends in
      the same folder, so only one of them may use it at a time.</p>
      <p><a href="/" class="button">Try again</a></p>
      <p class="muted">Data folder: <code>${escapeHtml(notice.dataDir)}</code></p>`,
      ''
    )
  const example = `${notice.address}/#token=…`
  return page(
    'Sign in',
    `      <h1 data-testid="sign-in">Open Printago Send with its address</h1>
      <p id="sign-in-status" class="status" role="status" data-testid="sign-in-status">
        This browser has not been let in to Printago Send.
      </p>
      <p>When Printago Send started, it printed an address in its terminal. Open that address: it
      ends with a token.</p>
      <pre>${escapeHtml(example)}</pre>
      <p class="muted">Lost it, or was Printago Send restarted? The token changes at every start:
      look at the newest lines in its terminal, or stop it (Ctrl+C there) and run
      <code>npm start</code> again.</p>
      <p class="muted">Why a token: anything that can reach this port (other programs, other
      people's accounts on this computer) could otherwise send files with your Printago key. Keep
      the address to yourself.</p>`,
    '    <script src="/__bridge/client.js" data-page="sign-in"></script>'
  )
}

/** The notice pages' stylesheet: the app's dark palette, readable without the app's CSS. */
export const NOTICE_CSS = `:root { color-scheme: dark light; }
* { box-sizing: border-box; }
body {
  margin: 0; min-height: 100vh; display: grid; place-items: center;
  font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  background: #141821; color: #e6e9ef;
}
.card {
  max-width: 640px; margin: 24px; padding: 28px 32px; border-radius: 12px;
  background: #1c2130; border: 1px solid #2c3447; box-shadow: 0 10px 30px rgba(0, 0, 0, 0.35);
}
h1 { font-size: 20px; margin: 0 0 12px; }
pre, code { font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; }
pre {
  padding: 10px 12px; border-radius: 8px; background: #10131b; border: 1px solid #2c3447;
  overflow-x: auto; color: #ffb561;
}
.status { padding: 8px 12px; border-radius: 8px; background: #232a3b; }
.status.error, .warning { background: #3a1f24; border: 1px solid #7a3540; color: #ffd7dc; }
.warning { padding: 8px 12px; border-radius: 8px; }
.muted { color: #9aa3b5; font-size: 13px; }
a.button {
  display: inline-block; padding: 6px 14px; border-radius: 8px; background: #ff8a1f; color: #141821;
  text-decoration: none; font-weight: 600;
}
`
