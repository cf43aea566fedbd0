/**
 * The engine's public surface: the CLI and the desktop shell import only this module
 * (ESLint keeps them to it; test/engine/exports.test.ts pins the list).
 */
export { addPaths } from './annex/add';
export { AnnexBranch } from './annex/branch';
export {
  copyVerifier,
  depopulateUnlocked,
  describeUuids,
  dropKey,
  fsckKey,
  localDropTarget,
  populateUnlocked,
  whereIs,
  type DropTarget,
} from './annex/content';
export { initRepository } from './annex/init';
export { keySize } from './annex/key';
export { parseSize } from './annex/largefiles';
export { type TrustLevel } from './annex/logs';
export { findObject } from './annex/object-store';
export {
  groupsOf,
  numcopiesSetting,
  preferredContent,
  resolveRepository,
  setDescription,
  setGroups,
  setNumcopies,
  setPreferredContent,
  setTrust,
  trustOf,
} from './annex/repo-config';
export { findRepository, openRepository, type Repository } from './annex/repository';
export { readSettings } from './annex/settings';
export { externalSnapshot, listFailedTransfers, listRunningTransfers } from './annex/transfer-info';
export { annexedFiles, type AnnexedFile } from './annex/worktree';
export { sendControl, type ControlRequest } from './control/control-server';
export { whyNotSynced } from './why';
export { chooseMountSource } from './drives';
export { Engine, dispatch } from './engine';
export { FerryError, errnoCode } from './errors';
export { createNodeEngine, type NodeEngine } from './node-engine';
export { buildNetworkMap, mapToDot, mapToText } from './network/network-map';
export { floodTransfers } from './network/route';
export { findRemote, listGitRemotes, openLocalRemote } from './remotes/git-remotes';
export { LocalRepoRemote } from './remotes/local-repo';
export { openRemote, remoteKind, SPECIAL_KINDS } from './remotes/registry';
export { enableRemote, initRemote, parseParams, readRemoteLog } from './special/config';
export { cloneUrlOf, isAnnexUrl } from './special/annex-url';
export type { Remote } from './remotes/remote';
export { repositoryStatus } from './status';
export { syncRepository } from './sync/sync';
export { cloneDirFor, cloneRepository } from './sync/clone';
export { parcelWatch } from './sync/watcher';
export { runShell } from './p2p/shell';
export { runRemoteHelper } from './peers/remote-helper';
export { ferryStateDir, setPeerContext } from './peers/context';
export { deviceIdentity } from './peers/identity';
export { InviteStore } from './peers/invites';
export { joinFolder } from './peers/join';
export { LanDiscovery } from './peers/discovery';
export { copyKey, getKey } from './transfer/runner';
export { PresenceBulk } from './annex/presence-bulk';
export { Transferrer } from './transfer/transferrer';
export { forEachLimit } from './util/pool';
export { decideDeletion, heldDeletions } from './sync/deletion-guard';
