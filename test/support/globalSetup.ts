// Filled in by the database test support (see test/support/database.ts).
export default async function globalSetup(): Promise<void> {}
