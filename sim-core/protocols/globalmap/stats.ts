/** Per-peer counters of the global-map app; the runtime sums them. */
export interface GlobalmapStats {
  eventsOriginated: number;
  refreshEvents: number;
  eventsReceived: number;
  eventsDuplicate: number;
  eventsApplied: number;
  eventsStale: number;
  eventsInvalid: number;
  eventsExcessive: number;
  /** Signed map: events and sync chunks dropped for a missing, wrong or foreign-key signature (charged to the sender). */
  eventsBadSignature: number;
  /** Signed map: signatures checked (modelled CPU charged for each). */
  signaturesChecked: number;
  /** Signed map: sync answers cut off at their chunk or byte bound. */
  syncOverflows: number;
  eventsForwarded: number;
  eventsQueueDropped: number;
  eventsSuppressed: number;
  /** Events whose message arrived after the event table reused their slot (delayed past the dedupe window). */
  eventsLost: number;
  eventMessagesSent: number;
  syncMessagesSent: number;
  syncEntriesSent: number;
  syncEntriesApplied: number;
  gcRemovedOrigins: number;
  gcExpiredEntries: number;
  phantomsExpired: number;
  dialsAttempted: number;
  dialsFailed: number;
  offersSent: number;
  offersAccepted: number;
  offersDeclined: number;
  answersSent: number;
  /** Signed map: directed answers to offers we never made, ignored. */
  unsolicitedAnswers: number;
  /** Signed map: events refused because their sender introduced too many new origins this window. */
  newOriginsRefused: number;
  punchAttempts: number;
  punchFailures: number;
  relayAttempts: number;
  kicks: number;
  inboundRefused: number;
  replacements: number;
  directedSent: number;
  directedForwarded: number;
  directedDelivered: number;
  directedFailed: number;
  directedRerouted: number;
  directedHopsSum: number;
}

export function newGlobalmapStats(): GlobalmapStats {
  return {
    eventsOriginated: 0,
    refreshEvents: 0,
    eventsReceived: 0,
    eventsDuplicate: 0,
    eventsApplied: 0,
    eventsStale: 0,
    eventsInvalid: 0,
    eventsExcessive: 0,
    eventsBadSignature: 0,
    signaturesChecked: 0,
    syncOverflows: 0,
    eventsForwarded: 0,
    eventsQueueDropped: 0,
    eventsSuppressed: 0,
    eventsLost: 0,
    eventMessagesSent: 0,
    syncMessagesSent: 0,
    syncEntriesSent: 0,
    syncEntriesApplied: 0,
    gcRemovedOrigins: 0,
    gcExpiredEntries: 0,
    phantomsExpired: 0,
    dialsAttempted: 0,
    dialsFailed: 0,
    offersSent: 0,
    offersAccepted: 0,
    offersDeclined: 0,
    answersSent: 0,
    unsolicitedAnswers: 0,
    newOriginsRefused: 0,
    punchAttempts: 0,
    punchFailures: 0,
    relayAttempts: 0,
    kicks: 0,
    inboundRefused: 0,
    replacements: 0,
    directedSent: 0,
    directedForwarded: 0,
    directedDelivered: 0,
    directedFailed: 0,
    directedRerouted: 0,
    directedHopsSum: 0,
  };
}
