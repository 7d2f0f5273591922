import { TfliteFormatError } from "./reader.ts";

/**
 * A small bounds-checked view of a flatbuffer, for the few places that read a table the main
 * reader does not decode (the metadata flatbuffer) or need a field's byte position (to patch a
 * copy of the file). Every read is checked against the bytes; a bad offset is a TfliteFormatError.
 */
export class FlatView {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private check(pos: number, length: number): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + length > this.bytes.length) {
      throw new TfliteFormatError(`an offset (${pos}) runs past the end of the data`);
    }
  }
  u8(pos: number): number {
    this.check(pos, 1);
    return this.view.getUint8(pos);
  }
  u16(pos: number): number {
    this.check(pos, 2);
    return this.view.getUint16(pos, true);
  }
  i32(pos: number): number {
    this.check(pos, 4);
    return this.view.getInt32(pos, true);
  }
  u32(pos: number): number {
    this.check(pos, 4);
    return this.view.getUint32(pos, true);
  }
  f32(pos: number): number {
    this.check(pos, 4);
    return this.view.getFloat32(pos, true);
  }

  /** The root table's position. */
  root(): number {
    return this.u32(0);
  }

  /** Absolute position of a table's field, or 0 when the field is absent. */
  field(table: number, slot: number): number {
    const vtable = table - this.i32(table);
    const vtableLength = this.u16(vtable);
    const entry = 4 + 2 * slot;
    if (entry + 2 > vtableLength) return 0;
    const offset = this.u16(vtable + entry);
    return offset === 0 ? 0 : table + offset;
  }

  /** The table, vector or string an offset field points at; 0 when absent. */
  target(table: number, slot: number): number {
    const p = this.field(table, slot);
    return p === 0 ? 0 : p + this.u32(p);
  }

  /** A vector's first element position and length; length 0 when absent. */
  vector(table: number, slot: number, width: number): { start: number; length: number } {
    const v = this.target(table, slot);
    if (v === 0) return { start: 0, length: 0 };
    const length = this.u32(v);
    this.check(v + 4, length * width);
    return { start: v + 4, length };
  }

  /** The tables of a vector of tables. */
  tables(table: number, slot: number): number[] {
    const { start, length } = this.vector(table, slot, 4);
    const out: number[] = [];
    for (let i = 0; i < length; i++) out.push(start + 4 * i + this.u32(start + 4 * i));
    return out;
  }

  table(table: number, slot: number): number {
    return this.target(table, slot);
  }

  floats(table: number, slot: number): number[] {
    const { start, length } = this.vector(table, slot, 4);
    return Array.from({ length }, (_, i) => this.f32(start + 4 * i));
  }

  ints(table: number, slot: number): number[] {
    const { start, length } = this.vector(table, slot, 4);
    return Array.from({ length }, (_, i) => this.i32(start + 4 * i));
  }

  int64s(table: number, slot: number): number[] {
    const { start, length } = this.vector(table, slot, 8);
    return Array.from({ length }, (_, i) => Number(this.view.getBigInt64(start + 8 * i, true)));
  }

  string(table: number, slot: number): string {
    const { start, length } = this.vector(table, slot, 1);
    return new TextDecoder().decode(this.bytes.subarray(start, start + length));
  }
}
