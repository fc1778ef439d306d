/**
 * JSON text as Python's json.dumps writes it with default arguments, so a dict we send is byte for byte
 * what a p2pnetwork node sends: `", "` and `": "` separators and ensure_ascii (\uXXXX for non-ASCII).
 */
export function pythonJsonDumps(value: unknown): string {
  let json: string | undefined;
  try {
    // Fast path: V8's serialiser, then one pass to put Python's separators and escapes in.
    json = JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    // A BigInt somewhere: the slow path writes it as a Python int.
    const out = dump(value);
    if (out === undefined) throw new TypeError('value is not JSON-serialisable');
    return out;
  }
  if (json === undefined) throw new TypeError('value is not JSON-serialisable');
  return pythonise(json);
}

/** `,` → `, ` and `:` → `: ` outside strings; non-ASCII and DEL inside strings → \uXXXX. */
function pythonise(json: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      else if (c > 0x7e) {
        out += `${json.slice(last, i)}\\u${c.toString(16).padStart(4, '0')}`;
        last = i + 1;
      }
    } else if (c === 0x22) inString = true;
    else if (c === 0x2c || c === 0x3a) {
      out += `${json.slice(last, i + 1)} `;
      last = i + 1;
    }
  }
  return last === 0 ? json : out + json.slice(last);
}

function dump(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (Number.isNaN(value)) return 'NaN';
      if (value === Infinity) return 'Infinity';
      if (value === -Infinity) return '-Infinity';
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const v = value as { toJSON?: () => unknown };
  if (typeof v.toJSON === 'function') return dump(v.toJSON());
  if (Array.isArray(value)) return `[${value.map((x) => dump(x) ?? 'null').join(', ')}]`;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(value as Record<string, unknown>)) {
    const s = dump(x);
    if (s !== undefined) parts.push(`${quote(k)}: ${s}`);
  }
  return `{${parts.join(', ')}}`;
}

function quote(s: string): string {
  // JSON.stringify escapes the same control characters as Python; only non-ASCII differs.
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
