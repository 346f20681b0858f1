// Every ```graphql block in docs/*.md, and every operation GraphiQL opens
// with, must parse and validate against the current schema, so the examples
// clients copy cannot drift from the API.
import fs from "node:fs";
import path from "node:path";
import { buildSchema, parse, validate, Kind, type GraphQLSchema } from "graphql";
import { loadTypeDefs } from "../../src/graphql/typeDefs";
import { EXAMPLE_TABS } from "../../src/http/graphiql/exampleOperations";

const DOCS = path.resolve(__dirname, "../../docs");

interface Block {
  file: string;
  line: number;
  text: string;
}

function graphqlBlocks(markdown: string, file: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```graphql\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    blocks.push({ file, line: start + 1, text: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

function problems(schema: GraphQLSchema, text: string): string[] {
  let document;
  try {
    document = parse(text);
  } catch (error) {
    return [(error as Error).message];
  }
  const errors = validate(schema, document).map((e) => e.message);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION && !definition.name) errors.push("operations in the docs must be named");
  }
  return errors;
}

describe("operations in the docs and in GraphiQL", () => {
  const schema = buildSchema(loadTypeDefs().join("\n"));
  const files = fs.readdirSync(DOCS).filter((f) => f.endsWith(".md"));
  const readme = path.resolve(DOCS, "../README.md");
  const blocks = [
    ...files.flatMap((f) => graphqlBlocks(fs.readFileSync(path.join(DOCS, f), "utf8"), f)),
    ...graphqlBlocks(fs.readFileSync(readme, "utf8"), "README.md"),
  ];

  it("finds the examples of CLIENTS.md and README.md", () => {
    expect(blocks.filter((b) => b.file === "CLIENTS.md").length).toBeGreaterThanOrEqual(4);
    expect(blocks.filter((b) => b.file === "README.md").length).toBeGreaterThanOrEqual(3);
  });

  it.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))("%s is valid against the schema", (_, block) => {
    expect(problems(schema, block.text)).toEqual([]);
  });

  // docs/operations: one operation per file (named like the file), with the
  // shared fragment files, as Apollo Kotlin / iOS compile them together.
  const OPERATIONS = path.join(DOCS, "operations");
  const opFiles = fs.readdirSync(OPERATIONS).filter((f) => f.endsWith(".graphql"));
  const fragmentText = opFiles
    .map((f) => fs.readFileSync(path.join(OPERATIONS, f), "utf8"))
    .filter((text) => parse(text).definitions.every((d) => d.kind === Kind.FRAGMENT_DEFINITION))
    .join("\n");

  it("has operation files for the main calls", () => {
    expect(opFiles).toEqual(expect.arrayContaining(["Recommendations.graphql", "HomePage.graphql", "SimilarItems.graphql", "RecordInteractions.graphql"]));
  });

  it.each(opFiles.filter((f) => !parse(fs.readFileSync(path.join(OPERATIONS, f), "utf8")).definitions.every((d) => d.kind === Kind.FRAGMENT_DEFINITION)))(
    "docs/operations/%s is one operation named like its file, valid with the shared fragments",
    (file) => {
      const text = fs.readFileSync(path.join(OPERATIONS, file), "utf8");
      const operations = parse(text).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations.map((d) => (d.kind === Kind.OPERATION_DEFINITION ? d.name?.value : undefined))).toEqual([file.replace(/\.graphql$/, "")]);
      const used = text.includes("...") ? fragmentText : "";
      expect(problems(schema, `${text}\n${used}`)).toEqual([]);
    },
  );

  it.each(EXAMPLE_TABS.map((tab, i) => [i, tab] as const))("GraphiQL tab %i is valid, with valid JSON variables", (_, tab) => {
    expect(problems(schema, tab.query)).toEqual([]);
    if (tab.variables) expect(() => JSON.parse(tab.variables!)).not.toThrow();
  });

  it("reports an operation that no longer fits the schema", () => {
    expect(problems(schema, `query Old { items { edges { node { name } } } }`)).toEqual([
      `Cannot query field "name" on type "Item".`,
    ]);
    expect(graphqlBlocks("text\n```graphql\n{ ok }\n```\n", "x.md")).toEqual([{ file: "x.md", line: 3, text: "{ ok }" }]);
  });
});
