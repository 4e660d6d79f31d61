/**
 * Runs one long-poll round after another until stopped; stop() aborts the round in flight. A failed
 * round is reported and retried after a short pause, so a passing emulator hiccup never ends the loop.
 */
export class PollLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly round: (signal: AbortSignal) => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.round(this.abort.signal);
      } catch (error) {
        if (!this.running) return;
        this.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}
