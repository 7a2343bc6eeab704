// "Other hosts" on one machine for the cluster tests (issue 22): a process in its own network
// namespace (a veth pair into a host bridge, private addresses, no route to the host's loopback)
// and its own mount namespace (a private tmpfs on /tmp, a tmpfs over a folder it must not see,
// and only the folders it may see bind-mounted back at the same paths). Needs root.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readlinkSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LiveCli } from '../helpers/cli.js';

export function requireRoot(what = 'the cluster tests'): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(
      `${what} need root: they create network namespaces, veth pairs and a bridge (ip, unshare) and mount tmpfs/bind mounts. ` +
        'Run them as root (the CI container runs as root), e.g. sudo npm run test:cluster',
    );
  }
  for (const tool of ['ip', 'unshare', 'mount']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`${what} need the \`${tool}\` command (util-linux / iproute2)`);
    }
  }
}

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

export interface Bridge {
  name: string;
  /** The host's address on the bridge: what servers bind and namespaced workers dial. */
  hostIp: string;
  /** The address of namespace `k` (1-based). */
  addressOf(k: number): string;
  remove(): void;
}

/** A host bridge 10.200.<n>.1/24 (n from the pid, so parallel runs do not collide). */
export function createBridge(): Bridge {
  const tag = String(process.pid % 10_000);
  const name = `pgsbr${tag}`;
  const n = 100 + (process.pid % 150);
  const hostIp = `10.200.${n}.1`;
  try {
    ip('link', 'del', name); // a leftover of a killed run
  } catch {
    // none
  }
  ip('link', 'add', name, 'type', 'bridge');
  ip('addr', 'add', `${hostIp}/24`, 'dev', name);
  ip('link', 'set', name, 'up');
  return {
    name,
    hostIp,
    addressOf: (k) => `10.200.${n}.${k + 1}`,
    remove: () => {
      try {
        ip('link', 'del', name);
      } catch {
        // already gone
      }
    },
  };
}

// Runs as root inside the new namespaces (unshare without --fork execs it, and it execs the
// command, so the spawned pid is the command's). Mounts first, then waits for the host to move
// the veth end in, then configures it and starts the command.
const NS_SCRIPT = `
set -e
mount -t tmpfs pgsflow-stage "$NS_STAGE"
i=0
IFS=:
for p in $NS_VISIBLE; do mkdir "$NS_STAGE/$i"; mount --bind "$p" "$NS_STAGE/$i"; i=$((i+1)); done
unset IFS
mount -t tmpfs pgsflow-tmp /tmp
mkdir -p "$NS_HIDE"
mount -t tmpfs pgsflow-hidden "$NS_HIDE"
i=0
IFS=:
for p in $NS_VISIBLE; do mkdir -p "$p"; mount --move "$NS_STAGE/$i" "$p"; i=$((i+1)); done
unset IFS
umount "$NS_STAGE"
echo "pgsflow-ns: mounts ready"
read -r _
ip link set lo up
ip addr add "$NS_IP/24" dev "$NS_IF"
ip link set "$NS_IF" up
echo "pgsflow-ns: $NS_IP up"
exec "$@"
`;

export interface NamespacedOptions {
  bridge: Bridge;
  /** 1-based index: address bridge.addressOf(k), interface names. */
  k: number;
  /** Covered by an empty tmpfs inside the namespace (e.g. the store's parent folder). */
  hide: string;
  /** Folders bind-mounted back at the same paths (the artifacts folder, the study's inputs). */
  visible: string[];
  command: string[];
  env?: NodeJS.ProcessEnv;
}

export interface Namespaced extends LiveCli {
  address: string;
  /** Removes the staging folder; the namespaces and the veth go with the process. */
  cleanup(): void;
}

async function waitForNewNetns(pid: number, exited: () => boolean): Promise<void> {
  const mine = readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 200; i++) {
    if (exited()) throw new Error(`namespaced process ${pid} exited before its network namespace was ready`);
    try {
      if (readlinkSync(`/proc/${pid}/ns/net`) !== mine) return;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`process ${pid} never entered a new network namespace`);
}

export async function spawnNamespaced(opts: NamespacedOptions): Promise<Namespaced> {
  const stage = `/run/pgsflow-ns-stage-${process.pid}-${opts.k}`;
  mkdirSync(stage, { recursive: true });
  const nsIf = `pgsn${process.pid % 10_000}x${opts.k}`;
  const hostIf = `pgsh${process.pid % 10_000}x${opts.k}`;
  const address = opts.bridge.addressOf(opts.k);
  // The checkout itself (node_modules, .tools) must stay visible: a clone under /tmp (as CI makes
  // one) would vanish under the private /tmp, and the worker could not start.
  const projectRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
  const visible = projectRoot.startsWith('/tmp/') ? [projectRoot, ...opts.visible] : opts.visible;
  for (const v of visible) if (v.includes(':')) throw new Error(`visible path ${v} holds a ':'`);
  const child: ChildProcess = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', NS_SCRIPT, 'pgsflow-ns', ...opts.command], {
    env: { ...process.env, ...opts.env, NS_STAGE: stage, NS_HIDE: opts.hide, NS_VISIBLE: visible.join(':'), NS_IF: nsIf, NS_IP: address },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    text += d.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let done = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => {
      done = true;
      res({ code, signal });
    }),
  );
  const waitFor = (pattern: RegExp, timeoutMs = 120_000): Promise<string> =>
    new Promise((res, rej) => {
      const check = (): void => {
        const m = pattern.exec(text);
        if (m) {
          listeners.delete(check);
          clearTimeout(timer);
          res(m[0]);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        rej(new Error(`timed out waiting for ${pattern}; output so far:\n${text}`));
      }, timeoutMs);
      listeners.add(check);
      void exit.then(() =>
        setTimeout(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            rej(new Error(`namespaced process exited before ${pattern}; output:\n${text}`));
          }
        }, 50),
      );
      check();
    });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start unshare');
  await waitForNewNetns(pid, () => done);
  await waitFor(/pgsflow-ns: mounts ready/, 30_000);
  // The veth of an earlier worker with this index lives until the kernel has torn down its
  // namespace, which can lag its process's exit: remove it rather than collide with it.
  try {
    ip('link', 'del', hostIf);
  } catch {
    // none
  }
  ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', String(pid));
  ip('link', 'set', hostIf, 'master', opts.bridge.name);
  ip('link', 'set', hostIf, 'up');
  child.stdin?.end('go\n');
  await waitFor(/pgsflow-ns: \S+ up/, 30_000);
  return {
    child,
    address,
    output: () => text,
    waitFor,
    exit,
    cleanup: () => rmSync(stage, { recursive: true, force: true }),
  };
}
