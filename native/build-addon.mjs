// Builds node-llama-cpp's addon with Studio's patch (node-llama-cpp-addon.patch, see README.md) against the llama.cpp
// libraries of its prebuilt binaries, and installs it where node-llama-cpp looks for a local build first. Run by
// `npm install`/`npm ci` (postinstall). Never fails the install: without a compiler, git or a prebuilt package for this
// platform, it says why and node-llama-cpp keeps loading its prebuilt addon.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));
const patchPath = fileURLToPath(new URL('./node-llama-cpp-addon.patch', import.meta.url));
const require = createRequire(import.meta.url);
const nodeLlamaCpp = dirname(dirname(require.resolve('node-llama-cpp')));
/** node_modules: the inputs' names are hashed relative to it, so that a moved checkout keeps its cache. */
const nodeLlamaCppParent = dirname(nodeLlamaCpp);
const platform = `${process.platform}-${process.arch}`;
/** Where node-llama-cpp looks first for a CPU build of its addon (`npx node-llama-cpp source build` writes there too). */
const localBuildFolder = join(nodeLlamaCpp, 'llama', 'localBuilds', platform);
/** The libraries the addon links against; the CPU backends (libggml-cpu-*.so) are loaded at run time from the same folder. */
const LINKED_LIBRARY = /^lib(llama|llama-common|ggml|ggml-base)(\.v[\d.]+)?\.so$/;
/** Marks the local build as this script's, for Studio's start-up line and /metrics. */
const MARKER_FILE = 'studio-addon.json';
/**
 * With a local build node-llama-cpp reads its grammars (the JSON one, for json_object) from a cloned llama.cpp
 * source, `llama/llama.cpp/grammars` beside a `.git`, not from the copy it ships in `llama/grammars`.
 */
const llamaCppFolder = join(nodeLlamaCpp, 'llama', 'llama.cpp');
const GRAMMARS_MARKER = 'studio-grammars.json';

async function exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The folder of node-llama-cpp's prebuilt CPU binaries for this platform, or why there is none to build against. */
async function prebuiltBinaries() {
  if (process.platform !== 'linux') return { missing: `only Linux is built for (this is ${platform})` };
  try {
    const binariesPackage = await import(`@node-llama-cpp/${platform}`);
    return { folder: join(binariesPackage.getBinsDir().binsDir, platform) };
  } catch {
    return { missing: `node-llama-cpp has no prebuilt binaries for ${platform}` };
  }
}

/** The first of `commands` that runs, or undefined. */
async function firstAvailable(...commands) {
  for (const command of commands) {
    if (await run(command, ['--version']).then(() => true, () => false)) return command;
  }
  return undefined;
}

/** Node's own headers: where Node is installed (a package or nvm), else the Debian/Ubuntu libnode-dev path. */
async function nodeHeaders() {
  for (const folder of [join(dirname(dirname(process.execPath)), 'include', 'node'), '/usr/include/node']) {
    if (await exists(join(folder, 'node_api.h'))) return folder;
  }
  return undefined;
}

async function hashInputs(compiler, addonSources, libraries) {
  const hash = createHash('sha256');
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  hash.update(await readFile(patchPath));
  hash.update((await run(compiler, ['--version'])).stdout);
  hash.update(require('node-addon-api/package.json').version);
  for (const file of [...addonSources, ...libraries]) hash.update(relative(nodeLlamaCppParent, file)).update(await readFile(file));
  return hash.digest('hex').slice(0, 16);
}

async function listSources(folder) {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath ?? entry.path, entry.name)).sort();
}

/** Runs `tasks` (functions returning promises), `limit` at a time. */
async function inParallel(tasks, limit) {
  const queue = [...tasks];
  await Promise.all(Array.from({ length: limit }, async () => {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) await task();
  }));
}

