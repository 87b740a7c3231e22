/**
 * JSON as cardano-cli prints it (aeson-pretty): 4-space indentation, object keys sorted, integers
 * written exactly (bigints included, so stakes and totals never pass through a double).
 */
export type JsonValue = string | number | bigint | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

function write(value: JsonValue, indent: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString(10);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new RangeError(`only safe integers are written as JSON numbers, got ${value} (use a bigint)`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    if (items.length === 0) return '[]';
    return `[\n${items.map((item) => inner + write(item, inner)).join(',\n')}\n${indent}]`;
  }
  const object = value as { readonly [key: string]: JsonValue };
  const keys = Object.keys(object).sort();
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((key) => `${inner}${JSON.stringify(key)}: ${write(object[key] as JsonValue, inner)}`).join(',\n')}\n${indent}}`;
}

/** The document and a final newline. */
export function prettyJson(value: JsonValue): string {
  return `${write(value, '')}\n`;
}
