// Hardhat configuration: compiles offline with the npm `solc` package (no download).
// The compiler is pinned to 0.8.26; any other version fails the build loudly.
const path = require("path");
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");

const PINNED_SOLC = "0.8.26";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, hre, runSuper) => {
  if (args.solcVersion !== PINNED_SOLC) {
    throw new Error(
      `TreasuryManager pins solc ${PINNED_SOLC}, but a compiler ${args.solcVersion} was requested. ` +
        `Set every pragma and hardhat.config.js to ${PINNED_SOLC}; other compilers cannot be downloaded here.`
    );
  }
  const solcPackage = require("solc/package.json");
  if (solcPackage.version !== PINNED_SOLC) {
    throw new Error(
      `node_modules/solc is ${solcPackage.version}, expected ${PINNED_SOLC}. Run \`npm ci\` to restore the pinned compiler.`
    );
  }
  const solc = require("solc");
  return {
    compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
    isSolcJs: true,
    version: PINNED_SOLC,
    longVersion: solc.version(),
  };
});

// Hardhat 2.29.1 hands each `networks.hardhat.chains` entry to its EDR 0.12 engine under the key `hardforks`, but EDR
// reads `hardforkActivationOverrides` (node_modules/@nomicfoundation/edr/index.d.ts, ChainOverride), so a configured
// hardfork history is silently dropped and a fork of an unknown chain cannot execute its own blocks ("No known hardfork
// for execution on historical block"). Until Hardhat passes it under EDR's name, this copies it across.
const { EdrContext } = require("@nomicfoundation/edr");
const createEdrProvider = EdrContext.prototype.createProvider;
EdrContext.prototype.createProvider = function (chainType, providerConfig, ...rest) {
  for (const chain of providerConfig?.fork?.chainOverrides ?? []) {
    if (chain.hardforkActivationOverrides === undefined && chain.hardforks !== undefined) {
      chain.hardforkActivationOverrides = chain.hardforks;
    }
  }
  return createEdrProvider.call(this, chainType, providerConfig, ...rest);
};

/** @type import('hardhat/config').HardhatUserConfig */
module.exports = {
  solidity: {
    compilers: [
      {
        version: PINNED_SOLC,
        settings: {
          optimizer: { enabled: true, runs: 10000 },
          evmVersion: "cancun",
        },
      },
    ],
    overrides: {
      // TreasuryVault is near the 24,576-byte limit: fewer optimizer runs trade a little gas for size (its
      // rebalance path is hand-written assembly; docs/gas.md records the figure).
      "contracts/TreasuryVault.sol": {
        version: PINNED_SOLC,
        settings: { optimizer: { enabled: true, runs: 1000 }, evmVersion: "cancun" },
      },
      // UniswapV3PositionManager: the IR pipeline makes its keeper rebalance ~3k gas cheaper and its code ~2.9k bytes
      // smaller than the legacy one (which at 10,000 runs exceeds the 24,576-byte limit); 1,000 runs keep ~4.3k bytes of
      // room (10,000 runs: 288 gas less a rebalance, 1.5k bytes of room). docs/uniswap-v3.md, "Gas".
      "contracts/UniswapV3PositionManager.sol": {
        version: PINNED_SOLC,
        settings: { optimizer: { enabled: true, runs: 1000 }, viaIR: true, evmVersion: "cancun" },
      },
    },
  },
  networks: {
    hardhat: {
      // scripts/node.sh --chain-id N sets this (a fork reports its upstream's chain id); 31337 otherwise.
      chainId: Number(process.env.TREASURY_NODE_CHAIN_ID || 31337),
      // scripts/node.sh --fork URL [--fork-block N] forks any JSON-RPC node. To execute the upstream's own blocks (the
      // fork block and earlier: eth_call, eth_getBalance… at "latest" right after forking) Hardhat must know which
      // hardfork each of them ran under; it knows the public chains, not a local one. Chain 31337 is a local Hardhat or
      // anvil node, both of which run Osaka from block 0 (Hardhat 2.29.1's default hardfork; anvil 1.7's "latest").
      chains: {
        31337: { hardforkHistory: { osaka: 0 } },
      },
    },
  },
  paths: {
    sources: "./contracts",
    artifacts: "./artifacts",
    cache: "./cache",
  },
};
