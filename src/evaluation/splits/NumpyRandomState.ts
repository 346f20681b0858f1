// A bit-exact copy of the parts of numpy's legacy `np.random.RandomState`
// (MT19937) that the reference splitters use, so that our folds are the very
// folds the published numbers were computed on:
//   - Surprise `KFold.split`: `get_rng(random_state).shuffle(np.arange(n))`
//   - Recommenders `_do_stratification`: `np.random.seed(seed); np.random.rand(n)`
// Sources: numpy/random/src/mt19937/mt19937.c (`mt19937_seed`, `mt19937_gen`),
// numpy/random/src/legacy/legacy-distributions.c and distributions.c
// (`random_standard_uniform` = 53-bit double from two draws, `random_interval`
// = masked rejection sampling), numpy/random/mtrand.pyx (`RandomState.shuffle`:
// `for i in reversed(range(1, n)): j = random_interval(i)`).
const N = 624;
const M = 397;

export class NumpyRandomState {
  private readonly mt = new Uint32Array(N);
  private pos = N;

  // `np.random.RandomState(seed)` for an integer seed in [0, 2^32).
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`NumpyRandomState: seed must be an integer in [0, 2^32), got ${seed}`);
    }
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.mt[i] = s;
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
  }

  nextUint32(): number {
    if (this.pos >= N) this.generate();
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    y ^= y >>> 18;
    return y >>> 0;
  }

  // `rand()` / `random_sample()`: uniform double in [0, 1) with 53 random bits.
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  // `random_interval(max)`: uniform integer in [0, max], max < 2^32.
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0;
    while (value > max);
    return value;
  }

  // `RandomState.shuffle(x)` for a 1-d array, in place.
  shuffle<T extends { length: number; [i: number]: any }>(x: T): T {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const tmp = x[i];
      x[i] = x[j];
      x[j] = tmp;
    }
    return x;
  }

  private generate(): void {
    const mt = this.mt;
    let i = 0;
    for (; i < N - M; i++) {
      const y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff);
      mt[i] = mt[i + M] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    for (; i < N - 1; i++) {
      const y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff);
      mt[i] = mt[i + (M - N)] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    const y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    this.pos = 0;
  }
}
