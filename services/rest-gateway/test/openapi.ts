/**
 * Validation of responses against the reference's OpenAPI document (a copy of mithril's
 * openapi.yaml, in fixtures/): OpenAPI 3.1 schemas are JSON Schema 2020-12, checked with ajv.
 * For a route, method and status, the schema is the one the document gives for that status, or
 * its `default` response; statuses documented without content must come without a body.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

interface ResponseObject {
  readonly content?: { readonly 'application/json'?: { readonly schema: { readonly $ref: string } } };
}
interface OpenApiDocument {
  readonly info: { readonly version: string };
  readonly paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

export const OPENAPI_PATH = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'mithril-openapi.yaml');

export function loadOpenApi(): OpenApiDocument {
  return parse(readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDocument;
}

export class OpenApiValidator {
  readonly document = loadOpenApi();
  private readonly ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true });

  constructor() {
    // ajv-formats is CommonJS: under ESM its plugin function is the default export's `default`.
    const module = addFormats as unknown as { default?: (ajv: Ajv2020) => void } & ((ajv: Ajv2020) => void);
    (module.default ?? module)(this.ajv);
    // The document uses `format: bytes` (not a standard format) for hex strings and `format: byte`
    // (base64 in OpenAPI) for strings that are not base64 at all, e.g. "0.1.68": both are
    // annotations only. "date-time," is a typo of the document for date-time.
    this.ajv.addFormat('bytes', true);
    this.ajv.addFormat('byte', true);
    this.ajv.addFormat('date-time,', this.ajv.formats['date-time']!);
    const schemas = JSON.parse(JSON.stringify(this.document.components.schemas).replaceAll('#/components/schemas/', 'openapi#/$defs/'));
    this.ajv.addSchema({ $id: 'openapi', $defs: schemas });
  }

  /** The JSON schema reference of a documented response, or null for a status documented without content. */
  schemaRefFor(path: string, method: string, status: number): string | null {
    const operation = this.document.paths[path]?.[method.toLowerCase()];
    if (operation === undefined) throw new Error(`${method} ${path} is not in the OpenAPI document`);
    const response = operation.responses[String(status)] ?? operation.responses.default;
    if (response === undefined) throw new Error(`${method} ${path} documents no ${status} and no default response`);
    const ref = response.content?.['application/json']?.schema.$ref;
    return ref === undefined ? null : ref.replace('#/components/schemas/', 'openapi#/$defs/');
  }

  /** Throws, listing every violation, unless `body` is what the document allows for this response. */
  check(path: string, method: string, status: number, body: string): void {
    let ref = this.schemaRefFor(path, method, status);
    if (ref === null) {
      // Documented without content: a success has no body; an error still carries the Error shape.
      if (status < 400) {
        if (body !== '') throw new Error(`${method} ${path} ${status} must have no body, got ${body.slice(0, 100)}`);
        return;
      }
      ref = 'openapi#/$defs/Error';
    }
    this.validate(ref, JSON.parse(body), `${method} ${path} ${status}`);
  }

  validate(ref: string, value: unknown, what: string): void {
    const validate = this.ajv.getSchema(ref);
    if (validate === undefined) throw new Error(`no schema ${ref}`);
    if (!validate(value)) throw new Error(`${what} does not match ${ref}: ${this.ajv.errorsText(validate.errors, { separator: '\n' })}`);
  }
}
