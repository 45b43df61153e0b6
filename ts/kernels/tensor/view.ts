/**
 * TypeScript twin of crate/src/tensor/view.rs: strided views. Element (r, c) of a
 * `rows × cols` matrix lies at `offset + r·rowStride + c·colStride` of its buffer; a stride
 * of 0 repeats a row or a column (broadcasting). `copy` gathers a view into a dense buffer
 * (indexing, slicing, transposing, reshaping) and `addStrided` is its backward: it adds a
 * view of one buffer into a view of another in row-major order, so that repeated targets
 * (stride 0) sum their terms in the crate's order.
 */

/** Where element (r, c) of a view lies in its buffer. */
export interface View {
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/** A dense row-major `· × cols` matrix. */
export function dense(cols: number): View {
  return { offset: 0, rowStride: cols, colStride: 1 };
}

/** `out[r·cols + c] = x[view(r, c)]` (no arithmetic: one version serves both dtypes). */
export function copy(x: Float32Array | Float64Array, view: View, rows: number, cols: number, out: Float32Array | Float64Array): void {
  const { offset, rowStride, colStride } = view;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = x[offset + r * rowStride + c * colStride]!;
  }
}

/** `dst[dstView(r, c)] += src[srcView(r, c)]` for every (r, c) in row-major order. */
export function addStridedF64(src: Float64Array, srcView: View, dst: Float64Array, dstView: View, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = dstView.offset + r * dstView.rowStride + c * dstView.colStride;
      dst[d] = dst[d]! + src[srcView.offset + r * srcView.rowStride + c * srcView.colStride]!;
    }
  }
}

export function addStridedF32(src: Float32Array, srcView: View, dst: Float32Array, dstView: View, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = dstView.offset + r * dstView.rowStride + c * dstView.colStride;
      dst[d] = Math.fround(dst[d]! + src[srcView.offset + r * srcView.rowStride + c * srcView.colStride]!);
    }
  }
}
