/**
 * altcha-lib publishes its types only through package.json `exports`, which this project's
 * `moduleResolution: node` does not read (Node, tsx, jest and esbuild all do, at run time). These
 * declarations point the type checker at the same files the `exports` map names.
 */
declare module 'altcha-lib' {
  export * from 'altcha-lib/dist/esm/v2/index';
}
declare module 'altcha-lib/algorithms/pbkdf2' {
  export * from 'altcha-lib/dist/esm/v2/algorithms/pbkdf2';
}
declare module 'altcha-lib/algorithms/web/pbkdf2' {
  export * from 'altcha-lib/dist/esm/v2/algorithms/web/pbkdf2';
}
declare module 'altcha-lib/workers/shared' {
  export * from 'altcha-lib/dist/esm/v2/workers/shared';
}
