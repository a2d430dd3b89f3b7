// bench:check's same-run Python baseline: the Python OSProfiler's get_report + `trace show --json`
// rendering of a trace, next to ours on the same store and trace.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

// why: Debian's python3-osprofiler installs for the system interpreter; a pyenv or venv `python3`
// earlier on PATH usually lacks it.
const PYTHON = process.env.OSPROFILER_BENCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python-report.py', import.meta.url));
/** Rounds of the comparison (each Python read of 100k spans takes ~10 s here). */
const PYTHON_ROUNDS = 3;

/** One timed Python read, or why Python could not do it. */
type PythonRead = { ms: number; sha256: string; chars: number } | { unmeasured: string };

/** Why the Python peer cannot read `modules`' stores here, or undefined when it can. */
function pythonPeerMissing(modules: string): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', `import osprofiler, ${modules}`], { encoding: 'utf8' });
  if (probe.error !== undefined) return `${PYTHON} cannot run (${probe.error.message})`;
  if (probe.status !== 0) {
    return `${PYTHON} cannot import osprofiler, ${modules} (apt-get install python3-osprofiler python3-sqlalchemy python3-psycopg2 python3-redis)`;
  }
  return undefined;
}

/** Python's get_report + json.dumps of trace `baseId` in store `url`, timed inside Python. */
function pythonRead(url: string, baseId: string): PythonRead {
  const run = spawnSync(PYTHON, [SCRIPT, url, baseId], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) {
    const why = run.error?.message ?? run.stderr.trim().split('\n').at(-1) ?? `exit ${run.status}`;
    return { unmeasured: `the Python peer failed to read the trace: ${why}` };
  }
  return JSON.parse(run.stdout) as { ms: number; sha256: string; chars: number };
}

/** The SHA-256 and length Python's line reports, of our rendered text (ASCII, as Python's). */
function digestOf(text: string): { sha256: string; chars: number } {
  return { sha256: createHash('sha256').update(text, 'utf8').digest('hex'), chars: text.length };
}

/**
 * `rounds` samples of Python's read + render time over ours (`ours` reads and renders the same
 * trace and returns the text), the two back to back, which runs first alternating. Fails the
 * figure when the two texts differ: then the sides did not do the same work.
 */
async function vsPythonRatios(
  url: string,
  baseId: string,
  rounds: number,
  ours: () => Promise<string>,
): Promise<number[] | { unmeasured: string }> {
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let oursMs = 0;
    let mine = { sha256: '', chars: 0 };
    // why: only the digest outlives the call, so the 85 MB text is garbage before Python runs
    const runOurs = async (): Promise<void> => {
      const t0 = performance.now();
      const text = await ours();
      oursMs = performance.now() - t0;
      mine = digestOf(text);
    };
    if (r % 2 === 1) await runOurs();
    const python = pythonRead(url, baseId);
    if (r % 2 === 0) await runOurs();
    if ('unmeasured' in python) return python;
    if (mine.sha256 !== python.sha256) {
      return {
        unmeasured: `Python's report text (${python.chars} chars) differs from ours (${mine.chars} chars), so the times do not compare`,
      };
    }
    ratios.push(python.ms / oursMs);
  }
  return ratios;
}

/**
 * Python's read + render time over ours on trace `baseId` of store `url` (PYTHON_ROUNDS samples),
 * or why it was not measured; `modules` are the Python clients that store needs.
 */
export async function versusPython(
  url: string,
  baseId: string,
  modules: string,
  ours: () => Promise<string>,
): Promise<number[] | { unmeasured: string }> {
  const missing = pythonPeerMissing(modules);
  if (missing !== undefined) return { unmeasured: missing };
  return vsPythonRatios(url, baseId, PYTHON_ROUNDS, ours);
}
