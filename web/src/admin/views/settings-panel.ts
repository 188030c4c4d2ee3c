/**
 * The waiting room's controls: pause or resume admission, close or open joining, and the form of
 * the other settings. Every change is a PATCH with `If-Match` of the revision shown, so two
 * operators never overwrite each other unseen (a 412 reloads the settings and says so), and the
 * changes that hurt people in line ask first.
 */
import { ApiFailure } from '../../api';
import { button, h, messageArea, replace } from '../../dom';
import { formatInstant } from '../../format';
import { confirmChange } from '../confirm';
import type { ConsoleContext } from '../console-context';
import type { WaitingRoomFields, WaitingRoomSettings } from '../console-types';
import {
  changedFields,
  describeValue,
  disruptions,
  readSettingsForm,
  SETTING_LABELS,
  SETTING_RANGES,
  toLocalInput,
  type NumberSetting,
  type TimeSetting,
} from '../settings-rules';

export interface SettingsPanel {
  readonly element: HTMLElement;
  /** Settings read elsewhere (the refresh): shown, and put in the form unless the operator is editing it. */
  show(settings: WaitingRoomSettings): void;
}

const HINTS: Record<NumberSetting | TimeSetting, string> = {
  admitPerMinute: 'People let in from the line each minute, at most.',
  maxActive: 'People booking at the same time, at most.',
  activeSeconds: 'Seconds a turn lasts, for people admitted from now on.',
  holdSeconds: 'Seconds a seat stays held unpaid, for holds made from now on.',
  challengeWork: 'About how many attempts a join’s proof of work takes; 0 turns it off.',
  preQueueOpensAt: 'Joins before this time are refused. Empty: not scheduled.',
  saleOpensAt: 'The pre-queue is shuffled and admission starts at this time. Empty: not scheduled.',
};

