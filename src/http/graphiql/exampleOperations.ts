// The operations GraphiQL opens with, one tab each, with their variables
// filled in for the demo catalog so that each one answers as it opens. They
// are checked against the schema by test/observability/docsOperations.test.ts,
// like the docs, and run against the demo by graphiqlExamples.test.ts. Lines
// are at most 48 characters: the query editor beside the response in a
// 1280-pixel-wide window shows about 50 without wrapping (it wraps longer
// ones, so nothing is cut off, but a wrapped example reads badly).
export interface ExampleTab {
  query: string;
  variables?: string;
}

// The demo's persona who loves Sci-Fi movies (src/demo/demoCatalog.ts).
export const EXAMPLE_USER = "demo-user-001";

const json = (value: unknown) => JSON.stringify(value, null, 2);

export const EXAMPLE_TABS: readonly ExampleTab[] = [
  {
    query: `# A user's recommendations, each with the
# reasons it was chosen. Try another $strategy
# (ITEM_KNN, CONTENT, POPULAR, ...) or add the
# argument filter: { kinds: [MOVIE] }.
query Recommendations(
  $userId: ID!
  $first: Int = 10
  $strategy: Strategy = HYBRID
) {
  recommendations(
    userId: $userId
    first: $first
    strategy: $strategy
  ) {
    rank
    score
    strategy
    item {
      id
      kind
      title
      releaseYear
    }
    reasons {
      __typename
      ... on BecauseYouInteracted {
        weight
        item {
          id
          title
        }
      }
      ... on SharedFeature {
        weight
        feature {
          facet
          value
        }
      }
      ... on SimilarUsersLiked {
        count
      }
      ... on Popular {
        window
      }
      ... on ColdStart {
        why
      }
      ... on Fallback {
        requested
        served
        why
      }
    }
  }
}
`,
    variables: json({ userId: EXAMPLE_USER, first: 10, strategy: "HYBRID" }),
  },
  {
    query: `# Items carrying a feature (here a genre), a
# page at a time. Pass pageInfo.endCursor as
# $after to get the next page.
query ItemsByGenre(
  $genre: String!
  $first: Int = 10
  $after: String
) {
  items(
    first: $first
    after: $after
    filter: {
      feature: { facet: "genre", value: $genre }
    }
  ) {
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
query UserInteractions(
  $id: ID!
  $first: Int = 10
  $after: String
) {
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
    variables: json({ id: EXAMPLE_USER, first: 10 }),
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
    query: `# Records interactions in one all-or-nothing
# batch. Unknown users are created; unknown
# items are an error: NOT_FOUND, listing them.
mutation RecordInteractions(
  $interactions: [InteractionInput!]!
) {
  recordInteractions(
    interactions: $interactions
  ) {
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
        { userId: EXAMPLE_USER, itemId: "demo-movie-001", type: "RATING", value: 4.5 },
        { userId: EXAMPLE_USER, itemId: "demo-movie-002", type: "VIEW" },
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
