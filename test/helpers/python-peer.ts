// The real Python OSProfiler on this machine: its CLI, the interpreter it runs on, and whether that interpreter has a module.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { optionalBinary, servicesRequired } from './services.js';

const run = promisify(execFile);

/** Python's `osprofiler` CLI (Debian's python3-osprofiler), or why it is missing. */
export const pythonCli = optionalBinary('osprofiler', 'apt-get install -y python3-osprofiler');

/** The interpreter the CLI runs on (its shebang): the one Debian's python3-* modules are installed for. */
export const python =
  pythonCli.path === undefined ? undefined : /^#!\s*(\S+)/.exec(readFileSync(pythonCli.path, 'utf8'))?.[1];

/**
 * false when {@link python} imports `modules` (comma-separated), else why a test must skip. Under
 * OSPROFILER_REQUIRE_SERVICES=1 a missing module throws instead: CI installs them (.ci/run), so
 * there it must not quietly skip the test.
 */
export async function pythonLacks(modules: string, install: string): Promise<string | false> {
  if (python === undefined) return 'the Python osprofiler CLI is not installed (apt-get install -y python3-osprofiler)';
  try {
    await run(python, ['-c', `import ${modules}`]);
    return false;
  } catch {
    const why = `Python modules ${modules} are not installed for ${python} (apt-get install -y ${install})`;
    if (servicesRequired) throw new Error(`${why}, and OSPROFILER_REQUIRE_SERVICES=1 requires them.`);
    return why;
  }
}
