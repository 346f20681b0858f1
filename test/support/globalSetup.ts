import { buildTemplate } from "./pgliteTemplate";

export default async function globalSetup(): Promise<void> {
  await buildTemplate();
}
