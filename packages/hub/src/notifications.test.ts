import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNotifyInput } from './notifications';

describe('SERVICEHALL_NOTIFY_CONFIG', () => {
  it('reads a file saved with a byte-order mark (Windows Notepad), and names a file that is not JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-notify-'));
    try {
      const file = path.join(dir, 'notify.json');
      fs.writeFileSync(file, '\uFEFF{"channels":[]}');
      expect(readNotifyInput({ SERVICEHALL_NOTIFY_CONFIG: file })).toEqual({ ok: true, input: { channels: [] }, from: file });
      fs.writeFileSync(file, '{"channels":');
      expect(readNotifyInput({ SERVICEHALL_NOTIFY_CONFIG: file })).toMatchObject({ ok: false, message: expect.stringContaining(`${file} cannot be read as JSON`) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
