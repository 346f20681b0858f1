// HyperLogLog (Flajolet, Fusy, Gandouet, Meunier 2007, "HyperLogLog: the
// analysis of a near-optimal cardinality estimation algorithm"), with the
// small-range correction (linear counting) of that paper. It counts the
// distinct users an answer was shown to: each user's id hashes to one of
// HLL_REGISTERS registers and a rank (the position of the first 1 bit in the
// rest of the hash); a register keeps the largest rank it saw, so sketches
// of several hours merge by taking the max of each register, and the
// estimate's relative standard error is 1.04 / sqrt(HLL_REGISTERS) = 1.6%.
// Below 2.5 * HLL_REGISTERS distinct values the estimate is linear counting
// over the empty registers: exact up to a hash collision (two users in one
// register), which for a handful of users is rare.
//
// The database keeps the registers (impression_user_hourly); this file is
// the hash both the writer uses and the estimate the reader applies.

export const HLL_PRECISION = 12;
export const HLL_REGISTERS = 1 << HLL_PRECISION;

// Flajolet et al.'s bias constant for m >= 128.
const ALPHA = 0.7213 / (1 + 1.079 / HLL_REGISTERS);

// MurmurHash3's 32-bit finaliser: every input bit flips each output bit with
// probability about 1/2 (a bijection on 32 bits).
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface HllPosition {
  // 0 .. HLL_REGISTERS - 1
  register: number;
  // 1 .. 53: one more than the leading zeros of the hash's remaining 52 bits.
  rho: number;
}

// Where an id (a non-negative 32-bit integer, e.g. a user's database id)
// lands: the top 12 bits of a 64-bit hash pick the register, the other 52
// give the rank. Two 32-bit halves from differently salted finalisers.
export function hllPosition(id: number): HllPosition {
  const high = fmix32((id ^ 0x9e3779b9) >>> 0);
  const low = fmix32((Math.imul(id, 0x2545f491) + 0x632be5ab) >>> 0);
  const register = high >>> (32 - HLL_PRECISION);
  const rest = high & ((1 << (32 - HLL_PRECISION)) - 1);
  let rho: number;
  if (rest !== 0) rho = Math.clz32(rest) - HLL_PRECISION + 1;
  else if (low !== 0) rho = 32 - HLL_PRECISION + Math.clz32(low) + 1;
  else rho = 64 - HLL_PRECISION + 1;
  return { register, rho };
}

// The estimate from a merged sketch given as its set registers only: how
// many registers are set (rank > 0) and the sum of 2^-rank over them (the
// database sums these without shipping the registers).
export function hllEstimate(setRegisters: number, inverseSum: number): number {
  if (setRegisters === 0) return 0;
  const empty = HLL_REGISTERS - setRegisters;
  const raw = (ALPHA * HLL_REGISTERS * HLL_REGISTERS) / (inverseSum + empty);
  if (raw <= 2.5 * HLL_REGISTERS && empty > 0) return HLL_REGISTERS * Math.log(HLL_REGISTERS / empty);
  return raw;
}

// A whole sketch in memory (tests, and anything that counts in process).
export class HyperLogLog {
  readonly registers = new Uint8Array(HLL_REGISTERS);

  add(id: number): void {
    const { register, rho } = hllPosition(id);
    if (rho > this.registers[register]) this.registers[register] = rho;
  }

  // The union: each register's max.
  merge(other: HyperLogLog): void {
    for (let i = 0; i < HLL_REGISTERS; i++) if (other.registers[i] > this.registers[i]) this.registers[i] = other.registers[i];
  }

  estimate(): number {
    let set = 0;
    let inverseSum = 0;
    for (const r of this.registers) {
      if (r === 0) continue;
      set++;
      inverseSum += 2 ** -r;
    }
    return hllEstimate(set, inverseSum);
  }
}
