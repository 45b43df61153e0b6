/**
 * AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization"), PyTorch's
 * torch.optim.AdamW: Adam whose weight decay shrinks the parameter, `p ← p·(1 − lr·
 * weightDecay)`, before the Adam step instead of entering the moments. The update
 * follows torch 1.13's `_single_tensor_adamw` (the same kernel as Adam with decoupled
 * weight decay). Default weightDecay 1e-2.
 */
import { ADAM_STATE, adamStateNeeded, prepareAdam, validateAdamCore, type AdamCoreOptions } from "./adam.ts";
import { Powers } from "./power.ts";
import { Optimizer, type CommonOptions, type ParamGroupInput, type ParamInput } from "./optimizer.ts";

/** Options of {@link AdamW}: torch.optim.AdamW's, in camelCase. */
export type AdamWOptions = AdamCoreOptions;

/** torch.optim.AdamW's defaults, frozen. */
export const ADAMW_DEFAULTS: Readonly<AdamWOptions> = Object.freeze({
  lr: 1e-3,
  betas: Object.freeze([0.9, 0.999] as const),
  eps: 1e-8,
  weightDecay: 1e-2,
  amsgrad: false,
  maximize: false,
});

/** Adam with decoupled weight decay (Loshchilov & Hutter, 2019): `torch.optim.AdamW`. */
export class AdamW extends Optimizer<AdamWOptions> {
  constructor(
    params: readonly ParamInput[] | readonly ParamGroupInput<AdamWOptions>[],
    options?: Partial<AdamWOptions> & CommonOptions,
  ) {
    super("AdamW", "adam", params, options, ADAMW_DEFAULTS, validateAdamCore, ADAM_STATE);
  }

  protected stateNeeded(o: Readonly<AdamWOptions>): readonly boolean[] {
    return adamStateNeeded(o);
  }

  readonly #powers = new Powers();

  protected prepare(o: Readonly<AdamWOptions>, step: number, s: Float64Array, group: number): number {
    return prepareAdam(o, true, step, s, this.#powers, group);
  }
}
