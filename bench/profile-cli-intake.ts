import '../cli/node-warnings.ts';
import { startDynamoLocal } from '../cli/local/dynamo-local.ts';
import { benchCliIntake } from './cli-intake-bench.ts';
import { realisticMix, todayMix } from './intake-mixes.ts';

/**
 * One intake mix through the CLI process with a V8 CPU profile of the submit (where the time goes):
 *   tsx bench/profile-cli-intake.ts <today|realistic> <awards> <profile dir>
 * Open the .cpuprofile in Chrome DevTools (Performance) or VS Code.
 */
const [mixName = 'realistic', count = '5000', dir = 'bench/out'] = process.argv.slice(2);
process.env['BENCH_CPU_PROF'] = dir;
const local = await startDynamoLocal({ inMemory: true });
try {
  const mix = mixName === 'today' ? todayMix(Number(count)) : realisticMix(Number(count));
  process.stdout.write(`${JSON.stringify(benchCliIntake(local.endpoint, `profile-${mixName}`, mix, true))}\n`);
} finally {
  await local.stop();
}
