/** How big each scenario runs: `--quick` keeps the whole run under two minutes. */
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
