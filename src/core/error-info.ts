// The etype/message pair a stop notification carries when the traced operation failed.

/** `{etype, message}` for anything thrown: the error's class name and its message. */
export function errorInfo(error: unknown): { etype: string; message: string } {
  try {
    if (error !== null && typeof error === 'object') {
      const ctor = (error as { constructor?: { name?: unknown } }).constructor;
      const etype = typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'Error';
      const message = (error as { message?: unknown }).message;
      return { etype, message: typeof message === 'string' ? message : String(message ?? '') };
    }
    return { etype: typeof error, message: String(error) };
  } catch {
    return { etype: 'Error', message: '<unrenderable error>' };
  }
}
