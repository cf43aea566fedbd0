// Preloaded into a measured command: prints its wall time and peak RSS as a JSON line on stderr at exit.
const started = process.hrtime.bigint();
process.on('exit', (code) => {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(
    `\n${JSON.stringify({ code, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
});
