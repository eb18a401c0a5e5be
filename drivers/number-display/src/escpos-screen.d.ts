declare module 'escpos-screen' {
  interface Adapter {
    write(data: Buffer, callback?: (err?: Error | null) => void): void;
    close?(callback?: () => void): void;
  }
  /** Only the methods the driver uses; see node_modules/escpos-screen/index.js. Never pass them a callback (see README). */
  class Screen {
    constructor(adapter: Adapter, options?: { encoding?: string });
    clear(): this;
    clearLine(): this;
    moveHome(): this;
    move(column: number, row: number): this;
    overwrite(): this;
    brightness(level: number): this;
    text(content: string, encoding?: string): this;
    flush(callback?: (err?: Error | null) => void): this;
  }
  export default Screen;
}
