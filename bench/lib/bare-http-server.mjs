// The yardstick of npm run bench:api: a bare node:http server that reads a POST body, parses it as JSON and
// answers a fixed JSON body (Facet's own answer to the same request, so that both write the same bytes). No
// auth, no limits, no model: what one Node process does per request at the least.
// With a third argument (a JSON object of headers) it sends those headers too, to tell what they cost.
// Usage: node bench/lib/bare-http-server.mjs <port> <answer JSON> [<headers JSON>]
import http from 'node:http';

const port = Number(process.argv[2]);
const answer = process.argv[3] ?? '{}';
const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(answer)), ...JSON.parse(process.argv[4] ?? '{}') };

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let parsed;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        parsed = null;
      }
      if (!parsed || typeof parsed !== 'object') {
        res.writeHead(400, { 'content-type': 'application/json', 'content-length': '2' }).end('{}');
        return;
      }
      res.writeHead(200, headers).end(answer);
    });
  })
  .listen(port, '127.0.0.1', () => process.send?.('ready'));
