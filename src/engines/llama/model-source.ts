// What a model source names (a local GGUF file, a file on Hugging Face or ModelScope, a URL) and the file name it is kept under once downloaded.
import { resolve } from 'node:path';

/** A model that cannot be had; the message is a paragraph for people, never a stack trace. */
export class ModelSourceError extends Error {
  override readonly name = 'ModelSourceError';
}

/** A file of a repository on a model hub: Hugging Face (`hf:`) or ModelScope (`modelscope:`). */
interface HubFileSource {
  readonly text: string;
  readonly user: string;
  readonly repo: string;
  /** The branch (ModelScope says revision): `main` on Hugging Face, `master` on ModelScope. */
  readonly branch: string;
  /** `hf:user/repo:Q8_0` names a quantization, which the hub maps to a file; `hf:user/repo/file.gguf` names the file. */
  readonly target: { readonly tag: string } | { readonly path: string };
  /** The name it is kept under in the models folder, known without asking the hub. */
  readonly fileName: string;
}

export type ModelSource =
  | { readonly kind: 'file'; readonly text: string; readonly path: string }
  | ({ readonly kind: 'hugging-face' } & HubFileSource)
  | ({ readonly kind: 'modelscope' } & HubFileSource)
  | { readonly kind: 'url'; readonly text: string; readonly url: string; readonly fileName: string };

export type RemoteModelSource = Exclude<ModelSource, { kind: 'file' }>;

type HubKind = 'hugging-face' | 'modelscope';

/** Each hub's prefix in the models folder, its default branch, and the host names of its web URLs. */
const HUBS: Readonly<Record<HubKind, { readonly prefix: string; readonly defaultBranch: string; readonly hosts: ReadonlySet<string> }>> = {
  'hugging-face': { prefix: 'hf', defaultBranch: 'main', hosts: new Set(['huggingface.co', 'hf.co']) },
  modelscope: { prefix: 'ms', defaultBranch: 'master', hosts: new Set(['modelscope.cn', 'www.modelscope.cn', 'modelscope.ai', 'www.modelscope.ai']) },
};

const URI_PREFIXES: readonly { readonly pattern: RegExp; readonly kind: HubKind }[] = [
  { pattern: /^(hf|huggingface):(\/\/)?/i, kind: 'hugging-face' },
  { pattern: /^modelscope:(\/\/)?/i, kind: 'modelscope' },
];

export function isRemoteSource(source: string): boolean {
  return /^(hf:|huggingface:|modelscope:|https?:\/\/)/i.test(source);
}

function safePart(text: string): string {
  return text.replace(/[^\w.-]+/g, '_');
}

/**
 * Names follow node-llama-cpp's, so files it downloaded for earlier versions are found again:
 * `hf:Qwen/Qwen3-0.6B-GGUF:Q8_0` is kept as `hf_Qwen_Qwen3-0.6B.Q8_0.gguf`, and the same from ModelScope as `ms_Qwen_Qwen3-0.6B.Q8_0.gguf`.
 */
function hubFileName(kind: HubKind, user: string, repo: string, branch: string, target: { tag: string } | { path: string }): string {
  const { prefix, defaultBranch } = HUBS[kind];
  const base = repo.replace(/-gguf$/i, '');
  if ('tag' in target) return `${prefix}_${safePart(user)}_${safePart(base)}${target.tag === '' ? '' : `.${safePart(target.tag)}`}.gguf`;
  const folders = target.path.split('/');
  const file = folders.pop() ?? '';
  const parts = [prefix, user];
  const fileNamesRepo = repo !== base && file.toLowerCase().startsWith(base.toLowerCase());
  if (!fileNamesRepo || branch !== defaultBranch) parts.push(repo);
  if (branch !== defaultBranch) parts.push(branch);
  if (folders.length > 0) parts.push(folders.join('__'));
  return `${parts.map(safePart).join('_')}_${safePart(file)}`;
}

function hubFile(kind: HubKind, text: string, user: string, repo: string, branch: string, target: { tag: string } | { path: string }): ModelSource {
  return { kind, text, user, repo, branch, target, fileName: hubFileName(kind, user, repo, branch, target) };
}

function invalid(text: string): ModelSourceError {
  return new ModelSourceError(
    `"${text}" is not a model source Studio understands. Use a Hugging Face URI such as hf:Qwen/Qwen3-0.6B-GGUF:Q8_0 ` +
      '(or hf:owner/repo/file.gguf), a ModelScope URI such as modelscope:Qwen/Qwen3-0.6B-GGUF:Q8_0, an http(s) URL of a GGUF file, ' +
      'or the path of a local GGUF file.',
  );
}

/** `hf:user/repo:TAG`, `hf:user/repo`, `hf:user/repo/folder/file.gguf#branch`, and the same after `modelscope:`. */
function parseHubUri(kind: HubKind, text: string, rest: string): ModelSource {
  const [user, repoAndTag, ...path] = rest.split('/');
  if (user === undefined || user === '' || repoAndTag === undefined || repoAndTag === '') throw invalid(text);
  const { defaultBranch } = HUBS[kind];
  if (path.length === 0) {
    const [repo = '', ...tag] = repoAndTag.split(':');
    const quant = tag.join(':').trim().toUpperCase();
    if (repo === '') throw invalid(text);
    return hubFile(kind, text, user, repo, defaultBranch, { tag: quant === 'LATEST' ? '' : quant });
  }
  const [filePath = '', branch = defaultBranch] = path.join('/').split('#');
  if (filePath === '' || filePath.endsWith('/')) throw invalid(text);
  return hubFile(kind, text, user, repoAndTag, branch === '' ? defaultBranch : branch, { path: filePath });
}

/** A hub's web URL of a file is the same file as its URI: `https://huggingface.co/user/repo/resolve/branch/file.gguf` (or `/blob/`), `https://modelscope.cn/models/user/repo/resolve/master/file.gguf`. */
function hubFileOfUrl(text: string, url: URL, segments: readonly string[]): ModelSource | undefined {
  const kind = (Object.keys(HUBS) as HubKind[]).find((hub) => HUBS[hub].hosts.has(url.hostname));
  if (kind === undefined) return undefined;
  const [user, repo, view, branch, ...path] = kind === 'modelscope' && segments[0] === 'models' ? segments.slice(1) : segments;
  if (user === undefined || repo === undefined || !(view === 'resolve' || (view === 'blob' && kind === 'hugging-face')) || branch === undefined || path.length === 0) return undefined;
  return hubFile(kind, text, user, repo, branch, { path: path.join('/') });
}

function parseUrl(text: string): ModelSource {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(text);
  }
  const segments = url.pathname.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
  const onHub = hubFileOfUrl(text, url, segments);
  if (onHub !== undefined) return onHub;
  const last = segments.at(-1) ?? '';
  const name = safePart(last === '' ? url.hostname : last);
  return { kind: 'url', text, url: url.href, fileName: /\.gguf$/i.test(name) ? name : `${name}.gguf` };
}

export function parseModelSource(text: string): ModelSource {
  for (const { pattern, kind } of URI_PREFIXES) {
    if (pattern.test(text)) return parseHubUri(kind, text, text.replace(pattern, ''));
  }
  if (/^https?:\/\//i.test(text)) return parseUrl(text);
  return { kind: 'file', text, path: resolve(text) };
}
