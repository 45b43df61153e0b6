//! Kernels of autograd tensors (ts/autograd/tensor.ts): element-wise operations with
//! broadcasting and their backward passes, matrix products, sums and strided copies, over
//! row-major buffers of rank 0–2 seen as `rows × cols` matrices through a [`view::View`].
//! Backward kernels add their contribution into the input's gradient, as torch
//! accumulates `.grad`. ts/kernels/tensor/ holds the twins.

pub mod elementwise;
pub mod matmul;
pub mod reduce;
pub mod view;
