/**
 * The C-MAPSS evaluation metrics at the last cycle of each unit (Saxena et al. 2008), with d = predicted - true.
 * @example rmse([10, 20], [13, 16]) // => Math.sqrt(12.5)
 */
export function rmse(predicted: number[], truth: number[]): number {
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) sum += (predicted[i] - truth[i]) ** 2;
  return Math.sqrt(sum / predicted.length);
}

/**
 * The PHM08 ("NASA") score: late predictions (d >= 0) cost exp(d / 10) - 1, early ones exp(-d / 13) - 1. A sum,
 * so it grows with the number of units.
 * @example nasaScore([10], [0]) // => Math.E - 1
 */
export function nasaScore(predicted: number[], truth: number[]): number {
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) {
    const d = predicted[i] - truth[i];
    sum += d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1;
  }
  return sum;
}
