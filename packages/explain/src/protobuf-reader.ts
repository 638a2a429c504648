/**
 * A minimal reader of the protobuf wire format: enough to walk an ONNX model
 * (`onnx.proto`) without generated code or a schema file. Fields are visited in
 * order; the caller decides what each field number means.
 */

/** Wire types of the protobuf encoding. */
export const WireType = { Varint: 0, Fixed64: 1, LengthDelimited: 2, Fixed32: 5 } as const;

export class ProtobufReader {
  private pos: number;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array, start = 0, private readonly end = bytes.length) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const t = this.varint();
    return { field: Math.floor(t / 8), wire: t & 7 };
  }

  /**
   * A varint as a JS number. int64 values beyond 2^53 lose precision, which
   * no field this package reads (ids, counts, enum values) comes near;
   * negative int64s (10-byte two's complement) come back negative.
   */
  varint(): number {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.byte();
      result += (b & 0x7f) * shift;
      if ((b & 0x80) === 0) return result;
      shift *= 128;
    }
    // Past 49 bits only negative numbers (10-byte two's complement) remain: finish exactly with BigInt.
    let big = BigInt(result);
    let bits = 49n;
    for (;;) {
      const b = this.byte();
      big |= BigInt(b & 0x7f) << bits;
      bits += 7n;
      if ((b & 0x80) === 0) break;
      if (bits > 70n) throw new Error('protobuf: varint longer than 10 bytes');
    }
    return Number(BigInt.asIntN(64, big));
  }

  private byte(): number {
    if (this.pos >= this.end) throw new Error('protobuf: truncated varint');
    return this.bytes[this.pos++]!;
  }

  float32(): number {
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  float64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** The bounds of a length-delimited field, skipping over it. */
  bytesRange(): { start: number; end: number } {
    const len = this.varint();
    const start = this.pos;
    this.pos += len;
    if (this.pos > this.end) throw new Error('protobuf: truncated field');
    return { start, end: this.pos };
  }

  /** A length-delimited field as its own reader. */
  sub(): ProtobufReader {
    const { start, end } = this.bytesRange();
    return new ProtobufReader(this.bytes, start, end);
  }

  string(): string {
    const { start, end } = this.bytesRange();
    return new TextDecoder().decode(this.bytes.subarray(start, end));
  }

  /** The raw bytes of a length-delimited field (a view, not a copy). */
  raw(): Uint8Array {
    const { start, end } = this.bytesRange();
    return this.bytes.subarray(start, end);
  }

  /**
   * A repeated numeric field, packed or not: onnx.proto is proto2, where
   * writers may emit either encoding.
   */
  repeated(wire: number, element: 'varint' | 'float32' | 'float64', into: number[]): void {
    const read = (r: ProtobufReader): number => (element === 'varint' ? r.varint() : element === 'float32' ? r.float32() : r.float64());
    if (wire === WireType.LengthDelimited) {
      const inner = this.sub();
      while (!inner.done) into.push(read(inner));
    } else {
      into.push(read(this));
    }
  }

  skip(wire: number): void {
    switch (wire) {
      case WireType.Varint: this.varint(); return;
      case WireType.Fixed64: this.pos += 8; return;
      case WireType.LengthDelimited: this.bytesRange(); return;
      case WireType.Fixed32: this.pos += 4; return;
      default: throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
  }
}
