// The upstream-hop bench's floor for a proxy written in Node: node:http in front of an undici Pool, each request's body passed on unparsed and the reply passed back as it comes, nothing else; prints the port it picked.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const upstream = process.argv[2];
if (upstream === undefined) throw new Error('usage: bare-node-proxy.ts <upstream origin>');
const pool = new Pool(upstream, { connections: 64 });

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = chunks.length === 0 ? undefined : Buffer.concat(chunks);
    const contentType = request.headers['content-type'];
    pool
      .request({ path: request.url ?? '/', method: request.method as 'GET' | 'POST', headers: contentType === undefined ? {} : { 'content-type': contentType }, body })
      .then(async (reply) => {
        response.writeHead(reply.statusCode, { 'content-type': String(reply.headers['content-type'] ?? 'application/octet-stream') });
        for await (const chunk of reply.body) response.write(chunk);
        response.end();
      })
      .catch(() => {
        if (!response.headersSent) response.writeHead(502);
        response.end();
      });
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port was assigned');
  console.log(`bare Node proxy listening on port ${address.port}`);
});
process.once('SIGTERM', () => server.close(() => void pool.close().then(() => process.exit(0))));
