export interface Concert {
  readonly concertId: string;
  readonly title: string;
  readonly venue: string;
  /** First and last dates of its schedules, `YYYY-MM-DD`. */
  readonly firstDate: string;
  readonly lastDate: string;
}
