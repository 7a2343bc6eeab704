// One step of the store's schema: applied once, in its own transaction with the version bump.
export interface Migration {
  version: number;
  description: string;
  sql: string;
}
