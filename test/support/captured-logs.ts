import { logger } from '../../functions/shared/logger';

/** One metric of an embedded-metric-format line: its name, value, unit and dimensions. */
export interface CapturedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly dimensions: Record<string, string>;
}

export interface CapturedLogs {
  /** Every line written to stdout and stderr since capture began. */
  readonly lines: string[];
  /** The log lines (JSON objects, metric lines left out), parsed. */
  entries(): Record<string, unknown>[];
  /** The metrics of the embedded-metric-format lines (JSON objects with `_aws`), one per metric. */
  metrics(): CapturedMetric[];
  stop(): void;
}

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

const isEmf = (entry: Record<string, unknown>): entry is EmfLine => typeof entry._aws === 'object' && entry._aws !== null;

/**
 * Captures what the process writes to stdout and stderr (Powertools Logger and Metrics write
 * there, not through `console`), at the given log level and with metric lines on, and keeps it
 * off the test output.
 */
export function captureLogs(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' = 'DEBUG'): CapturedLogs {
  const lines: string[] = [];
  const previousLevel = logger.getLevelName();
  const previousMetrics = process.env.POWERTOOLS_METRICS_DISABLED;
  logger.setLogLevel(level);
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line.length > 0),
      );
      return true;
    }) as typeof stream.write),
  );
  const parsed = () =>
    lines.flatMap((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return value && typeof value === 'object' ? [value as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
  return {
    lines,
    entries: () => parsed().filter((entry) => !isEmf(entry)),
    metrics: () =>
      parsed()
        .filter(isEmf)
        .flatMap((line) =>
          line._aws.CloudWatchMetrics.flatMap((directive) =>
            directive.Metrics.map((metric) => ({
              namespace: directive.Namespace,
              name: metric.Name,
              unit: metric.Unit,
              value: line[metric.Name] as number,
              dimensions: Object.fromEntries(directive.Dimensions.flat().map((name) => [name, String(line[name])])),
            })),
          ),
        ),
    stop() {
      for (const spy of spies) spy.mockRestore();
      logger.setLogLevel(previousLevel);
      if (previousMetrics === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = previousMetrics;
    },
  };
}
