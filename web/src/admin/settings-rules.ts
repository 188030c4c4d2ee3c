/**
 * The waiting-room controls' rules, without the DOM: what each setting is called and allows, what
 * a form's values change, and which changes hurt people in line (those ask for a confirmation).
 */
import type { SettingName, WaitingRoomFields } from './console-types';

export type NumberSetting = 'admitPerMinute' | 'maxActive' | 'activeSeconds' | 'holdSeconds' | 'challengeWork';
export type TimeSetting = 'preQueueOpensAt' | 'saleOpensAt';

/** The contract's ranges of the numeric settings. */
export const SETTING_RANGES: Record<NumberSetting, { readonly min: number; readonly max: number }> = {
  admitPerMinute: { min: 1, max: 1_000_000 },
  maxActive: { min: 1, max: 10_000_000 },
  activeSeconds: { min: 60, max: 3_600 },
  holdSeconds: { min: 30, max: 1_800 },
  challengeWork: { min: 0, max: 10_000_000 },
};

export const SETTING_LABELS: Record<SettingName, string> = {
  joining: 'Joining',
  admission: 'Admission',
  admitPerMinute: 'Admitted per minute',
  maxActive: 'Most booking at once',
  activeSeconds: 'Turn length',
  holdSeconds: 'Hold length',
  preQueueOpensAt: 'Pre-queue opens at',
  saleOpensAt: 'Sale opens at',
  challengeWork: 'Proof of work at the door',
};

/** "10 min", "1 min 30 s", "45 s". */
export function formatSeconds(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes === 0) return `${rest} s`;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** A setting's value in words, as the history and the confirmations show it. */
export function describeValue(name: SettingName, value: unknown, formatTime: (iso: string) => string): string {
  if (value === null || value === undefined) return name === 'preQueueOpensAt' || name === 'saleOpensAt' ? 'not scheduled' : '—';
  switch (name) {
    case 'joining':
      return value === 'CLOSED' ? 'closed' : 'open';
    case 'admission':
      return value === 'PAUSED' ? 'paused' : 'running';
    case 'activeSeconds':
    case 'holdSeconds':
      return typeof value === 'number' ? formatSeconds(value) : String(value);
    case 'admitPerMinute':
      return typeof value === 'number' ? `${count(value)} a minute` : String(value);
    case 'maxActive':
      return typeof value === 'number' ? `${count(value)} people` : String(value);
    case 'challengeWork':
      return value === 0 ? 'off' : typeof value === 'number' ? `about ${count(value)} attempts` : String(value);
    case 'preQueueOpensAt':
    case 'saleOpensAt':
      return typeof value === 'string' ? formatTime(value) : String(value);
  }
}

/** The fields of `proposed` that differ from `current`: the body of the PATCH. */
export function changedFields(current: WaitingRoomFields, proposed: Partial<WaitingRoomFields>): Partial<WaitingRoomFields> {
  const changed: Partial<Record<SettingName, unknown>> = {};
  for (const [name, value] of Object.entries(proposed) as Array<[SettingName, unknown]>) {
    if (value !== undefined && value !== current[name]) changed[name] = value;
  }
  return changed as Partial<WaitingRoomFields>;
}

/**
 * What a change does to people that they would not expect, one sentence each; empty when nothing
 * needs a confirmation (resuming, opening, more capacity, longer turns).
 */
export function disruptions(current: WaitingRoomFields, change: Partial<WaitingRoomFields>, formatTime: (iso: string) => string): string[] {
  const said: string[] = [];
  if (change.admission === 'PAUSED' && current.admission !== 'PAUSED')
    said.push(
      'Nobody is admitted until you resume. People in line keep their places and see that the sale is paused; those booking keep their time.',
    );
  if (change.joining === 'CLOSED' && current.joining !== 'CLOSED')
    said.push('New people can no longer join the line. Those already in line keep their places.');
  if (change.activeSeconds !== undefined && change.activeSeconds < current.activeSeconds)
    said.push(
      `Turns get shorter: ${formatSeconds(change.activeSeconds)} instead of ${formatSeconds(current.activeSeconds)} for people admitted from now on.`,
    );
  if (change.holdSeconds !== undefined && change.holdSeconds < current.holdSeconds)
    said.push(
      `Holds get shorter: ${formatSeconds(change.holdSeconds)} instead of ${formatSeconds(current.holdSeconds)} for seats held from now on.`,
    );
  for (const name of ['preQueueOpensAt', 'saleOpensAt'] as const) {
    if (change[name] === undefined || change[name] === current[name]) continue;
    const value = change[name];
    said.push(
      value === null
        ? `${SETTING_LABELS[name]}: no longer scheduled (was ${describeValue(name, current[name], formatTime)}).`
        : `${SETTING_LABELS[name]}: ${describeValue(name, value, formatTime)}${name === 'preQueueOpensAt' ? '. Joins before then are refused' : '. Nobody is admitted before then'}.`,
    );
  }
  return said;
}

/** A time of the settings (ISO, UTC) as a `datetime-local` input's value in the reader's time zone. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** A `datetime-local` value (the reader's time zone) as the ISO UTC time the API takes; null when empty, undefined when unreadable. */
export function fromLocalInput(value: string): string | null | undefined {
  if (!value.trim()) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value.trim())) return undefined;
  const at = new Date(value.trim()); // no offset: read as local time
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

export type SettingsFormCheck =
  | { readonly ok: true; readonly fields: Partial<WaitingRoomFields> }
  | { readonly ok: false; readonly problems: Array<{ field: SettingName; message: string }> };

/** The form's typed values, checked against the contract's ranges. */
export function readSettingsForm(values: Record<NumberSetting | TimeSetting, string>): SettingsFormCheck {
  const problems: Array<{ field: SettingName; message: string }> = [];
  const fields: Record<string, unknown> = {};
  for (const name of Object.keys(SETTING_RANGES) as NumberSetting[]) {
    const { min, max } = SETTING_RANGES[name];
    const cleaned = values[name].trim().replace(/[,\s_]/g, '');
    const value = /^\d+$/.test(cleaned) ? Number(cleaned) : NaN;
    if (!(value >= min && value <= max)) problems.push({ field: name, message: `A whole number from ${count(min)} to ${count(max)}.` });
    else fields[name] = value;
  }
  for (const name of ['preQueueOpensAt', 'saleOpensAt'] as const) {
    const value = fromLocalInput(values[name]);
    if (value === undefined) problems.push({ field: name, message: 'Pick a date and time, or leave it empty.' });
    else fields[name] = value;
  }
  const pre = fields.preQueueOpensAt as string | null | undefined;
  const sale = fields.saleOpensAt as string | null | undefined;
  if (pre && sale && Date.parse(pre) > Date.parse(sale))
    problems.push({ field: 'preQueueOpensAt', message: 'The pre-queue must open at or before the sale.' });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fields: fields as Partial<WaitingRoomFields> };
}
