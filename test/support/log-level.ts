// Tests see only errors (a 500 is a bug worth seeing); tests about logging set the level they need.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
// Metric lines (EMF) off likewise; captureLogs turns them on while it captures.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
