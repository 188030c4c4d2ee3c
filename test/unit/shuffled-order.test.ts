import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { drawShuffleSeed, MAX_SHUFFLED_SIZE, shuffledOrder } from '../../functions/queue/shuffled-order';

/*
 * The statistical checks draw their seeds from fixed labels, so every run sees the same numbers and
 * the tests are deterministic. Each threshold is set so that a truly uniform shuffle would fail it
 * with probability about 1e-6 for a fresh set of seeds: a failure means bias, not bad luck.
 */
const Z_ONE_SIDED = 4.753; // P(N(0,1) > z) ≈ 1e-6
const Z_TWO_SIDED = 4.892; // P(|N(0,1)| > z) ≈ 1e-6

const seedFor = (label: string, i: number) => createHash('sha256').update(`${label} ${i}`).digest();

/** Upper critical value of chi-square with `df` degrees of freedom (Wilson–Hilferty). */
const chiSquareCritical = (df: number, z: number) => df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;

function chiSquare(counts: readonly number[], expected: number): number {
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

/** The order's index among all n! orders (Lehmer code), so each order gets one cell. */
function orderIndex(places: readonly number[]): number {
  let index = 0;
  places.forEach((place, i) => {
    const smallerLater = places.slice(i + 1).filter((p) => p < place).length;
    index += smallerLater * factorial(places.length - 1 - i);
  });
  return index;
}

const placesOf = (size: number, seed: Buffer | string) => {
  const order = shuffledOrder(size, seed);
  return Array.from({ length: size }, (_, i) => order.place(i + 1));
};

/** An order's parity, from its cycles: n minus the number of cycles, mod 2. */
function isEven(places: readonly number[]): boolean {
  const seen = new Set<number>();
  let cycles = 0;
  for (let start = 1; start <= places.length; start++) {
    if (seen.has(start)) continue;
    cycles++;
    for (let at = start; !seen.has(at); at = places[at - 1]) seen.add(at);
  }
  return (places.length - cycles) % 2 === 0;
}

describe('the shuffled order of the pre-queue', () => {
  test.each([
    { size: 4, seeds: 6_000 }, // halves of 1 bit, no cycle walking
    { size: 5, seeds: 6_000 }, // halves of 2 bits, cycle walking over 16 values
  ])('every one of the $size! orders is equally likely ($seeds seeds, chi-square)', ({ size, seeds }) => {
    const cells = factorial(size);
    const counts = Array.from({ length: cells }, () => 0);
    for (let i = 0; i < seeds; i++) counts[orderIndex(placesOf(size, seedFor(`orders of ${size}`, i)))]++;
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(chiSquare(counts, seeds / cells)).toBeLessThan(chiSquareCritical(cells - 1, Z_ONE_SIDED));
  });

  test.each([16, 64])('odd and even orders are equally likely, also when n = %i fills the domain', (size) => {
    // Feistel rounds with halves of ≥ 2 bits are even permutations: without the keyed swap every order here would be even.
    const seeds = 2_000;
    let even = 0;
    for (let i = 0; i < seeds; i++) if (isEven(placesOf(size, seedFor(`parity of ${size}`, i)))) even++;
    expect(Math.abs(even - seeds / 2)).toBeLessThan((Z_TWO_SIDED * Math.sqrt(seeds)) / 2);
  });

  test('in a larger pre-queue the first and the last arrival land anywhere alike, and neighbours are ahead of each other half the time', () => {
    const size = 700; // a 1,024-value domain: about a third of the values are walked past
    const seeds = 5_000;
    const bins = 10;
    const first = Array.from({ length: bins }, () => 0);
    const last = Array.from({ length: bins }, () => 0);
    let firstAheadOfSecond = 0;
    for (let i = 0; i < seeds; i++) {
      const order = shuffledOrder(size, seedFor('arrival 1 of 700', i));
      const [a, b, z] = [order.place(1), order.place(2), order.place(size)];
      first[Math.floor(((a - 1) * bins) / size)]++;
      last[Math.floor(((z - 1) * bins) / size)]++;
      if (a < b) firstAheadOfSecond++;
    }
    const critical = chiSquareCritical(bins - 1, Z_ONE_SIDED);
    expect(chiSquare(first, seeds / bins)).toBeLessThan(critical);
    expect(chiSquare(last, seeds / bins)).toBeLessThan(critical);
    expect(Math.abs(firstAheadOfSecond - seeds / 2)).toBeLessThan((Z_TWO_SIDED * Math.sqrt(seeds)) / 2);
  });

  test('is a permutation of 1..n for any n and seed, and arrivalAt undoes place', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.uint8Array({ minLength: 16, maxLength: 40 }), (size, seed) => {
        const order = shuffledOrder(size, Buffer.from(seed));
        const places = Array.from({ length: size }, (_, i) => order.place(i + 1));
        expect([...places].sort((x, y) => x - y)).toEqual(Array.from({ length: size }, (_, i) => i + 1));
        places.forEach((place, i) => expect(order.arrivalAt(place)).toBe(i + 1));
      }),
      { numRuns: 40 },
    );
  });

  test('orders up to 2^40 places: places stay in range and invert', () => {
    const sizes = [MAX_SHUFFLED_SIZE, MAX_SHUFFLED_SIZE - 1, 4 ** 19 + 1, 1_000_003];
    fc.assert(
      fc.property(fc.constantFrom(...sizes), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (size, at) => {
        const order = shuffledOrder(size, seedFor('large', size));
        const arrival = 1 + Math.floor(at * size);
        const place = order.place(arrival);
        expect(Number.isSafeInteger(place) && place >= 1 && place <= size).toBe(true);
        expect(order.arrivalAt(place)).toBe(arrival);
      }),
      { numRuns: 60 },
    );
    const order = shuffledOrder(MAX_SHUFFLED_SIZE, seedFor('large', 0));
    for (const edge of [1, MAX_SHUFFLED_SIZE]) expect(order.arrivalAt(order.place(edge))).toBe(edge);
  });

  test('cycle walking takes at most 4 passes per place on average, whatever n', () => {
    // Walks from different starts never share a value, so all n of them together pass over at most the whole domain (< 4n values).
    for (const size of [2, 3, 5, 17, 100, 257, 1_000, 4_097]) {
      for (let s = 0; s < 3; s++) {
        const order = shuffledOrder(size, seedFor('passes', s));
        let passes = 0;
        for (let arrival = 1; arrival <= size; arrival++) passes += order.passesToPlace(arrival);
        const domain = 4 ** Math.ceil(Math.log(size) / Math.log(4));
        expect(passes).toBeLessThanOrEqual(domain);
        expect(passes / size).toBeLessThanOrEqual(4);
      }
    }
  });

  test('the same seed gives the same order, as a Buffer or in hex; another seed gives another', () => {
    const seed = drawShuffleSeed();
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(placesOf(1_000, seed)).toEqual(placesOf(1_000, Buffer.from(seed, 'hex')));
    expect(placesOf(1_000, seed)).not.toEqual(placesOf(1_000, drawShuffleSeed()));
  });

  test('the smallest orders: none, one, two', () => {
    expect(shuffledOrder(0, seedFor('small', 0)).size).toBe(0);
    expect(() => shuffledOrder(0, seedFor('small', 0)).place(1)).toThrow(RangeError);
    expect(placesOf(1, seedFor('small', 1))).toEqual([1]);
    const pairs = new Set(Array.from({ length: 40 }, (_, i) => placesOf(2, seedFor('small', i)).join()));
    expect(pairs).toEqual(new Set(['1,2', '2,1']));
  });

  test('refuses sizes, places and seeds it cannot order', () => {
    const seed = seedFor('refuse', 0);
    for (const size of [-1, 1.5, Number.NaN, MAX_SHUFFLED_SIZE + 1]) expect(() => shuffledOrder(size, seed)).toThrow(RangeError);
    for (const bad of ['', 'abc', 'zz'.repeat(16), 'ab'.repeat(15)]) expect(() => shuffledOrder(10, bad)).toThrow(RangeError);
    expect(() => shuffledOrder(10, Buffer.alloc(15))).toThrow(RangeError);
    const order = shuffledOrder(10, seed);
    for (const bad of [0, 11, 2.5]) {
      expect(() => order.place(bad)).toThrow(RangeError);
      expect(() => order.arrivalAt(bad)).toThrow(RangeError);
    }
  });
});
