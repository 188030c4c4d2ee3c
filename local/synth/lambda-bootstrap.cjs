'use strict';
/**
 * The Lambda runtime's part of `npm run start:synth`, run in a plain Node.js process of its own per
 * function: no TypeScript loader, no project node_modules on the module path, only the environment
 * the template gives the function. It loads the bundle's handler once, as Lambda's init does (a
 * failure is reported with Lambda's error names), then runs each invocation the parent sends over
 * IPC and sends back its result or error. Plain JavaScript on purpose: nothing may help the bundle
 * that the Lambda runtime would not.
 */
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerSetting = process.env._HANDLER || '';

function failure(errorType, message) {
  const error = new Error(message);
  error.name = errorType;
  return error;
}

async function loadHandler() {
  const dot = handlerSetting.lastIndexOf('.');
  if (dot <= 0) throw failure('Runtime.MalformedHandlerName', `Bad handler ${handlerSetting}`);
  const modulePath = handlerSetting.slice(0, dot);
  const exportName = handlerSetting.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs']
    .map((extension) => join(taskRoot, `${modulePath}${extension}`))
    .find((candidate) => existsSync(candidate));
  if (!file) throw failure('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`);
  let loaded;
  try {
    loaded = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : require(file);
  } catch (error) {
    throw failure('Runtime.ImportModuleError', String(error && error.stack ? error.stack.split('\n')[0] : error));
  }
  const handler = loaded[exportName];
  if (typeof handler !== 'function') throw failure('Runtime.HandlerNotFound', `${handlerSetting} is undefined or not exported`);
  return handler;
}

/** An async handler's promise, or a callback-style handler's callback, as the Node.js runtime accepts both. */
function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, value) => (error ? reject(error) : resolve(value));
    try {
      const result = handler(event, context, callback);
      if (result && typeof result.then === 'function') result.then(resolve, reject);
      else if (handler.length < 3) resolve(result);
    } catch (error) {
      reject(error);
    }
  });
}

function contextFor(message) {
  const env = process.env;
  return {
    awsRequestId: message.requestId,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.functionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const describe = (error) => ({
  errorType: (error && error.name) || 'Error',
  errorMessage: String(error && error.message !== undefined ? error.message : error),
});

// The parent gone, the sandbox goes too.
process.on('disconnect', () => process.exit(0));

loadHandler().then(
  (handler) => {
    process.on('message', (message) => {
      if (!message || message.type !== 'invoke') return;
      run(handler, message.event, contextFor(message)).then(
        (value) => {
          try {
            process.send({ type: 'result', id: message.id, value: value === undefined ? null : value });
          } catch (error) {
            process.send({ type: 'error', id: message.id, error: describe(error) });
          }
        },
        (error) => {
          console.error(
            `ERROR\tInvoke Error\t${JSON.stringify({ ...describe(error), stack: String((error && error.stack) || '').split('\n') })}`,
          );
          process.send({ type: 'error', id: message.id, error: describe(error) });
        },
      );
    });
    process.send({ type: 'ready' });
  },
  (error) => {
    console.error(`ERROR\tInit Error\t${JSON.stringify(describe(error))}`);
    process.send({ type: 'init-error', error: describe(error) }, () => process.exit(1));
  },
);
