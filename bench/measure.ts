/** Runs one ferry command in this process and prints its wall time and peak RSS as JSON on stderr. */
import { main } from '../src/cli/main';

process.env.UV_THREADPOOL_SIZE ??= '8';

const started = process.hrtime.bigint();
const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  out: () => undefined,
  err: (t) => process.stderr.write(t),
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stderr.write(
  `\n${JSON.stringify({ code, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
process.exitCode = code;
