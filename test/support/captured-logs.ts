import { logger } from '../../functions/shared/logger';

export interface CapturedLogs {
  /** Every line written to stdout and stderr since capture began. */
  readonly lines: string[];
  /** The lines that are JSON objects, parsed. */
  entries(): Record<string, unknown>[];
  stop(): void;
}

/**
 * Captures what the process writes to stdout and stderr (Powertools Logger writes there, not
 * through `console`), at the given log level, and keeps it off the test output.
 */
export function captureLogs(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' = 'DEBUG'): CapturedLogs {
  const lines: string[] = [];
  const previousLevel = logger.getLevelName();
  logger.setLogLevel(level);
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter((line) => line.length > 0));
      return true;
    }) as typeof stream.write),
  );
  return {
    lines,
    entries: () =>
      lines.flatMap((line) => {
        try {
          const parsed: unknown = JSON.parse(line);
          return parsed && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      }),
    stop() {
      for (const spy of spies) spy.mockRestore();
      logger.setLogLevel(previousLevel);
    },
  };
}
