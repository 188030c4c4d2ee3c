import { concertOfQueueToken, newQueueToken, sameQueueToken } from '../../functions/queue/queue-token';

test('a token names its concert and carries at least 128 random bits', () => {
  const token = newQueueToken('aurora-live');
  const secret = token.split('.')[2];
  expect(Buffer.from(secret, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  expect(concertOfQueueToken(token)).toBe('aurora-live');
  expect(newQueueToken('aurora-live')).not.toBe(token);
});

test.each([
  '',
  'qt',
  'qt..',
  'xx.YXVyb3JhLWxpdmU.ANsf3AYjWH98SthtVoQrBZiT',
  'qt.YXVyb3JhLWxpdmU.short',
  'qt.YXVyb3JhLWxpdmU.ANsf3AYjWH98SthtVoQrBZiT.extra',
  'qt.not base64!.ANsf3AYjWH98SthtVoQrBZiT',
  `qt.${'A'.repeat(500)}.ANsf3AYjWH98SthtVoQrBZiT`,
])('%p is not a queue token', (value) => {
  expect(concertOfQueueToken(value)).toBeUndefined();
});

test('comparison is exact', () => {
  const token = newQueueToken('c');
  expect(sameQueueToken(token, token)).toBe(true);
  expect(sameQueueToken(token, `${token.slice(0, -1)}x`)).toBe(token.endsWith('x'));
  expect(sameQueueToken(token, token.slice(0, -1))).toBe(false);
});
