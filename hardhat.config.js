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
      // UniswapV3PositionManager: at 10,000 runs it would exceed the 24,576-byte limit.
      "contracts/UniswapV3PositionManager.sol": {
        version: PINNED_SOLC,
        settings: { optimizer: { enabled: true, runs: 1000 }, evmVersion: "cancun" },
      },
    },
  },
  networks: {
    hardhat: {
      chainId: 31337,
      // Forking is passed through by scripts/node.sh --fork URL; it needs a remote RPC.
    },
  },
  paths: {
    sources: "./contracts",
    artifacts: "./artifacts",
    cache: "./cache",
  },
};
