// Prisma CLI configuration. The application itself never reads this file:
// it builds its client from src/config.ts (see src/db/createDatabase.ts).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    // Only the CLI's migrate/status commands use this; a placeholder keeps
    // `prisma generate` working when no database is configured.
    url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/marquee",
  },
});
