/**
 * Reverse-mode automatic differentiation, micrograd's idea on small tensors: each
 * operation computes its result with its backend's kernels (crate/src/tensor/ on "wasm",
 * ts/kernels/tensor/ on "ts") and, when an input requires a gradient, records the inputs
 * and how to send a gradient back to them. `backward()` visits that graph from the loss in
 * reverse topological order and adds each input's share into its gradient, as torch does.
 *
 * Tensors have rank 0, 1 or 2 and are seen by the kernels as `rows × cols` matrices
 * ([] is 1 × 1, [d] is 1 × d); binary operations broadcast numpy's way (a scalar, a row
 * [d] or [1, d], a column [n, 1]). Buffers live in the backend's memory and are freed by
 * `dispose()`, by `tidy()` (ts/autograd/tidy.ts) or, as a backstop, after garbage collection.
 */
import type { Backend, BackendName, Storage } from "../backend/backend.ts";
import { checkBackendName, resolveBackend } from "../backend/select.ts";
import { loadedAbi } from "../backend/wasm/load.ts";
import type { Dtype, FloatArray } from "../dtype.ts";
import { isDetached, isFloatArray } from "../dtype.ts";
import { DownhillError, DownhillRangeError, DownhillTypeError, describe, disposedError } from "../errors.ts";
import { ABS, ADD, DIV, EXP, LEFT, LOG, MUL, NEG, POW, RELU, RIGHT, SIGMOID, SOFTPLUS, SQRT, SUB, TANH } from "../kernels/tensor/elementwise.ts";
import { dense, type View } from "../kernels/tensor/view.ts";
import { checkKeys } from "../options.ts";
import { keep, track } from "./tidy.ts";

/** A tensor's shape: a scalar [], a vector [n] or a matrix [rows, cols]. */
export type Shape = readonly [] | readonly [number] | readonly [number, number];

/** Values of a new tensor: a number (a scalar), numbers or a typed array (a vector), rows (a matrix). */
export type TensorValues = number | readonly number[] | readonly (readonly number[])[] | FloatArray;

/** Options of {@link tensor}. */
export interface TensorOptions {
  /** Element type; default "f32" for a Float32Array, else "f64" (JavaScript's numbers). */
  dtype?: Dtype;
  /** Default: the global backend (see setBackend). */
  backend?: BackendName;
  /** Whether backward() computes a gradient for this tensor (a leaf of the graph); default false. */
  requiresGrad?: boolean;
  /** The shape (rank 0–2) of flat values, holding as many values; default from the values. */
  shape?: readonly number[];
}

/** Adds an operation's share of the gradient `g` of its output into its inputs' gradients. */
type BackwardFn = (g: Storage, gradOf: (t: Tensor) => Storage | null) => void;

/** How a tensor was computed: the tensors its backward pass reads, and that pass. */
interface Node {
  readonly inputs: readonly Tensor[];
  readonly backward: BackwardFn;
}

const fmt = (shape: readonly number[]): string => `[${shape.join(", ")}]`;
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The `rows × cols` matrix a shape is seen as by the kernels. */
function matrix(shape: Shape): [number, number] {
  return shape.length === 2 ? [shape[0], shape[1]] : shape.length === 1 ? [1, shape[0]] : [1, 1];
}

/** The view that repeats a `rows × cols` operand over a larger output (stride 0 where it has 1). */
function broadcastView(rows: number, cols: number): View {
  return { offset: 0, rowStride: rows === 1 ? 0 : cols, colStride: cols === 1 ? 0 : 1 };
}

/** The output shape of a broadcast binary operation and the view of each operand. */
function broadcast(what: string, a: Shape, b: Shape): { shape: Shape; rows: number; cols: number; av: View; bv: View } {
  const [ar, ac] = matrix(a);
  const [br, bc] = matrix(b);
  if (!(ar === br || ar === 1 || br === 1) || !(ac === bc || ac === 1 || bc === 1)) {
    throw new DownhillRangeError("SHAPE_MISMATCH", `${what}: shapes ${fmt(a)} and ${fmt(b)} do not broadcast; each dimension (aligned from the right) must be equal or 1.`);
  }
  const rows = ar === 1 ? br : ar;
  const cols = ac === 1 ? bc : ac;
  const rank = Math.max(a.length, b.length);
  const shape: Shape = rank === 2 ? [rows, cols] : rank === 1 ? [cols] : [];
  return { shape, rows, cols, av: broadcastView(ar, ac), bv: broadcastView(br, bc) };
}

