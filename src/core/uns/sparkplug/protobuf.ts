/**
 * The protobuf wire format, just what Sparkplug B's Payload needs: varints, 32- and 64-bit fixed values and
 * length-delimited fields (proto2, https://protobuf.dev/programming-guides/encoding/). Written here instead of taking
 * sparkplug-payload, which pins protobufjs 6 with a known advisory. Integers are JavaScript numbers: exact up to
 * 2^53, which covers millisecond timestamps, sequence numbers and aliases.
 */
export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

export class Writer {
  private readonly chunks: number[] = [];

  varint(value: number): this {
    let n = Math.floor(value);
    if (n < 0) {
      // Negative int32/int64: ten-byte two's complement, as protobuf does.
      let big = BigInt.asUintN(64, BigInt(n));
      while (big >= 0x80n) {
        this.chunks.push(Number(big & 0x7fn) | 0x80);
        big >>= 7n;
      }
      this.chunks.push(Number(big));
      return this;
    }
    while (n >= 0x80) {
      this.chunks.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.chunks.push(n);
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  double(value: number): this {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.chunks.push(b.getUint8(i));
    return this;
  }

  bytes(value: Uint8Array): this {
    this.varint(value.length);
    for (const byte of value) this.chunks.push(byte);
    return this;
  }

  string(value: string): this {
    return this.bytes(new TextEncoder().encode(value));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

export class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('truncated protobuf message');
    return this.buf[this.pos++];
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw new RangeError('varint longer than 10 bytes');
  }

  fixed32(): DataView {
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4);
    if (this.pos + 4 > this.buf.length) throw new RangeError('truncated protobuf message');
    this.pos += 4;
    return view;
  }

  fixed64(): DataView {
    if (this.pos + 8 > this.buf.length) throw new RangeError('truncated protobuf message');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view;
  }

  bytes(): Uint8Array {
    const length = this.varint();
    if (this.pos + length > this.buf.length) throw new RangeError('truncated protobuf message');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    return new TextDecoder().decode(this.bytes());
  }

  /** Skips a field of the given wire type (unknown fields and extensions). */
  skip(wire: number): void {
    if (wire === WIRE.varint) this.varint();
    else if (wire === WIRE.fixed64) this.fixed64();
    else if (wire === WIRE.bytes) this.bytes();
    else if (wire === WIRE.fixed32) this.fixed32();
    else throw new RangeError(`unsupported wire type ${wire}`);
  }
}
