/**
 * downhill: gradient-based optimization for JavaScript runtimes, with PyTorch's numbers.
 * The public surface, and nothing else.
 *
 * @module downhill
 */
export { DownhillError, DownhillRangeError, DownhillTypeError, type ErrorCode } from "./errors.ts";
export type { ArrayOf, Dtype, FloatArray } from "./dtype.ts";
export type { BackendName } from "./backend/backend.ts";
export { getBackend, init, setBackend } from "./backend/select.ts";
export { memoryUsage, type MemoryUsage } from "./memory.ts";
export { Parameter, type ParameterOptions } from "./parameter.ts";

// Optimizers: torch.optim's, with its options (camelCase) and defaults.
export { Optimizer, type CommonOptions, type ParamGroupInput, type ParamGroupView, type ParamInput } from "./optim/optimizer.ts";
export type { OptimizerStateDict, ParamGroupDict, ParamStateDict, ParameterInfo } from "./optim/state-dict.ts";
export { SGD, SGD_DEFAULTS, type SGDOptions } from "./optim/sgd.ts";
export { Adam, ADAM_DEFAULTS, type AdamCoreOptions, type AdamOptions } from "./optim/adam.ts";
export { AdamW, ADAMW_DEFAULTS, type AdamWOptions } from "./optim/adamw.ts";
export { Adamax, ADAMAX_DEFAULTS, type AdamaxOptions } from "./optim/adamax.ts";
export { NAdam, NADAM_DEFAULTS, type NAdamOptions } from "./optim/nadam.ts";
export { RAdam, RADAM_DEFAULTS, type RAdamOptions } from "./optim/radam.ts";
export { Adagrad, ADAGRAD_DEFAULTS, type AdagradOptions } from "./optim/adagrad.ts";
export { RMSprop, RMSPROP_DEFAULTS, type RMSpropOptions } from "./optim/rmsprop.ts";
export { Adadelta, ADADELTA_DEFAULTS, type AdadeltaOptions } from "./optim/adadelta.ts";
export { Lion, LION_DEFAULTS, type LionOptions } from "./optim/lion.ts";
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from "./optim/clip.ts";

// Learning-rate schedules: torch.optim.lr_scheduler's, epoch by epoch.
export { LRScheduler, Scheduler, type ScheduledOptimizer, type SchedulerState } from "./schedule/scheduler.ts";
export { StepLR, STEP_LR_DEFAULTS, type StepLROptions } from "./schedule/step-lr.ts";
export { MultiStepLR, MULTI_STEP_LR_DEFAULTS, type MultiStepLROptions } from "./schedule/multi-step-lr.ts";
export { ExponentialLR, type ExponentialLROptions } from "./schedule/exponential-lr.ts";
export { CosineAnnealingLR, COSINE_ANNEALING_LR_DEFAULTS, type CosineAnnealingLROptions } from "./schedule/cosine-annealing-lr.ts";
export { LinearLR, LINEAR_LR_DEFAULTS, type LinearLROptions } from "./schedule/linear-lr.ts";
export { OneCycleLR, ONE_CYCLE_LR_DEFAULTS, type OneCycleLROptions, type OneCycleLRSettings } from "./schedule/one-cycle-lr.ts";
export { SequentialLR, type SequentialLROptions } from "./schedule/sequential-lr.ts";
export {
  ReduceLROnPlateau,
  REDUCE_LR_ON_PLATEAU_DEFAULTS,
  type ReduceLROnPlateauOptions,
  type ReduceLROnPlateauSettings,
} from "./schedule/reduce-lr-on-plateau.ts";

// Seeded random numbers (xoshiro128**, the same stream in TypeScript and WebAssembly).
export { Random, MAX_SEED, type RandomState } from "./random.ts";
// Initializers: torch.nn.init's, seeded.
export {
  calculateGain,
  constant,
  heNormal,
  heUniform,
  normal,
  uniform,
  xavierNormal,
  xavierUniform,
  zeros,
  type CreateOptions,
  type HeOptions,
  type Initializer,
  type NormalInitOptions,
  type Nonlinearity,
  type Seed,
  type UniformInitOptions,
  type XavierOptions,
} from "./init.ts";

