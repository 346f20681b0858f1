// Plain rows the repositories return, so nothing outside src/db needs Prisma's types.
import type { InteractionTypeName, ItemKindName } from "../importers/CatalogData";

export type JsonObject = Record<string, unknown>;

export interface UserRow {
  id: number;
  externalId: string;
  attributes: JsonObject;
  createdAt: Date;
  updatedAt: Date;
}

export interface ItemRow {
  id: number;
  externalId: string;
  kind: ItemKindName;
  title: string;
  releaseYear: number | null;
  description: string | null;
  attributes: JsonObject;
  createdAt: Date;
  updatedAt: Date;
}

export interface ItemFeatureRow {
  itemId: number;
  featureId: number;
  facet: string;
  value: string;
  weight: number;
}

export interface FeatureRow {
  id: number;
  facet: string;
  value: string;
  itemCount: number;
}

export interface InteractionRow {
  id: bigint;
  userId: number;
  itemId: number;
  type: InteractionTypeName;
  value: number;
  occurredAt: Date;
}
