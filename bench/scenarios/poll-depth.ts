/**
 * Figure 3: a poll costs the same however long the line is. The same pollers wait at the end of
 * a line of 100 and of 100,000; their polls' p50 latencies and DynamoDB calls are compared.
 */
import { BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queueKeys } from '../../functions/queue/queue-keys';
import { load } from '../load';
import { judged, notMeasured, reported, type Figure } from '../results';
import type { Scenario, ScenarioContext } from '../scenario';
import { mapConcurrent, median, percentile, round } from '../stats';
import { createConcert, joinedUsers, userIds, type ActiveUser } from '../world';

const GROUP = '3 poll vs queue depth';
const SHALLOW = 100;
const DEEP = 100_000;
const POLLERS = 20;
const ROUNDS = 4;

export const pollDepthScenario: Scenario = {
  name: 'poll-depth',
  async run(context) {
    const { env, http, sizes, log } = context;
    if (!env.dynamo)
      return [notMeasured(GROUP, 'poll p50 at 100,000 / at 100 waiting', 'x', '<= 1.2', 'needs DynamoDB access to fill the line')];
    const lines: { depth: number; concertId: string; pollers: ActiveUser[] }[] = [];
    for (const depth of [SHALLOW, DEEP]) {
      const concert = await createConcert(http, `poll-${depth}`, 1, 10);
      const written = await fillLine(context, concert.concertId, depth);
      log(
        `poll-depth: ${depth.toLocaleString('en-US')} waiting in ${concert.concertId} (${written ? 'token items written' : 'counter only'})`,
      );
      const pollers = await joinedUsers(http, concert.concertId, userIds(`poller-${depth}`, POLLERS));
      lines.push({ depth, concertId: concert.concertId, pollers });
    }

    // The calls of one poll at each depth, in steady state: a poll just before it leaves the admission
    // record in the instance's 1 s cache, so neither depth counts that record's refresh.
    const callsOf = async (line: (typeof lines)[number]) => {
      const poller = line.pollers[0];
      await http.request('GET', `/concerts/${line.concertId}/queue`, { token: poller.token, queueToken: poller.queueToken });
      await env.calls?.start({ keepCalls: true });
      const polled = await http.request('GET', `/concerts/${line.concertId}/queue`, { token: poller.token, queueToken: poller.queueToken });
      if (!(polled.body?.position > line.depth))
        throw new Error(`poller expected behind ${line.depth} waiting, is at ${polled.body?.position}`);
      return (await env.calls?.take())?.calls?.map((call) => call.command) ?? [];
    };
    const shallowCalls = await callsOf(lines[0]);
    const deepCalls = await callsOf(lines[1]);

    // Alternate the two lines, so drift of a noisy machine touches both alike.
    const samples = new Map<number, number[]>(lines.map((line) => [line.depth, []]));
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      for (const line of lines) {
        const result = await load({
          url: env.url,
          connections: sizes.routeConnections,
          amount: Math.ceil(sizes.pollRequests / ROUNDS),
          maxSeconds: sizes.routeMaxSeconds,
          request: (i) => pollOf(line.concertId, line.pollers[i % line.pollers.length]),
        });
        const bad = Object.keys(result.statuses).filter((status) => status !== '200');
        if (bad.length > 0) throw new Error(`polls answered ${JSON.stringify(result.statuses)}`);
        samples.get(line.depth)!.push(...result.samples);
      }
    }
    const shallow = samples.get(SHALLOW)!;
    const deep = samples.get(DEEP)!;
    const note = (s: number[]) => `p50 ${round(median(s))} ms, p99 ${round(percentile(s, 99))} ms over ${s.length} polls`;
    const figures: Figure[] = [
      judged(
        GROUP,
        'poll p50 at 100,000 / at 100 waiting',
        round(median(deep) / median(shallow)),
        'x',
        '<=',
        1.2,
        `100: ${note(shallow)}; 100,000: ${note(deep)}`,
      ),
    ];
    if (env.calls) {
      const same = JSON.stringify(shallowCalls) === JSON.stringify(deepCalls);
      figures.push(
        judged(
          GROUP,
          'DynamoDB calls per poll at 100,000 waiting',
          deepCalls.length,
          'calls',
          '==',
          shallowCalls.length,
          `at 100: ${shallowCalls.join(', ')}; at 100,000: ${deepCalls.join(', ')}${same ? '' : ' (different calls!)'}`,
        ),
      );
      figures.push(judged(GROUP, 'same calls at both depths', same ? 1 : 0, 'yes=1', '==', 1));
    } else {
      figures.push(reported(GROUP, 'DynamoDB calls per poll', Number.NaN, 'calls', "not counted: the server is not the bench's"));
    }
    return figures;
  },
};

const pollOf = (concertId: string, user: ActiveUser) => ({
  method: 'GET' as const,
  path: `/concerts/${concertId}/queue`,
  token: user.token,
  queueToken: user.queueToken,
});

/**
 * Puts `depth` people in line. The full run writes each waiting person's token item, as joins
 * would (in 25-item batches); the quick run only moves the line's counter, which is all a poll reads.
 */
async function fillLine(context: ScenarioContext, concertId: string, depth: number): Promise<boolean> {
  const dynamo = context.env.dynamo!;
  const table = dynamo.tables.QUEUE_TABLE;
  const writeItems = context.sizes.deepLineItems || depth <= SHALLOW;
  if (writeItems) {
    const joinedAt = Date.now();
    const batches = Array.from({ length: Math.ceil(depth / 25) }, (_, b) => b);
    await mapConcurrent(batches, 8, async (b) => {
      const items = Array.from({ length: Math.min(25, depth - b * 25) }, (_, i) => {
        const seq = b * 25 + i + 1;
        const userId = `waiting-${seq}`;
        return {
          ...queueKeys.token(concertId, userId),
          token: `filler.${seq}`,
          concertId,
          userId,
          seq,
          joinedAt,
          ttl: Math.floor(joinedAt / 1000) + 86_400,
        };
      });
      await writeAll(dynamo.documentClient, table, items);
    });
  }
  await dynamo.documentClient.send(
    new UpdateCommand({
      TableName: table,
      Key: queueKeys.sequence(concertId),
      UpdateExpression: 'ADD lastSeq :count SET queueList = :list, concertId = :concertId',
      ExpressionAttributeValues: { ':count': depth, ':list': 'QUEUE', ':concertId': concertId },
    }),
  );
  return writeItems;
}

async function writeAll(client: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]): Promise<void> {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt === 10) throw new Error('DynamoDB Local left writes unprocessed ten times');
    const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
    requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
  }
}
