/**
 * `GET /docs`: the OpenAPI document as one self-contained HTML page, rendered here on the server
 * with no script, no font and no stylesheet from elsewhere, so it reads the same offline.
 */
import type { OpenApiDocument } from './openapi-document';

type Json = Record<string, any>;

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

const escape = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const inlineMarkdown = (text: string | undefined) => markdown(text).replace(/^<p>|<\/p>$/g, '');

/** The little Markdown the document's texts use: `code`, **bold**, paragraphs and "- " lists. */
function markdown(text: string | undefined): string {
  if (!text) return '';
  const inline = (line: string) =>
    escape(line)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  return text
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((line) => line.startsWith('- ')))
        return `<ul>${lines.map((line) => `<li>${inline(line.slice(2))}</li>`).join('')}</ul>`;
      return `<p>${lines.map(inline).join('<br>')}</p>`;
    })
    .join('\n');
}

const refName = (ref: string) => ref.split('/').pop()!;
const schemaAnchor = (name: string) => `schema-${name}`;

/** A one-line type: `string (date-time)`, `array of Seat`, `"WAIT" | "ACTIVE"`. */
function typeOf(schema: Json | undefined): string {
  if (!schema) return 'any';
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return `<a href="#${schemaAnchor(name)}">${escape(name)}</a>`;
  }
  if (schema.enum) return schema.enum.map((value: unknown) => `<code>${escape(JSON.stringify(value))}</code>`).join(' | ');
  if (schema.const !== undefined) return `<code>${escape(JSON.stringify(schema.const))}</code>`;
  if (schema.anyOf || schema.oneOf) return (schema.anyOf ?? schema.oneOf).map(typeOf).join(' or ');
  if (schema.type === 'array') return `array of ${typeOf(schema.items)}`;
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
  return schema.format ? `${escape(type)} (${escape(schema.format)})` : escape(type);
}

/** Limits a reader needs: lengths, ranges, patterns. */
function constraints(schema: Json): string {
  const parts: string[] = [];
  const range = (min: unknown, max: unknown, unit: string) => {
    if (min !== undefined && max !== undefined) parts.push(`${unit}${min}–${max}`);
    else if (min !== undefined) parts.push(`${unit}≥ ${min}`);
    else if (max !== undefined) parts.push(`${unit}≤ ${max}`);
  };
  range(schema.minimum, schema.maximum, '');
  range(schema.minLength, schema.maxLength, 'length ');
  range(schema.minItems, schema.maxItems, 'items ');
  if (schema.uniqueItems) parts.push('no repeats');
  if (schema.pattern) parts.push(`pattern <code>${escape(schema.pattern)}</code>`);
  if (schema.additionalProperties === false) parts.push('no other fields');
  return parts.join(', ');
}

