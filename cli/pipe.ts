/**
 * A reader that goes away (`warden audit | head`, `warden run --json | head`)
 * ends the command quietly: a write to its closed stdout or stderr (EPIPE)
 * runs the command's own clean-up and exits with the status a process killed
 * by SIGPIPE has (141), as `git log | head` does, never with a stack trace.
 * Only those two streams: SIGPIPE itself stays ignored (Node's default), since
 * a host also writes to its plugins' channels, and a write to a plugin that
 * just died raises SIGPIPE too; that is the plugin's crash, handled by its
 * supervisor as an EPIPE on its channel, never the CLI's end.
 */
const SIGPIPE_STATUS = 128 + 13;

type Cleanup = () => Promise<void> | void;

const cleanups: Cleanup[] = [];
let ending = false;

/** Runs before exiting on a broken pipe (a host stops its plugins here); removed by the returned function. */
export function onBrokenPipe(cleanup: Cleanup): () => void {
  cleanups.push(cleanup);
  return () => {
    const index = cleanups.indexOf(cleanup);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

async function endQuietly(): Promise<void> {
  if (ending) return;
  ending = true;
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  process.exit(SIGPIPE_STATUS);
}

export function handleBrokenPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') {
        void endQuietly();
        return;
      }
      throw error;
    });
  }
}
