//! Strided views: element (r, c) of a `rows × cols` matrix read from (or written to) a
//! buffer at `offset + r·row_stride + c·col_stride`. A stride of 0 repeats a row or a
//! column (broadcasting); other strides select rows, columns or a transpose without a
//! copy. `copy` gathers a view into a dense buffer (indexing, slicing, transposing,
//! reshaping) and `add_strided` is its backward: it adds a view of one buffer into a view
//! of another, visiting the elements in row-major order, so that repeated targets
//! (stride 0) sum their terms in that order on both backends.

use crate::float::Float;

/// Where element (r, c) of a view lies in its buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct View {
    pub offset: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

impl View {
    #[inline(always)]
    pub fn at(&self, r: usize, c: usize) -> usize {
        self.offset + r * self.row_stride + c * self.col_stride
    }

    /// True when every element of a `rows × cols` view lies in a buffer of `len`
    /// elements (the arithmetic is checked, so huge strides cannot wrap around).
    pub fn fits(&self, rows: usize, cols: usize, len: usize) -> bool {
        if rows == 0 || cols == 0 {
            return true;
        }
        let last = (rows - 1)
            .checked_mul(self.row_stride)
            .and_then(|r| (cols - 1).checked_mul(self.col_stride).and_then(|c| r.checked_add(c)))
            .and_then(|rc| rc.checked_add(self.offset));
        matches!(last, Some(last) if last < len)
    }
}

/// A dense row-major `· × cols` matrix.
pub fn dense(cols: usize) -> View {
    View { offset: 0, row_stride: cols, col_stride: 1 }
}

/// `out[r·cols + c] = x[view(r, c)]`.
pub fn copy<T: Float>(x: &[T], view: View, rows: usize, cols: usize, out: &mut [T]) {
    for r in 0..rows {
        for c in 0..cols {
            out[r * cols + c] = x[view.at(r, c)];
        }
    }
}

/// `dst[dst_view(r, c)] += src[src_view(r, c)]` for every (r, c) in row-major order.
pub fn add_strided<T: Float>(src: &[T], src_view: View, dst: &mut [T], dst_view: View, rows: usize, cols: usize) {
    for r in 0..rows {
        for c in 0..cols {
            let d = dst_view.at(r, c);
            dst[d] = dst[d] + src[src_view.at(r, c)];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_selects_rows_columns_and_transposes() {
        let x = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]; // 2 × 3
        let mut out = [0.0; 6];
        copy(&x, View { offset: 0, row_stride: 1, col_stride: 3 }, 3, 2, &mut out);
        assert_eq!(out, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        let mut column = [0.0; 2];
        copy(&x, View { offset: 2, row_stride: 3, col_stride: 0 }, 2, 1, &mut column);
        assert_eq!(column, [3.0, 6.0]);
    }

    #[test]
    fn add_strided_sums_repeated_targets() {
        let g = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut rows = [10.0f32, 20.0, 30.0];
        add_strided(&g, dense(3), &mut rows, View { offset: 0, row_stride: 0, col_stride: 1 }, 2, 3);
        assert_eq!(rows, [15.0, 27.0, 39.0]);
        let mut total = [0.0f32];
        add_strided(&g, dense(3), &mut total, View { offset: 0, row_stride: 0, col_stride: 0 }, 2, 3);
        assert_eq!(total, [21.0]);
    }

    #[test]
    fn fits_checks_the_last_element_and_overflow() {
        let v = View { offset: 1, row_stride: 3, col_stride: 1 };
        assert!(v.fits(2, 2, 6));
        assert!(!v.fits(2, 3, 6));
        assert!(v.fits(0, 100, 0));
        assert!(!View { offset: 0, row_stride: usize::MAX, col_stride: 1 }.fits(3, 1, 10));
    }
}
