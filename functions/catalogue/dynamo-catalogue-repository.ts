import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CONCERTS_BY_LAST_DATE_INDEX } from '../shared/tables';
import type { CatalogueRepository } from './catalogue-repository';
import type { Concert } from './concert';

/**
 * Items of the catalogue table:
 * - concert `CONCERT#<id>` / `CONCERT`: title, venue, firstDate, lastDate (and its entry in the by-date index)
 */
export const catalogueKeys = {
  concert: (concertId: string) => ({ pk: `CONCERT#${concertId}`, sk: 'CONCERT' }),
};
const CONCERT_LIST = 'CONCERT';

const toConcert = (item: Record<string, unknown>): Concert => ({
  concertId: item.concertId as string,
  title: item.title as string,
  venue: item.venue as string,
  firstDate: item.firstDate as string,
  lastDate: item.lastDate as string,
});

export function createDynamoCatalogueRepository(client: DynamoDBDocumentClient, tableName: string): CatalogueRepository {
  return {
    async findConcert(concertId) {
      const result = await client.send(new GetCommand({ TableName: tableName, Key: catalogueKeys.concert(concertId) }));
      return result.Item ? toConcert(result.Item) : undefined;
    },

    async listConcerts(fromDate) {
      const concerts: Concert[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: CONCERTS_BY_LAST_DATE_INDEX,
            KeyConditionExpression: 'concertList = :list AND lastDate >= :from',
            ExpressionAttributeValues: { ':list': CONCERT_LIST, ':from': fromDate },
            ExclusiveStartKey: startKey,
          }),
        );
        concerts.push(...(page.Items ?? []).map(toConcert));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return concerts;
    },

    async putConcert(concert) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...catalogueKeys.concert(concert.concertId), ...concert, concertList: CONCERT_LIST },
        }),
      );
    },
  };
}
