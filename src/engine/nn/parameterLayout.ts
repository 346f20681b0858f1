// Named tensors laid end to end in one flat float32 vector. A network's
// weights, its gradient and Adam's moments are each one Float32Array of the
// same layout: Adam runs one loop over all of them (adam.ts), gradients from
// several threads add up elementwise, the weights can be shared with worker
// threads as one SharedArrayBuffer, and serialising a model is one array.
export class ParameterLayout {
  private readonly entries = new Map<string, { offset: number; size: number }>();
  private total = 0;

  add(name: string, size: number): this {
    if (this.entries.has(name)) throw new Error(`parameter '${name}' declared twice`);
    this.entries.set(name, { offset: this.total, size });
    this.total += size;
    return this;
  }

  get size(): number {
    return this.total;
  }

  offset(name: string): number {
    return this.entry(name).offset;
  }

  // The tensor `name` inside a flat vector of this layout (a view, no copy).
  view(flat: Float32Array, name: string): Float32Array {
    const { offset, size } = this.entry(name);
    return flat.subarray(offset, offset + size);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  private entry(name: string): { offset: number; size: number } {
    const e = this.entries.get(name);
    if (!e) throw new Error(`no parameter '${name}'`);
    return e;
  }
}
