/** Runs one bridge call against the agent's handlers; whatever goes wrong comes back as a value. */
export async function dispatch(
  handlers: Record<string, (arg: never) => unknown>,
  name: unknown,
  arg: unknown,
): Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }> {
  if (typeof name !== 'string' || !Object.hasOwn(handlers, name)) return { ok: false, error: { code: 'bad-request', message: `there is no call ${String(name)}` } };
  try {
    return { ok: true, value: await handlers[name]!(arg as never) };
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    return { ok: false, error: { code: typeof e.code === 'string' ? e.code : 'internal', message: typeof e.message === 'string' ? e.message : String(error) } };
  }
}
