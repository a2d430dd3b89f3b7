// An in-memory CliIo for running `main()` and the commands in-process: output is collected as text.
import type { CliIo } from '../../src/cli/io.js';

/** A CliIo whose stdout and stderr accumulate in `out` and `err`; `home` is OSPROFILER_HOME (and the cwd by default). */
export function memoryIo(
  home: string,
  env: Record<string, string> = {},
  cwd: string = home,
): CliIo & { out: string; err: string } {
  const sink = {
    out: '',
    err: '',
    stdout: (text: string) => void (sink.out += text),
    stderr: (text: string) => void (sink.err += text),
    env: { OSPROFILER_HOME: home, ...env },
    cwd,
    stdoutIsTTY: false,
  };
  return sink;
}
