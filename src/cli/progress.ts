/**
 * Progress for long commands: a bar redrawn in place on a terminal, plain lines (one per tenth)
 * in a log.
 */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = performance.now();
  let lastTenth = -1;
  return (done: number, total: number) => {
    const fraction = total === 0 ? 1 : done / total;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      stream.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ${done}/${total} ${seconds}s`,
      );
      if (done >= total) stream.write('\n');
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth !== lastTenth || done >= total) {
      lastTenth = tenth;
      stream.write(
        `${label}: ${done}/${total} (${Math.floor(fraction * 100)}%) after ${seconds}s\n`,
      );
    }
  };
}
