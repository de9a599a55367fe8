// Prints where a V8 CPU profile (`node --cpu-prof`) spent its busy time: self time by frame and by file or package, and time inside each of our own files: `npx tsx bench/cpu-profile-top.ts <file.cpuprofile> [--top 25] [--from 0]`.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { positiveInteger } from './positive-integer.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  // --from: seconds of the profile to skip, e.g. a server's start-up before the load began.
  options: { top: { type: 'string', default: '25' }, from: { type: 'string', default: '0' } },
});
const top = positiveInteger('top', values.top);
const fromMicroseconds = z.coerce.number().min(0).parse(values.from) * 1e6;
const [file] = positionals;
if (file === undefined) throw new Error('usage: npx tsx bench/cpu-profile-top.ts <file.cpuprofile> [--top 25] [--from 0]');

const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

const shortUrl = (url: string): string => url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '').replace(/^.*\/node_modules\//, 'node_modules/');
// Packages are summed whole: that it is hono or undici matters more than which of their files.
const group = (where: string): string => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ?? where;
const add = (totals: Map<string, number>, key: string, microseconds: number): void => void totals.set(key, (totals.get(key) ?? 0) + microseconds);

const byFrame = new Map<string, number>();
const byFile = new Map<string, number>();
const insideOurFile = new Map<string, number>();
let elapsed = 0;
let busy = 0;
let idle = 0;
profile.samples.forEach((id, index) => {
  const microseconds = profile.timeDeltas[index] ?? 0;
  elapsed += microseconds;
  const frame = nodes.get(id)?.callFrame;
  if (frame === undefined || elapsed < fromMicroseconds) return;
  // Shares are of the time the process was busy: an idle loop says nothing about where work goes.
  if (frame.functionName === '(idle)') return void (idle += microseconds);
  busy += microseconds;
  const where = frame.url === '' ? '(native)' : shortUrl(frame.url);
  add(byFrame, `${frame.functionName || '(anonymous)'} ${where}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}`, microseconds);
  add(byFile, group(where), microseconds);
  const onStack = new Set<string>();
  for (let node: number | undefined = id; node !== undefined; node = parents.get(node)) {
    const url = shortUrl(nodes.get(node)?.callFrame.url ?? '');
    if (url.startsWith('src/')) onStack.add(url);
  }
  for (const url of onStack) add(insideOurFile, url, microseconds);
});

function print(title: string, totals: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [name, microseconds] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((microseconds / busy) * 100).toFixed(1).padStart(5)}%  ${(microseconds / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  }
}

console.log(`${(busy / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle${fromMicroseconds > 0 ? ` after the first ${values.from} s` : ''}`);
print('self time by frame', byFrame);
print('self time by file or package', byFile);
print('time with one of our files on the stack (a file counted once per sample)', insideOurFile);
