import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

/**
 * Stack traces that name our files and lines, not the bundle's one minified line, read lazily.
 *
 * Deployed, each function's source map lies beside its bundle (index.js.map), but Node does not
 * read it at start-up: `--enable-source-maps` read and parsed the whole map in every cold start,
 * about half of a function's own init (BENCHMARKS.md, figure 6), for stacks that are rarely
 * logged. Here the map is read at the first stack an instance logs, once, and each frame in the
 * bundle is given its place in the source. Run from the sources (locally, in tests) there is no
 * map, and stacks pass as they are.
 */
export function stackMapper(bundleFile: string): (stack: string) => string {
  let map: SourceMap | null | undefined;
  const frame = new RegExp(`${bundleFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`, 'g');
  return (stack) => {
    map ??= readMap(`${bundleFile}.map`);
    if (!map) return stack;
    const source = map;
    return stack.replace(frame, (whole, line: string, column: string) => {
      const entry = source.findEntry(Number(line) - 1, Number(column) - 1);
      return 'originalSource' in entry ? `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}` : whole;
    });
  };
}

function readMap(file: string): SourceMap | null {
  try {
    return new SourceMap(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}
