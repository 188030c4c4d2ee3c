/** Waits `ms` milliseconds: the back-off between tries of a contended write. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
