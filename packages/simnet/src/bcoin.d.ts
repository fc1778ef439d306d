// bcoin 1.0.2 ships no types; peerscope only uses the few calls in bcoin-node.ts.
declare module 'bcoin';
