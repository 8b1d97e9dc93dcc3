// Writes data/settings.schema.json from the schema validateSettings uses
// (src/settings/schema.ts, built into dist). Run after `pnpm build` whenever the
// schema changes; test/settings.test.ts fails while the file differs.
import { writeFileSync } from 'node:fs';
import { settingsSchemaText } from '../dist/settings/schema.js';

writeFileSync(new URL('../data/settings.schema.json', import.meta.url), settingsSchemaText());
