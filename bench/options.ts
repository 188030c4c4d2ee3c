/** How big each scenario runs: `--quick` keeps the whole run under three minutes. */
export interface BenchSizes {
  readonly mode: 'quick' | 'full';
  /** Connections of the per-route latency runs, and requests per route. */
  readonly routeConnections: number;
  readonly routeRequests: number;
  readonly routeMaxSeconds: number;
  /** Polls per depth, and whether the deep line is written item by item (else only its counter). */
  readonly pollRequests: number;
  readonly deepLineItems: boolean;
  readonly contentionClients: number;
  readonly journeyUsers: number;
  /** Journeys run until this many seconds have passed (each user finishes the one it is on). */
  readonly journeySeconds: number;
  /** Fresh processes per bundle when timing module init. */
  readonly coldStartRuns: number;
  /** Users who join one concert at the same instant. */
  readonly burstUsers: number;
  /** Raw calls per measurement of DynamoDB's own throughput. */
  readonly rawCalls: number;
  /** Seconds of each throughput run (polls, charges, GET /health), and runs of each, alternating. */
  readonly throughputSeconds: number;
  readonly throughputRounds: number;
  /** 200-user races for one seat, each timed against as many raw conditional writes. */
  readonly raceRuns: number;
  /** Seconds `npm start` stays idle before its memory is read. */
  readonly memoryIdleSeconds: number;
  /** Joins of each kind (plain, with a verified solution) in the join-challenge scenario, and page solves in Chromium. */
  readonly challengeJoins: number;
  readonly challengeSolves: number;
  /** Clients polling the queue's state through the edge cache, in turn; each polls every `edgePollSeconds`, for `edgeSeconds`. */
  readonly edgeClients: readonly number[];
  readonly edgePollSeconds: number;
  readonly edgeSeconds: number;
  /** Clients who wait through a whole line as the page does, counting their authenticated calls. */
  readonly edgeWaiters: number;
}

export interface BenchOptions {
  readonly sizes: BenchSizes;
  readonly baseUrl?: string;
  readonly resultsPath: string;
  /** Only these scenarios (by name), or all. */
  readonly only?: readonly string[];
}

const QUICK: BenchSizes = {
  mode: 'quick',
  routeConnections: 1,
  routeRequests: 24,
  routeMaxSeconds: 4,
  pollRequests: 160,
  deepLineItems: false,
  contentionClients: 200,
  journeyUsers: 30,
  journeySeconds: 0,
  coldStartRuns: 5,
  burstUsers: 500,
  rawCalls: 1000,
  throughputSeconds: 2,
  throughputRounds: 2,
  raceRuns: 3,
  memoryIdleSeconds: 15,
  challengeJoins: 200,
  challengeSolves: 9,
  edgeClients: [1_000, 10_000],
  edgePollSeconds: 10,
  edgeSeconds: 5,
  edgeWaiters: 60,
};

const FULL: BenchSizes = {
  mode: 'full',
  routeConnections: 1,
  routeRequests: 500,
  routeMaxSeconds: 40,
  pollRequests: 2000,
  deepLineItems: true,
  contentionClients: 1000,
  journeyUsers: 200,
  journeySeconds: 60,
  coldStartRuns: 31,
  burstUsers: 1000,
  rawCalls: 3000,
  throughputSeconds: 10,
  throughputRounds: 2,
  raceRuns: 5,
  memoryIdleSeconds: 30,
  challengeJoins: 600,
  challengeSolves: 21,
  edgeClients: [1_000, 10_000],
  edgePollSeconds: 10,
  edgeSeconds: 15,
  edgeWaiters: 300,
};

export function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let baseUrl: string | undefined;
  let resultsPath = 'bench/results.json';
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--base-url') baseUrl = argv[++i];
    else if (arg.startsWith('--base-url=')) baseUrl = arg.slice('--base-url='.length);
    else if (arg === '--out') resultsPath = argv[++i];
    else if (arg === '--only') only = argv[++i].split(',');
    else throw new Error(`unknown option ${arg}: use --quick, --base-url <url>, --out <file>, --only <scenario,...>`);
  }
  if (baseUrl !== undefined && !/^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/.test(baseUrl)) {
    throw new Error(`--base-url must be a loopback address (127.0.0.1, localhost, [::1]), not ${baseUrl}`);
  }
  return { sizes: quick ? QUICK : FULL, baseUrl, resultsPath, only };
}
