/** A user's input that is not a whole number; the message is one clear line. */
export class NotAnInteger extends Error {
  constructor(readonly input: string) {
    super(`"${input}" is not a whole number: type digits, optionally with a leading - (e.g. 42 or -7)`);
    this.name = 'NotAnInteger';
  }
}

/** Integers of any size; anything else (1.5, 1e3, 0x10, empty) is refused. */
export function parseInteger(text: string): bigint {
  const t = text.trim().replace(/_/g, '');
  if (!/^[+-]?\d+$/.test(t)) throw new NotAnInteger(text.trim());
  return BigInt(t);
}