function checkWhole(what: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${what} must be a whole number; got ${describe(value)}.`);
  }
  if (value < min || value > max) throw new DownhillRangeError("INVALID_ARGUMENT", `${what} must be in [${min}, ${max}]; got ${value}.`);
  return value;
}

function checkShape(what: string, value: unknown): Shape {
  if (!Array.isArray(value) || value.length > 2) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${what} must be an array of at most 2 sizes ([], [n] or [rows, cols]); got ${describe(value)}.`);
  }
  value.forEach((v, i) => checkWhole(`${what}[${i}]`, v, 0, 2 ** 32 - 1));
  return value as unknown as Shape;
}

/** Checks and flattens the values of tensor(): their numbers and their shape. */
function flatten(values: unknown): { flat: ArrayLike<number>; shape: Shape } {
  const where = "tensor(values)";
  if (typeof values === "number") return { flat: [values], shape: [] };
  if (isFloatArray(values)) {
    if (isDetached(values.buffer)) throw new DownhillTypeError("INVALID_ARGUMENT", `${where} is a ${values.constructor.name} whose ArrayBuffer is detached (transferred); pass a live array.`);
    return { flat: values, shape: [values.length] };
  }
  if (!Array.isArray(values)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${where} takes a number, an array of numbers, an array of rows or a Float32Array/Float64Array; got ${describe(values)}.`);
  }
  if (values.length === 0 || !Array.isArray(values[0])) {
    values.forEach((v: unknown, i) => {
      if (typeof v !== "number") throw new DownhillTypeError("INVALID_ARGUMENT", `${where}: values[${i}] must be a number; got ${describe(v)}.`);
    });
    return { flat: values as number[], shape: [values.length] };
  }
  const rows = values as unknown[];
  const cols = (rows[0] as unknown[]).length;
  const flat: number[] = [];
  rows.forEach((row, r) => {
    if (!Array.isArray(row)) throw new DownhillTypeError("INVALID_ARGUMENT", `${where}: values[${r}] must be a row (an array of numbers) like values[0]; got ${describe(row)}.`);
    if (row.length !== cols) throw new DownhillRangeError("SHAPE_MISMATCH", `${where}: values[${r}] has ${row.length} numbers but values[0] has ${cols}; rows must have the same length.`);
    row.forEach((v: unknown, c) => {
      if (typeof v !== "number") throw new DownhillTypeError("INVALID_ARGUMENT", `${where}: values[${r}][${c}] must be a number; got ${describe(v)}${Array.isArray(v) ? " (tensors have rank 2 at most)" : ""}.`);
      flat.push(v);
    });
  });
  return { flat, shape: [rows.length, cols] };
}

/** Only this module constructs tensors. */
const MINT: unique symbol = Symbol("Tensor");

/**
 * A tensor of rank 0–2 (f32 or f64) on a backend, with reverse-mode differentiation:
 * operations record how they were computed when an input requires a gradient, and
 * `backward()` on a scalar adds ∂loss/∂leaf into the `grad` of every leaf created with
 * `requiresGrad: true`. Create tensors with {@link tensor}.
 */
export class Tensor {
  /** [], [n] or [rows, cols]; values are stored row-major. */
  readonly shape: Shape;
  /** Element type of the values and of the gradient. */
  readonly dtype: Dtype;
  /** Where the values live and the kernels run. */
  readonly backend: BackendName;
  /** Number of elements. */
  readonly size: number;
  /** True for a leaf created with `requiresGrad: true` and for results computed from one. */
  readonly requiresGrad: boolean;
  readonly #kernels: Backend;
  #storage: Storage | null;
  #grad: Tensor | null = null;
  #node: Node | null;
  /** Operands made by an operation (a number as a constant, mean's sum), freed with its result. */
  #owned: readonly Tensor[];

  private constructor(mint: typeof MINT, kernels: Backend, dtype: Dtype, shape: Shape, storage: Storage, requiresGrad: boolean, node: Node | null, owned: readonly Tensor[]) {
    // `new Tensor(…)` from JavaScript, which the private constructor cannot prevent alone.
    if (mint !== MINT) throw new DownhillTypeError("INVALID_ARGUMENT", "Tensor cannot be constructed directly; create tensors with tensor(values, options) and their operations.");
    this.shape = Object.freeze(shape.slice()) as unknown as Shape;
    this.dtype = dtype;
    this.backend = kernels.name;
    this.size = storage.length;
    this.requiresGrad = requiresGrad;
    this.#kernels = kernels;
    this.#storage = storage;
    this.#node = node;
    this.#owned = owned;
  }

  /** @internal A tensor of `values` (checked by tensor()). */
  static create(kernels: Backend, dtype: Dtype, shape: Shape, values: ArrayLike<number>, requiresGrad: boolean): Tensor {
    // A view into WebAssembly memory (another tensor's data) would be detached if the
    // allocation grows memory: copy it out first.
    const source = isFloatArray(values) && values.buffer === loadedAbi()?.memory.buffer ? values.slice() : values;
    const storage = kernels.alloc(dtype, sizeOf(shape));
    storage.array.set(source);
    const t = new Tensor(MINT, kernels, dtype, shape, storage, requiresGrad, null, []);
    track(t);
    return t;
  }

  // ---- values and lifetime ----------------------------------------------------------

  /** True after dispose(). */
  get disposed(): boolean {
    return this.#storage === null;
  }

  /** The values, row-major: a live view (into WASM memory on "wasm"); do not keep it across allocations. */
  get data(): FloatArray {
    return this.#live("data").array;
  }

  /** The gradient accumulated by backward() (a leaf's, owned by it), or null before any. */
  get grad(): Tensor | null {
    this.#live("grad");
    return this.#grad !== null && !this.#grad.disposed ? this.#grad : null;
  }

  /** The value of a one-element tensor. */
  item(): number {
    const s = this.#live("item");
    if (this.size !== 1) throw new DownhillRangeError("SHAPE_MISMATCH", `Tensor.item(): the tensor has shape ${fmt(this.shape)} (${this.size} values); item() reads a tensor of one value.`);
    return s.array[0]!;
  }

  /** A copy of the values as a flat array, row-major. */
  toArray(): number[] {
    return Array.from(this.#live("toArray").array);
  }

  /** Sets the accumulated gradient to zero (keeping its buffer). */
  zeroGrad(): void {
    this.#live("zeroGrad");
    if (this.#grad !== null && !this.#grad.disposed) this.#grad.data.fill(0);
  }

  /** Frees the values, the gradient and what the operation that made it allocated; idempotent. Later use throws DISPOSED. */
  dispose(): void {
    const storage = this.#storage;
    if (storage === null) return;
    this.#storage = null;
    this.#node = null;
    storage.dispose();
    this.#grad?.dispose();
    this.#grad = null;
    for (const t of this.#owned) t.dispose();
    this.#owned = [];
  }

  #live(what: string): Storage {
    if (this.#storage === null) throw disposedError(`tensor (shape ${fmt(this.shape)}, ${this.dtype}; used by ${what})`);
    return this.#storage;
  }

  /** An operand: a tensor of the same backend and dtype, or a number made a constant of this dtype. */
  #operand(what: string, other: unknown): { tensor: Tensor; owned: Tensor[] } {
    if (typeof other === "number") {
      const constant = new Tensor(MINT, this.#kernels, this.dtype, [], this.#kernels.alloc(this.dtype, 1), false, null, []);
      constant.#storage!.array[0] = other;
      return { tensor: constant, owned: [constant] };
    }
    if (!(other instanceof Tensor)) throw new DownhillTypeError("INVALID_ARGUMENT", `${what}: the operand must be a Tensor or a number; got ${describe(other)}.`);
    other.#live(what);
    if (other.backend !== this.backend) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${what}: the tensors are on different backends ("${this.backend}" and "${other.backend}"); create both with the same backend.`);
    }
    if (other.dtype !== this.dtype) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${what}: the dtypes differ (${this.dtype} and ${other.dtype}); create both with the same dtype.`);
    }
    return { tensor: other, owned: [] };
  }

  /**
   * A new tracked tensor of `shape` computed by `forward` from `inputs`; when one requires
   * a gradient, `backward` is recorded. `owned` tensors are freed with it.
   */
  #result(shape: Shape, inputs: readonly Tensor[], forward: (out: Storage) => void, backward: (out: Tensor) => BackwardFn, owned: readonly Tensor[] = []): Tensor {
    let storage: Storage | null = null;
    try {
      storage = this.#kernels.alloc(this.dtype, sizeOf(shape));
      forward(storage);
    } catch (error) {
      storage?.dispose();
      for (const t of owned) t.dispose();
      throw error;
    }
    const requiresGrad = inputs.some((t) => t.requiresGrad);
    const out = new Tensor(MINT, this.#kernels, this.dtype, shape, storage, requiresGrad, null, owned);
    if (requiresGrad) out.#node = { inputs, backward: backward(out) };
    track(out);
    return out;
  }

  // ---- element-wise ---------------------------------------------------------------------

  #unary(op: number, what: string, p = 0): Tensor {
    const x = this.#live(what);
    const k = this.#kernels.tensor;
    return this.#result(this.shape, [this], (out) => k.unary(op, p, x, out), (out) => (g, gradOf) => {
      const gx = gradOf(this);
      if (gx !== null) k.unaryBackward(op, p, x, out.#storage!, g, gx);
    });
  }

  #binary(op: number, what: string, other: unknown, extraOwned: readonly Tensor[] = []): Tensor {
    const a = this.#live(what);
    const { tensor: right, owned } = this.#operand(what, other);
    let plan: ReturnType<typeof broadcast>;
    try {
      plan = broadcast(what, this.shape, right.shape);
    } catch (error) {
      for (const t of owned) t.dispose();
      throw error;
    }
    const { shape, rows, cols, av, bv } = plan;
    const b = right.#storage!;
    const k = this.#kernels.tensor;
    return this.#result(shape, [this, right], (out) => k.binary(op, a, av, b, bv, rows, cols, out), () => (g, gradOf) => {
      const ga = gradOf(this);
      if (ga !== null) k.binaryBackward(op, LEFT, g, a, av, b, bv, rows, cols, ga);
      const gb = gradOf(right);
      if (gb !== null) k.binaryBackward(op, RIGHT, g, a, av, b, bv, rows, cols, gb);
    }, [...owned, ...extraOwned]);
  }

  /** this + other, broadcasting (a number is a constant of this dtype). */
  add(other: Tensor | number): Tensor {
    return this.#binary(ADD, "Tensor.add", other);
  }

  /** this − other, broadcasting. */
  sub(other: Tensor | number): Tensor {
    return this.#binary(SUB, "Tensor.sub", other);
  }

  /** this · other element-wise, broadcasting. */
  mul(other: Tensor | number): Tensor {
    return this.#binary(MUL, "Tensor.mul", other);
  }

  /** this / other element-wise, broadcasting. */
  div(other: Tensor | number): Tensor {
    return this.#binary(DIV, "Tensor.div", other);
  }

  /** −this. */
  neg(): Tensor {
    return this.#unary(NEG, "Tensor.neg");
  }

  /**
   * this^exponent element-wise for a number exponent: exact repeated multiplication for whole
   * exponents up to 1024 in magnitude, else exp(p·ln x) (NaN for x < 0 and a fractional p).
   */
  pow(exponent: number): Tensor {
    if (typeof exponent !== "number") throw new DownhillTypeError("INVALID_ARGUMENT", `Tensor.pow(exponent): exponent must be a number; got ${describe(exponent)}.`);
    return this.#unary(POW, "Tensor.pow", exponent);
  }

  /** eˣ (downhill's fdlibm exp: the same bits on both backends). */
  exp(): Tensor {
    return this.#unary(EXP, "Tensor.exp");
  }

  /** Natural logarithm (−∞ at 0, NaN below). */
  log(): Tensor {
    return this.#unary(LOG, "Tensor.log");
  }

  /** √x (NaN below 0); its gradient is 1 / (2√x). */
  sqrt(): Tensor {
    return this.#unary(SQRT, "Tensor.sqrt");
  }

  /** |x|; its gradient is sign(x) (0 at 0, as torch). */
  abs(): Tensor {
    return this.#unary(ABS, "Tensor.abs");
  }

  /** The hyperbolic tangent (the MLP's, from downhill's exp); its gradient is 1 − tanh². */
  tanh(): Tensor {
    return this.#unary(TANH, "Tensor.tanh");
  }

  /** 1 / (1 + e⁻ˣ), without overflow. */
  sigmoid(): Tensor {
    return this.#unary(SIGMOID, "Tensor.sigmoid");
  }

  /** max(x, 0); its gradient is 1 where x > 0, else 0. */
  relu(): Tensor {
    return this.#unary(RELU, "Tensor.relu");
  }

  /** ln(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|); its gradient is sigmoid(x). */
  softplus(): Tensor {
    return this.#unary(SOFTPLUS, "Tensor.softplus");
  }

  // ---- products and sums ----------------------------------------------------------------

  /**
   * The matrix product, as torch.matmul for ranks 1 and 2: [m, k]·[k, n] → [m, n],
   * [m, k]·[k] → [m], [k]·[k, n] → [n], [k]·[k] → [] (a dot product).
   */
  matmul(other: Tensor): Tensor {
    const what = "Tensor.matmul";
    const a = this.#live(what);
    if (!(other instanceof Tensor)) throw new DownhillTypeError("INVALID_ARGUMENT", `${what}(other): other must be a Tensor; got ${describe(other)}.`);
    const right = this.#operand(what, other).tensor;
    if (this.shape.length === 0 || right.shape.length === 0) {
      throw new DownhillRangeError("SHAPE_MISMATCH", `${what}: shapes ${fmt(this.shape)} and ${fmt(right.shape)}: both tensors must have rank 1 or 2 (use mul for a scalar).`);
    }
    const [m, k] = this.shape.length === 2 ? this.shape : [1, this.shape[0]!];
    const [k2, n] = right.shape.length === 2 ? right.shape : [right.shape[0]!, 1];
    if (k !== k2) {
      throw new DownhillRangeError("SHAPE_MISMATCH", `${what}: shapes ${fmt(this.shape)} and ${fmt(right.shape)} do not fit: the first has ${k} column${k === 1 ? "" : "s"}, the second ${k2} row${k2 === 1 ? "" : "s"}.`);
    }
    const shape: Shape = this.shape.length === 2 ? (right.shape.length === 2 ? [m, n] : [m]) : right.shape.length === 2 ? [n] : [];
    const b = right.#storage!;
    const kernels = this.#kernels.tensor;
    return this.#result(shape, [this, right], (out) => kernels.matmul(a, dense(k), b, dense(n), m, k, n, out), () => (g, gradOf) => {
      // ∂A += ∂C·Bᵀ and ∂B += Aᵀ·∂C, the transposes read through views.
      const ga = gradOf(this);
      if (ga !== null) kernels.matmul(g, dense(n), b, { offset: 0, rowStride: 1, colStride: n }, m, n, k, ga);
      const gb = gradOf(right);
      if (gb !== null) kernels.matmul(a, { offset: 0, rowStride: 1, colStride: k }, g, dense(n), k, m, n, gb);
    });
  }

  /** The axis of a reduction: 0 or 1 (−1 is the last), or undefined for all elements. */
  #axis(what: string, axis: unknown): 0 | 1 | undefined {
    if (axis === undefined) return undefined;
    const rank = this.shape.length;
    if (rank === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${what}(axis): a scalar has no axis; call ${what}() without one.`);
    const a = checkWhole(`${what}(axis) for shape ${fmt(this.shape)}`, axis, -rank, rank - 1);
    // A vector's only axis is the whole tensor.
    return rank === 1 ? undefined : ((a < 0 ? a + rank : a) as 0 | 1);
  }

  #sum(what: string, axis: 0 | 1 | undefined): Tensor {
    const x = this.#live(what);
    const [rows, cols] = matrix(this.shape);
    const k = this.#kernels.tensor;
    if (axis === undefined) {
      return this.#result([], [this], (out) => k.sum(x, out), () => (g, gradOf) => {
        const gx = gradOf(this);
        if (gx !== null) k.addStrided(g, { offset: 0, rowStride: 0, colStride: 0 }, gx, dense(cols), rows, cols);
      });
    }
    const spread: View = axis === 0 ? { offset: 0, rowStride: 0, colStride: 1 } : { offset: 0, rowStride: 1, colStride: 0 };
    return this.#result(axis === 0 ? [cols] : [rows], [this], (out) => k.sumAxis(x, rows, cols, axis, out), () => (g, gradOf) => {
      const gx = gradOf(this);
      if (gx !== null) k.addStrided(g, spread, gx, dense(cols), rows, cols);
    });
  }

  /**
   * The sum of all elements (a scalar), or along `axis` of a matrix (0: down the columns,
   * giving [cols]; 1 or −1: across each row, giving [rows]), as torch.sum(x, dim).
   */
  sum(axis?: number): Tensor {
    return this.#sum("Tensor.sum", this.#axis("Tensor.sum", axis));
  }

  /** The mean of all elements, or along `axis` (see sum): the sum divided by the count (NaN when empty). */
  mean(axis?: number): Tensor {
    const a = this.#axis("Tensor.mean", axis);
    const [rows, cols] = matrix(this.shape);
    const count = a === undefined ? this.size : a === 0 ? rows : cols;
    const total = keep(this.#sum("Tensor.mean", a));
    try {
      return total.#binary(DIV, "Tensor.mean", count, [total]);
    } catch (error) {
      total.dispose();
      throw error;
    }
  }

  // ---- indexing and shapes ----------------------------------------------------------------

  /** A dense copy of the `rows × cols` view of this tensor, as a tensor of `shape`; its gradient flows back through the view. */
  #gather(what: string, shape: Shape, view: View, rows: number, cols: number): Tensor {
    const x = this.#live(what);
    const k = this.#kernels.tensor;
    return this.#result(shape, [this], (out) => k.copy(x, view, rows, cols, out), () => (g, gradOf) => {
      const gx = gradOf(this);
      if (gx !== null) k.addStrided(g, dense(cols), gx, view, rows, cols);
    });
  }

  #position(what: string, i: unknown, n: number, end: boolean): number {
    const v = checkWhole(what, i, -n, end ? n : n - 1);
    return v < 0 ? v + n : v;
  }

  /** Element i along the first axis (negative counts from the end): a row of a matrix, a scalar of a vector. */
  index(i: number): Tensor {
    const what = "Tensor.index";
    this.#live(what);
    if (this.shape.length === 0) throw new DownhillRangeError("SHAPE_MISMATCH", `${what}(i): a scalar (shape []) cannot be indexed.`);
    const n = this.shape[0]!;
    if (n === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${what}(i): the tensor of shape ${fmt(this.shape)} is empty.`);
    const at = this.#position(`${what}(i) for shape ${fmt(this.shape)}`, i, n, false);
    if (this.shape.length === 1) return this.#gather(what, [], { offset: at, rowStride: 0, colStride: 0 }, 1, 1);
    const d = this.shape[1]!;
    return this.#gather(what, [d], { offset: at * d, rowStride: 0, colStride: 1 }, 1, d);
  }

  /** Elements start … end − 1 along the first axis (rows of a matrix), as Array.prototype.slice; negative positions count from the end. */
  slice(start: number, end?: number): Tensor {
    const what = "Tensor.slice";
    this.#live(what);
    if (this.shape.length === 0) throw new DownhillRangeError("SHAPE_MISMATCH", `${what}: a scalar (shape []) cannot be sliced.`);
    const n = this.shape[0]!;
    const from = this.#position(`${what}(start) for shape ${fmt(this.shape)}`, start, n, true);
    const to = end === undefined ? n : this.#position(`${what}(start, end) for shape ${fmt(this.shape)}`, end, n, true);
    if (to < from) throw new DownhillRangeError("INVALID_ARGUMENT", `${what}(${start}, ${end}): end (${to}) comes before start (${from}).`);
    const length = to - from;
    if (this.shape.length === 1) return this.#gather(what, [length], { offset: from, rowStride: 0, colStride: 1 }, 1, length);
    const d = this.shape[1]!;
    return this.#gather(what, [length, d], { offset: from * d, rowStride: d, colStride: 1 }, length, d);
  }

  /** Column j of a matrix (negative counts from the end), as a vector of its rows. */
  column(j: number): Tensor {
    const what = "Tensor.column";
    this.#live(what);
    if (this.shape.length !== 2) throw new DownhillRangeError("SHAPE_MISMATCH", `${what}(j): the tensor has shape ${fmt(this.shape)}; column() selects from a matrix [rows, cols].`);
    const [n, d] = this.shape;
    if (d === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${what}(j): the tensor of shape ${fmt(this.shape)} has no columns.`);
    const at = this.#position(`${what}(j) for shape ${fmt(this.shape)}`, j, d, false);
    return this.#gather(what, [n], { offset: at, rowStride: 0, colStride: d }, 1, n);
  }

  /** The transpose of a matrix; a scalar or vector is returned as a copy (torch's t()). */
  transpose(): Tensor {
    const what = "Tensor.transpose";
    this.#live(what);
    if (this.shape.length < 2) return this.#gather(what, this.shape, dense(this.size), 1, this.size);
    const [n, d] = this.shape as readonly [number, number];
    return this.#gather(what, [d, n], { offset: 0, rowStride: 1, colStride: d }, d, n);
  }

  /** The same values, row-major, in another shape holding as many (e.g. [n] → [n, 1] to broadcast a column). */
  reshape(shape: readonly number[]): Tensor {
    const what = "Tensor.reshape";
    this.#live(what);
    const target = checkShape(`${what}(shape)`, shape);
    if (sizeOf(target) !== this.size) {
      throw new DownhillRangeError("SHAPE_MISMATCH", `${what}: shape ${fmt(this.shape)} (${this.size} values) cannot become ${fmt(target)} (${sizeOf(target)} values).`);
    }
    const [rows, cols] = matrix(target);
    return this.#gather(what, target, dense(cols), rows, cols);
  }

  /** A copy of the values that is cut from the graph (requires no gradient). */
  detach(): Tensor {
    const x = this.#live("Tensor.detach");
    const k = this.#kernels.tensor;
    return this.#result(this.shape, [], (out) => k.copy(x, dense(this.size), 1, this.size, out), () => () => {});
  }

  // ---- backward -----------------------------------------------------------------------------

  /** The tensors requiring a gradient that this one was computed from, each after its inputs. */
  #graph(): Tensor[] {
    const order: Tensor[] = [];
    const seen = new Set<Tensor>([this]);
    const stack: [Tensor, number][] = [[this, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inputs = top[0].#node?.inputs ?? [];
      if (top[1] < inputs.length) {
        const next = inputs[top[1]++]!;
        if (next.requiresGrad && !seen.has(next)) {
          seen.add(next);
          stack.push([next, 0]);
        }
      } else {
        stack.pop();
        order.push(top[0]);
      }
    }
    return order;
  }

  /**
   * Computes ∂this/∂leaf for every leaf with `requiresGrad` this scalar was computed from
   * and adds it into the leaf's `grad` (torch's accumulation: call zeroGrad() between steps).
   * Checks that every tensor of the graph is still alive and allocates every gradient
   * before any is changed. The graph is kept: calling backward() again adds again.
   */
  backward(): void {
    const what = "Tensor.backward()";
    this.#live(what);
    if (this.size !== 1) {
      throw new DownhillRangeError("SHAPE_MISMATCH", `${what}: the tensor has shape ${fmt(this.shape)} (${this.size} values); backward() starts from a single value (a loss): reduce it first with sum() or mean().`);
    }
    if (!this.requiresGrad) {
      throw new DownhillError("INVALID_ARGUMENT", `${what}: this tensor does not require a gradient: none of the tensors it was computed from was created with requiresGrad: true.`);
    }
    const order = this.#graph();
    for (const t of order) {
      const used = [t, ...(t.#node?.inputs ?? [])];
      const dead = used.find((u) => u.#storage === null);
      if (dead !== undefined) {
        throw new DownhillError("DISPOSED", `${what}: a tensor of its graph (shape ${fmt(dead.shape)}, ${dead.dtype}) was disposed before backward(); keep the tensors a loss is computed from alive until backward() has run (dispose them after it, or tidy around both).`);
      }
    }
    const temporary = new Map<Tensor, Storage>();
    const fresh: [Tensor, Tensor][] = [];
    try {
      for (const t of order) {
        if (t.#node !== null) temporary.set(t, t.#kernels.alloc(t.dtype, t.size));
        else if (t.#grad === null || t.#grad.disposed) fresh.push([t, new Tensor(MINT, t.#kernels, t.dtype, t.shape, t.#kernels.alloc(t.dtype, t.size), false, null, [])]);
      }
    } catch (error) {
      for (const s of temporary.values()) s.dispose();
      for (const [, g] of fresh) g.dispose();
      throw error;
    }
    for (const [t, g] of fresh) t.#grad = g;
    const gradOf = (t: Tensor): Storage | null => (t.requiresGrad ? (temporary.get(t) ?? t.#grad!.#storage) : null);
    try {
      const seed = gradOf(this)!.array;
      seed[0] = seed[0]! + 1;
      for (let i = order.length - 1; i >= 0; i--) {
        const t = order[i]!;
        if (t.#node !== null) t.#node.backward(temporary.get(t)!, gradOf);
      }
    } finally {
      for (const s of temporary.values()) s.dispose();
    }
  }
}

/**
 * A new tensor holding a copy of `values`: a number (shape []), numbers or a typed array
 * ([n]), or rows of equal length ([rows, cols]); `options.shape` reshapes flat values.
 * Default dtype f64 (f32 for a Float32Array), default backend the global one.
 */
export function tensor(values: TensorValues, options: TensorOptions = {}): Tensor {
  const A = "tensor options";
  checkKeys(A, options, ["dtype", "backend", "requiresGrad", "shape"]);
  const o = (options ?? {}) as Record<string, unknown>;
  const { flat, shape: inferred } = flatten(values);
  let shape = inferred;
  if (o["shape"] !== undefined) {
    shape = checkShape(`${A}.shape`, o["shape"]);
    if (sizeOf(shape) !== flat.length) {
      throw new DownhillRangeError("SHAPE_MISMATCH", `tensor(values, { shape: ${fmt(shape)} }): the shape holds ${sizeOf(shape)} values but ${flat.length} were given.`);
    }
  }
  const dtype = o["dtype"];
  if (dtype !== undefined && dtype !== "f32" && dtype !== "f64") throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.dtype must be "f32" or "f64"; got ${describe(dtype)}.`);
  const requiresGrad = o["requiresGrad"] ?? false;
  if (typeof requiresGrad !== "boolean") throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.requiresGrad must be true or false; got ${describe(requiresGrad)}.`);
  const backend = resolveBackend(o["backend"] === undefined ? undefined : checkBackendName(o["backend"], `${A}.backend`));
  return Tensor.create(backend, (dtype as Dtype | undefined) ?? (values instanceof Float32Array ? "f32" : "f64"), shape, flat, requiresGrad);
}
