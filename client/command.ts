// The shape every `pgsflow <command>` implements, and the exit-code contract:
// 0 success, 1 failure (bad input, failed run), 2 usage error.
import { type ParseArgsConfig, parseArgs } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Register cleanup to run on Ctrl-C / SIGTERM before the process exits. */
  onInterrupt: (fn: () => Promise<void>) => () => void;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage lines and option descriptions, printed by `--help`. */
  help: string;
  options: OptionSpec;
  allowPositionals?: boolean;
  /**
   * Options that take several values, like a shell glob: `--founder-pops data/*_IDs.txt` expands
   * to `--founder-pops a b c`; the positionals after such an option are appended to it.
   */
  greedyOptions?: readonly string[];
  /** The command parses its own arguments (order-sensitive); they arrive as `positionals`. */
  rawArgs?: boolean;
  /** Long-running services (server, worker) whose normal stop is Ctrl-C exit 0 on it. */
  interruptIsNormalExit?: boolean;
  run(parsed: ParsedArgs, ctx: CommandContext): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCommandArgs(cmd: Command, argv: string[]): ParsedArgs {
  if (cmd.rawArgs) {
    const help = argv.includes('--help') || argv.includes('-h');
    return { values: help ? { help: true } : {}, positionals: argv };
  }
  try {
    const greedy = new Set(cmd.greedyOptions ?? []);
    const { values, positionals, tokens } = parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: (cmd.allowPositionals ?? false) || greedy.size > 0,
      strict: true,
      tokens: true,
    });
    if (greedy.size === 0) return { values, positionals };
    const out: ParsedArgs = { values: { ...values }, positionals: [] };
    let current: string | undefined;
    for (const t of tokens) {
      if (t.kind === 'option') current = greedy.has(t.name) ? t.name : undefined;
      else if (t.kind === 'positional') {
        if (current !== undefined) {
          const prev = out.values[current];
          out.values[current] = [...(Array.isArray(prev) ? prev : prev === undefined ? [] : [prev]), t.value];
        } else out.positionals.push(t.value);
      } else current = undefined;
    }
    if (out.positionals.length > 0 && !cmd.allowPositionals) {
      throw new UsageError(`${cmd.name}: unexpected argument '${out.positionals[0]}'`);
    }
    return out;
  } catch (e) {
    throw new UsageError(`${cmd.name}: ${(e as Error).message}`);
  }
}

export function stringOpt(p: ParsedArgs, name: string): string | undefined {
  const v = p.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} expects a value`);
  return v;
}

export function listOpt(p: ParsedArgs, name: string): string[] | undefined {
  const v = p.values[name];
  if (v === undefined) return undefined;
  const items = (Array.isArray(v) ? v : [v]).map(String);
  return items.flatMap((x) => x.split(',')).filter((x) => x !== '');
}

export function numberOpt(p: ParsedArgs, name: string): number | undefined {
  const s = stringOpt(p, name);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got '${s}'`);
  return n;
}

export function intOpt(p: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const s = stringOpt(p, name);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} expects an integer in [${min}, ${max}], got '${s}'`);
  return n;
}
