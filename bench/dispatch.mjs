// The Node.js baseline of the benchmark: one repository_dispatch sent with Node's global
// fetch (Node 18+), as a JavaScript action would send it.
//
//   GITHUB_API_URL=... GITHUB_TOKEN=... GITHUB_REPOSITORY=owner/name node bench/dispatch.mjs BODY.json
//
// Exit codes: 0 sent (204), 1 GitHub answered something else or could not be reached.
import { readFileSync } from 'node:fs';

const [bodyFile] = process.argv.slice(2);
const api = process.env.GITHUB_API_URL ?? 'https://api.github.com';
const response = await fetch(`${api}/repos/${process.env.GITHUB_REPOSITORY}/dispatches`, {
  method: 'POST',
  headers: {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${process.env.GITHUB_TOKEN}`,
    'x-github-api-version': '2022-11-28',
    'content-type': 'application/json',
  },
  body: readFileSync(bodyFile),
});
if (response.status !== 204) {
  console.error(`dispatch: HTTP ${response.status}: ${await response.text()}`);
  process.exit(1);
}
