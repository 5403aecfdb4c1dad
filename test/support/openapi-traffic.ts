/**
 * Checks traffic against the published /openapi.json with a JSON Schema 2020-12 validator (ajv),
 * not with the zod schemas the server validates with, so a drift between the document and the
 * server fails the test that caused it. What it holds the server to:
 * - every response to a documented operation has a documented status, content type and body;
 * - a request the document refuses (parameters, body, bearer token) is never answered 2xx/3xx.
 * The converse (a request the document allows answered 400) is not checked: some rules cannot be
 * written in a schema (an id at most 2^63-1, "offset and cursor cannot be combined").
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const DOCUMENT_ID = 'urn:balance-service:openapi.json';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: { type?: string };
}
interface Operation {
  parameters?: Parameter[];
  security?: Record<string, string[]>[];
  requestBody?: { required?: boolean; content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: unknown;
}

/** What was sent, as the validator needs it. */
export interface SentRequest {
  method: string;
  /** Path and query string, as given to app.request(). */
  url: string;
  headers: Record<string, string>;
  /** The raw body text, if any. */
  body?: string;
}

/** A JSON pointer segment (RFC 6901). */
const pointer = (...segments: string[]) =>
  segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

export class OpenApiTraffic {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: { template: string; regex: RegExp; names: string[] }[];

  constructor(readonly document: OpenApiDocument) {
    // strict: OpenAPI keywords such as `example` are not JSON Schema's. An unknown `format`
    // still fails: ajv-formats knows the standard ones.
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...document, $id: DOCUMENT_ID });
    this.templates = Object.keys(document.paths).map((template) => {
      const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
      // The literal pieces between parameters, escaped; each parameter is one path segment.
      const parts = template.split(/\{[^}]+\}/).map((p) => p.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
      return { template, regex: new RegExp(`^${parts.join('([^/]+)')}$`), names };
    });
  }

  /** The documented operation a request is for, or undefined for an undocumented path. */
  operationOf(method: string, path: string) {
    const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    for (const { template, regex, names } of this.templates) {
      const match = regex.exec(path);
      const operation = match ? this.document.paths[template]?.[verb] : undefined;
      if (match && operation) {
        const params = Object.fromEntries(
          names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]),
        );
        return { template, verb, operation, params };
      }
    }
    return undefined;
  }

  /** Every way the request breaks the document; empty when it conforms or is undocumented. */
  requestProblems(request: SentRequest): string[] {
    const url = new URL(request.url, 'http://api.test');
    const found = this.operationOf(request.method, url.pathname);
    if (!found) return [];
    const { template, verb, operation, params } = found;
    const problems: string[] = [];
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]),
    );
    if (operation.security?.length && !/^Bearer \S+$/.test(headers.authorization ?? '')) {
      problems.push('no bearer token, which the document requires');
    }
    (operation.parameters ?? []).forEach((parameter, index) => {
      const value =
        parameter.in === 'path'
          ? params[parameter.name]
          : parameter.in === 'query'
            ? (url.searchParams.get(parameter.name) ?? undefined)
            : parameter.in === 'header'
              ? headers[parameter.name.toLowerCase()]
              : undefined;
      if (value === undefined) {
        if (parameter.required) problems.push(`${parameter.in} ${parameter.name} is missing`);
        return;
      }
      const at = pointer('paths', template, verb, 'parameters', String(index), 'schema');
      const typed =
        parameter.schema?.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
      problems.push(...this.check(at, typed, `${parameter.in} ${parameter.name}`));
    });
    if (operation.requestBody)
      problems.push(...this.bodyProblems(template, verb, operation, request, headers));
    return problems;
  }

  private bodyProblems(
    template: string,
    verb: string,
    operation: Operation,
    request: SentRequest,
    headers: Record<string, string>,
  ): string[] {
    const body = operation.requestBody;
    if (!body) return [];
    if (request.body === undefined || request.body === '') {
      return body.required ? ['the request body is missing'] : [];
    }
    const type = (headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (!(type in body.content)) return [`request content type "${type}" is not documented`];
    let value: unknown;
    try {
      value = JSON.parse(request.body);
    } catch {
      return ['the request body is not JSON'];
    }
    const at = pointer('paths', template, verb, 'requestBody', 'content', type, 'schema');
    return this.check(at, value, 'request body');
  }

  /** Every way the response breaks the document; empty when it conforms or is undocumented. */
  async responseProblems(request: SentRequest, response: Response): Promise<string[]> {
    const url = new URL(request.url, 'http://api.test');
    const found = this.operationOf(request.method, url.pathname);
    if (!found) return [];
    const { template, verb, operation } = found;
    const status = String(response.status);
    const key = [status, `${status[0]}XX`, 'default'].find((k) => k in operation.responses);
    if (!key) return [`status ${status} is not documented for ${verb} ${template}`];
    const content = operation.responses[key]?.content;
    const text = await response.clone().text();
    if (!content) return text === '' ? [] : [`status ${status} is documented without a body`];
    const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!(type in content)) return [`response content type "${type}" is not documented`];
    if (request.method.toUpperCase() === 'HEAD') return [];
    let value: unknown = text;
    if (/json$/.test(type)) {
      try {
        value = JSON.parse(text);
      } catch {
        return ['the response body is not JSON'];
      }
    }
    const at = pointer('paths', template, verb, 'responses', key, 'content', type, 'schema');
    return this.check(at, value, `response ${status} body`);
  }

  /** Validates `value` against the schema at a JSON pointer into the document. */
  check(schemaPointer: string, value: unknown, what: string): string[] {
    let validate = this.validators.get(schemaPointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#/${schemaPointer}` });
      this.validators.set(schemaPointer, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${what}${e.instancePath} ${e.message} (${JSON.stringify(e.params)})`,
    );
  }
}
