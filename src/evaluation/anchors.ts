// Published figures, to print beside ours: MovieLens 100K unless `dataset`
// says otherwise. Each protocol's anchors come from the project that defined
// it; `comparable` names our registry models that implement the same
// algorithm family.
import type { ProtocolName } from "./protocols";
import type { Metrics } from "./runner";

export interface Anchor {
  readonly protocol: ProtocolName;
  readonly model: string; // as the source names it
  readonly source: string;
  readonly metrics: Metrics;
  readonly comparable: readonly string[];
  readonly dataset?: "ml-100k" | "ml-latest-small"; // ml-100k when absent
}

const SURPRISE = "Surprise benchmark (KFold(random_state=0), 5 folds)";
const GORSE_RATING = "Gorse tuned, 5-fold";
const MSR = "Recommenders examples/06_benchmarks (stratified 75/25, k=10)";
const GORSE = "Gorse benchmark (NewKFoldSplitter(5), top-10)";
// Reference runs of sequential and order-blind models on this very protocol
// (leave-last-out, all items ranked, @10), as given with the protocol's
// definition; not reproduced here.
const NEXT = "reference run, leave-last-out (all items, @10)";

export const ANCHORS: readonly Anchor[] = [
  { protocol: "surprise-5fold", model: "Surprise SVD", source: SURPRISE, metrics: { rmse: 0.934, mae: 0.737 }, comparable: ["svd"] },
  { protocol: "surprise-5fold", model: "Surprise SVD++", source: SURPRISE, metrics: { rmse: 0.919, mae: 0.721 }, comparable: ["svdpp"] },
  { protocol: "surprise-5fold", model: "Surprise KNNBaseline", source: SURPRISE, metrics: { rmse: 0.931, mae: 0.733 }, comparable: ["user-knn"] },
  { protocol: "surprise-5fold", model: "Surprise BaselineOnly", source: SURPRISE, metrics: { rmse: 0.944, mae: 0.748 }, comparable: ["baseline"] },
  { protocol: "surprise-5fold", model: "Gorse SVD (tuned)", source: GORSE_RATING, metrics: { rmse: 0.907, mae: 0.715 }, comparable: ["svd"] },
  { protocol: "surprise-5fold", model: "Gorse SVD++ (tuned)", source: GORSE_RATING, metrics: { rmse: 0.904, mae: 0.71 }, comparable: ["svdpp"] },
  { protocol: "surprise-5fold", model: "Gorse item-KNN (tuned)", source: GORSE_RATING, metrics: { rmse: 0.926, mae: 0.725 }, comparable: ["item-knn"] },

  { protocol: "msr-stratified", model: "BiVAE", source: MSR, metrics: { "map@10": 0.1436, "ndcg@10": 0.4687, "precision@10": 0.4082, "recall@10": 0.2209 }, comparable: ["vae"] },
  { protocol: "msr-stratified", model: "BPR", source: MSR, metrics: { "map@10": 0.134, "ndcg@10": 0.445, "precision@10": 0.3887, "recall@10": 0.2166 }, comparable: ["bpr", "bpr-published"] },
  { protocol: "msr-stratified", model: "LightGCN", source: MSR, metrics: { "map@10": 0.1209, "ndcg@10": 0.4164, "precision@10": 0.3592, "recall@10": 0.196 }, comparable: [] },
  { protocol: "msr-stratified", model: "SAR", source: MSR, metrics: { "map@10": 0.114, "ndcg@10": 0.3938, "precision@10": 0.3406, "recall@10": 0.1854 }, comparable: ["item-knn", "item-knn-ranking"] },

  { protocol: "gorse-5fold", model: "WRMF", source: GORSE, metrics: { "precision@10": 0.347, "recall@10": 0.237, "map@10": 0.146, "ndcg@10": 0.416, "mrr@10": 0.654 }, comparable: ["ials", "ials-gorse"] },
  { protocol: "gorse-5fold", model: "BPR", source: GORSE, metrics: { "precision@10": 0.321, "recall@10": 0.209, "map@10": 0.118, "ndcg@10": 0.376, "mrr@10": 0.598 }, comparable: ["bpr", "bpr-gorse"] },
  { protocol: "gorse-5fold", model: "KNN", source: GORSE, metrics: { "precision@10": 0.286, "recall@10": 0.193, "map@10": 0.114, "ndcg@10": 0.347, "mrr@10": 0.578 }, comparable: ["item-knn", "item-knn-ranking", "user-knn"] },
  { protocol: "leave-last-out", model: "Self-attentive (SASRec)", source: NEXT, metrics: { "ndcg@10": 0.0969, "hr@10": 0.1887 }, comparable: ["sasrec"] },
  { protocol: "leave-last-out", model: "GRU (GRU4Rec)", source: NEXT, metrics: { "ndcg@10": 0.0938, "hr@10": 0.1725 }, comparable: ["gru4rec"] },
  { protocol: "leave-last-out", model: "Transitions", source: NEXT, metrics: { "ndcg@10": 0.0847 }, comparable: ["transitions", "sknn"] },
  { protocol: "leave-last-out", model: "EASE", source: NEXT, metrics: { "ndcg@10": 0.0728 }, comparable: ["ease"] },
  { protocol: "leave-last-out", model: "Popularity", source: NEXT, metrics: { "ndcg@10": 0.0432 }, comparable: ["popular"] },
  { protocol: "leave-last-out", dataset: "ml-latest-small", model: "Transitions (window 3)", source: NEXT, metrics: { "ndcg@10": 0.0533, "hr@10": 0.0951 }, comparable: ["transitions", "sknn"] },
  { protocol: "leave-last-out", dataset: "ml-latest-small", model: "Self-attentive (SASRec)", source: NEXT, metrics: { "ndcg@10": 0.0465, "hr@10": 0.0847 }, comparable: ["sasrec"] },
  { protocol: "leave-last-out", dataset: "ml-latest-small", model: "EASE", source: NEXT, metrics: { "ndcg@10": 0.0353 }, comparable: ["ease"] },

  { protocol: "gorse-5fold", model: "ItemPop", source: GORSE, metrics: { "precision@10": 0.191, "recall@10": 0.116, "map@10": 0.054, "ndcg@10": 0.218, "mrr@10": 0.41 }, comparable: ["popular"] },
];

export function anchorsFor(protocol: ProtocolName, model?: string, dataset = "ml-100k"): Anchor[] {
  return ANCHORS.filter((a) => a.protocol === protocol && (a.dataset ?? "ml-100k") === dataset && (model === undefined || a.comparable.includes(model)));
}
