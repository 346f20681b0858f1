// The operations GraphiQL opens with, one tab each. They are checked against
// the schema by test/observability/docsOperations.test.ts, like the docs.
export interface ExampleTab {
  query: string;
  variables?: string;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

export const EXAMPLE_TABS: readonly ExampleTab[] = [
  {
    query: `# Items carrying a feature (here a genre), a page at a time.
# Pass pageInfo.endCursor as $after to get the next page.
query ItemsByGenre($genre: String!, $first: Int = 10, $after: String) {
  items(first: $first, after: $after, filter: { feature: { facet: "genre", value: $genre } }) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      title
      kind
      releaseYear
      genres: features(facet: "genre") {
        value
      }
    }
  }
}
`,
    variables: json({ genre: "Comedy", first: 10 }),
  },
  {
    query: `# A user's interactions, newest first.
query UserInteractions($id: ID!, $first: Int = 10, $after: String) {
  user(id: $id) {
    id
    interactions(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        type
        value
        occurredAt
        item {
          id
          title
        }
      }
    }
  }
}
`,
    variables: json({ id: "demo-user-001", first: 10 }),
  },
  {
    query: `# What is in the catalog.
query CatalogStats {
  catalogStats {
    users
    items
    features
    interactions
    itemsByKind {
      kind
      count
    }
    interactionsByType {
      type
      count
    }
    firstInteractionAt
    lastInteractionAt
  }
}
`,
  },
  {
    query: `# Records interactions in one all-or-nothing batch. Unknown users are
# created; unknown items are an error (NOT_FOUND, with their ids).
mutation RecordInteractions($interactions: [InteractionInput!]!) {
  recordInteractions(interactions: $interactions) {
    accepted
    created
    updated
    unchanged
    createdUsers
  }
}
`,
    variables: json({
      interactions: [
        { userId: "demo-user-001", itemId: "demo-movie-001", type: "RATING", value: 4.5 },
        { userId: "demo-user-001", itemId: "demo-movie-002", type: "VIEW" },
      ],
    }),
  },
];

// The request headers editor starts with this (JSON with comments is accepted).
export const DEFAULT_HEADERS = `{
  // When the server requires an API key, send it on every request:
  // "Authorization": "Bearer <your API key>"
  // GraphiQL keeps headers in this tab only; they are not saved.
}
`;
