/** `list` in consecutive parts of at most `size`, in order: DynamoDB's batch and expression limits are per call. */
export const chunks = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
