import { studyJsonSchema } from '../../config/study.js';
import { type Command, EXIT_OK } from '../command.js';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the JSON Schema of the study file',
  help: `Usage: pgsflow schema > study.schema.json

Prints the JSON Schema of the study file (for editor completion and validation).`,
  options: {},
  async run(_parsed, ctx) {
    ctx.stdout(`${JSON.stringify(studyJsonSchema(), null, 2)}\n`);
    return EXIT_OK;
  },
};
