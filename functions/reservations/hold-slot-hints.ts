import type { HoldSlot } from './reservation';

/**
 * What one instance last saw of its users' hold slots: its own commits, and the slots it read
 * when a commit found its slot taken. Only a guess of which slot to try first, so a hold does not
 * read the slots before it has won its seat; the commit's condition decides, and a wrong guess
 * costs a read and another try, never a wrong answer. A user whose holds this instance never saw
 * is guessed to have none.
 */
export interface HoldSlotHints {
  /** The user's slots on the schedule as this instance last saw them, live or not. */
  slotsOf(userId: string, scheduleId: string): readonly HoldSlot[];
  /** The user's slots on the schedule, as just read. */
  saw(userId: string, scheduleId: string, slots: readonly HoldSlot[]): void;
  /** A hold this instance just committed in `slot`. */
  held(userId: string, scheduleId: string, slot: HoldSlot): void;
  /** A hold this instance just released: its slot is free. */
  released(userId: string, scheduleId: string, reservationId: string): void;
}

/** Users kept at most: the oldest seen is forgotten first. A few hundred bytes each. */
const MAX_USERS = 10_000;

export function createHoldSlotHints(maxUsers = MAX_USERS): HoldSlotHints {
  const seen = new Map<string, HoldSlot[]>();
  const keep = (key: string, slots: HoldSlot[]) => {
    seen.delete(key); // re-inserted last: the Map's order is the order of last use
    seen.set(key, slots);
    if (seen.size > maxUsers) seen.delete(seen.keys().next().value!);
  };
  const keyOf = (userId: string, scheduleId: string) => `${userId}\n${scheduleId}`;
  return {
    slotsOf(userId, scheduleId) {
      return seen.get(keyOf(userId, scheduleId)) ?? [];
    },
    saw(userId, scheduleId, slots) {
      keep(keyOf(userId, scheduleId), [...slots]);
    },
    held(userId, scheduleId, slot) {
      const key = keyOf(userId, scheduleId);
      keep(key, [...(seen.get(key) ?? []).filter((known) => known.slot !== slot.slot), slot]);
    },
    released(userId, scheduleId, reservationId) {
      const key = keyOf(userId, scheduleId);
      const known = seen.get(key);
      if (known)
        keep(
          key,
          known.filter((slot) => slot.reservationId !== reservationId),
        );
    },
  };
}
