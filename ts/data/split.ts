/**
 * Seeded train/validation split, sized as scikit-learn's train_test_split(test_size=
 * fraction) sizes it: the validation part has ⌈fraction · n⌉ samples, the training part
 * the rest, and an empty training part is an error.
 * With shuffling, a seeded permutation (Random.shuffle, the same on both backends) is cut
 * as ShuffleSplit cuts it: validation = permutation[0 … nValidation), train = the rest,
 * in permutation order. Without shuffling, the last samples are the validation part.
 */
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { checkBoolean, checkKeys, checkNumber } from "../options.ts";
import { toRandom, type Random } from "../random.ts";
import { checkDataset, selectRows, type Dataset } from "./dataset.ts";

/** Options of {@link trainValidationSplit}. */
export interface SplitOptions {
  /** Fraction of the samples held out, in (0, 1); default 0.25 (scikit-learn's test_size). */
  validationFraction?: number;
  /** Shuffle before cutting; default true. */
  shuffle?: boolean;
  /** Required when shuffling: an integer in [0, 2³² − 1], or a Random whose stream is continued. */
  seed?: number | Random;
}

/** The two parts {@link trainValidationSplit} returns. */
export interface Split<D extends Dataset = Dataset> {
  /** The training part. */
  readonly train: D;
  /** The held-out part: ⌈fraction · n⌉ samples. */
  readonly validation: D;
  /** Rows of the original dataset in `train`, in order. */
  readonly trainIndices: Uint32Array;
  /** Rows of the original dataset in `validation`, in order. */
  readonly validationIndices: Uint32Array;
}

/**
 * Splits `dataset` into a training and a validation part, seeded, as scikit-learn's
 * train_test_split sizes it (the validation part has ⌈fraction · n⌉ samples); without
 * shuffling, the last samples are the validation part.
 */
export function trainValidationSplit<D extends Dataset>(dataset: D, options: SplitOptions = {}): Split<D> {
  checkDataset(dataset, "trainValidationSplit(dataset)");
  checkKeys("trainValidationSplit options", options, ["validationFraction", "shuffle", "seed"]);
  const fraction = checkNumber("trainValidationSplit options.validationFraction", options.validationFraction ?? 0.25, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const shuffle = options.shuffle === undefined ? true : checkBoolean("trainValidationSplit options.shuffle", options.shuffle);
  if (!shuffle && options.seed !== undefined) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `trainValidationSplit options.seed (${describe(options.seed)}) has no effect with shuffle: false; remove one of them.`);
  }
  const random = shuffle ? toRandom(options.seed, "trainValidationSplit options.seed") : null;
  const n = dataset.n;
  const nValidation = Math.ceil(fraction * n);
  const nTrain = n - nValidation;
  if (nTrain === 0) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `trainValidationSplit: with ${n} samples and validationFraction ${fraction}, the training part would be empty (${nValidation} validation samples); use a smaller fraction or more data.`);
  }
  let order: Uint32Array;
  if (random !== null) {
    order = random.shuffle(n);
  } else {
    order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = (i + nTrain) % n; // validation = the last nValidation rows, then train = the first nTrain
  }
  const validationIndices = order.slice(0, nValidation);
  const trainIndices = order.slice(nValidation);
  return Object.freeze({
    train: selectRows(dataset, trainIndices) as D,
    validation: selectRows(dataset, validationIndices) as D,
    trainIndices,
    validationIndices,
  });
}
