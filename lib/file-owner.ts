/**
 * @internal Why a file or directory tracewire keeps runs in is another user's, or `undefined` when it is this
 * process's user's or root's (a root-owned file others cannot write is as safe). Runs hold user data, and a spool's
 * files are sent with the client's credentials: another local user's file there could be read, or sent as this
 * service. Without `process.getuid` (Windows) there is no owner to compare: `undefined`.
 */
export function ownedByAnotherUser(stats: { readonly uid: number }): string | undefined {
  const uid = process.getuid?.();
  return uid === undefined || stats.uid === uid || stats.uid === 0 ? undefined : `it is owned by another user (uid ${stats.uid})`;
}
