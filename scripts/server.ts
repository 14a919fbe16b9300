// Facet's production server: Next.js serves every page and route, except the real-time assignment endpoint,
// which is answered here from Node's request and response by the function its route handler also calls (same
// auth, limits, validation and service), so that it pays neither for Next's per-request pipeline nor for Web
// Request/Response objects. Built by scripts/build-server.mjs into .next/facet-server.mjs.
import http from 'node:http';
import path from 'node:path';
import next from 'next';
import { withAssignmentFastPath } from '@/lib/api/realtime-assignment';
import { stampPeerAddress } from '@/lib/client-address';

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME ?? '0.0.0.0';

async function main() {
  const app = next({ dev: false, dir: path.resolve(import.meta.dirname, '..'), hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const answer = withAssignmentFastPath(handle);
  http
    // every request carries its socket's address, for the limits keyed on it (lib/client-address.ts)
    .createServer((req, res) => {
      stampPeerAddress(req);
      return answer(req, res);
    })
    .listen(port, hostname, () => console.log(`▲ Facet ready on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
