import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { jsonResponse } from '../functions/http/responses';
import { renderApiDocsPage } from './api-docs-page';
import type { buildOpenApiDocument } from './openapi-document';

/**
 * `GET /openapi.json` and `GET /docs` of the local server (never deployed): the document generated
 * from the route table and the schemas, naming the server it came from, and its HTML rendering.
 * Undefined for any other request.
 */
export function apiDocsResponse(method: string, path: string, serverUrl: string): APIGatewayProxyStructuredResultV2 | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (path === '/openapi.json') return jsonResponse(200, documentFor(serverUrl));
  if (path === '/docs' || path === '/docs/') {
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      body: renderApiDocsPage(documentFor(serverUrl)),
    };
  }
  return undefined;
}

const documents = new Map<string, ReturnType<typeof buildOpenApiDocument>>();

function documentFor(serverUrl: string) {
  let document = documents.get(serverUrl);
  if (!document) {
    // Loaded at the first request for it: the generator, classic zod and the schemas held ~5 MB in every idle server.
    const { buildOpenApiDocument: build } = require('./openapi-document') as typeof import('./openapi-document');
    document = build({ serverUrl });
    documents.set(serverUrl, document);
  }
  return document;
}
