/** SGR colours, or none: off with --no-color, NO_COLOR, or when the output is not a terminal. */
export interface Style {
  enabled: boolean;
  paint(text: string, sgr: string): string;
}

export const PLAIN: Style = { enabled: false, paint: (text) => text };
export const COLOUR: Style = { enabled: true, paint: (text, sgr) => (sgr ? `\x1b[${sgr}m${text}\x1b[0m` : text) };

export const SGR = { green: '32', yellow: '33', red: '31', dim: '2', bold: '1', inverse: '7', cyan: '36' } as const;

/** Whether to colour: a terminal, and neither --no-color nor NO_COLOR (https://no-color.org) says no. */
export function wantColour(tty: boolean, flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!tty || flag === false) return false;
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}
