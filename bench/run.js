// npm run bench: every benchmark, printed as figures and ratios (never asserted as timed tests).
// Usage: npm run bench [-- NAME...]   names: verdict, check, check-jobs-api, grade, scale, startup
import { benchCheck } from './check.js';
import { benchCheckJobsApi } from './check-jobs-api.js';
import { benchGrade } from './grade.js';
import { benchScale } from './scale.js';
import { benchStartup } from './startup.js';
import { benchVerdict } from './verdict.js';

const benches = {
  verdict: () => benchVerdict(),
  check: () => benchCheck(),
  'check-jobs-api': () => benchCheckJobsApi(),
  grade: () => benchGrade(),
  scale: () => benchScale(),
  startup: () => benchStartup(),
};
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(benches);
let missed = 0;
for (const name of chosen) {
  const run = benches[name];
  if (!run) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  const result = await run();
  console.log(`\n${result.name}`);
  for (const line of result.figures) console.log(`  ${line}`);
  if (!result.met) missed += 1;
}
console.log(missed ? `\n${missed} benchmark(s) with a goal not met (above: NOT met)` : '\nall goals met');
