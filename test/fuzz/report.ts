/**
 * The fuzz report: "N passed, M failed", then the defects grouped by door and class, each group
 * with its count, its shortest reproduction and the line that replays it.
 */
import { DEFECT_MEANINGS, type CallRecord, type DefectKind } from './outcome.js';

export interface DefectGroup {
  readonly door: string;
  readonly kind: DefectKind;
  readonly count: number;
  /** The shortest reproduction seen. */
  readonly example: CallRecord;
}

export function defectGroups(records: readonly CallRecord[]): DefectGroup[] {
  const groups = new Map<string, { door: string; kind: DefectKind; count: number; example: CallRecord }>();
  for (const record of records) {
    if (record.outcome.cls !== 'defect') continue;
    const key = `${record.door}\u0000${record.outcome.kind}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { door: record.door, kind: record.outcome.kind, count: 1, example: record });
    else {
      group.count++;
      if (record.rendered.length < group.example.rendered.length) group.example = record;
    }
  }
  return [...groups.values()].sort((a, b) => a.door.localeCompare(b.door) || a.kind.localeCompare(b.kind));
}

export function summaryLine(records: readonly CallRecord[]): string {
  const failed = records.filter((r) => r.outcome.cls === 'defect').length;
  return `${records.length - failed} passed, ${failed} failed`;
}

export interface ReportSection {
  readonly title: string;
  readonly records: readonly CallRecord[];
  /** A record's replay line (library or CLI). */
  readonly replay: (record: CallRecord) => string;
}

/** "N passed, M failed" over every section, then each section's defects grouped by door and class. */
export function renderReport(sections: readonly ReportSection[]): string {
  const lines = [summaryLine(sections.flatMap((s) => s.records))];
  const kinds = new Set<DefectKind>();
  for (const section of sections) {
    if (section.records.length === 0) continue;
    const groups = defectGroups(section.records);
    lines.push('', `${section.title}: ${summaryLine(section.records)}${groups.length > 0 ? `, ${groups.length} defect groups (door · class · calls):` : ''}`);
    for (const g of groups) {
      kinds.add(g.kind);
      const outcome = g.example.outcome;
      lines.push(`- ${g.door} · ${g.kind} · ${g.count}`);
      lines.push(`    ${g.example.rendered}`);
      if (g.example.mutation !== 'none') lines.push(`    mutation: ${g.example.mutation}`);
      if (outcome.cls === 'defect') lines.push(`    -> ${outcome.detail}`);
      lines.push(`    replay: ${section.replay(g.example)}`);
    }
  }
  if (kinds.size > 0) {
    lines.push('', 'Classes:');
    for (const kind of [...kinds].sort()) lines.push(`  ${kind}: ${DEFECT_MEANINGS[kind]}`);
  }
  return lines.join('\n');
}

export function libraryReplay(record: CallRecord): string {
  const which = record.bomb === undefined ? `--seed ${record.seed} --path ${record.path}` : `--bomb ${record.bomb}`;
  return `npm run fuzz -- --door ${record.door} ${which}`;
}
