/**
 * The generator is one algorithm on both sides: crate/src/rng.rs (through the wasm
 * exports) and ts/kernels/rng.ts give the same integers, uniforms, bounded integers and
 * permutations bit for bit, and both equal xoshiro128** as the reference C defines it
 * (transcribed below with BigInt arithmetic, independent of Math.imul).
 */
import { afterAll, describe, expect, it } from "vitest";
import { loadAbi } from "../../ts/backend/wasm/load.ts";
import { wasmBackend } from "../../ts/backend/wasm/index.ts";
import { tsBackend } from "../../ts/backend/ts/index.ts";
import { Random } from "../../ts/index.ts";
import * as rng from "../../ts/kernels/rng.ts";

const abi = loadAbi();
const SEEDS = [0, 1, 2, 3, 42, 1234, 0x9e3779b9, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1];
// More seeds from a simple LCG (independent of the generator under test).
for (let x = 12345, k = 0; k < 40; k++) {
  x = (x * 1103515245 + 12345) % 2 ** 31;
  SEEDS.push(x * 2 + (k % 2));
}

/** A wasm buffer of `bytes`, freed after the suite. */
const owned: [number, number][] = [];
function wasmAlloc(bytes: number): number {
  const ptr = abi.alloc(bytes, 16);
  expect(ptr).not.toBe(0);
  owned.push([ptr, bytes]);
  return ptr;
}
afterAll(() => owned.forEach(([ptr, bytes]) => abi.free(ptr, bytes, 16)));

const statePtr = wasmAlloc(16);
const u32s = (ptr: number, n: number) => new Uint32Array(abi.memory.buffer, ptr, n);

function wasmSeed(seed: number): void {
  abi.rng.seed(seed, statePtr);
}

// ---- Reference C, transcribed with BigInt (uint32_t arithmetic as mod 2³²) ----
const M = 0xffffffffn;
const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
function referenceNext(s: bigint[]): bigint {
  const result = (rotl((s[1]! * 5n) & M, 7n) * 9n) & M;
  const t = (s[1]! << 9n) & M;
  s[2] = s[2]! ^ s[0]!;
  s[3] = s[3]! ^ s[1]!;
  s[1] = s[1]! ^ s[2]!;
  s[0] = s[0]! ^ s[3]!;
  s[2] = s[2]! ^ t;
  s[3] = rotl(s[3]!, 11n);
  return result;
}
/** bryc's splitmix32, transcribed with BigInt. */
function referenceSeed(seed: number): bigint[] {
  let a = BigInt(seed);
  const out: bigint[] = [];
  for (let k = 0; k < 4; k++) {
    a = (a + 0x9e3779b9n) & M;
    let t = a ^ (a >> 16n);
    t = (t * 0x21f0aaadn) & M;
    t = t ^ (t >> 15n);
    t = (t * 0x735a2d97n) & M;
    out.push(t ^ (t >> 15n));
  }
  return out;
}

