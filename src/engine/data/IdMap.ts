// Maps external ids (strings from the catalog) to dense indices 0..n-1 and
// back, once, at the boundary of the engine (as Surprise's Trainset does).
export class IdMap {
  private readonly toIndex = new Map<string, number>();
  private readonly toId: string[] = [];

  static from(ids: Iterable<string>): IdMap {
    const map = new IdMap();
    for (const id of ids) map.add(id);
    return map;
  }

  get size(): number {
    return this.toId.length;
  }

  // Returns the index of `id`, adding it if new.
  add(id: string): number {
    const existing = this.toIndex.get(id);
    if (existing !== undefined) return existing;
    const index = this.toId.length;
    this.toIndex.set(id, index);
    this.toId.push(id);
    return index;
  }

  // The index of `id`, or undefined when it is not known (a cold-start id).
  index(id: string): number | undefined {
    return this.toIndex.get(id);
  }

  id(index: number): string {
    const id = this.toId[index];
    if (id === undefined) throw new Error(`IdMap: no id at index ${index} (size ${this.toId.length})`);
    return id;
  }

  ids(): readonly string[] {
    return this.toId;
  }
}
