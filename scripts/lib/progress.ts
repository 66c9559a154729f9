// A one-line progress bar on a terminal (stderr), silent otherwise.
export function progressBar(label: string): (done: number, total: number, what?: string) => void {
  const tty = process.stderr.isTTY;
  return (done, total, what = '') => {
    if (!tty) return;
    const width = 28;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${what}`.slice(0, (process.stderr.columns ?? 100) - 1);
    process.stderr.write(`\r\x1b[2K${line}`);
    if (done >= total) process.stderr.write('\n');
  };
}
