// Identifiers that may reach SQL or file names (study, cohort, ancestry, column names) must
// match this pattern; they are still always bound or quoted (DESIGN §7).
import { z } from 'zod';

export const IDENTIFIER_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export const identifier = z
  .string()
  .regex(IDENTIFIER_PATTERN, 'expected 1-64 characters: a letter, then letters, digits, _ . -');
