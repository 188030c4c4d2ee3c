import { IDEMPOTENCY_HEADER } from '../idempotency/idempotency-key';
import { recordMetric } from '../shared/metrics';
import { chargeBalance, findLandedCharge } from '../wallet/charge-balance';
import { walletDeps } from '../wallet/default-wallet-deps';
import { getBalance } from '../wallet/get-balance';
import { listPayments } from '../wallet/list-payments';
import { findLandedPayment, payReservations } from '../wallet/pay-reservations';
import { createApiHandler } from './create-api-handler';
import { activeQueueToken } from './middleware/active-queue-token';
import { idempotentRequest } from './middleware/idempotent-request';
import { parseInput } from './validation';
import { chargeBodySchema, listPaymentsQuerySchema, paymentBodySchema } from './wallet-schemas';

/** The wallet: balance, charges, payments and their history. */
export const handler = createApiHandler(
  'wallet',
  {
    getBalance: async (request) => ({ statusCode: 200, body: await getBalance(walletDeps(), { userId: request.userId }) }),

    chargeBalance: async (request) => {
      const { amount } = parseInput(chargeBodySchema, request.body, 'body');
      const idempotencyKey = request.headers[IDEMPOTENCY_HEADER];
      return { statusCode: 200, body: await chargeBalance(walletDeps(), { userId: request.userId, amount, idempotencyKey }) };
    },

    payReservations: async (request) => {
      const { reservationIds } = parseInput(paymentBodySchema, request.body, 'body');
      const idempotencyKey = request.headers[IDEMPOTENCY_HEADER];
      const { payment, landedNow } = await payReservations(walletDeps(), {
        userId: request.userId,
        reservationIds,
        activeToken: request.activeToken,
        idempotencyKey,
      });
      if (landedNow) recordMetric.payment(payment.amount);
      return { statusCode: 201, body: payment };
    },

    listPayments: async (request) => {
      const query = parseInput(listPaymentsQuerySchema, request.query, 'query');
      return { statusCode: 200, body: await listPayments(walletDeps(), { userId: request.userId, ...query }) };
    },
  },
  {
    // What landed under a key is found in the wallet itself, whatever the idempotency store recorded.
    idempotency: idempotentRequest({
      chargeBalance: {
        beforeRunning: false,
        find: async (request, idempotencyKey) => {
          const body = chargeBodySchema.safeParse(request.body);
          if (!body.success) return undefined;
          const charged = await findLandedCharge(walletDeps(), { userId: request.userId, amount: body.data.amount, idempotencyKey });
          return charged && { statusCode: 200, body: charged };
        },
      },
      payReservations: {
        beforeRunning: true,
        find: async (request, idempotencyKey) => {
          const body = paymentBodySchema.safeParse(request.body);
          if (!body.success) return undefined;
          const payment = await findLandedPayment(walletDeps(), {
            userId: request.userId,
            reservationIds: body.data.reservationIds,
            idempotencyKey,
          });
          return payment && { statusCode: 201, body: payment };
        },
      },
    }),
    activeToken: activeQueueToken(),
  },
);
