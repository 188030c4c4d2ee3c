import { marshall } from '@aws-sdk/util-dynamodb';
import { ledgerItemEntries, ledgerPageItems, MAX_LEDGER_PAGE_ENTRIES, walletKeys } from '../../functions/wallet/wallet-keys';
import { chargeEntry, MAX_BALANCE, type LedgerEntry } from '../../functions/wallet/wallet-rules';

// The largest numbers a charge can carry, so the size below is the worst case.
const charges = (count: number, firstVersion = 1): LedgerEntry[] =>
  Array.from({ length: count }, (_, i) =>
    chargeEntry({ amount: MAX_BALANCE, at: 9_999_999_999_999 }, { balance: MAX_BALANCE, version: 999_999_000_000 + firstVersion + i }),
  );

test('a page is keyed by its first and last version and holds its charges in order', () => {
  const entries = [charges(1, 7)[0], charges(1, 5)[0], charges(1, 9)[0]];
  const [page, ...more] = ledgerPageItems('u1', entries);
  expect(more).toEqual([]);
  expect(page).toMatchObject(walletKeys.ledgerPage('u1', entries[1].version, entries[2].version));
  expect(ledgerItemEntries(page).map((entry) => entry.version)).toEqual([entries[1], entries[0], entries[2]].map((e) => e.version));
  expect(walletKeys.ledgerPage('u1', 5, 9).sk).toBe('LEDGER#000000000005-000000000009');
});

test("many pending charges are split over pages that each stay far below DynamoDB's 400 KB an item", () => {
  const entries = charges(2 * MAX_LEDGER_PAGE_ENTRIES + 1);
  const pages = ledgerPageItems('a-rather-long-user-id-of-sixty-four-characters-0123456789abcdef', entries);
  expect(pages.map((page) => ledgerItemEntries(page).length)).toEqual([MAX_LEDGER_PAGE_ENTRIES, MAX_LEDGER_PAGE_ENTRIES, 1]);
  expect(pages.flatMap(ledgerItemEntries)).toEqual(entries);
  for (const page of pages) expect(JSON.stringify(marshall(page)).length).toBeLessThan(200_000);
});

test('a single-entry item, as payments and the charges written before pages are, reads as its one entry', () => {
  const [entry] = charges(1);
  expect(ledgerItemEntries({ ...walletKeys.ledgerEntry('u1', entry.version), ...entry })).toEqual([entry]);
});
