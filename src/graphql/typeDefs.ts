import fs from "node:fs";
import path from "node:path";

// The SDL files, one per domain, in a fixed order (common first: it declares Query and Mutation).
const SCHEMA_DIR = path.resolve(__dirname, "../schema");
const ORDER = ["common.graphql", "catalog.graphql", "users.graphql", "interactions.graphql"];

export function loadTypeDefs(dir: string = SCHEMA_DIR): string[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".graphql"));
  const sorted = [...ORDER.filter((f) => files.includes(f)), ...files.filter((f) => !ORDER.includes(f)).sort()];
  return sorted.map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
}
