// Scratch arrays a network reuses from batch to batch, by name, grown when a
// batch needs more (a fit allocates them once for its largest batch).
export class Workspace {
  private readonly arrays = new Map<string, Float32Array>();

  get(name: string, length: number): Float32Array {
    let a = this.arrays.get(name);
    if (!a || a.length < length) {
      a = new Float32Array(Math.max(length, Math.ceil((a?.length ?? 0) * 1.25)));
      this.arrays.set(name, a);
    }
    return a;
  }

  bytes(): number {
    let total = 0;
    for (const a of this.arrays.values()) total += a.byteLength;
    return total;
  }
}