export function settingsPanel(ctx: ConsoleContext, concertId: string, onChanged: (settings: WaitingRoomSettings) => void): SettingsPanel {
  const messages = messageArea();
  let current: WaitingRoomSettings | undefined;
  let editing = false;

  const state = h('p', { class: 'room-state', 'aria-live': 'polite' });
  const pause = button('', () => void toggle('admission'), { class: 'primary' });
  const close = button('', () => void toggle('joining'));
  const revision = h('p', { class: 'hint revision' });

  const numberNames = Object.keys(SETTING_RANGES) as NumberSetting[];
  const timeNames: TimeSetting[] = ['preQueueOpensAt', 'saleOpensAt'];
  const inputs = {} as Record<NumberSetting | TimeSetting, HTMLInputElement>;
  const problems = {} as Record<NumberSetting | TimeSetting, HTMLElement>;
  const nowHints = {} as Record<NumberSetting | TimeSetting, HTMLElement>;
  const field = (name: NumberSetting | TimeSetting) => {
    const time = name === 'preQueueOpensAt' || name === 'saleOpensAt';
    const range = time ? undefined : SETTING_RANGES[name];
    const unit = name === 'activeSeconds' || name === 'holdSeconds' ? ' (seconds)' : name === 'challengeWork' ? ' (attempts)' : '';
    const input = h('input', {
      id: `setting-${name}`,
      name,
      ...(time ? { type: 'datetime-local' } : { inputmode: 'numeric', 'aria-describedby': `hint-${name}` }),
    });
    input.addEventListener('input', () => (editing = true));
    inputs[name] = input;
    problems[name] = h('p', { class: 'field-problem' });
    nowHints[name] = h('span', { class: 'now' });
    return h(
      'div',
      { class: 'setting' },
      h('label', { for: `setting-${name}` }, `${SETTING_LABELS[name]}${unit}`),
      input,
      h(
        'p',
        { class: 'hint', id: `hint-${name}` },
        HINTS[name],
        range ? ` ${range.min.toLocaleString('en-US')}–${range.max.toLocaleString('en-US')}.` : '',
        ' ',
        nowHints[name],
      ),
      problems[name],
    );
  };
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save changes');
  const form = h(
    'form',
    { class: 'settings-form', novalidate: true },
    h('div', { class: 'settings-grid' }, numberNames.map(field), timeNames.map(field)),
    h('p', { class: 'hint' }, `Times are in your time zone (${Intl.DateTimeFormat().resolvedOptions().timeZone}).`),
    h(
      'div',
      { class: 'actions' },
      save,
      button('Undo edits', () => current && fill(current, true)),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void saveForm();
  });

  const element = h(
    'section',
    { class: 'card controls', 'aria-labelledby': 'controls-title' },
    h('h2', { id: 'controls-title' }, 'Waiting room'),
    state,
    h('div', { class: 'actions' }, pause, close),
    messages.element,
    form,
    revision,
  );

  function fill(settings: WaitingRoomSettings, force: boolean) {
    const changedElsewhere = current !== undefined && current.revision !== settings.revision;
    current = settings;
    const paused = settings.admission === 'PAUSED';
    const closed = settings.joining === 'CLOSED';
    replace(
      state,
      h('span', { class: `chip ${paused ? 'chip-bad' : 'chip-ok'}` }, paused ? 'Admission paused' : 'Admission running'),
      ' ',
      h('span', { class: `chip ${closed ? 'chip-bad' : 'chip-ok'}` }, closed ? 'Joining closed' : 'Joining open'),
    );
    pause.textContent = paused ? 'Resume admission' : 'Pause admission';
    pause.className = paused ? 'primary' : 'primary danger';
    close.textContent = closed ? 'Open joining' : 'Close joining';
    for (const name of [...numberNames, ...timeNames]) {
      nowHints[name].textContent = `Now: ${describeValue(name, settings[name], formatInstant)}.`;
    }
    revision.textContent =
      settings.revision === 0
        ? 'Never changed: the deployment’s defaults apply.'
        : `Revision ${settings.revision}, changed ${settings.updatedAt ? formatInstant(settings.updatedAt) : ''}${settings.updatedBy ? ` by ${settings.updatedBy}` : ''}.`;
    if (editing && !force) {
      if (changedElsewhere)
        messages.show('warning', 'Someone else changed these settings meanwhile. Saving will ask you to check theirs first.');
      return;
    }
    editing = false;
    for (const name of numberNames) inputs[name].value = String(settings[name]);
    for (const name of timeNames) inputs[name].value = toLocalInput(settings[name]);
    for (const name of [...numberNames, ...timeNames]) {
      problems[name].textContent = '';
      inputs[name].removeAttribute('aria-invalid');
    }
  }

  /** Sends a change, after a confirmation when it hurts; a 412 reloads the settings and says so. */
  async function send(change: Partial<WaitingRoomFields>, confirmLabel: string, busy: HTMLButtonElement): Promise<void> {
    if (!current) return;
    const said = disruptions(current, change, formatInstant);
    if (said.length > 0) {
      const ok = await confirmChange(ctx.scope, { title: `${confirmLabel}?`, consequences: said, confirm: confirmLabel });
      if (!ok) return;
    }
    busy.setAttribute('aria-busy', 'true');
    busy.disabled = true;
    try {
      const { body } = await ctx.scope.live(ctx.api.changeSettings(concertId, change, current.revision));
      fill(body, true);
      onChanged(body);
      messages.show(
        'success',
        `Saved: ${Object.keys(change)
          .map(
            (name) =>
              `${SETTING_LABELS[name as keyof WaitingRoomFields].toLowerCase()} ${describeValue(name as keyof WaitingRoomFields, body[name as keyof WaitingRoomFields], formatInstant)}`,
          )
          .join(', ')}.`,
      );
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 412) {
        const { body } = await ctx.scope.live(ctx.api.settings(concertId));
        fill(body, true);
        onChanged(body);
        messages.show(
          'warning',
          'Someone else changed these settings first, so they were reloaded. Check them, then make your change again.',
        );
        return;
      }
      messages.show('error', ctx.describe(error));
    } finally {
      busy.removeAttribute('aria-busy');
      busy.disabled = false;
    }
  }

  async function toggle(name: 'admission' | 'joining') {
    if (!current) return;
    messages.clear();
    if (name === 'admission') {
      const paused = current.admission === 'PAUSED';
      await send({ admission: paused ? 'RUNNING' : 'PAUSED' }, paused ? 'Resume admission' : 'Pause admission', pause);
    } else {
      const closed = current.joining === 'CLOSED';
      await send({ joining: closed ? 'OPEN' : 'CLOSED' }, closed ? 'Open joining' : 'Close joining', close);
    }
  }

  async function saveForm() {
    if (!current) return;
    messages.clear();
    const values = Object.fromEntries([...numberNames, ...timeNames].map((name) => [name, inputs[name].value])) as Record<
      NumberSetting | TimeSetting,
      string
    >;
    const check = readSettingsForm(values);
    for (const name of [...numberNames, ...timeNames]) {
      problems[name].textContent = '';
      inputs[name].removeAttribute('aria-invalid');
    }
    if (!check.ok) {
      for (const problem of check.problems) {
        const name = problem.field as NumberSetting | TimeSetting;
        problems[name].textContent = problem.message;
        inputs[name].setAttribute('aria-invalid', 'true');
      }
      messages.show('error', 'Some values are out of range: nothing was changed.');
      return;
    }
    const change = changedFields(current, check.fields);
    if (Object.keys(change).length === 0) {
      messages.show('info', 'Nothing to save: the values are the ones in force.');
      editing = false;
      return;
    }
    await send(change, 'Save changes', save);
  }

  return { element, show: (settings) => fill(settings, false) };
}
