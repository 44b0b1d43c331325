/**
 * Binary array traits: numpy arrays travel as `{dtype, shape, buffer}` with the buffer as a
 * binary message part (mlnb.widgets._serializers on the Python side), never as JSON lists.
 * Decoding is zero-copy when the buffer is aligned for its type (it is, as Jupyter delivers it).
 */

export type DType = 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32' | 'bool';
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

export interface WireArray {
  dtype: DType;
  shape: number[];
  buffer: DataView | ArrayBuffer | ArrayBufferView;
}

export interface NdArray<T extends TypedArray = TypedArray> {
  data: T;
  shape: number[];
  dtype: DType;
}

type Ctor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray; BYTES_PER_ELEMENT: number };

const CTORS: Record<DType, Ctor> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  bool: Uint8Array
};

export function isWireArray(value: unknown): value is WireArray {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as WireArray).dtype === 'string' &&
    Array.isArray((value as WireArray).shape) &&
    (value as WireArray).buffer !== undefined
  );
}

/** A typed-array view of a wire array; `null` for a missing (None) array. */
export function decodeArray<T extends TypedArray = TypedArray>(value: unknown): NdArray<T> | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (!isWireArray(value)) {
    throw new TypeError(`expected a binary array {dtype, shape, buffer}, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  const ctor = CTORS[value.dtype];
  if (!ctor) {
    throw new TypeError(`unsupported dtype ${JSON.stringify(value.dtype)}; expected one of ${Object.keys(CTORS).join(', ')}`);
  }
  const raw = value.buffer;
  const buffer = raw instanceof ArrayBuffer ? raw : raw.buffer;
  const offset = raw instanceof ArrayBuffer ? 0 : raw.byteOffset;
  const bytes = raw instanceof ArrayBuffer ? raw.byteLength : raw.byteLength;
  const n = value.shape.reduce((a, b) => a * b, 1);
  if (n * ctor.BYTES_PER_ELEMENT > bytes) {
    throw new RangeError(`array of shape [${value.shape}] needs ${n * ctor.BYTES_PER_ELEMENT} bytes, got ${bytes}`);
  }
  let data: TypedArray;
  if (offset % ctor.BYTES_PER_ELEMENT === 0) {
    data = new ctor(buffer, offset, n); // zero-copy view
  } else {
    const copy = new Uint8Array(n * ctor.BYTES_PER_ELEMENT);
    copy.set(new Uint8Array(buffer, offset, copy.length));
    data = new ctor(copy.buffer, 0, n);
  }
  return { data: data as T, shape: [...value.shape], dtype: value.dtype };
}

/** The wire form of a typed array (to send arrays to Python, and for test fixtures). */
export function encodeArray(data: TypedArray, shape: number[] = [data.length], dtype?: DType): WireArray {
  const name = dtype ?? (Object.entries(CTORS).find(([k, c]) => k !== 'bool' && data instanceof c)?.[0] as DType);
  return { dtype: name, shape, buffer: new DataView(data.buffer, data.byteOffset, data.byteLength) };
}
