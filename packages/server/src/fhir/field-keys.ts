// Columns grouped by what they hold: the field kind, and for identifiers the
// field (one per system), so values move between a FHIR Patient's columns and a
// source's own columns (say given_name, or name1.given) by meaning, not by name.
import type { FieldOptions, Settings } from '@mpi/core';
import { sourceFieldPlan } from '@mpi/core/advanced';

/** What a column holds: its kind, or for an identifier its field (e.g. `mrn urn:oid:1.2.3`; by default the column's name, as in settings). */
export function fieldKey(column: string, options: FieldOptions): string {
  return options.kind === 'identifier' ? (options.field ?? column) : options.kind;
}

/** A source's field columns in declaration order, grouped by field key. */
export interface SourceColumns {
  readonly recordId: string;
  readonly byKey: ReadonlyMap<string, readonly { readonly column: string; readonly options: FieldOptions }[]>;
}

/** Per settings object (an index's are frozen), each source's columns: read on every request, planned once. */
const planned = new WeakMap<Settings, Map<string, SourceColumns>>();

/** The columns of a source under the settings (its overrides over the shared fields). */
export function sourceColumns(settings: Settings, source: string): SourceColumns {
  let bySource = planned.get(settings);
  if (bySource === undefined) planned.set(settings, (bySource = new Map()));
  let columns = bySource.get(source);
  if (columns === undefined) bySource.set(source, (columns = planColumns(settings, source)));
  return columns;
}

function planColumns(settings: Settings, source: string): SourceColumns {
  const plan = sourceFieldPlan(settings, source);
  const byKey = new Map<string, { column: string; options: FieldOptions }[]>();
  for (const field of plan.fields) {
    const key = fieldKey(field.column, field.options);
    let list = byKey.get(key);
    if (list === undefined) byKey.set(key, (list = []));
    list.push(field);
  }
  return { recordId: plan.recordId, byKey };
}
