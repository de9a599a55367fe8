// Asks ModelScope which file of a repository holds a quantization, how large it is and its sha256, before downloading it.
import { z } from 'zod';
import { checkSingleFile, HubError, hubUrl, isSplitPart, requestHub, sha256Of, type HubOptions, type RemoteFile } from './hub-request.js';
import type { ModelSource } from './model-source.js';

type ModelScopeSource = Extract<ModelSource, { kind: 'modelscope' }>;

/** Where the modelscope library goes unless MODELSCOPE_DOMAIN names another host. */
export const MODELSCOPE_ENDPOINT = 'https://www.modelscope.cn';

/** One entry of the file list; `Type` is `tree` for a folder. */
const repoFileSchema = z.object({
  Path: z.string(),
  Type: z.string().nullish(),
  Size: z.number().nullish(),
  Sha256: z.string().nullish(),
});

type RepoFile = z.infer<typeof repoFileSchema>;

/** `GET /api/v1/models/{owner}/{repo}/repo/files`: `{Code, Message, Data: {Files}}`, Code 200 when it worked. */
const fileListSchema = z.object({
  Code: z.number(),
  Message: z.string().nullish(),
  Data: z.object({ Files: z.array(repoFileSchema) }).nullish(),
});

/** Which quantization llama.cpp and the Hugging Face Hub serve when none is named. */
const DEFAULT_TAG = 'Q4_K_M';

function label(source: ModelScopeSource): string {
  return `modelscope:${source.user}/${source.repo}`;
}

async function listFiles(source: ModelScopeSource, options: HubOptions): Promise<RepoFile[]> {
  const query = new URLSearchParams({ Revision: source.branch, Recursive: 'true' });
  const url = `${hubUrl(options.endpoint, 'api', 'v1', 'models', source.user, source.repo, 'repo', 'files')}?${query}`;
  const response = await requestHub(url, { headers: { accept: 'application/json' } }, `look up ${label(source)}`, options);
  if (response.status === 404) throw new HubError(`${label(source)} has no revision ${source.branch}, or is not a public repository`);
  if (response.status === 401 || response.status === 403) throw new HubError(`${label(source)} needs an access token (it is private)`);
  if (!response.ok) throw new HubError(`ModelScope answered ${response.status} to the lookup of ${label(source)}`);
  const listing = fileListSchema.safeParse(await response.json().catch(() => undefined));
  if (!listing.success) throw new HubError(`ModelScope's file list of ${label(source)} could not be read`);
  const { Code, Message, Data } = listing.data;
  if (Code !== 200 || Data == null) throw new HubError(`ModelScope answered "${Message ?? Code}" to the lookup of ${label(source)}`);
  return Data.Files.filter((file) => file.Type !== 'tree');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `Q8_0` is in `Qwen3-0.6B-Q8_0.gguf` and `Q8_0/model-Q8_0.gguf`, but `Q4_K` is not in `model-Q4_K_M.gguf`. */
function namesTag(path: string, tag: string): boolean {
  return new RegExp(`(^|[-._/])${escapeRegExp(tag)}([-./]|$)`, 'i').test(path);
}

/** The file of a quantization, as the Hugging Face Hub's manifest would name it; the plainest name wins when several match. */
function fileOfTag(source: ModelScopeSource, files: readonly RepoFile[], tag: string): RepoFile {
  const models = files.filter((file) => /\.gguf$/i.test(file.Path) && !/mmproj/i.test(file.Path));
  const wanted = tag === '' ? (models.filter((file) => !isSplitPart(file.Path)).length === 1 ? '' : DEFAULT_TAG) : tag;
  const matching = wanted === '' ? models : models.filter((file) => namesTag(file.Path, wanted));
  const single = matching.filter((file) => !isSplitPart(file.Path)).sort((a, b) => a.Path.length - b.Path.length || a.Path.localeCompare(b.Path));
  const first = single[0] ?? matching[0];
  if (first !== undefined) return first;
  const names = models.map((file) => file.Path);
  const has = names.length === 0 ? 'it has no GGUF file' : `its GGUF files are ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`;
  const what = tag === '' ? `several GGUF files and none for the default quantization "${DEFAULT_TAG}"; name one` : `no GGUF file for the quantization "${tag}"`;
  throw new HubError(`${label(source)} has ${what} (${has})`);
}

/** Resolves a modelscope: source to its download URL, with the size and sha256 from ModelScope's file list. */
export async function resolveModelScopeFile(source: ModelScopeSource, options: HubOptions): Promise<RemoteFile> {
  const files = await listFiles(source, options);
  const { target } = source;
  const file = 'tag' in target ? fileOfTag(source, files, target.tag) : files.find((entry) => entry.Path === target.path);
  if (file === undefined) throw new HubError(`${label(source)} has no file ${'path' in target ? target.path : ''} at revision ${source.branch}`);
  checkSingleFile(file.Path);
  const query = new URLSearchParams({ Revision: source.branch, FilePath: file.Path });
  return {
    url: `${hubUrl(options.endpoint, 'api', 'v1', 'models', source.user, source.repo, 'repo')}?${query}`,
    name: file.Path.split('/').at(-1) ?? file.Path,
    size: file.Size ?? undefined,
    sha256: sha256Of(file.Sha256),
  };
}
