import { describe, expect, it } from 'vitest';
import { csvField } from '../src/index.js';

describe('csvField: one rule for every CSV peerscope writes', () => {
  it('keeps peer strings as data: formulas defused, quotes doubled, numbers as they are', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-cmd')).toBe("'-cmd");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tTAB')).toBe("'\tTAB");
    expect(csvField(-5)).toBe('-5');
    expect(csvField(true)).toBe('true');
    expect(csvField(null)).toBe('');
    expect(csvField('/Satoshi:27.0.0/')).toBe('/Satoshi:27.0.0/');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
  });
});
