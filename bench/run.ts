/**
 * `npm run bench [-- --quick] [-- --base-url http://127.0.0.1:3000]`: starts DynamoDB Local and the
 * server (or uses DYNAMODB_ENDPOINT / --base-url), runs every scenario, prints the table and
 * writes bench/results.json. Load goes to loopback only, bounded in requests and time.
 */
import '../local/quiet-sdk-warning';
import { cpus, freemem, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { startEnvironment } from './environment';
import { HttpClient } from './http-client';
import { parseOptions } from './options';
import { formatTable, writeResults, type Figure } from './results';
import type { Scenario } from './scenario';
import { chargeThroughputScenario } from './scenarios/charge-throughput';
import { coldStartScenario } from './scenarios/cold-start';
import { contentionScenario } from './scenarios/contention';
import { edgeStateScenario } from './scenarios/edge-state';
import { joinBurstScenario } from './scenarios/join-burst';
import { joinChallengeScenario } from './scenarios/join-challenge';
import { journeysScenario } from './scenarios/journeys';
import { memoryScenario } from './scenarios/memory';
import { pollDepthScenario } from './scenarios/poll-depth';
import { pollThroughputScenario } from './scenarios/poll-throughput';
import { routesScenario } from './scenarios/routes';

const SCENARIOS: readonly Scenario[] = [
  routesScenario,
  pollDepthScenario,
  joinBurstScenario,
  joinChallengeScenario,
  edgeStateScenario,
  pollThroughputScenario,
  contentionScenario,
  chargeThroughputScenario,
  journeysScenario,
  coldStartScenario,
  memoryScenario,
];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const log = (message: string) => console.log(`[bench] ${message}`);
  const scenarios = SCENARIOS.filter((s) => !options.only || options.only.includes(s.name));
  log(`${options.sizes.mode} run: ${scenarios.map((s) => s.name).join(', ')}`);

  const env = await startEnvironment({ baseUrl: options.baseUrl });
  const http = new HttpClient(env.url, 2048);
  log(`server at ${env.url}; ${env.description}`);
  const figures: Figure[] = [];
  try {
    for (const scenario of scenarios) {
      const scenarioStart = performance.now();
      log(`scenario ${scenario.name}…`);
      figures.push(...(await scenario.run({ env, http, sizes: options.sizes, log })));
      log(`scenario ${scenario.name} done in ${Math.round((performance.now() - scenarioStart) / 1000)} s`);
    }
  } finally {
    http.close();
    await env.stop();
  }

  const durationSeconds = Math.round((performance.now() - started) / 1000);
  writeResults(options.resultsPath, {
    mode: options.sizes.mode,
    startedAt,
    durationSeconds,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    environment: env.description,
    figures,
  });
  console.log(`\n${formatTable(figures)}\n`);
  const failed = figures.filter((f) => f.pass === false);
  log(
    `${figures.length} figures, ${figures.filter((f) => f.pass).length} meet their target, ${failed.length} do not; ${durationSeconds} s; free memory ${Math.round(freemem() / 2 ** 20)} MiB`,
  );
  log(`results in ${options.resultsPath}`);
}

main().catch((error: unknown) => {
  console.error(`[bench] ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
