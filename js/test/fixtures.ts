/**
 * Loads the widget-state fixtures that pytest writes (mlnb/widgets/_testing.py): the exact
 * state Python sends, so the views are tested against the real contract.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function revive(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(revive);
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$base64 === 'string') {
      const bytes = Buffer.from(o.$base64, 'base64');
      const copy = new Uint8Array(bytes.length);
      copy.set(bytes);
      return new DataView(copy.buffer);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

export function loadFixture<S = Record<string, unknown>>(bundle: string, name: string): S {
  const text = readFileSync(join(__dirname, 'fixtures', bundle, `${name}.json`), 'utf8');
  return revive(JSON.parse(text)) as S;
}