describe("xoshiro128** against the reference algorithm", () => {
  it("the TS kernel reproduces the reference C's outputs for the state [1, 2, 3, 4]", () => {
    // Printed by xoshiro128starstar.c (prng.di.unimi.it) compiled with gcc, state {1, 2, 3, 4}.
    const s = new Uint32Array([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => rng.nextU32(s))).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it("seeding and 2000 outputs per seed equal the BigInt transcription", () => {
    for (const seed of SEEDS) {
      const ref = referenceSeed(seed);
      const s = rng.seed(seed);
      expect(Array.from(s).map(BigInt)).toEqual(ref);
      for (let i = 0; i < 2000; i++) {
        const expected = referenceNext(ref);
        const got = rng.nextU32(s);
        if (BigInt(got) !== expected) expect({ seed, i, got }).toEqual({ seed, i, got: Number(expected) });
      }
    }
  });
});

describe("crate/src/rng.rs and ts/kernels/rng.ts are bit-identical", () => {
  it("seed states and 5000 u32 outputs for each of 50 seeds", () => {
    const n = 5000;
    const out = wasmAlloc(n * 4);
    for (const seed of SEEDS) {
      wasmSeed(seed);
      const s = rng.seed(seed);
      expect(Array.from(u32s(statePtr, 4))).toEqual(Array.from(s));
      abi.rng.nextU32(statePtr, out, n);
      const ts = Uint32Array.from({ length: n }, () => rng.nextU32(s));
      expect(Buffer.compare(Buffer.from(u32s(out, n).slice().buffer), Buffer.from(ts.buffer))).toBe(0);
      expect(Array.from(u32s(statePtr, 4))).toEqual(Array.from(s));
    }
  });

  it("uniform draws in [0, 1) with 53 bits", () => {
    const n = 3000;
    const out = wasmAlloc(n * 8);
    for (const seed of SEEDS) {
      wasmSeed(seed);
      const s = rng.seed(seed);
      abi.rng.uniform(statePtr, out, n);
      const ts = Float64Array.from({ length: n }, () => rng.uniform(s));
      expect(new Float64Array(abi.memory.buffer, out, n)).toEqual(ts);
      expect(ts.every((u) => u >= 0 && u < 1)).toBe(true);
      // Independently: the 53-bit value from two raw outputs.
      const raw = rng.seed(seed);
      const a = rng.nextU32(raw), b = rng.nextU32(raw);
      expect(ts[0]).toBe(Number((BigInt(a >>> 5) << 26n) | BigInt(b >>> 6)) / 2 ** 53);
    }
  });

  it("bounded integers for bounds from 1 to 2³² − 1, rejections included", () => {
    const n = 2000;
    const out = wasmAlloc(n * 4);
    const bounds = [1, 2, 3, 5, 7, 10, 100, 1000, 65537, 2 ** 31 - 1, 2 ** 31 + 1, 3 * 2 ** 30, 2 ** 32 - 1];
    for (const seed of SEEDS.slice(0, 12)) {
      wasmSeed(seed);
      const s = rng.seed(seed);
      for (const bound of bounds) {
        abi.rng.below(statePtr, bound, out, n);
        const ts = Uint32Array.from({ length: n }, () => rng.below(s, bound));
        expect(u32s(out, n)).toEqual(ts);
        expect(ts.every((r) => r < bound)).toBe(true);
      }
      expect(Array.from(u32s(statePtr, 4))).toEqual(Array.from(s));
    }
  });

  it("Fisher–Yates permutations of lengths 0 to 100 003", () => {
    for (const seed of SEEDS.slice(0, 20)) {
      for (const len of [0, 1, 2, 3, 10, 97, 1000, 100_003]) {
        const ptr = len === 0 ? 0 : wasmAlloc(len * 4);
        const identity = Uint32Array.from({ length: len }, (_, i) => i);
        if (len > 0) u32s(ptr, len).set(identity);
        wasmSeed(seed);
        abi.rng.shuffle(statePtr, ptr, len);
        const ts = identity.slice();
        const s = rng.seed(seed);
        rng.shuffle(s, ts);
        const wasm = len === 0 ? new Uint32Array(0) : u32s(ptr, len).slice();
        expect(Buffer.compare(Buffer.from(wasm.buffer), Buffer.from(ts.buffer))).toBe(0);
        expect(ts.slice().sort().every((v, i) => v === i)).toBe(true);
        expect(Array.from(u32s(statePtr, 4))).toEqual(Array.from(s));
        if (len > 0) {
          owned.splice(owned.findIndex(([p]) => p === ptr), 1);
          abi.free(ptr, len * 4, 16);
        }
      }
    }
  });

  it("the exports refuse bad arguments with a status, changing nothing", () => {
    const out = wasmAlloc(16);
    u32s(statePtr, 4).fill(0);
    expect(() => abi.rng.nextU32(statePtr, out, 4)).toThrow(/invalid argument/);
    wasmSeed(7);
    const before = Array.from(u32s(statePtr, 4));
    expect(() => abi.rng.below(statePtr, 0, out, 4)).toThrow(/invalid argument/);
    expect(() => abi.rng.nextU32(statePtr + 1, out, 4)).toThrow(/misaligned/);
    expect(() => abi.rng.nextU32(statePtr, statePtr, 4)).toThrow(/overlap/);
    expect(() => abi.rng.uniform(statePtr, 0, 4)).toThrow(/null pointer/);
    expect(() => abi.rng.shuffle(statePtr, abi.memory.buffer.byteLength - 4, 4)).toThrow(/outside/);
    expect(Array.from(u32s(statePtr, 4))).toEqual(before);
  });
});

describe("Backend.shuffleRows (fit's shuffle in the backend's memory)", () => {
  it("permutes a row buffer as Random.shuffle does and advances the state the same way, on both backends", () => {
    for (const backend of [wasmBackend, tsBackend]) {
      for (const len of [0, 1, 2, 1000, 100_003]) {
        for (const seed of [1, 2 ** 31 + 5]) {
          const random = new Random(seed);
          const expected = random.shuffle(Uint32Array.from({ length: len }, (_, i) => (i * 7) % (len || 1)));
          const rows = backend.allocRows(Math.max(len, 1) + 3);
          const state = backend.allocRows(4);
          try {
            rows.array.fill(0xdeadbeef);
            rows.array.set(Uint32Array.from({ length: len }, (_, i) => (i * 7) % (len || 1)));
            state.array.set(new Random(seed).state().words);
            backend.shuffleRows(state, rows, len);
            expect(Buffer.compare(Buffer.from(rows.array.slice(0, len).buffer), Buffer.from(expected.buffer)), `${backend.name}, ${len} rows, seed ${seed}`).toBe(0);
            // Entries past `count` are left alone.
            expect(Array.from(rows.array.subarray(Math.max(len, 1)))).toEqual([0xdeadbeef, 0xdeadbeef, 0xdeadbeef]);
            expect(Array.from(state.array)).toEqual(random.state().words);
          } finally {
            rows.dispose();
            state.dispose();
          }
        }
      }
    }
  });
});

describe("Backend.fillRowsInOrder (fit's order before its first shuffle)", () => {
  it("writes 0 … count − 1 and leaves the rest, on both backends; refuses a count the buffer does not hold", () => {
    for (const backend of [wasmBackend, tsBackend]) {
      for (const count of [0, 1, 3, 4, 5, 17, 100_003]) {
        const rows = backend.allocRows(count + 3);
        try {
          rows.array.fill(0xdeadbeef);
          backend.fillRowsInOrder(rows, count);
          const got = rows.array.slice(0, count);
          for (let i = 0; i < count; i++) if (got[i] !== i) expect(got[i], `${backend.name}, ${count} rows, row ${i}`).toBe(i);
          expect(Array.from(rows.array.subarray(count))).toEqual([0xdeadbeef, 0xdeadbeef, 0xdeadbeef]);
          for (const bad of [count + 4, -1, 1.5, Number.NaN]) {
            expect(() => backend.fillRowsInOrder(rows, bad), `${backend.name} count ${bad}`).toThrow(
              expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining(`count must be a whole number from 0 to the buffer's ${count + 3} rows; got ${bad}`) }),
            );
          }
        } finally {
          rows.dispose();
        }
      }
    }
    const tsRows = tsBackend.allocRows(2);
    expect(() => wasmBackend.fillRowsInOrder(tsRows, 2)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("dh_fill_in_order checks its range before writing", () => {
    const abi = loadAbi();
    expect(() => abi.fillInOrder(0, 4)).toThrow(/null pointer/);
    expect(() => abi.fillInOrder(abi.memory.buffer.byteLength - 4, 4)).toThrow(/outside/);
    expect(() => abi.fillInOrder(2, 4)).toThrow(/align/);
  });
});
