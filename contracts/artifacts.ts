// What names an artifact across the Temporal line (issue 22): a key in an artifact store and the
// content hash it was written with. Workflows and activities pass these, never the bytes.

/** One stored artifact: its key in the store, the sha256 (hex) of its bytes, and their count. */
export interface ArtifactRef {
  key: string;
  sha256: string;
  bytes: number;
}
