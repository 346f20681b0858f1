// The floor bench:serve compares Marquee with: bare Apollo Server 5
// (startStandaloneServer, no plugins) answering a query of the same shape as
// bench:serve's (b) from ten constant results, so no database, engine, cache
// or loader is involved. What (b) costs here is what graphql-js and Apollo
// charge for parsing the variables, resolving 10 x 4 fields and serialising
// the answer; Marquee's (b) cannot be cheaper than this on the same stack.
// Started by bench:serve as a child process: `tsx src/cli/bareApolloServer.ts <port>`.
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const typeDefs = `#graphql
  type Query { recommendations(userId: ID!, first: Int): [Recommendation!]! }
  type Recommendation { item: Item! score: Float! }
  type Item { id: ID! title: String! }
`;

// Ids, titles and scores shaped like ML-100K answers (a title of typical length, a float32 score).
const RESULTS = Array.from({ length: 10 }, (_, k) => ({
  item: { id: `ml100k-item-${100 + 37 * k}`, title: `A Movie Title of Typical Length (199${k})` },
  score: Math.fround(0.9 - 0.0731 * k),
}));

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? "4398");
  const server = new ApolloServer({ typeDefs, resolvers: { Query: { recommendations: () => RESULTS } } });
  const { url } = await startStandaloneServer(server, { listen: { port, host: "127.0.0.1" } });
  process.stdout.write(`bare Apollo ready at ${url}\n`);
  process.on("SIGTERM", () => void server.stop().then(() => process.exit(0)));
}

main().catch((error) => {
  process.stderr.write(`bare Apollo failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
