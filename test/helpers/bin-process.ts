// The built `osprofiler` command as a child process: run to its end, or started and watched through its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { bin } from './built-bin.js';

/** How a finished run ended and what it printed. */
export interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `osprofiler <args>` with exactly `env` (nothing inherited), stdin closed; resolves once it has closed. */
export function runBin(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A started command: its stderr so far, and its exit code once it exits. */
export interface RunningBin {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `osprofiler <args>` (stdin and stdout ignored, `env` defaults to this process's) and collects its stderr. */
export function startBin(args: string[], env: NodeJS.ProcessEnv = process.env): RunningBin {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/** Starts `osprofiler collect` reading the broker `rabbitUrl` into the SQLite file `db`. */
export function startCollector(rabbitUrl: string, db: string, statsIntervalSeconds: number): RunningBin {
  return startBin([
    'collect',
    '--transport-url',
    rabbitUrl,
    '--connection-string',
    `sqlite:///${db}`,
    '--stats-interval',
    String(statsIntervalSeconds),
  ]);
}

/** A running `osprofiler ui`: the URL it printed, and its stderr so far. */
export interface RunningUi {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** Starts `osprofiler ui --port 0 <extra>`; resolves once it prints its URL, rejects if it exits first. */
export function startUi(extra: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunningUi> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'ui', '--port', '0', ...extra], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /http:\/\/\S+\//.exec(out);
      if (match) resolve({ child, url: match[0], stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`osprofiler ui exited (${code}): ${err}`)));
  });
}
