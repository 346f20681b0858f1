// One train/test split: indices of rows of a RatingTable (or any list of
// interactions). Every row is in at most one of the two.
export interface Fold {
  readonly train: Int32Array;
  readonly test: Int32Array;
}
