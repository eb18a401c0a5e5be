/** Topics the agent pushes to its renderer, each remembered so that a renderer that (re)connects gets the latest at once. */
export class Pushes {
  private readonly last = new Map<string, unknown>();
  private readonly sinks = new Set<(topic: string, payload: unknown) => void>();

  push(topic: string, payload: unknown): void {
    this.last.set(topic, payload);
    for (const sink of this.sinks) sink(topic, payload);
  }

  latest(): [string, unknown][] {
    return [...this.last];
  }

  get(topic: string): unknown {
    return this.last.get(topic);
  }

  attach(sink: (topic: string, payload: unknown) => void): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }
}
