/** Join challenges already used: each solution opens the door once. */
export interface SpentChallenges {
  /**
   * Records a challenge as used, kept at least until `expiresAt` (epoch ms). False when it was
   * used before: of simultaneous joins with one solution, exactly one gets true.
   */
  spend(spentId: string, expiresAt: number): Promise<boolean>;
}