function compile(compiler, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(compiler, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (data) => (errors += data));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${compiler} failed:\n${errors.slice(-4000)}`))));
  });
}

/** The llama.cpp headers (public and internal: the addon uses both) of the commit node-llama-cpp ships, from its git bundle. */
async function llamaCppHeaders(git, cacheFolder) {
  const bundle = join(nodeLlamaCpp, 'llama', 'gitRelease.bundle');
  const commit = /^([0-9a-f]{40}) HEAD$/m.exec((await run(git, ['bundle', 'list-heads', bundle])).stdout)?.[1];
  if (commit === undefined) throw new Error(`no HEAD in ${bundle}`);
  const folder = join(cacheFolder, `llama.cpp-${commit}`);
  if (await exists(folder)) return folder;
  const partial = `${folder}.partial`;
  await rm(partial, { recursive: true, force: true });
  await run(git, ['clone', '--quiet', '--no-checkout', bundle, partial]);
  await run(git, ['-C', partial, 'checkout', '--quiet', 'HEAD', '--', 'include', 'ggml/include', 'src', 'common', 'vendor']);
  await rename(partial, folder);
  return folder;
}

async function buildAddon({ compiler, git, headers: nodeHeadersFolder, libraries, output, cacheFolder }) {
  // Outside the repository, where `git apply` patches plain files as `patch` would.
  const work = await mkdtemp(join(tmpdir(), 'studio-addon-'));
  try {
    await compileAddon({ compiler, git, nodeHeadersFolder, libraries, cacheFolder, work });
    await mkdir(output, { recursive: true });
    await copyFile(join(work, 'llama-addon.node'), join(output, 'llama-addon.node'));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function compileAddon({ compiler, git, nodeHeadersFolder, libraries, cacheFolder, work }) {
  const sources = join(work, 'addon');
  await run('cp', ['-R', join(nodeLlamaCpp, 'llama', 'addon'), sources]);
  await run(git, ['apply', '--directory=addon', patchPath], { cwd: work });
  const llamaCpp = await llamaCppHeaders(git, cacheFolder);
  const includes = [require('node-addon-api').include.slice(1, -1), nodeHeadersFolder, llamaCpp, ...['include', 'ggml/include', 'src', 'common', 'vendor'].map((folder) => join(llamaCpp, folder))];
  const flags = ['-O2', '-std=c++17', '-fPIC', '-fexceptions', '-DNAPI_VERSION=7', '-DNDEBUG', ...includes.map((folder) => `-I${folder}`)];
  const units = (await listSources(sources)).filter((file) => file.endsWith('.cpp'));
  const objects = units.map((file) => join(work, `${relative(sources, file).replaceAll('/', '_')}.o`));
  await inParallel(units.map((file, index) => () => compile(compiler, [...flags, '-c', file, '-o', objects[index]])), availableParallelism());
  await compile(compiler, ['-shared', '-o', join(work, 'llama-addon.node'), ...objects, ...libraries, '-Wl,-rpath,$ORIGIN']);
}

/** Puts the addon where node-llama-cpp loads a local build from, beside links to the prebuilt libraries it was linked with. */
async function installLocalBuild(addon, binaries, hash) {
  const release = join(localBuildFolder, 'Release');
  await rm(localBuildFolder, { recursive: true, force: true });
  await mkdir(release, { recursive: true });
  for (const name of await readdir(binaries)) {
    if (name.endsWith('.so')) await symlink(relative(release, join(binaries, name)), join(release, name));
  }
  await copyFile(addon, join(release, 'llama-addon.node'));
  // The prebuilt binaries' metadata, naming this system: node-llama-cpp then loads the build without a test run in a child process.
  const metadata = JSON.parse(await readFile(join(binaries, '_nlcBuildMetadata.json'), 'utf8'));
  metadata.buildOptions.platformInfo = await distribution();
  await writeFile(join(release, '_nlcBuildMetadata.json'), JSON.stringify(metadata));
  await writeFile(join(release, MARKER_FILE), JSON.stringify({ patch: basename(patchPath), inputs: hash }));
  await writeFile(join(localBuildFolder, 'buildDone.status'), '');
  await exposeGrammars();
}

/** Points a local build at the grammars node-llama-cpp ships, unless a llama.cpp source is cloned there already. */
async function exposeGrammars() {
  if ((await exists(llamaCppFolder)) && !(await exists(join(llamaCppFolder, GRAMMARS_MARKER)))) return;
  await rm(llamaCppFolder, { recursive: true, force: true });
  await mkdir(join(llamaCppFolder, '.git'), { recursive: true });
  await symlink(join('..', 'grammars'), join(llamaCppFolder, 'grammars'));
  await writeFile(join(llamaCppFolder, GRAMMARS_MARKER), '{}');
}

/** The name and version node-llama-cpp compares a local build's metadata with (from os-release). */
async function distribution() {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => readFile('/usr/lib/os-release', 'utf8').catch(() => ''));
  const field = (key) => new RegExp(`^${key}="?([^"\\n]*)"?$`, 'm').exec(osRelease)?.[1];
  return { name: field('NAME') ?? '', version: field('VERSION_ID') ?? field('VERSION') ?? '' };
}

async function main() {
  const startedAt = performance.now();
  const { folder: binaries, missing } = await prebuiltBinaries();
  const compiler = await firstAvailable('g++', 'c++', 'clang++');
  const git = await firstAvailable('git');
  const headers = await nodeHeaders();
  const lacking = missing ?? (compiler === undefined ? 'no C++ compiler (g++, c++ or clang++)' : git === undefined ? 'no git' : headers === undefined ? "no Node headers (node_api.h)" : undefined);
  if (lacking !== undefined || binaries === undefined) {
    await removeStaleBuild();
    console.log(`studio: not building the patched llama.cpp addon (${lacking}); node-llama-cpp's prebuilt addon will be used, without a persistent thread pool (see native/README.md)`);
    return;
  }
  const libraries = (await readdir(binaries)).filter((name) => LINKED_LIBRARY.test(name)).sort().map((name) => join(binaries, name));
  const addonSources = await listSources(join(nodeLlamaCpp, 'llama', 'addon'));
  const cacheFolder = join(repositoryRoot, '.cache', 'native');
  const hash = await hashInputs(compiler, addonSources, libraries);
  const output = join(cacheFolder, hash);
  const addon = join(output, 'llama-addon.node');
  const cached = await exists(addon);
  if (!cached) await buildAddon({ compiler, git, headers, libraries, output, cacheFolder });
  await installLocalBuild(addon, binaries, hash);
  console.log(`studio: patched llama.cpp addon ${cached ? 'from the cache' : 'built'} (${hash}) in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
}

/** Removes a local build this script installed before (not one of `npx node-llama-cpp source build`'s), so that none built for other inputs stays. */
async function removeStaleBuild() {
  if (await exists(join(localBuildFolder, 'Release', MARKER_FILE))) await rm(localBuildFolder, { recursive: true, force: true });
  if (await exists(join(llamaCppFolder, GRAMMARS_MARKER))) await rm(llamaCppFolder, { recursive: true, force: true });
}

try {
  await main();
} catch (error) {
  await removeStaleBuild();
  console.log(`studio: building the patched llama.cpp addon failed; node-llama-cpp's prebuilt addon will be used, without a persistent thread pool (see native/README.md)\n${error instanceof Error ? error.message : String(error)}`);
}
