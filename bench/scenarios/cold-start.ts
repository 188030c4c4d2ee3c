/**
 * Figure 6: each function's bundle as the stack builds it (esbuild, minified, Node 22, the AWS SDK
 * left out) and its module init time in a fresh Node process, against a bare handler that only
 * creates the DynamoDB document client. Init is the CPU time the process spent in `require`: on a
 * machine shared with other work, wall time also counts the time spent waiting for a core.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { jobs } from '../../functions/jobs/job-table';
import { streamConsumers } from '../../functions/jobs/stream-consumers';
import { groupEntry, handlerGroups } from '../../functions/http/route-table';
import { localTableEnv } from '../../local/tables';
import { judged, type Figure } from '../results';
import type { Scenario } from '../scenario';
import { median, round } from '../stats';

const GROUP = '6 cold start';
const ROOT = resolve(__dirname, '..', '..');
/** Inside node_modules, so the bundles find the AWS SDK there as the Lambda runtime provides it. */
const OUT_DIR = join(ROOT, 'node_modules', '.cache', 'bench-cold-start');
const BARE = 'bench/cold-start/bare-handler.ts';
const MAX_BUNDLE_BYTES = 600 * 1024;

/** The options of lib/service-function.ts's bundling, as esbuild takes them. */
export const STACK_BUNDLING: BuildOptions = {
  bundle: true,
  minify: true,
  sourcemap: 'external',
  sourcesContent: false,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external: ['@aws-sdk/*'],
  logLevel: 'warning',
};

export const coldStartScenario: Scenario = {
  name: 'cold-start',
  async run({ sizes, log }) {
    mkdirSync(OUT_DIR, { recursive: true });
    const entries = [
      ...handlerGroups.map((group) => ({ name: `${group}-api`, entry: groupEntry(group) })),
      ...jobs.map((job) => ({ name: `${job.name}-job`, entry: job.entry })),
      ...streamConsumers.map((consumer) => ({ name: consumer.name, entry: consumer.entry })),
    ];
    const bundles = new Map<string, string>();
    for (const { name, entry } of [...entries, { name: 'bare-handler', entry: BARE }]) {
      const outfile = join(OUT_DIR, `${name}.js`);
      await build({ ...STACK_BUNDLING, entryPoints: [resolve(ROOT, entry)], outfile });
      bundles.set(name, outfile);
    }
    log(`cold-start: ${entries.length} bundles, ${sizes.coldStartRuns} fresh processes each`);

    // Interleaved, so a busy moment of the machine touches every bundle alike.
    const times = new Map<string, InitTime[]>([...bundles.keys()].map((name) => [name, []]));
    for (let run = 0; run < sizes.coldStartRuns; run++) {
      for (const [name, file] of bundles) times.get(name)!.push(initTime(file));
    }
    const p50 = (name: string, of: keyof InitTime) => median(times.get(name)!.map((time) => time[of]));
    const bare = p50('bare-handler', 'cpuMs');
    const figures: Figure[] = [];
    for (const { name } of entries) {
      const bytes = statSync(bundles.get(name)!).size;
      const init = p50(name, 'cpuMs');
      figures.push(judged(GROUP, `${name} bundle`, round(bytes / 1024, 1), 'KiB', '<=', MAX_BUNDLE_BYTES / 1024));
      figures.push(
        judged(
          GROUP,
          `${name} init / bare handler init`,
          round(init / bare),
          'x',
          '<=',
          1.3,
          `init CPU p50 ${round(init, 1)} ms, bare handler ${round(bare, 1)} ms (wall p50 ${round(p50(name, 'wallMs'), 1)} and ${round(p50('bare-handler', 'wallMs'), 1)} ms)`,
        ),
      );
    }
    return figures;
  },
};

interface InitTime {
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** Loading the bundle in a fresh Node process, as Lambda's init phase does: CPU time (user + system) and wall time. */
function initTime(file: string): InitTime {
  const script =
    `const t=process.hrtime.bigint(),c=process.cpuUsage();require(${JSON.stringify(file)});const u=process.cpuUsage(c);` +
    `process.stdout.write(JSON.stringify({cpuMs:(u.user+u.system)/1e3,wallMs:Number(process.hrtime.bigint()-t)/1e6}))`;
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      ...localTableEnv('cold-start-'),
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  if (result.status !== 0) throw new Error(`loading ${file} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as InitTime;
}
