import { Presets, SingleBar } from 'cli-progress';
import type { ProgressEvent } from '../pipeline/types.js';

/** Where and how often progressPrinter reports (the defaults: stderr, a partial line a minute in a log). */
export interface ProgressPrinterOptions {
  /** In a log (stderr not a terminal): the least time between two partial lines of one stage. */
  readonly logEveryMs?: number;
  readonly write?: (text: string) => void;
  readonly tty?: boolean;
  readonly now?: () => number;
}

/**
 * Progress on stderr: a bar (cli-progress) while a long stage reports partial
 * progress on a terminal, and one line per finished stage. In a log a long
 * stage also prints its count at most once a minute: a 50M-record comparison
 * join in DuckDB ran for more than an hour with nothing after `block done`;
 * with the time left at the pace this process has kept in the stage (a run
 * that goes on from a work database counts from where it went on).
 * Counts only, never values.
 */
export function progressPrinter(quiet: boolean, options: ProgressPrinterOptions = {}): (event: ProgressEvent) => void {
  if (quiet) return () => {};
  const { logEveryMs = 60_000, write = (text: string) => void process.stderr.write(text), tty = Boolean(process.stderr.isTTY), now = () => performance.now() } = options;
  const started = now();
  const elapsed = () => ((now() - started) / 1000).toFixed(2);
  let bar: SingleBar | undefined;
  let barStage: string | undefined;
  const finishedStages = new Set<string>();
  // Per stage in a log: when it was last reported (its first partial event counts as a report),
  // and its first partial event, the start of its pace.
  const loggedAt = new Map<string, number>();
  const firstSeen = new Map<string, { at: number; done: number }>();
  return (event) => {
    const finished = event.done >= event.total;
    if (!finished) {
      if (!tty) {
        const last = loggedAt.get(event.stage);
        if (last === undefined) {
          loggedAt.set(event.stage, now());
          firstSeen.set(event.stage, { at: now(), done: event.done });
        } else if (now() - last >= logEveryMs) {
          loggedAt.set(event.stage, now());
          const first = firstSeen.get(event.stage)!;
          const left = event.done > first.done ? ((event.total - event.done) * (now() - first.at)) / (event.done - first.done) / 1000 : undefined;
          write(`[${elapsed()}s] ${event.stage} ${event.done}/${event.total} (${Math.floor((100 * event.done) / event.total)}%)${left === undefined ? '' : `, ${timeLeft(left)} left`}\n`);
        }
        return;
      }
      if (barStage !== event.stage) {
        bar?.stop();
        bar = new SingleBar({ format: `${event.stage} [{bar}] {percentage}% {value}/{total} | eta {eta}s`, stream: process.stderr }, Presets.shades_classic);
        bar.start(event.total, event.done);
        barStage = event.stage;
      } else bar?.update(event.done);
      return;
    }
    if (bar !== undefined && barStage === event.stage) {
      bar.update(event.done);
      bar.stop();
      bar = undefined;
      barStage = undefined;
    }
    // The pool's last partial report and the stage's own end both say "finished": print once.
    if (finishedStages.has(event.stage)) return;
    finishedStages.add(event.stage);
    write(`[${elapsed()}s] ${event.stage} done (${event.done})\n`);
  };
}

/** Seconds as a log reads them: "about 40 s", "about 12 min", "about 3 h 20 min". */
export function timeLeft(seconds: number): string {
  if (seconds < 90) return `about ${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
