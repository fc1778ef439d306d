/**
 * What a peer sends is attacker controlled (user agents, client ids, RPC client versions, disconnect
 * details): before it reaches a terminal, every control character is shown escaped, never written raw.
 * C0 (ESC, BEL, CR, LF, …), DEL, C1 (CSI 0x9b, OSC 0x9d, …), and the Unicode line separators and
 * bidirectional overrides that reorder what a reader sees. Bitcoin Core sanitises `subver` likewise.
 */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');
const NAMED: Record<string, string> = { '\x1b': '\\e', '\x07': '\\a', '\r': '\\r', '\n': '\\n', '\t': '\\t', '\b': '\\b', '\0': '\\0' };

export function escapeControls(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_ALL, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}
