// The neutral shape every source (MovieLens, the CSV format, the demo
// catalog) is read into before it is written to the database in batches.
export type ItemKindName = "MOVIE" | "SHOW" | "MUSIC" | "GAME" | "BOOK" | "PODCAST" | "OTHER";
export type InteractionTypeName = "RATING" | "VIEW" | "PLAY" | "LIKE" | "DISLIKE" | "PURCHASE" | "SKIP";

export interface FeatureRecord {
  facet: string; // genre, director, cast, artist, tag, year, decade ...
  value: string;
  weight: number; // > 0; 1 unless the source says otherwise
}

export interface UserRecord {
  externalId: string;
  attributes: Record<string, string | number | boolean | null>;
}

export interface ItemRecord {
  externalId: string;
  kind: ItemKindName;
  title: string;
  releaseYear: number | null;
  description: string | null;
  attributes: Record<string, string | number | boolean | null>;
  features: FeatureRecord[];
}

export interface InteractionRecord {
  userExternalId: string;
  itemExternalId: string;
  type: InteractionTypeName;
  value: number;
  occurredAt: Date;
}

export interface CatalogData {
  users: UserRecord[];
  items: ItemRecord[];
  interactions: InteractionRecord[];
}
