import fc from 'fast-check';
import { marshall } from '@aws-sdk/util-dynamodb';
import { seatItem, storedSeat, toSeat } from '../../functions/catalogue/catalogue-keys';

const seatArbitrary = fc.record(
  {
    concertId: fc.string({ minLength: 1 }),
    scheduleId: fc.string({ minLength: 1 }),
    date: fc.constant('2026-12-24'),
    seatNumber: fc.integer({ min: 1, max: 9999 }),
    price: fc.integer({ min: 0, max: 10_000_000 }),
    status: fc.constantFrom('AVAILABLE', 'CLAIMED', 'HELD', 'SOLD'),
    reservationId: fc.string({ minLength: 1 }),
    heldBy: fc.string({ minLength: 1 }),
    holdExpiresAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  },
  { requiredKeys: ['concertId', 'scheduleId', 'date', 'seatNumber', 'price', 'status'] },
);

describe('a seat read as DynamoDB sent it', () => {
  it('is the seat the document client reads', () => {
    fc.assert(
      fc.property(seatArbitrary, (seat) => {
        expect(storedSeat(marshall(seat))).toStrictEqual(toSeat(seat));
      }),
    );
  });

  it('reads a seat as it is written', () => {
    const item = seatItem({ concertId: 'c', scheduleId: 's', date: '2026-12-24', seatCount: 1 }, { seatNumber: 7, price: 99_000 });
    expect(storedSeat(marshall(item))).toStrictEqual(toSeat(item));
  });
});
