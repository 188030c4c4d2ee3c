/**
 * One concert's console: the figures now, live charts of the last hours, the waiting room's
 * controls, sales by date, revoking a user, and the change history. Stats and settings are read
 * again every few seconds; the charts keep their place and only take the new points.
 */
import { ApiFailure } from '../../api';
import { h, link, notice, replace } from '../../dom';
import { formatWait, formatWon } from '../../format';
import type { ConsoleContext } from '../console-context';
import type { WaitingRoomSettings, WaitingRoomStats } from '../console-types';
import { LiveChart } from '../live-chart';
import { chartLines, compactNumber } from '../stats-series';
import { changeHistory } from './change-history';
import { revocationForm } from './revocation';
import { settingsPanel } from './settings-panel';

/** How often the figures and charts are read again. */
export const REFRESH_SECONDS = 5;

const COLORS = { waiting: '#4b2bbf', active: '#128a8a', admitted: '#1f6fd1', sold: '#b3261e', revenue: '#1f7a45' };

export async function concertView(ctx: ConsoleContext, { concertId }: { concertId: string }): Promise<void> {
  const { api, scope } = ctx;
  // The controls need the settings; the figures come after, so a sale can be paused even while the stats fail.
  const [concerts, settingsAnswer, changesAnswer] = await scope
    .live(Promise.all([api.listConcerts().catch(() => undefined), api.settings(concertId), api.changes(concertId)]))
    .catch((error: unknown) => {
      if (error instanceof ApiFailure && error.kind === 'NOT_FOUND') return [undefined, undefined, undefined] as const;
      throw error;
    });
  if (!settingsAnswer || !changesAnswer) {
    document.title = 'Not found · Operator console';
    replace(
      ctx.main,
      h('h1', null, 'Concert not found'),
      notice('info', 'There is no concert with this id.'),
      link('#/', 'See the concerts'),
    );
    return;
  }
  const concert = concerts?.body.concerts.find((c) => c.concertId === concertId);
  const title = concert?.title ?? concertId;
  document.title = `${title} · Operator console`;

  const figures = h('dl', { class: 'figures' });
  const updated = h('p', { class: 'hint updated', 'aria-live': 'off' }, 'Reading the figures…');
  const problem = h('div', { class: 'messages' });
  const pausedBanner = h('div', { class: 'messages' });
  const charts = {
    line: new LiveChart(
      {
        title: 'In line and booking',
        unit: 'people',
        lines: [
          { label: 'Waiting', color: COLORS.waiting },
          { label: 'Booking (active)', color: COLORS.active },
        ],
        format: compactNumber,
      },
      scope,
    ),
    admitted: new LiveChart(
      {
        title: 'Admitted per minute',
        unit: 'people a minute',
        lines: [{ label: 'Admitted', color: COLORS.admitted }],
        format: compactNumber,
        formatLatest: (value) => Math.round(value).toLocaleString('en-US'),
      },
      scope,
    ),
    sold: new LiveChart(
      { title: 'Seats sold', unit: 'seats', lines: [{ label: 'Sold', color: COLORS.sold }], format: compactNumber },
      scope,
    ),
    revenue: new LiveChart(
      {
        title: 'Revenue',
        unit: 'KRW',
        lines: [{ label: 'Revenue', color: COLORS.revenue }],
        format: compactNumber,
        formatLatest: formatWon,
      },
      scope,
    ),
  };
  const history = changeHistory();
  const showPaused = (settings: WaitingRoomSettings) =>
    settings.admission === 'PAUSED'
      ? replace(
          pausedBanner,
          notice('warning', 'Admission is paused: nobody is let in until you resume. People in line are told the sale is paused.'),
        )
      : pausedBanner.replaceChildren();
  const refreshHistory = () =>
    void scope
      .live(api.changes(concertId))
      .then(({ body }) => history.show(body.changes))
      .catch(() => undefined);
  const panel = settingsPanel(ctx, concertId, (settings) => {
    showPaused(settings);
    refreshHistory();
  });

  replace(
    ctx.main,
    h('p', { class: 'crumbs' }, link('#/', 'Concerts'), ' / '),
    h('h1', null, title),
    h('p', { class: 'lead' }, concert ? concert.venue : `Concert ${concertId}`),
    pausedBanner,
    problem,
    h('section', { class: 'card now', 'aria-labelledby': 'now-title' }, h('h2', { id: 'now-title' }, 'Now'), figures, updated),
    h(
      'section',
      { class: 'charts', 'aria-label': 'Charts of the last hours' },
      Object.values(charts).map((chart) => chart.element),
    ),
    panel.element,
    revocationForm(ctx, concertId, () => undefined),
    history.element,
  );

  const showStats = (stats: WaitingRoomStats) => {
    const figure = (label: string, value: string, note?: string) =>
      h('div', { class: 'figure' }, h('dt', null, label), h('dd', null, value, note ? h('span', { class: 'note' }, note) : null));
    const count = (n: number) => n.toLocaleString('en-US');
    replace(
      figures,
      figure('Waiting', count(stats.waiting)),
      figure('Booking now', count(stats.active)),
      figure('Wait for a new joiner', formatWait(stats.estimatedWaitSecondsForNewJoiner)),
      figure('Seats held', count(stats.holdsLive)),
      figure(
        'Seats sold',
        count(stats.seatsSold),
        ` of ${count(stats.seatsTotal)}${stats.seatsTotal > 0 ? ` (${Math.round((stats.seatsSold / stats.seatsTotal) * 100)}%)` : ''}`,
      ),
      figure('Revenue', formatWon(stats.revenue)),
      figure('Joined in all', count(stats.joinedTotal)),
      figure('Admitted in all', count(stats.admittedTotal)),
      figure('Left or revoked', count(stats.leftTotal)),
    );
    updated.textContent = `As of ${new Date(stats.at).toLocaleTimeString('en-GB')}; read again every ${REFRESH_SECONDS} s.`;
    const lines = chartLines(stats.series);
    charts.line.update(lines.x, [lines.waiting, lines.active]);
    charts.admitted.update(lines.x, [lines.admittedPerMinute]);
    charts.sold.update(lines.x, [lines.sold]);
    charts.revenue.update(lines.x, [lines.revenue]);
  };

  panel.show(settingsAnswer.body);
  showPaused(settingsAnswer.body);
  history.show(changesAnswer.body.changes);

  let lastRevision = settingsAnswer.body.revision;
  let refreshing = false;
  const refresh = () => {
    if (refreshing) return; // a slow answer is not overtaken by the next request
    refreshing = true;
    const stats = scope.live(api.stats(concertId)).then(
      ({ body }) => (showStats(body), undefined),
      (error: unknown) => `The figures could not be read: ${ctx.describe(error)}`,
    );
    const settings = scope.live(api.settings(concertId)).then(
      ({ body }) => {
        panel.show(body);
        showPaused(body);
        if (body.revision !== lastRevision) refreshHistory();
        lastRevision = body.revision;
        return undefined;
      },
      (error: unknown) => `The settings could not be read: ${ctx.describe(error)}`,
    );
    void Promise.all([stats, settings])
      .then((problems) => {
        const said = problems.filter((p): p is string => p !== undefined);
        if (said.length === 0) problem.replaceChildren();
        else replace(problem, notice('warning', `${said.join(' ')} They are read again every ${REFRESH_SECONDS} s.`));
      })
      .finally(() => (refreshing = false));
  };
  refresh();
  scope.every(REFRESH_SECONDS * 1000, refresh);
}
