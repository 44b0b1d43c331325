/**
 * The one JSON reviver for values plain JSON cannot spell. mlnb's Python side (`mlnb.schema.json_safe`)
 * sends NaN and the infinities as the strings "NaN", "Infinity" and "-Infinity".
 */

const NON_FINITE: Record<string, number> = {
  NaN: NaN,
  Infinity: Infinity,
  '-Infinity': -Infinity
};

/** Deep copy of `value` with "NaN"/"Infinity"/"-Infinity" strings turned back into numbers. */
export function reviveNumbers<T>(value: T): T {
  if (typeof value === 'string' && value in NON_FINITE) {
    return NON_FINITE[value] as unknown as T;
  }
  if (Array.isArray(value)) {
    return value.map(reviveNumbers) as unknown as T;
  }
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = reviveNumbers(v);
    }
    return out as T;
  }
  return value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
