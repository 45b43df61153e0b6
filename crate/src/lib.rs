//! Kernels of downhill: the update loops of gradient-based optimizers, written as safe
//! functions over slices and exported to WebAssembly by [`abi`].
//!
//! Each kernel copies the operation order of the PyTorch routine it names, uses only
//! exactly rounded operations (+ − × ÷ sqrt, no fused multiply-add) and is generic over
//! [`float::Float`], so the TypeScript twin in `ts/kernels/` reproduces it bit for bit
//! (with `Math.fround` after each f32 operation).

pub mod abi;
pub mod clip;
pub mod float;
pub mod loss;
pub mod math;
pub mod model;
pub mod optim;
pub mod reduce;
pub mod rng;
pub mod tensor;
pub mod train;
