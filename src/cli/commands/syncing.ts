/** Syncing: sync, the assistant, its transfers and their control, the web UI. */
import {
  type ControlRequest,
  createNodeEngine,
  externalSnapshot,
  FerryError,
  listFailedTransfers,
  listRunningTransfers,
  openRepository,
  parseSize,
  sendControl,
  syncRepository,
  Transferrer,
} from '../../engine';
import type { TransferSnapshot } from '../../shared/transfers';
import { describeEngineEvent, describeEvent, describeTransfer } from '../describe-event';
import { runWebapp, untilStopped } from '../webapp';
import type { ParsedArgs } from '../args';
import { formatBytes } from '../progress';
import { type Command } from './common';

export const SYNCING_COMMANDS: Readonly<Record<string, Command>> = {
  sync: {
    async run(args, io) {
      const json = args.flags.has('json');
      const repo = await openRepository(io.cwd);
      const report = await syncRepository(repo, {
        remotes: args.positional.length > 0 ? args.positional : undefined,
        includeUntracked: args.flags.has('add'),
        events: (e) => io.out(json ? `${JSON.stringify(e)}\n` : `${describeEvent(e)}\n`),
      });
      let transfersFailed = 0;
      let second: Awaited<ReturnType<typeof syncRepository>> | undefined;
      if (args.flags.has('content')) {
        const failedIds = new Set<string>();
        const transfers = new Transferrer(repo, {
          events: (e) => {
            if (e.type !== 'transfer-changed') return;
            if (e.transfer.state === 'failed') failedIds.add(e.transfer.id);
            if (e.transfer.state === 'done') failedIds.delete(e.transfer.id);
            if (json) io.out(`${JSON.stringify(e)}\n`);
            else if (e.transfer.state === 'done' || e.transfer.state === 'failed')
              io.out(`${describeTransfer(e.transfer)}\n`);
          },
        });
        await transfers.scan();
        await transfers.whenIdle();
        await transfers.stop();
        transfersFailed = failedIds.size;
        // record and send the location changes
        second = await syncRepository(repo, {
          commit: false,
          remotes: args.positional.length > 0 ? args.positional : undefined,
        });
      }
      const failed = [...report.remotes, ...(second?.remotes ?? [])].filter(
        (r) => r.pushed === 'failed',
      );
      const failedRemotes = new Map(failed.map((f) => [f.remote, f]));
      for (const f of failedRemotes.values())
        io.err(`sync: pushing to ${f.remote} failed: ${f.reason ?? 'unknown reason'}\n`);
      for (const r of report.refused)
        io.err(`sync: ${describeEvent({ type: 'ref-refused', repo: repo.top, at: 0, ...r })}\n`);
      if (transfersFailed > 0)
        io.err(`sync: ${transfersFailed} transfer(s) failed (see "ferry transfers")\n`);
      const isOk = failedRemotes.size === 0 && report.refused.length === 0 && transfersFailed === 0;
      if (!json) io.out(isOk ? 'sync ok\n' : 'sync finished with errors\n');
      return isOk ? 0 : 1;
    },
  },

  assistant: {
    async run(args, io) {
      const json = args.flags.has('json');
      const repo = await openRepository(io.cwd);
      const print = (text: string): void => io.out(`${new Date().toLocaleTimeString()} ${text}\n`);
      const log = (m: string): void =>
        json
          ? io.out(`${JSON.stringify({ type: 'log', message: m, at: Date.now() })}\n`)
          : print(m);
      // the same composition root as the desktop app and ferry webapp, with this one folder
      const node = await createNodeEngine({
        folders: [repo.top],
        drives: !args.flags.has('no-drives'),
        peers: !args.flags.has('no-peers') && process.env.FERRY_PEERS !== 'off',
        log,
      });
      const { engine } = node;
      engine.on((e) => {
        if (json) {
          if (e.type !== 'activity') io.out(`${JSON.stringify(e)}\n`);
          return;
        }
        const line = describeEngineEvent(e);
        if (line) print(line);
      });
      await engine.start();
      if (!engine.folders().includes(repo.top)) {
        await node.stop();
        throw new FerryError('io-error', `cannot sync ${repo.top} (see the message above)`);
      }
      if (!json) print(`watching ${repo.top}; press Ctrl-C to stop`);
      await untilStopped();
      await node.stop();
      if (!json) print('stopped');
      return 0;
    },
  },

  transfers: {
    async run(args, io) {
      const json = args.flags.has('json');
      const repo = await openRepository(io.cwd);
      const answer = await sendControl(repo.annexdir, 'listTransfers', {});
      let list: readonly TransferSnapshot[];
      let note = '';
      if (answer && !answer.ok) throw new FerryError(answer.error.code, answer.error.message);
      if (answer?.ok) {
        const { control } = answer.value;
        list = answer.value.transfers;
        if (control.isPaused) note = 'all transfers are paused (ferry resume)\n';
        else if (control.pausedRemotes.length > 0)
          note = `paused remotes: ${control.pausedRemotes.join(', ')}\n`;
      } else {
        note = 'no assistant is running here; showing transfers recorded on disk\n';
        list = [
          ...listRunningTransfers(repo.annexdir).map((t) => externalSnapshot(t, 'running', t.uuid)),
          ...listFailedTransfers(repo.annexdir).map((t) => externalSnapshot(t, 'failed', t.uuid)),
        ];
      }
      if (json) {
        io.out(
          `${JSON.stringify({ transfers: list, control: answer?.ok ? answer.value.control : null })}\n`,
        );
        return 0;
      }
      io.out(note);
      if (list.length === 0) io.out('no transfers\n');
      for (const t of list) io.out(`${describeTransfer(t)}\n`);
      return 0;
    },
  },

  pause: controlCommand((args) => {
    const remote = args.positional[0];
    return remote ? { command: 'pauseRemote', args: { remote } } : { command: 'pauseAll' };
  }),
  resume: controlCommand((args) => {
    const remote = args.positional[0];
    return remote ? { command: 'resumeRemote', args: { remote } } : { command: 'resumeAll' };
  }),
  cancel: controlCommand((args) => {
    const target = args.positional[0];
    if (!target) throw new FerryError('usage', 'usage: ferry cancel <transfer id | key | remote>');
    return { command: 'cancelTransfer', args: { id: target } };
  }),
  ratelimit: controlCommand((args) => {
    const [rate, remote] = args.positional;
    const bytes =
      rate === undefined
        ? undefined
        : rate === 'none' || rate === '0'
          ? 0
          : parseSize(rate.replace(/\/s$/, ''));
    if (bytes === undefined)
      throw new FerryError(
        'usage',
        'usage: ferry ratelimit <bytes per second, e.g. 5MB, or none> [remote]',
      );
    return { command: 'setRateLimit', args: { bytesPerSecond: bytes, remote } };
  }),

  webapp: {
    options: ['port'],
    async run(args, io) {
      const port = args.options.get('port');
      if (port !== undefined && !/^\d+$/.test(port))
        throw new FerryError('usage', '--port takes a port number');
      return runWebapp({
        cwd: io.cwd,
        folders: args.positional,
        port: port === undefined ? undefined : Number(port),
        drives: !args.flags.has('no-drives'),
        out: io.out,
      });
    },
  },
};

