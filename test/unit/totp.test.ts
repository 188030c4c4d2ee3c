import { totpCode } from '../../scripts/totp';

// RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" (base32 below); 6-digit codes are the last six digits.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test.each([
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
])('at %i s the code is %s (RFC 6238 test vectors)', (seconds, code) => {
  expect(totpCode(RFC_SECRET, seconds * 1000)).toBe(code);
});

test('the same code through a 30-second step, another after; spaces, padding and case in the secret do not matter', () => {
  expect(totpCode(RFC_SECRET, 60_000)).toBe(totpCode(RFC_SECRET, 89_999));
  expect(totpCode(RFC_SECRET, 90_000)).not.toBe(totpCode(RFC_SECRET, 89_999));
  expect(totpCode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq==', 59_000)).toBe('287082');
  expect(() => totpCode('not base32!')).toThrow('base32');
});
