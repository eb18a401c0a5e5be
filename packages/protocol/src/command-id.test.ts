import { describe, expect, it } from 'vitest';
import { newCommandId } from './command-id';

describe('a new command id', () => {
  it('is a UUID of version 7 whose order is the order the ids were made in, each one new', () => {
    const ids = Array.from({ length: 2000 }, () => newCommandId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // Its first 48 bits are the time it was made, in milliseconds.
    const at = parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(at - Date.now())).toBeLessThan(60_000);
  });
});
