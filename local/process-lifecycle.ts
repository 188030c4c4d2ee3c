/** What `npm start` and `npm run start:synth` share as commands: a tagged log, Ctrl-C, and a start that fails in one line. */

/** A logger whose lines carry the command's tag, e.g. `[local] ready: …`. */
export const taggedLog =
  (tag: string) =>
  (message: string): void =>
    console.log(`[${tag}] ${message}`);

/** On Ctrl-C or SIGTERM: stop each part in order (the server, then its database), once, then exit. */
export function stopOnSignals(log: (message: string) => void, parts: readonly ({ stop(): Promise<void> } | undefined)[]): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    for (const part of parts) await part?.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Runs a command's start; a failure is one line on stderr (a taken port says which), never a stack. */
export function runCommand(tag: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const inUse = (error as { code?: string }).code === 'EADDRINUSE';
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      `[${tag}] ${inUse ? `port ${process.env.PORT ?? 3000} is in use: stop what runs there or start with PORT=<another port>` : message}`,
    );
    process.exit(1);
  });
}
