// The bench's web server: the pages with long-lived caching (so a cached start-up really is
// cached), the start-up reports, and the few server endpoints of the demo-like page.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** Serves `dir` on 127.0.0.1. `onReport(query, body)` gets each start-up report (POST
 * /report?run=…&load=…, body: ms from script start to armed). Resolves to { base, close }. */
export async function startServer(dir, onReport) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (url.pathname === '/report') {
          res.writeHead(204).end();
          onReport(url.searchParams, body);
        } else if (url.pathname === '/keepalive') {
          // As the demo server answers a live session: the idle time it grants.
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"remainingMs":900000}');
        } else if (url.pathname === '/audit' || url.pathname === '/logout') {
          res.writeHead(204).end();
        } else {
          res.writeHead(404).end();
        }
      });
      return;
    }
    const file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return res.writeHead(404).end();
    const type = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' }[path.extname(file)];
    res.writeHead(200, { 'content-type': type, 'cache-control': 'max-age=3600' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}
