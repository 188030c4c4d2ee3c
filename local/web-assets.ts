import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { assetAt, buildWebAssets, CONFIG_PATH, type WebAssets } from '../web/build';
import type { PageConfig } from '../web/src/page-config';

/** The local page signs in through `POST /api/local/token` and calls the API on its own origin under /api, as deployed. */
export const LOCAL_PAGE_CONFIG: PageConfig = { apiUrl: '/api', signIn: { kind: 'local' } };

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
};

/** The same headers the deployed site sends (lib/static-site.ts), so the page is tested under them. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The web page for the local server: `/` and `/app/*` only (the console at `/app/admin` too), every other path is left to the API
 * (and so stays a JSON 404). Built in memory on the first page request, so a server that never
 * serves the page (the API tests) never builds it; `npm run start:synth` passes the files the
 * stack uploads instead.
 */
export function localWebPage(
  load: () => WebAssets = () => new Map([...buildWebAssets(), [CONFIG_PATH, JSON.stringify(LOCAL_PAGE_CONFIG)]]),
): { serve(method: string, path: string): Promise<APIGatewayProxyStructuredResultV2 | undefined> } {
  let built: WebAssets | undefined;
  const assets = () => (built ??= load());

  return {
    async serve(method, path) {
      const name = assetAt(path);
      if (name === undefined || (method !== 'GET' && method !== 'HEAD')) return undefined;
      const content = assets().get(name);
      if (content === undefined) return undefined;
      const extension = name.slice(name.lastIndexOf('.') + 1);
      return {
        statusCode: 200,
        headers: {
          'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
          'cache-control': 'no-cache',
          ...SECURITY_HEADERS,
        },
        body: content, // node leaves the body out of a HEAD answer itself
      };
    },
  };
}
