/** The terminal's lines for events: kept in shared/event-text.ts with the window's words. */
export {
  describeDriveEvent,
  describeEngineEvent,
  describeEvent,
  describeTransfer,
} from '../shared/event-text';
