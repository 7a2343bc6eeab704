// Input fingerprints: the files of each study input with their sizes and sha256.
export interface InputGroup {
  /** Caller's label (e.g. `cohort:EUR`), returned unchanged. */
  key: string;
  /** bfile / pfile: PLINK 1 / PLINK 2 prefixes; folder: every file in each folder; file: the files themselves. */
  kind: 'bfile' | 'pfile' | 'folder' | 'file';
  paths: string[];
}

export interface InputFingerprint {
  key: string;
  files: FileHash[];
  /** sha256 over the files' hashes in order. */
  sha256: string;
}

export interface FileHash {
  path: string;
  bytes: number;
  sha256: string;
}