// Losses: torch.nn's, value and gradient in one pass, bit-identical on both backends.
export {
  bceWithLogitsLoss,
  crossEntropyLoss,
  huberLoss,
  l1Penalty,
  l2Penalty,
  maeLoss,
  mseLoss,
  residual,
  rssLoss,
  HUBER_LOSS_DEFAULTS,
  type ClassIndices,
  type CrossEntropyLossOptions,
  type FloatInput,
  type GradOf,
  type HuberLossOptions,
  type LossOptions,
  type LossResult,
  type PenaltyOptions,
} from "./loss/losses.ts";

// Data: validated datasets from arrays, objects or CSV; seeded splits; standardization.
export { toDataset, type Dataset, type DatasetOptions, type Features, type FlatMatrix, type Row, type Targets } from "./data/dataset.ts";
export { parseCsv, readCsv, type CsvOptions } from "./data/csv.ts";
export { trainValidationSplit, type Split, type SplitOptions } from "./data/split.ts";
export { Standardizer, type StandardizerOptions } from "./data/standardize.ts";

// Training: fit() any model with any optimizer and schedule, scikit-learn's stopping rules.
export type { BoundData, BoundDataset, Trainable } from "./train/trainable.ts";
export { fit } from "./train/fit.ts";
export { FIT_DEFAULTS, OPTIMIZER_NAMES, type CallbackResult, type FitOptions, type OptimizerName } from "./train/options.ts";
export type { Divergence, EpochRecord, FitResult, IterationRecord, StopReason } from "./train/history.ts";

// Linear models: one fused forward + loss + backward call per batch, on either backend.
export { LinearModel, LINEAR_MODEL_DEFAULTS, type LinearModelOptions, type PenaltyOptions as ModelPenaltyOptions } from "./model/linear-model.ts";
export { LinearRegression, LINEAR_REGRESSION_DEFAULTS, type LinearRegressionOptions, type RegressionLoss } from "./model/linear-regression.ts";
export { LogisticRegression, LOGISTIC_REGRESSION_DEFAULTS, type LogisticRegressionOptions } from "./model/logistic-regression.ts";
export { SoftmaxRegression, SOFTMAX_REGRESSION_DEFAULTS, type SoftmaxRegressionOptions } from "./model/softmax-regression.ts";

// minimize(): any objective, with any optimizer or L-BFGS; finite differences; gradient checks.
export { LBFGS, LBFGS_DEFAULTS, type LBFGSClosure, type LBFGSOptions, type LBFGSSettings } from "./optim/lbfgs.ts";
export {
  minimize,
  MINIMIZE_DEFAULTS,
  MINIMIZE_OPTIMIZER_NAMES,
  type MinimizeOptimizer,
  type MinimizeOptimizerName,
  type MinimizeOptions,
  type MinimizeReason,
  type MinimizeRecord,
  type MinimizeResult,
} from "./minimize/minimize.ts";
export { finiteDifferenceGradient, type GradientFunction, type GradientOption, type Objective, type ObjectiveResult, type TensorObjective } from "./minimize/objective.ts";
export { gradCheck, GRAD_CHECK_DEFAULTS, type GradCheckOptions, type GradCheckResult } from "./minimize/grad-check.ts";

// Autograd: tensors whose operations record how to send gradients back; tidy() frees them.
export { Tensor, tensor, type Shape, type TensorOptions, type TensorValues } from "./autograd/tensor.ts";
export { keep, tidy } from "./autograd/tidy.ts";

// Neural networks: a multilayer perceptron, forward + loss + backpropagation in one call per batch.
export { MLP, MLP_DEFAULTS, type MLPActivation, type MLPOptions, type MLPOutput } from "./model/mlp.ts";

// Search: learning-rate sweeps and seeded random search with narrowing ranges.
export { type LossOutcome, type TrialCallbackResult, type TrialContext, type TrialOutcome } from "./search/trial.ts";
export {
  lrSweep,
  fitTrial,
  objectiveTrial,
  sweepRates,
  FIT_TRIAL_DEFAULTS,
  LR_SWEEP_DEFAULTS,
  type LrSweepOptions,
  type LrTrial,
  type ObjectiveRun,
  type ObjectiveTrialOptions,
  type SweepPoint,
  type SweepProgress,
  type SweepResult,
} from "./search/lr-sweep.ts";
export {
  randomSearch,
  RANDOM_SEARCH_DEFAULTS,
  type ConfigOf,
  type Dimension,
  type RandomSearchOptions,
  type SearchProgress,
  type SearchResult,
  type SearchSpace,
  type SearchTrial,
  type SearchTrialFunction,
} from "./search/random-search.ts";
