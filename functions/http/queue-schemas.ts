import { z } from 'zod';
import { idSchema, instantSchema } from './schemas';

/** The queue status body of `POST` and `GET /concerts/{concertId}/queue`. */
export const queueStatusSchema = z
  .object({
    token: z.string().meta({ description: 'your queue token: send it as X-Queue-Token', example: 'qt.aurora-live.2VbXh0qM5cJr8yT1wZkN4aQe' }),
    concertId: idSchema,
    status: z.enum(['WAIT', 'ACTIVE', 'EXPIRED']),
    position: z.number().int().min(0).meta({
      description: '1 for the next user to be admitted; counts only users still waiting ahead, never grows; 0 unless WAIT',
    }),
    estimatedWaitSeconds: z.number().min(0).meta({ description: 'from the admission rate; 0 unless WAIT' }),
    activeUntil: instantSchema.optional().meta({ description: 'only while ACTIVE: routes marked ACTIVE accept the token until then' }),
  })
  .meta({ id: 'QueueStatus' });
