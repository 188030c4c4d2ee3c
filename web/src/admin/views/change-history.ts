/** Who changed the waiting room's settings, when, and from what to what: newest first, as the API keeps them. */
import { h, replace } from '../../dom';
import { formatInstant } from '../../format';
import type { SettingName, SettingsChange } from '../console-types';
import { describeValue, SETTING_LABELS } from '../settings-rules';

export function changeHistory(): { element: HTMLElement; show(changes: readonly SettingsChange[]): void } {
  const body = h('div');
  const element = h(
    'section',
    { class: 'card history', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, 'Change history'),
    body,
  );
  const show = (changes: readonly SettingsChange[]) => {
    if (changes.length === 0) {
      replace(body, h('p', { class: 'hint' }, 'No changes yet: the deployment’s defaults apply.'));
      return;
    }
    replace(
      body,
      h(
        'table',
        { class: 'table' },
        h(
          'thead',
          null,
          h('tr', null, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'Who'), h('th', { scope: 'col' }, 'What changed')),
        ),
        h(
          'tbody',
          null,
          changes.map((change) =>
            h(
              'tr',
              { 'data-revision': change.revision },
              h('td', null, formatInstant(change.at), h('span', { class: 'hint' }, ` · revision ${change.revision}`)),
              h('td', null, change.by),
              h(
                'td',
                null,
                h(
                  'ul',
                  { class: 'plain' },
                  Object.entries(change.changed).map(([name, diff]) => {
                    const setting = name as SettingName;
                    const label = SETTING_LABELS[setting] ?? name;
                    return h(
                      'li',
                      null,
                      `${label}: ${describeValue(setting, diff?.from, formatInstant)} → ${describeValue(setting, diff?.to, formatInstant)}`,
                    );
                  }),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  };
  return { element, show };
}
