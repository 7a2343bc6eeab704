// Preloaded by the bench into a child CLI (`node --import`): at exit, write the process's peak
// resident set (bytes) to PGSFLOW_BENCH_PEAK_FILE, so the parent gets it exactly.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.PGSFLOW_BENCH_PEAK_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
});
