// Test-only activities: fail in controlled ways to check the retry contract end to end.
import { Context } from '@temporalio/activity';
import { BadInputError } from '../../core/errors.js';
import { withFailureMapping } from '../../activities/failures.js';

export function makeProbeActivities() {
  return withFailureMapping({
    async flaky(kind: 'transient' | 'bad-input', failures: number): Promise<number> {
      const attempt = Context.current().info.attempt;
      if (attempt <= failures) {
        if (kind === 'bad-input') throw new BadInputError('probe.ma', "column 'se': expected a positive number, got '-1'", 3, 6);
        throw new Error(`transient failure on attempt ${attempt}`);
      }
      return attempt;
    },
  });
}

export type ProbeActivities = ReturnType<typeof makeProbeActivities>;
