import fs from 'node:fs';
import { expect } from 'vitest';

/**
 * A small JSON Schema (2020-12) validator for the subset docs/schemas uses: type (one or several),
 * properties, required, additionalProperties, items, enum, const, minimum, oneOf, anyOf, $ref to
 * #/$defs. Returns the problems found (empty: valid), each with its JSON pointer.
 */
export type Schema = {
  $ref?: string; $defs?: Record<string, Schema>; type?: string | string[]; properties?: Record<string, Schema>; required?: string[];
  additionalProperties?: boolean | Schema; items?: Schema; enum?: unknown[]; const?: unknown; minimum?: number; oneOf?: Schema[]; anyOf?: Schema[];
  [key: string]: unknown;
};

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

export function validate(value: unknown, schema: Schema, root: Schema = schema, at = ''): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/\$defs\//, '');
    const target = root.$defs?.[name];
    if (!target) return [`${at}: unknown $ref ${schema.$ref}`];
    return validate(value, target, root, at);
  }
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [`${at}: expected ${types.join('|')}, got ${t}`];
  }
  if (schema.const !== undefined && JSON.stringify(value) !== JSON.stringify(schema.const)) errors.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) errors.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (schema.minimum !== undefined && typeof value === 'number' && value < schema.minimum) errors.push(`${at}: ${value} < ${schema.minimum}`);
  if (schema.oneOf) {
    const ok = schema.oneOf.filter((s) => validate(value, s, root, at).length === 0).length;
    if (ok !== 1) errors.push(`${at}: matches ${ok} of oneOf (${schema.oneOf.map((s) => validate(value, s, root, at)[0] ?? 'ok').join(' / ')})`);
  }
  if (schema.anyOf && !schema.anyOf.some((s) => validate(value, s, root, at).length === 0)) errors.push(`${at}: matches none of anyOf`);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!(k in obj)) errors.push(`${at}/${k}: required`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k];
      if (sub) errors.push(...validate(v, sub, root, `${at}/${k}`));
      else if (schema.additionalProperties === false) errors.push(`${at}/${k}: not allowed`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...validate(v, schema.additionalProperties, root, `${at}/${k}`));
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...validate(v, schema.items!, root, `${at}/${i}`)));
  return errors;
}

/** A schema of docs/schemas by name (monitor, rpc, node). */
export const schemaOf = (name: string): Schema => JSON.parse(fs.readFileSync(new URL(`../../docs/schemas/${name}.schema.json`, import.meta.url), 'utf8'));

/** Every record valid, `type` and `at` first, `schema` on the first only. */
export function expectContract(all: Record<string, unknown>[], schema: Schema): void {
  expect(all.length).toBeGreaterThan(0);
  for (const [i, r] of all.entries()) {
    expect(validate(r, schema), `record ${i} (${String(r.type)})`).toEqual([]);
    expect(Object.keys(r)[0]).toBe('type');
    expect(typeof r.at === 'number' && Number.isInteger(r.at) && r.at > 1.7e12).toBe(true);
    expect('schema' in r).toBe(i === 0);
    expect(JSON.stringify(r)).not.toMatch(/"[^"]+":undefined/);
  }
}

