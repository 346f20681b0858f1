// Seeded pseudo-random numbers so every training run is reproducible
// (same seed, same model). mulberry32: small, fast, good enough for
// initialisation, shuffling and negative sampling.
export interface Rng {
  // Uniform in [0, 1).
  next(): number;
  // Integer in [0, n).
  int(n: number): number;
  // Standard normal (Box-Muller).
  normal(): number;
}

export function createRng(seed: number): Rng {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  let spare: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

// `length` draws of N(mean, std^2): the initial factors of the factor models.
export function gaussianArray(length: number, std: number, rng: Rng, mean = 0): Float64Array {
  const out = new Float64Array(length);
  for (let t = 0; t < length; t++) out[t] = mean + std * rng.normal();
  return out;
}

// Fisher-Yates shuffle in place.
export function shuffle<T extends { length: number; [i: number]: any }>(array: T, rng: Rng): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}
