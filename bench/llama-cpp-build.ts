// Builds llama.cpp's llama-server, llama-bench and llama-batched-bench from the source node-llama-cpp ships, once per llama.cpp commit.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { access, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));
const bundlePath = join(repositoryRoot, 'node_modules/node-llama-cpp/llama/gitRelease.bundle');
const cacheDirectory = join(repositoryRoot, '.cache/llama.cpp');

/** CPU-only, tuned for this machine, without the web UI's download or anything the benchmark does not run. */
const CMAKE_OPTIONS = [
  '-DCMAKE_BUILD_TYPE=Release',
  '-DGGML_NATIVE=ON',
  '-DLLAMA_BUILD_TESTS=OFF',
  '-DLLAMA_BUILD_EXAMPLES=OFF',
  '-DLLAMA_BUILD_SERVER=ON',
  '-DLLAMA_USE_PREBUILT_UI=OFF',
  '-DLLAMA_OPENSSL=OFF',
];

export interface LlamaCppBuild {
  readonly commit: string;
  /** The llama.cpp source the binaries were built from. */
  readonly sourceDirectory: string;
  readonly serverBinary: string;
  readonly benchBinary: string;
  readonly batchedBenchBinary: string;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The commit the bundle's HEAD names. */
async function bundleCommit(): Promise<string> {
  const { stdout } = await promisify(execFile)('git', ['bundle', 'list-heads', bundlePath]);
  const commit = /^([0-9a-f]{40}) HEAD$/m.exec(stdout)?.[1];
  if (commit === undefined) throw new Error(`no HEAD in ${bundlePath}:\n${stdout}`);
  return commit;
}

/** Runs a command with its output appended to `logPath`; `onLine` sees each line. */
function runLogged(executable: string, args: readonly string[], logPath: string, onLine: (line: string) => void = () => {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logPath, { flags: 'a' });
    log.write(`$ ${executable} ${args.join(' ')}\n`);
    const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    const forward = (data: Buffer): void => {
      log.write(data);
      const lines = (partial + data.toString()).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      log.end();
      if (code === 0) resolve();
      else reject(new Error(`${executable} ${args[0] ?? ''} failed (${code ?? signal}); see ${logPath}`));
    });
  });
}

/** Writes one status line, rewritten in place on a terminal. */
function statusLine(text: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[K${text}`);
}

/** Where the build of `commit` lives (or will), under .cache/llama.cpp/<commit>/. */
function buildPaths(commit: string): LlamaCppBuild {
  const directory = join(cacheDirectory, commit);
  const binary = (name: string): string => join(directory, 'build', 'bin', name);
  return { commit, sourceDirectory: join(directory, 'source'), serverBinary: binary('llama-server'), benchBinary: binary('llama-bench'), batchedBenchBinary: binary('llama-batched-bench') };
}

/** The build for the bundle's commit when its llama-server exists, without building anything (for tests that skip otherwise). */
export async function findLlamaServer(): Promise<LlamaCppBuild | undefined> {
  const build = buildPaths(await bundleCommit());
  return (await exists(build.serverBinary)) ? build : undefined;
}

/** Unpacks the bundle's source into the build's source folder unless it is there already. */
async function cloneSource(build: LlamaCppBuild, logPath: string): Promise<void> {
  if (await exists(build.sourceDirectory)) return;
  const cloning = `${build.sourceDirectory}.partial`;
  await rm(cloning, { recursive: true, force: true });
  await runLogged('git', ['clone', '--quiet', bundlePath, cloning], logPath);
  await rename(cloning, build.sourceDirectory);
}

/** The llama.cpp source for the bundle's commit, unpacked (a few seconds) but not built: enough for its headers. */
export async function ensureLlamaCppSource(): Promise<LlamaCppBuild> {
  const build = buildPaths(await bundleCommit());
  const directory = join(cacheDirectory, build.commit);
  await mkdir(directory, { recursive: true });
  await cloneSource(build, join(directory, 'build.log'));
  return build;
}

/**
 * Returns the binaries for the bundle's commit, building them into .cache/llama.cpp/<commit>/ when they are missing.
 * A node-llama-cpp upgrade ships another commit, so it gets a fresh build.
 */
export async function ensureLlamaCpp(): Promise<LlamaCppBuild> {
  const commit = await bundleCommit();
  const build = buildPaths(commit);
  const directory = join(cacheDirectory, commit);
  const { sourceDirectory } = build;
  const buildDirectory = join(directory, 'build');
  const targets = ['llama-server', 'llama-bench', 'llama-batched-bench'];
  if ((await Promise.all([build.serverBinary, build.benchBinary, build.batchedBenchBinary].map(exists))).every(Boolean)) return build;

  await mkdir(directory, { recursive: true });
  const logPath = join(directory, 'build.log');
  const startedAt = performance.now();
  console.log(`Building llama.cpp ${commit.slice(0, 10)} (${targets.join(', ')}): several minutes the first time; log: ${logPath}`);
  await cloneSource(build, logPath);
  await runLogged('cmake', ['-S', sourceDirectory, '-B', buildDirectory, ...CMAKE_OPTIONS], logPath);
  const jobs = String(availableParallelism());
  await runLogged('cmake', ['--build', buildDirectory, '--config', 'Release', '--target', ...targets, '-j', jobs], logPath, (line) => {
    const progress = /^\[\s*(\d+)%\]/.exec(line)?.[1];
    if (progress !== undefined) statusLine(`  building llama.cpp: ${progress}%`);
  });
  statusLine('');
  console.log(`Built llama.cpp in ${Math.round((performance.now() - startedAt) / 1000)} s`);
  return build;
}

/**
 * Returns `decode-loop.cpp` built against the llama.cpp libraries in `binaries` (node-llama-cpp's prebuilt ones),
 * with the headers of `build`'s source (only unpacked, see `ensureLlamaCppSource`); built once per commit.
 */
export async function ensureDecodeLoop(build: LlamaCppBuild, binaries: string): Promise<string> {
  const binary = join(cacheDirectory, build.commit, 'decode-loop');
  if (await exists(binary)) return binary;
  const source = fileURLToPath(new URL('./decode-loop.cpp', import.meta.url));
  const includes = ['include', 'ggml/include'].flatMap((folder) => ['-I', join(build.sourceDirectory, folder)]);
  // libllama, libggml and libggml-base, whatever version their names carry; the CPU backends load at run time.
  const libraries = (await readdir(binaries)).filter((name) => /^lib(llama|ggml|ggml-base)(\.v[\d.]+)?\.so$/.test(name)).map((name) => join(binaries, name));
  const logPath = join(cacheDirectory, build.commit, 'build.log');
  await runLogged('g++', ['-O2', '-std=c++17', source, ...includes, ...libraries, `-Wl,-rpath,${binaries}`, '-o', binary], logPath);
  return binary;
}

// `npx tsx bench/llama-cpp-build.ts` builds them ahead of time (the llama-server upstream tests skip until then).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await ensureLlamaCpp();
}