/** One row per field, nested objects and arrays of objects flattened as `a.b` and `a[].b`. */
function fieldRows(schema: Json, prefix = ''): string[] {
  const rows: string[] = [];
  const required = new Set<string>(schema.required ?? []);
  for (const [name, field] of Object.entries<Json>(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    const notes = [markdown(field.description), constraints(field)].filter(Boolean).join(' ');
    rows.push(
      `<tr><td><code>${escape(path)}</code>${required.has(name) ? '' : ' <span class="opt">optional</span>'}</td><td>${typeOf(field)}</td><td>${notes}</td></tr>`,
    );
    if (field.type === 'object' && field.properties) rows.push(...fieldRows(field, `${path}.`));
    if (field.type === 'array' && field.items?.type === 'object') {
      const itemNotes = constraints(field.items);
      if (itemNotes) rows.push(`<tr><td><code>${escape(path)}[]</code></td><td>object</td><td>${itemNotes}</td></tr>`);
      rows.push(...fieldRows(field.items, `${path}[].`));
    }
  }
  return rows;
}

/** A body: its schema's name, linked, and its fields. */
function bodyBlock(schema: Json | undefined, document: OpenApiDocument): string {
  if (!schema?.$ref) return schemaBlock(schema);
  const resolved = document.components?.schemas?.[refName(schema.$ref)] as Json | undefined;
  return `<p class="note">${typeOf(schema)}</p>${schemaBlock(resolved)}`;
}

function schemaBlock(schema: Json | undefined): string {
  if (!schema) return '';
  if (schema.type === 'object' && schema.properties) {
    const rows = fieldRows(schema);
    const note = constraints(schema);
    return `${note ? `<p class="note">${note}</p>` : ''}${rows.length ? `<table><tr><th>field</th><th>type</th><th>notes</th></tr>${rows.join('')}</table>` : '<p class="note">an empty object</p>'}`;
  }
  return `<p>${typeOf(schema)}${constraints(schema) ? ` — ${constraints(schema)}` : ''}</p>`;
}

function securityLine(security: Json[] | undefined, document: OpenApiDocument): string {
  if (!security || security.length === 0) return '<span class="badge public">public</span>';
  return security
    .map((requirement) =>
      Object.entries<string[]>(requirement)
        .map(([scheme, roles]) => {
          const defined = document.components?.securitySchemes?.[scheme] as Json | undefined;
          const label = defined?.type === 'apiKey' ? defined.name : 'Bearer JWT';
          return `<span class="badge auth" title="${escape(defined?.description ?? '')}">${escape(label)}${roles.length ? ` (${escape(roles.join(', '))})` : ''}</span>`;
        })
        .join(' + '),
    )
    .join(' or ');
}

function parametersBlock(parameters: Json[] | undefined): string {
  if (!parameters?.length) return '';
  const rows = parameters.map(
    (p) =>
      `<tr><td><code>${escape(p.name)}</code>${p.required ? '' : ' <span class="opt">optional</span>'}</td><td>${escape(p.in)}</td><td>${typeOf(p.schema)}</td><td>${[markdown(p.description), constraints(p.schema ?? {})].filter(Boolean).join(' ')}</td></tr>`,
  );
  return `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>notes</th></tr>${rows.join('')}</table>`;
}

function responsesBlock(responses: Json, document: OpenApiDocument): string {
  const entries = Object.entries<Json>(responses);
  const headerList = (response: Json) =>
    Object.entries<Json>(response.headers ?? {})
      .map(([name, header]) => `header <code>${escape(name)}</code>: ${inlineMarkdown(header.description)}`)
      .join('<br>');
  const successes = entries
    .filter(([status]) => status.startsWith('2'))
    .map(([status, response]) => {
      const headers = headerList(response);
      return `<div class="response"><h5><span class="status ok">${escape(status)}</span> ${inlineMarkdown(response.description)}</h5>${headers ? `<p class="note">${headers}</p>` : ''}${bodyBlock(response.content?.['application/json']?.schema, document)}</div>`;
    });
  const errorRows = entries
    .filter(([status]) => !status.startsWith('2'))
    .flatMap(([status, response]) => {
      const examples = Object.entries<Json>(response.content?.['application/json']?.examples ?? {});
      const headers = headerList(response);
      return examples.map(
        ([code, example], index) =>
          `<tr><td><span class="status err">${escape(status)}</span></td><td><a href="#example-${escape(code)}"><code>${escape(code)}</code></a></td><td>${escape(example.summary ?? '')}${index === 0 && headers ? `<br><span class="note">${headers}</span>` : ''}</td></tr>`,
      );
    });
  const errors = errorRows.length
    ? `<h5>Errors: <a href="#${schemaAnchor('Error')}">Error</a> bodies</h5><table><tr><th>status</th><th>code</th><th>when</th></tr>${errorRows.join('')}</table>`
    : '';
  return successes.join('') + errors;
}

function operationBlock(path: string, method: string, op: Json, document: OpenApiDocument): string {
  const body = op.requestBody?.content?.['application/json'];
  return `<section class="operation" id="${escape(op.operationId ?? `${method}-${path}`)}">
<h3><span class="method ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code> — ${escape(op.summary ?? '')}</h3>
<p>${securityLine(op.security, document)}</p>
${markdown(op.description)}
${parametersBlock(op.parameters)}
${body ? `<h4>Request body${op.requestBody.required ? '' : ' (optional)'}</h4>${bodyBlock(body.schema, document)}` : ''}
<h4>Responses</h4>${responsesBlock(op.responses ?? {}, document)}
</section>`;
}

export function renderApiDocsPage(document: OpenApiDocument): string {
  const operations: { tag: string; path: string; method: string; op: Json }[] = [];
  for (const [path, item] of Object.entries<Json>(document.paths ?? {})) {
    for (const [method, op] of Object.entries<Json>(item)) {
      if (HTTP_METHODS.has(method)) operations.push({ tag: op.tags?.[0] ?? 'other', path, method, op });
    }
  }
  const tags = (document.tags ?? []).map((tag) => tag.name);
  const byTag = tags.map((tag) => ({
    tag,
    description: document.tags?.find((t) => t.name === tag)?.description,
    ops: operations.filter((o) => o.tag === tag),
  }));
  const toc = byTag
    .map(
      ({ tag, ops }) =>
        `<li><a href="#tag-${escape(tag)}">${escape(tag)}</a><ul>${ops
          .map(
            ({ path, method, op }) =>
              `<li><a href="#${escape(op.operationId)}"><span class="method ${method}">${method.toUpperCase()}</span> ${escape(path)}</a></li>`,
          )
          .join('')}</ul></li>`,
    )
    .join('');
  const schemas = Object.entries<Json>(document.components?.schemas ?? {})
    .map(
      ([name, schema]) =>
        `<section id="${schemaAnchor(name)}"><h3>${escape(name)}</h3>${markdown(schema.description)}${schemaBlock(schema)}</section>`,
    )
    .join('\n');
  const examples = Object.entries<Json>(document.components?.examples ?? {})
    .map(
      ([code, example]) =>
        `<div id="example-${escape(code)}"><h5>${escape(example.summary ?? code)}</h5><pre>${escape(JSON.stringify(example.value, null, 2))}</pre></div>`,
    )
    .join('\n');
  const servers = (document.servers ?? []).map((server) => `<code>${escape(server.url)}</code>`).join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(document.info.title)} — API reference</title>
<style>
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2330; background: #fafbfc; }
nav { position: fixed; top: 0; bottom: 0; left: 0; width: 330px; overflow-y: auto; padding: 16px; background: #fff; border-right: 1px solid #e3e6ea; box-sizing: border-box; font-size: 14px; }
nav ul { list-style: none; padding-left: 0; margin: 4px 0 12px; } nav ul ul { padding-left: 4px; } nav ul ul li { white-space: nowrap; font-size: 13px; } nav .method { min-width: 34px; font-size: 11px; } nav a { color: #1d2330; text-decoration: none; } nav a:hover { text-decoration: underline; }
main { margin-left: 330px; padding: 24px 40px; max-width: 1000px; }
h1 { margin-top: 0; } h2 { border-bottom: 2px solid #e3e6ea; padding-bottom: 4px; margin-top: 40px; } h3 { margin-bottom: 4px; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eef1f4; padding: 1px 4px; border-radius: 3px; }
pre { background: #1d2330; color: #e8ecf1; padding: 10px 12px; border-radius: 6px; overflow-x: auto; font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 14px; } th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid #e3e6ea; } th { background: #f1f3f5; font-weight: 600; } td p { margin: 0; }
.operation { background: #fff; border: 1px solid #e3e6ea; border-radius: 8px; padding: 4px 20px 12px; margin: 18px 0; }
.method { display: inline-block; min-width: 44px; text-align: center; font: 600 12px ui-monospace, monospace; color: #fff; border-radius: 4px; padding: 2px 6px; }
.method.get { background: #2f7d32; } .method.post { background: #1f5fbf; } .method.put, .method.patch { background: #a86400; } .method.delete { background: #b3261e; }
.badge { display: inline-block; font-size: 12px; border-radius: 10px; padding: 1px 9px; border: 1px solid; } .badge.public { color: #2f7d32; } .badge.auth { color: #7a4b00; background: #fff7e6; }
.status { font: 600 13px ui-monospace, monospace; border-radius: 4px; padding: 1px 6px; } .status.ok { background: #e3f4e4; color: #1e5b21; } .status.err { background: #fdeceb; color: #8c1d18; }
.response h5 { font-size: 14px; font-weight: normal; margin: 10px 0 4px; } .note { color: #4d5766; font-size: 14px; } .opt { color: #6b7480; font-size: 12px; }
</style>
</head>
<body>
<nav>
<strong>${escape(document.info.title)}</strong>
<ul><li><a href="#overview">Overview</a></li>${toc}<li><a href="#schemas">Schemas</a></li><li><a href="#errors">Error examples</a></li><li><a href="/openapi.json">openapi.json</a></li></ul>
</nav>
<main>
<h1 id="overview">${escape(document.info.title)} <small>${escape(document.info.version)}</small></h1>
<p class="note">OpenAPI ${escape(document.openapi)} · server ${servers} · <a href="/openapi.json">openapi.json</a></p>
${markdown(document.info.description)}
${byTag
  .map(
    ({ tag, description, ops }) =>
      `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>${markdown(description)}${ops.map(({ path, method, op }) => operationBlock(path, method, op, document)).join('\n')}`,
  )
  .join('\n')}
<h2 id="schemas">Schemas</h2>
${schemas}
<h2 id="errors">Error examples</h2>
${examples}
</main>
</body>
</html>
`;
}