function controlCommand(build: (args: ParsedArgs) => ControlRequest): Command {
  return {
    async run(args, io) {
      const repo = await openRepository(io.cwd);
      const request = build(args);
      const answer = await sendControl(repo.annexdir, request.command, request.args);
      const state = answer?.ok
        ? await sendControl(repo.annexdir, 'listTransfers', { limit: 0 })
        : answer;
      if (!answer || !state) {
        throw new FerryError(
          'remote-unavailable',
          'no assistant is running in this repository (start one with "ferry assistant")',
        );
      }
      if (!answer.ok) throw new FerryError(answer.error.code, answer.error.message);
      if (!state.ok) throw new FerryError(state.error.code, state.error.message);
      const c = state.value.control;
      const affected = typeof answer.value === 'number' ? answer.value : undefined;
      if (args.flags.has('json')) io.out(`${JSON.stringify({ ok: true, control: c, affected })}\n`);
      else {
        io.out(
          `${c.isPaused ? 'all transfers paused' : c.pausedRemotes.length > 0 ? `paused: ${c.pausedRemotes.join(', ')}` : 'transfers running'}` +
            `${c.rateLimit > 0 ? `, limit ${formatBytes(c.rateLimit)}/s` : ''}` +
            `${affected !== undefined ? ` (${affected} affected)` : ''}\n`,
        );
      }
      return 0;
    },
  };
}
