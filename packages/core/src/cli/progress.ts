import { Presets, SingleBar } from 'cli-progress';
import type { ProgressEvent } from '../pipeline/types.js';

/**
 * Progress on stderr: a bar (cli-progress) while a long stage reports partial
 * progress on a terminal, and one line per finished stage. Counts only, never values.
 */
export function progressPrinter(quiet: boolean): (event: ProgressEvent) => void {
  if (quiet) return () => {};
  const started = performance.now();
  const tty = Boolean(process.stderr.isTTY);
  let bar: SingleBar | undefined;
  let barStage: string | undefined;
  const finishedStages = new Set<string>();
  return (event) => {
    const finished = event.done >= event.total;
    if (!finished) {
      if (!tty) return;
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
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    process.stderr.write(`[${seconds}s] ${event.stage} done (${event.done})\n`);
  };
}
