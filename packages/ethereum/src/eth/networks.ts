import type { ChainParams } from './chain.js';

// Fork schedules from go-ethereum's params/config.go (Osaka and the BPO forks of EIP-7892 included:
// they change the fork id, and peers reject a Status with a stale one). Bootnodes from
// params/bootnodes.go.

const mainnet: ChainParams = {
  name: 'mainnet',
  networkId: 1,
  chainId: 1,
  genesisHash: '0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3',
  genesisTime: 0,
  forkBlocks: [1_150_000, 1_920_000, 2_463_000, 2_675_000, 4_370_000, 7_280_000, 9_069_000, 9_200_000,
    12_244_000, 12_965_000, 13_773_000, 15_050_000],
  forkTimes: [1681338455, 1710338135, 1746612311, 1764798551, 1765290071, 1767747671],
  td: '58750003716598352816469',
  bootnodes: [
    'enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@18.138.108.67:30303',
    'enode://22a8232c3abc76a16ae9d6c3b164f98775fe226f0917b0ca871128a74a8e9630b458460865bab457221f1d448dd9791d24c4e5d88786180ac185df813a68d4de@3.209.45.79:30303',
    'enode://2b252ab6a1d0f971d9722cb839a42cb81db019ba44c08754628ab4a823487071b5695317c8ccd085219c3a03af063495b2f1da8d18218da2d6a82981b45e6ffc@65.108.70.101:30303',
    'enode://4aeb4ab6c14b23e2c4cfdce879c04b0748a20d8e9b59e25ded2a08143e265c6c25936e74cbc8e641e3312ca288673d91f2f93f8e277de3cfa444ecdaaf982052@157.90.35.166:30303',
  ],
};

const sepolia: ChainParams = {
  name: 'sepolia',
  networkId: 11155111,
  chainId: 11155111,
  genesisHash: '0x25a5cc106eea7138acab33231d7160d69cb777ee0c2c553fcddf5138993e6dd9',
  genesisTime: 1633267481,
  forkBlocks: [1_735_371],
  forkTimes: [1677557088, 1706655072, 1741159776, 1760427360, 1761017184, 1761607008],
  td: '17000018015853232',
  bootnodes: [
    'enode://9246d00bc8fd1742e5ad2428b80fc4dc45d786283e05ef6edbd9002cbc335d40998444732fbe921cb88e1d2c73d1b1de53bae6a2237996e9bfe14f871baf7066@18.168.182.86:30303',
    'enode://ec66ddcf1a974950bd4c782789a7e04f8aa7110a72569b6e65fcd51e937e74eed303b1ea734e4d19cfaec9fbff9b6ee65bf31dcb50ba79acce9dd63a6aca61c7@52.14.151.177:30303',
    'enode://ce970ad2e9daa9e14593de84a8b49da3d54ccfdf83cbc4fe519cb8b36b5918ed4eab087dedd4a62479b8d50756b492d5f762367c8d20329a7854ec01547568a6@165.22.196.173:30303',
    'enode://075503b13ed736244896efcde2a992ec0b451357d46cb7a8132c0384721742597fc8f0d91bbb40bb52e7d6e66728d36a1fda09176294e4a30cfac55dcce26bc6@65.108.95.67:30303',
  ],
};

const holesky: ChainParams = {
  name: 'holesky',
  networkId: 17000,
  chainId: 17000,
  genesisHash: '0xb5f7f912443c940f21fd611f12828d75b534364ed9e95ca4e307729a4661bde4',
  genesisTime: 1695902100,
  forkBlocks: [],
  forkTimes: [1696000704, 1707305664, 1740434112, 1759308480, 1759800000, 1760389824],
  td: '1',
  bootnodes: [
    'enode://ac906289e4b7f12df423d654c5a962b6ebe5b3a74cc9e06292a85221f9a64a6f1cfdd6b714ed6dacef51578f92b34c60ee91e9ede9c7f8fadc4d347326d95e2b@146.190.13.128:30303',
    'enode://a3435a0155a3e837c02f5e7f5662a2f1fbc25b48e4dc232016e1c51b544cb5b4510ef633ea3278c0e970fa8ad8141e2d4d0f9f95456c537ff05fdf9b31c15072@178.128.136.233:30303',
  ],
};

const hoodi: ChainParams = {
  name: 'hoodi',
  networkId: 560048,
  chainId: 560048,
  genesisHash: '0xbbe312868b376a3001692a646dd2d7d1e4406380dfd86b98aa8a34d1557c971b',
  genesisTime: 1742212800,
  forkBlocks: [],
  forkTimes: [1742999832, 1761677592, 1762365720, 1762955544],
  td: '0',
  bootnodes: [
    'enode://2112dd3839dd752813d4df7f40936f06829fc54c0e051a93967c26e5f5d27d99d886b57b4ffcc3c475e930ec9e79c56ef1dbb7d86ca5ee83a9d2ccf36e5c240c@134.209.138.84:30303',
    'enode://60203fcb3524e07c5df60a14ae1c9c5b24023ea5d47463dfae051d2c9f3219f309657537576090ca0ae641f73d419f53d8e8000d7a464319d4784acd7d2abc41@209.38.124.160:30303',
    'enode://8ae4a48101b2299597341263da0deb47cc38aa4d3ef4b7430b897d49bfa10eb1ccfe1655679b1ed46928ef177fbf21b86837bd724400196c508427a6f41602cd@134.199.184.23:30303',
  ],
};

export const NETWORKS: Readonly<Record<string, ChainParams>> = { mainnet, sepolia, holesky, hoodi };

export function network(name: string): ChainParams {
  const params = NETWORKS[name];
  if (!params) throw new Error(`unknown network '${name}' (known: ${Object.keys(NETWORKS).join(', ')})`);
  return params;
}
