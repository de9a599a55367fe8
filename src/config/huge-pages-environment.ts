// Whether `studio serve` runs in a child with glibc's malloc asking for transparent huge pages (cli/huge-pages.ts says
// why), and that child's environment. A GLIBC_TUNABLES that already names the tunable is the user's choice
// (glibc.malloc.hugetlb=0 keeps 4 KiB pages) and is left as it is, with no child.
import { readFileSync } from 'node:fs';

const TUNABLE = 'glibc.malloc.hugetlb';
/** In the child's environment: it is the relaunched server, which ends with its parent. */
const CHILD_MARK = 'STUDIO_HUGE_PAGES_CHILD';

function transparentHugePagesAvailable(): boolean {
  try {
    return !readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').includes('[never]');
  } catch {
    return false;
  }
}

function runsOnGlibc(): boolean {
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return report.header?.glibcVersionRuntime !== undefined;
}

/** The environment of a child to run `argv`'s command in with huge pages, or undefined where this process runs it itself. */
export function hugePagesChildEnvironment(argv: readonly string[]): NodeJS.ProcessEnv | undefined {
  const tunables = process.env.GLIBC_TUNABLES ?? '';
  const wanted =
    argv[2] === 'serve' &&
    process.platform === 'linux' &&
    // Also keeps the child, whose environment names it, from starting another.
    !tunables.includes(TUNABLE) &&
    // A debugger's port would be taken twice.
    !process.execArgv.some((flag) => flag.startsWith('--inspect')) &&
    transparentHugePagesAvailable() &&
    runsOnGlibc();
  if (!wanted) return undefined;
  return { ...process.env, GLIBC_TUNABLES: tunables === '' ? `${TUNABLE}=1` : `${tunables}:${TUNABLE}=1`, [CHILD_MARK]: '1' };
}

/** True in the relaunched child, whose mark is then removed so that no process it starts inherits it. */
export function takeHugePagesChildMark(): boolean {
  if (process.env[CHILD_MARK] === undefined) return false;
  delete process.env[CHILD_MARK];
  return true;
}
