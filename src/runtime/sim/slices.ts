import { TwinFlowError } from '../../core/errors';
import { batchProgress, continueBatch, type Batch } from '../../core/sim/batch';
import { budget } from '../../core/sim/budget';
import type { SimModel } from '../../core/sim/model';
import { defer, type Clock } from '../shared/clock';

export interface SlicedRun {
  /** Settles with the finished batch, or rejects with the step's error or `cancelled`. */
  readonly finished: Promise<Batch>;
  /** Stops before the next slice; returns the progress in percent when it was cancelled. */
  cancel(): number;
}

/**
 * Runs a batch (a `run` or a `fork`) in slices of `budgetMs` wall time, yielding to the event loop between them, so
 * a million steps never hold other flows, and reports the progress after each slice. A single step may take at
 * most one more budget before it is abandoned with `overBudget`.
 */
export function runInSlices(
  clock: Clock,
  model: SimModel,
  batch: Batch,
  budgetMs: number,
  command: string,
  onProgress: (percent: number) => void,
): SlicedRun {
  let cancelled = false;
  const now = (): number => clock.now();
  const finished = new Promise<Batch>((resolve, reject) => {
    const slice = (): void => {
      if (cancelled) {
        const percent = batchProgress(batch);
        reject(new TwinFlowError('cancelled', `${command} cancelled at ${percent}%`, { command, percent }));
        return;
      }
      try {
        const start = now();
        if (continueBatch(model, batch, budget(now, budgetMs, start), budget(now, 2 * budgetMs, start))) {
          resolve(batch);
          return;
        }
        onProgress(batchProgress(batch));
        defer(clock, slice);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    slice();
  });
  return {
    finished,
    cancel() {
      cancelled = true;
      return batchProgress(batch);
    },
  };
}
