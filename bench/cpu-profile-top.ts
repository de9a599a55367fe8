// Prints the frames with the most self time in a V8 CPU profile (`node --cpu-prof`), and the same summed per file: `npx tsx bench/cpu-profile-top.ts <file.cpuprofile> [--top 25]`.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { positiveInteger } from './positive-integer.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
const top = positiveInteger('top', values.top);
const [file] = positionals;
if (file === undefined) throw new Error('usage: npx tsx bench/cpu-profile-top.ts <file.cpuprofile> [--top 25]');

const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const shortUrl = (url: string): string => url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '').replace(/^.*\/node_modules\//, 'node_modules/');
const byFrame = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
let idle = 0;
profile.samples.forEach((id, index) => {
  const microseconds = profile.timeDeltas[index] ?? 0;
  const frame = nodes.get(id)?.callFrame;
  if (frame === undefined) return;
  // Shares are of the time the process was busy: an idle loop says nothing about where work goes.
  if (frame.functionName === '(idle)') return void (idle += microseconds);
  total += microseconds;
  const where = frame.url === '' ? '(native)' : shortUrl(frame.url);
  const name = `${frame.functionName || '(anonymous)'} ${where}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}`;
  byFrame.set(name, (byFrame.get(name) ?? 0) + microseconds);
  // Packages are summed whole: which of hono's or undici's files it is matters less than that it is hono or undici.
  const group = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ?? where;
  byFile.set(group, (byFile.get(group) ?? 0) + microseconds);
});

function print(title: string, totals: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [name, microseconds] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((microseconds / total) * 100).toFixed(1).padStart(5)}%  ${(microseconds / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  }
}

console.log(`${(total / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle`);
print('self time by frame', byFrame);
print('self time by file or package', byFile);
