// The upstream-hop bench's instant upstream, in a process of its own: the tests' fake OpenAI-compatible server with its default reply, keeping no record of requests; prints the port it picked.
import { startFakeUpstream } from '../test/support/fake-upstream.js';

const upstream = await startFakeUpstream({ record: false });
console.log(`instant upstream listening on port ${new URL(upstream.url).port}`);
process.once('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
