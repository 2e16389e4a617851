/**
 * The relay's ordering rule, kept here and nowhere else: the fast path publishes a commit's
 * rows only while no older row can be pending, so it never overtakes one. A row whose publish
 * is issued is on its way (JetStream stores pipelined publishes in issue order); if that publish
 * fails, rows issued after it have overtaken it, the partial-failure case that a consumer's
 * sequence guard covers.
 *
 * An older row can be pending at the start of a term (rows committed while this process did not
 * lead), after a failed publish or mark on either path, and after a republish: until a drain
 * has read to the end and published all it read. Commits that arrive meanwhile go to the drain;
 * one that arrives during a drain may be after that drain's last read, so only a drain with no
 * such commit counts.
 */
export class PublicationOrder {
  private backlogSuspected = true;
  private handedBack = false;

  /** May the fast path publish rows committed just now? When not, the caller hands them to the drain. */
  admitCommit(): boolean {
    if (!this.backlogSuspected) return true;
    this.handedBack = true;
    return false;
  }

  /** An older row may be pending. */
  doubt(): void {
    this.backlogSuspected = true;
  }

  /** A drain starts reading from the oldest pending row. */
  drainStarted(): void {
    this.handedBack = false;
  }

  /** That drain read to the end and published every row it read. */
  drainCompleted(): void {
    if (!this.handedBack) this.backlogSuspected = false;
  }
}
