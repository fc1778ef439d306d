/**
 * What peerscope needs to know about a chain to speak eth/6x: structured-clone-safe (workers get it in
 * their config), with fork activations as decimal strings.
 */
export interface ChainParams {
  name: string;
  networkId: number;
  chainId: number;
  /** 0x-prefixed 32-byte hash. */
  genesisHash: string;
  genesisTime: number;
  /** Block-number forks, in activation order (EIP-2124 counts each distinct number once). */
  forkBlocks: number[];
  /** Timestamp forks (EIP-6122), in activation order. */
  forkTimes: number[];
  /** Total difficulty we claim in Status; post-merge chains freeze it at the terminal value. */
  td: string;
  bootnodes: string[];
}
