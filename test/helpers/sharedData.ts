// Real public test data (1000 Genomes chr21–22, LD block files): the copy under
// test/fixtures/data, or PGSFLOW_SHARED_DATA with the same layout.
import { fileURLToPath } from 'node:url';

const root = process.env.PGSFLOW_SHARED_DATA ?? fileURLToPath(new URL('../fixtures/data/', import.meta.url));

/** Folder of the data, with a trailing slash. */
export const SHARED_DATA = root.endsWith('/') ? root : `${root}/`;
export const THOUSAND_GENOMES = `${SHARED_DATA}1000g/`;
export const LD_BLOCKS = `${SHARED_DATA}ldblocks/`;
