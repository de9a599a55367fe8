// `GET /`: a short page for whoever opens Studio's address in a browser, pointing to the API bases, health and docs.
import type { Context } from 'hono';

// Links are relative, so the page still works behind a proxy that serves Studio under a sub-path.
const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Studio</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}code{background:#f2f2f2;padding:0 .25rem}</style>
</head>
<body>
<h1>Studio is running</h1>
<p>Studio serves Alibaba Cloud Model Studio (DashScope) compatible APIs. Point a client at one of these base URLs:</p>
<ul>
<li>OpenAI-compatible: <code>/compatible-mode/v1</code> (also <code>/v1</code>), e.g. <code>POST /compatible-mode/v1/chat/completions</code></li>
<li>DashScope native: <code>/api/v1</code>, e.g. <code>POST /api/v1/services/aigc/text-generation/generation</code></li>
</ul>
<p>The models served, with their names and aliases: <a href="compatible-mode/v1/models">/compatible-mode/v1/models</a> (send the API key when the server requires one).</p>
<p>Health: <a href="health">/health</a> answers 200 while the process lives; <a href="ready">/ready</a> answers 200 once the pinned models are loaded, 503 while they load or Studio shuts down.</p>
<p>Documentation: the README and <code>docs/</code> of Studio's source (how to run, configure and call it; <code>docs/errors.md</code> lists every error).</p>
</body>
</html>
`;

/** The same page for every client: a browser renders it, and `curl` shows readable text with the same pointers. */
export function homePage(c: Context): Response {
  return c.html(page);
}
