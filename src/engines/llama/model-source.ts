// What a model source names (a local GGUF file, a file on Hugging Face, a URL) and the file name it is kept under once downloaded.
import { resolve } from 'node:path';

/** A model that cannot be had; the message is a paragraph for people, never a stack trace. */
export class ModelSourceError extends Error {
  override readonly name = 'ModelSourceError';
}

export type ModelSource =
  | { readonly kind: 'file'; readonly text: string; readonly path: string }
  | {
      readonly kind: 'hugging-face';
      readonly text: string;
      readonly user: string;
      readonly repo: string;
      readonly branch: string;
      /** `hf:user/repo:Q8_0` names a quantization, which the Hub maps to a file; `hf:user/repo/file.gguf` names the file. */
      readonly target: { readonly tag: string } | { readonly path: string };
      /** The name it is kept under in the models folder, known without asking the Hub. */
      readonly fileName: string;
    }
  | { readonly kind: 'url'; readonly text: string; readonly url: string; readonly fileName: string };

export type RemoteModelSource = Exclude<ModelSource, { kind: 'file' }>;

const HUGGING_FACE_HOSTS = new Set(['huggingface.co', 'hf.co']);

export function isRemoteSource(source: string): boolean {
  return /^(hf:|huggingface:|https?:\/\/)/i.test(source);
}

function safePart(text: string): string {
  return text.replace(/[^\w.-]+/g, '_');
}

/**
 * Names follow node-llama-cpp's, so files it downloaded for earlier versions are found again:
 * `hf:Qwen/Qwen3-0.6B-GGUF:Q8_0` is kept as `hf_Qwen_Qwen3-0.6B.Q8_0.gguf`.
 */
function huggingFaceFileName(user: string, repo: string, branch: string, target: { tag: string } | { path: string }): string {
  const base = repo.replace(/-gguf$/i, '');
  if ('tag' in target) return `hf_${safePart(user)}_${safePart(base)}${target.tag === '' ? '' : `.${safePart(target.tag)}`}.gguf`;
  const folders = target.path.split('/');
  const file = folders.pop() ?? '';
  const parts = ['hf', user];
  const fileNamesRepo = repo !== base && file.toLowerCase().startsWith(base.toLowerCase());
  if (!fileNamesRepo || branch !== 'main') parts.push(repo);
  if (branch !== 'main') parts.push(branch);
  if (folders.length > 0) parts.push(folders.join('__'));
  return `${parts.map(safePart).join('_')}_${safePart(file)}`;
}

function huggingFace(text: string, user: string, repo: string, branch: string, target: { tag: string } | { path: string }): ModelSource {
  return { kind: 'hugging-face', text, user, repo, branch, target, fileName: huggingFaceFileName(user, repo, branch, target) };
}

function invalid(text: string): ModelSourceError {
  return new ModelSourceError(
    `"${text}" is not a model source Studio understands. Use a Hugging Face URI such as hf:Qwen/Qwen3-0.6B-GGUF:Q8_0 ` +
      '(or hf:owner/repo/file.gguf), an http(s) URL of a GGUF file, or the path of a local GGUF file.',
  );
}

/** `hf:user/repo:TAG`, `hf:user/repo`, `hf:user/repo/folder/file.gguf#branch`. */
function parseHuggingFaceUri(text: string): ModelSource {
  const rest = text.replace(/^(hf|huggingface):(\/\/)?/i, '');
  const [user, repoAndTag, ...path] = rest.split('/');
  if (user === undefined || user === '' || repoAndTag === undefined || repoAndTag === '') throw invalid(text);
  if (path.length === 0) {
    const [repo = '', ...tag] = repoAndTag.split(':');
    const quant = tag.join(':').trim().toUpperCase();
    if (repo === '') throw invalid(text);
    return huggingFace(text, user, repo, 'main', { tag: quant === 'LATEST' ? '' : quant });
  }
  const [filePath = '', branch = 'main'] = path.join('/').split('#');
  if (filePath === '' || filePath.endsWith('/')) throw invalid(text);
  return huggingFace(text, user, repoAndTag, branch === '' ? 'main' : branch, { path: filePath });
}

/** `https://huggingface.co/user/repo/resolve/branch/file.gguf` (or `/blob/`) is the same file as its hf: URI. */
function parseUrl(text: string): ModelSource {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(text);
  }
  const segments = url.pathname.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
  const [user, repo, kind, branch, ...path] = segments;
  if (HUGGING_FACE_HOSTS.has(url.hostname) && user !== undefined && repo !== undefined && (kind === 'resolve' || kind === 'blob') && branch !== undefined && path.length > 0) {
    return huggingFace(text, user, repo, branch, { path: path.join('/') });
  }
  const last = segments.at(-1) ?? '';
  const name = safePart(last === '' ? url.hostname : last);
  return { kind: 'url', text, url: url.href, fileName: /\.gguf$/i.test(name) ? name : `${name}.gguf` };
}

export function parseModelSource(text: string): ModelSource {
  if (/^(hf|huggingface):/i.test(text)) return parseHuggingFaceUri(text);
  if (/^https?:\/\//i.test(text)) return parseUrl(text);
  return { kind: 'file', text, path: resolve(text) };
}
