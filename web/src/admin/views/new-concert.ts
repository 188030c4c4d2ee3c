/**
 * A new concert: title, venue, its dates, and one seat map for every date made of price tiers,
 * each "rows of N seats at price P". The summary says what will be created before it is sent.
 */
import { ApiFailure } from '../../api';
import { button, h, link, messageArea, notice, replace } from '../../dom';
import { formatDate, formatWon } from '../../format';
import type { ConsoleContext } from '../console-context';
import { checkConcertForm, tierRanges, wholeNumber, type FormProblem, type TierText } from '../seat-tiers';

const STARTING_TIERS: readonly TierText[] = [
  { rows: '1', seatsPerRow: '10', price: '150,000' },
  { rows: '2', seatsPerRow: '10', price: '120,000' },
  { rows: '2', seatsPerRow: '10', price: '80,000' },
];

export function newConcertView(ctx: ConsoleContext): void {
  document.title = 'New concert · Operator console';
  const messages = messageArea();
  const title = h('input', { id: 'title', maxlength: 200, required: true });
  const venue = h('input', { id: 'venue', maxlength: 200, required: true });
  const dateList = h('ol', { class: 'rows' });
  const tierList = h('ol', { class: 'rows' });
  const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  const problemOf = new Map<string, HTMLElement>();

  const problemSlot = (field: string) => {
    const slot = h('p', { class: 'field-problem', id: `problem-${field.replace(/\./g, '-')}` });
    problemOf.set(field, slot);
    return slot;
  };

  const dateInputs = (): HTMLInputElement[] => [...dateList.querySelectorAll<HTMLInputElement>('input[type="date"]')];
  const addDate = (value = '') => {
    const n = dateList.children.length + 1;
    const input = h('input', { type: 'date', value, 'aria-label': `Date ${n}`, required: true });
    const item = h(
      'li',
      { class: 'row' },
      input,
      button('Remove', () => (item.remove(), renumber()), { class: 'secondary' }),
    );
    input.addEventListener('input', update);
    dateList.append(item);
    return input;
  };

  const tierInputs = () =>
    [...tierList.children].map((item) => {
      const [rows, seatsPerRow, price] = [...item.querySelectorAll('input')] as HTMLInputElement[];
      return { rows: rows!, seatsPerRow: seatsPerRow!, price: price! };
    });
  const addTier = (tier: TierText = { rows: '', seatsPerRow: '', price: '' }) => {
    const n = tierList.children.length + 1;
    const field = (value: string, label: string, className?: string) => {
      const input = h('input', { value, inputmode: 'numeric', class: className, 'aria-label': `Tier ${n} ${label}`, required: true });
      input.addEventListener('input', update);
      return input;
    };
    const item = h(
      'li',
      { class: 'row tier' },
      h('span', { class: 'tier-name' }, `Tier ${n}`),
      field(tier.rows, 'rows'),
      ' rows of ',
      field(tier.seatsPerRow, 'seats a row'),
      ' seats at ',
      field(tier.price, 'price (KRW)', 'price'),
      ' KRW ',
      button('Remove', () => (item.remove(), renumber()), { class: 'secondary' }),
    );
    tierList.append(item);
  };

  /** Labels follow the order after a removal, so "Tier 2" is always the second. */
  function renumber() {
    dateInputs().forEach((input, i) => input.setAttribute('aria-label', `Date ${i + 1}`));
    [...tierList.children].forEach((item, i) => {
      item.querySelector('.tier-name')!.textContent = `Tier ${i + 1}`;
      const [rows, seats, price] = [...item.querySelectorAll('input')];
      rows?.setAttribute('aria-label', `Tier ${i + 1} rows`);
      seats?.setAttribute('aria-label', `Tier ${i + 1} seats a row`);
      price?.setAttribute('aria-label', `Tier ${i + 1} price (KRW)`);
    });
    update();
  }

  function update() {
    const tiers = tierInputs().map(({ rows, seatsPerRow, price }) => ({
      rows: wholeNumber(rows.value, 1, 1000) ?? 0,
      seatsPerRow: wholeNumber(seatsPerRow.value, 1, 1000) ?? 0,
      price: wholeNumber(price.value, 1, 10_000_000) ?? 0,
    }));
    const perDate = tiers.reduce((sum, tier) => sum + tier.rows * tier.seatsPerRow, 0);
    const dates = dateInputs().filter((input) => input.value).length;
    const ranges = tierRanges(tiers)
      .filter((range) => range.last >= range.first)
      .map((range) => `seats ${range.first}–${range.last} at ${formatWon(range.price)}`);
    summary.textContent =
      `${perDate.toLocaleString('en-US')} seats a date${ranges.length ? `: ${ranges.join(', ')}` : ''}. ` +
      `${dates} date${dates === 1 ? '' : 's'}: ${(perDate * dates).toLocaleString('en-US')} seats in all.`;
  }

  const showProblems = (problems: readonly FormProblem[]) => {
    problemOf.forEach((slot) => (slot.textContent = ''));
    ctx.main.querySelectorAll('[aria-invalid]').forEach((input) => input.removeAttribute('aria-invalid'));
    const dates = dateInputs();
    const tiers = tierInputs();
    for (const problem of problems) {
      const [group, index, part] = problem.field.split('.');
      const input =
        group === 'title'
          ? title
          : group === 'venue'
            ? venue
            : group === 'dates' && index !== undefined
              ? dates[Number(index)]
              : group === 'tiers' && index !== undefined && part
                ? tiers[Number(index)]?.[part as keyof TierText]
                : undefined;
      input?.setAttribute('aria-invalid', 'true');
      const slot = problemOf.get(
        group === 'dates' || group === 'tiers' || group === 'seats' ? (group === 'seats' ? 'tiers' : group) : group!,
      );
      if (slot) slot.textContent = [slot.textContent, problem.message].filter(Boolean).join(' ');
    }
    messages.show('error', 'Some details need fixing before the concert can be created.');
  };

  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create concert');
  const form = h(
    'form',
    { class: 'card form wide', novalidate: true },
    h('label', { for: 'title' }, 'Title'),
    title,
    problemSlot('title'),
    h('label', { for: 'venue' }, 'Venue'),
    venue,
    problemSlot('venue'),
    h(
      'fieldset',
      null,
      h('legend', null, 'Dates'),
      dateList,
      problemSlot('dates'),
      button('Add a date', () => addDate().focus()),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Seat map, the same for every date'),
      h('p', { class: 'hint' }, 'Seats are numbered from 1, tier by tier, row by row. At most 1,000 seats a date.'),
      tierList,
      problemSlot('tiers'),
      button('Add a tier', () => {
        addTier();
        tierInputs().at(-1)?.rows.focus();
        update();
      }),
    ),
    summary,
    submit,
  );
  // A field put right loses its mark at once; the problems go when none is left.
  form.addEventListener('input', (event) => {
    (event.target as HTMLElement).removeAttribute('aria-invalid');
    if (!form.querySelector('[aria-invalid]') && problemOf.size > 0) {
      problemOf.forEach((slot) => (slot.textContent = ''));
      messages.clear();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    const check = checkConcertForm({
      title: title.value,
      venue: venue.value,
      dates: dateInputs().map((input) => input.value),
      tiers: tierInputs().map(({ rows, seatsPerRow, price }) => ({ rows: rows.value, seatsPerRow: seatsPerRow.value, price: price.value })),
    });
    if (!check.ok) return showProblems(check.problems);
    showProblems([]);
    messages.clear();
    form.setAttribute('aria-busy', 'true');
    submit.disabled = true;
    try {
      const { body } = await ctx.scope.live(ctx.api.createConcert(check.body));
      replace(
        ctx.main,
        h('h1', null, 'Concert created'),
        notice(
          'success',
          `${body.title} at ${body.venue}: ${body.schedules.length} date${body.schedules.length === 1 ? '' : 's'}, ready to sell.`,
        ),
        h(
          'ul',
          { class: 'plain card' },
          body.schedules.map((schedule) =>
            h('li', null, `${formatDate(schedule.date)}: ${schedule.seatCount.toLocaleString('en-US')} seats`),
          ),
        ),
        h(
          'div',
          { class: 'actions' },
          link(`#/concerts/${encodeURIComponent(body.concertId)}`, 'Open its console', { class: 'button primary' }),
          link('#/', 'All concerts', { class: 'button' }),
        ),
      );
    } catch (error) {
      messages.show('error', ctx.describe(error));
      if (error instanceof ApiFailure && error.details?.length)
        messages.show('error', `${ctx.describe(error)} The service named: ${error.details.map((d) => d.path).join(', ')}.`);
    } finally {
      form.removeAttribute('aria-busy');
      submit.disabled = false;
    }
  });

  addDate();
  STARTING_TIERS.forEach((tier) => addTier(tier));
  update();
  replace(ctx.main, h('h1', null, 'New concert'), messages.element, form);
  title.focus();
}
