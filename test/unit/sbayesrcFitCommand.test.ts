import { describe, expect, it } from 'vitest';
import { UsageError, parseCommandArgs } from '../../client/command.js';
import { fitCommand } from '../../client/commands/fit.js';

const ctx = { stdout: () => undefined, stderr: () => undefined, onInterrupt: () => () => undefined };
const run = (argv: string[]) => fitCommand.run(parseCommandArgs(fitCommand, argv), ctx);

describe('pgsflow fit arguments', () => {
  it('parses every documented option', () => {
    const p = parseCommandArgs(fitCommand, ['--sumstats', 'a.ma', '--ld', 'ld', '--annot', 'x', '--out', 'o', '--iterations', '10', '--burn-in', '5', '--tune', '0.995,0.9', '--seed', '3', '--threads', '2', '--chains', '2', '--checkpoint-every', '0', '--json']);
    expect(p.values.tune).toBe('0.995,0.9');
    expect(fitCommand.help).toContain('--tune');
  });

  it('refuses bad combinations before reading any file', async () => {
    const base = ['--sumstats', 'a.ma', '--ld', 'ld', '--out', 'o'];
    await expect(run(['--ld', 'ld', '--out', 'o'])).rejects.toThrow(/--sumstats is required/);
    await expect(run([...base, '--iterations', '100', '--burn-in', '100'])).rejects.toThrow(UsageError);
    await expect(run([...base, '--cutoff', '0.99', '--tune', '0.995,0.99'])).rejects.toThrow(/not both/);
    await expect(run([...base, '--tune', '0.995,1.5'])).rejects.toThrow(/--tune values/);
    await expect(run([...base, '--cutoff', '0'])).rejects.toThrow(/--cutoff/);
    await expect(run([...base, '--chains', '0'])).rejects.toThrow(/--chains/);
  });
});
