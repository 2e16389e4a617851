/**
 * The relay's ordering rule, kept here and nowhere else: the fast path publishes a commit's
 * rows only while no older row can be pending, so it never overtakes one. A row whose publish
 * is issued is on its way (JetStream stores pipelined publishes in issue order); if that publish
 * fails, rows issued after it have overtaken it, the partial-failure case that a consumer's
 * sequence guard covers.
 *
 * An older row can be pending at the start of a term (rows committed while this process did not
 * lead), after a failed publish or mark on either path, and after a republish: until a drain
 * has read to the end and published all it read. Commits that arrive meanwhile go to the drain.
 * Only a drain during which no doubt came and no commit was handed back counts: such a commit
 * may be after the drain's last read, and a doubt may be about a row the drain skipped (the
 * fast path's, whose publish failed after the read).
 */
export class PublicationOrder {
  private clear = false;
  /** Doubts and commits handed back so far: a drain counts only when none came while it ran. */
  private doubts = 0;

  /** May the fast path publish rows committed just now? When not, the caller hands them to the drain. */
  admitCommit(): boolean {
    if (this.clear) return true;
    this.doubts++;
    return false;
  }

  /** An older row may be pending. */
  doubt(): void {
    this.clear = false;
    this.doubts++;
  }

  /** A drain starts reading from the oldest pending row; pass what this returns to {@link drainCompleted}. */
  drainStarted(): number {
    return this.doubts;
  }

  /** That drain read to the end and published every row it read. */
  drainCompleted(started: number): void {
    if (started === this.doubts) this.clear = true;
  }
}
