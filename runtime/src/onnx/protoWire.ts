// Protobuf at the wire level: a message as its raw fields, so a rewrite can copy what it does not understand byte for byte.
import protobuf from 'protobufjs';

const LENGTH_DELIMITED = 2;

/** One field occurrence in a message: its number, wire type and bytes (tag included), plus the payload when length-delimited. */
export interface WireField {
  id: number;
  wireType: number;
  /** The whole field, tag included (a view into the message, not a copy). */
  raw: Uint8Array;
  /** The payload of a length-delimited field (a view); undefined for other wire types. */
  body?: Uint8Array;
  /** The value of a varint field; undefined for other wire types. */
  varint?: bigint;
}

/** The fields of a message in the order they appear. Throws on malformed bytes. */
export function wireFields(bytes: Uint8Array): WireField[] {
  const r = protobuf.Reader.create(bytes);
  const fields: WireField[] = [];
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.uint32();
    const id = tag >>> 3;
    const wireType = tag & 7;
    if (id === 0) throw new Error(`invalid protobuf field number 0 at byte ${start}`);
    let body: Uint8Array | undefined;
    let varint: bigint | undefined;
    if (wireType === LENGTH_DELIMITED) {
      const len = r.uint32();
      const from = r.pos;
      r.skip(len);
      body = bytes.subarray(from, r.pos);
    } else if (wireType === 0) {
      varint = BigInt(r.uint64().toString());
    } else {
      r.skipType(wireType);
    }
    fields.push({ id, wireType, raw: bytes.subarray(start, r.pos), body, varint });
  }
  return fields;
}

/** The UTF-8 text of a length-delimited field. */
export function wireString(field: WireField): string {
  return new TextDecoder().decode(field.body ?? new Uint8Array());
}

/** The first string field `id` of a message (empty if absent, as protobuf reads it). */
export function firstString(fields: readonly WireField[], id: number): string {
  const f = fields.find((x) => x.id === id && x.wireType === LENGTH_DELIMITED);
  return f ? wireString(f) : '';
}

/** A length-delimited field as a list of chunks (header, then the payload's chunks by reference). */
export function lengthDelimited(id: number, payload: readonly Uint8Array[]): Uint8Array[] {
  const len = payload.reduce((n, c) => n + c.length, 0);
  const header = protobuf.Writer.create().uint32((id << 3) | LENGTH_DELIMITED).uint32(len).finish();
  return [header, ...payload];
}

/** A string field, encoded. */
export function stringField(id: number, value: string): Uint8Array {
  return protobuf.Writer.create().uint32((id << 3) | LENGTH_DELIMITED).string(value).finish();
}

/**
 * The message with its string fields `id` replaced by `map(value, index)` (index among that field's occurrences);
 * every other field keeps its bytes.
 */
export function mapStrings(bytes: Uint8Array, id: number, map: (value: string, index: number) => string): Uint8Array {
  let index = 0;
  const chunks = wireFields(bytes).map((f) => (f.id === id && f.wireType === LENGTH_DELIMITED ? stringField(id, map(wireString(f), index++)) : f.raw));
  return Buffer.concat(chunks);
}

/** A packed run of int64 varints. */
export function packedInt64s(body: Uint8Array): number[] {
  const r = protobuf.Reader.create(body);
  const values: number[] = [];
  while (r.pos < r.len) values.push(Number(r.int64().toString()));
  return values;
}
