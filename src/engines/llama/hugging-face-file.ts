// Asks the Hugging Face Hub where a GGUF file is, how large it is and its sha256, before downloading it.
import { checkSingleFile, HubError, hubUrl, requestHub, sha256Of, type HubOptions, type RemoteFile } from './hub-request.js';
import type { ModelSource } from './model-source.js';

type HuggingFaceSource = Extract<ModelSource, { kind: 'hugging-face' }>;

export const HUGGING_FACE_ENDPOINT = 'https://huggingface.co';

/** The file a quantization tag stands for, from the manifest llama.cpp itself reads. */
async function fileOfTag(source: HuggingFaceSource, tag: string, options: HubOptions): Promise<string> {
  const url = hubUrl(options.endpoint, 'v2', source.user, source.repo, 'manifests', tag === '' ? 'latest' : tag);
  // The Hub adds `ggufFile` to the manifest only for llama.cpp's user agent.
  const response = await requestHub(url, { headers: { 'user-agent': 'llama-cpp', accept: 'application/json' } }, `look up hf:${source.user}/${source.repo}`, options);
  if (response.status === 404 || response.status === 400) {
    throw new HubError(`hf:${source.user}/${source.repo} has no GGUF file${tag === '' ? '' : ` for the quantization "${tag}"`}, or is not a public repository`);
  }
  if (!response.ok) throw new HubError(`the Hub answered ${response.status} to the lookup of hf:${source.user}/${source.repo}`);
  const manifest = (await response.json().catch(() => undefined)) as { ggufFile?: { rfilename?: unknown } } | undefined;
  const name = manifest?.ggufFile?.rfilename;
  if (typeof name !== 'string' || name === '') throw new HubError(`the Hub's manifest of hf:${source.user}/${source.repo} names no GGUF file`);
  return name;
}

function headerNumber(value: string | null): number | undefined {
  return value === null || !/^\d+$/.test(value) ? undefined : Number(value);
}

/** Resolves an hf: source to a download URL, with the size and sha256 that the Hub records for files stored in LFS. */
export async function resolveHuggingFaceFile(source: HuggingFaceSource, options: HubOptions): Promise<RemoteFile> {
  const path = 'tag' in source.target ? await fileOfTag(source, source.target.tag, options) : source.target.path;
  checkSingleFile(path);
  const url = hubUrl(options.endpoint, source.user, source.repo, 'resolve', source.branch, ...path.split('/'));
  // The resolve URL redirects to the storage; its own headers carry the LFS size and sha256 (X-Linked-Size, X-Linked-Etag).
  const head = await requestHub(url, { method: 'HEAD', redirect: 'manual' }, `look up ${path}`, options);
  if (head.status === 404) throw new HubError(`hf:${source.user}/${source.repo} has no file ${path} on branch ${source.branch}`);
  if (head.status === 401 || head.status === 403) throw new HubError(`hf:${source.user}/${source.repo} needs an access token (it is gated or private)`);
  if (head.status >= 400) throw new HubError(`the Hub answered ${head.status} for ${path}`);
  const etag = head.headers.get('x-linked-etag')?.replace(/^W\//, '').replaceAll('"', '');
  return {
    url,
    name: path.split('/').at(-1) ?? path,
    size: headerNumber(head.headers.get('x-linked-size')) ?? (head.status < 300 ? headerNumber(head.headers.get('content-length')) : undefined),
    sha256: sha256Of(etag),
  };
}
