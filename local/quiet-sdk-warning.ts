// The local runtime runs on Node.js 20, which the AWS SDK warns about at every start; the
// deployed functions run on Node.js 22. Imported first, before any SDK client exists.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
