// Gas smoke check: deploys TreasuryManager's contracts and Uniswap v3's own pool (from the npm package's compiled
// artifacts) on Hardhat's in-process network and prints receipt gasUsed for each operation.
//   node node_modules/hardhat/internal/cli/bootstrap.js run scripts/gas-smoke.js
// Prints a table, then one JSON line (prefix "GAS_JSON ") mapping operation -> gas.
const hre = require("hardhat");
const { ethers } = require("ethers");

const Q96 = 1n << 96n;

function isqrt(n) {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x && x * x <= n && (x + 1n) * (x + 1n) > n) return x;
    if (y === x) break;
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

// sqrt(num/den * 10^(dec1 - dec0)) as Q64.96 (price of token0 in token1, human units num/den)
function sqrtPriceX96(num, den, dec0, dec1) {
  let n = num * (1n << 192n);
  let d = den;
  if (dec1 >= dec0) n *= 10n ** BigInt(dec1 - dec0);
  else d *= 10n ** BigInt(dec0 - dec1);
  return isqrt(n / d);
}

async function main() {
  await hre.run("compile", { quiet: true });
  const provider = new ethers.BrowserProvider(hre.network.provider);
  const accounts = await provider.send("eth_accounts", []);
  const [owner, keeper, guardian, trader, reporter] = await Promise.all(
    accounts.slice(0, 5).map((a) => provider.getSigner(a))
  );

  const factoryFor = (name, signer = owner) => {
    const art = hre.artifacts.readArtifactSync(name);
    return new ethers.ContractFactory(art.abi, art.bytecode, signer);
  };
  const deploy = async (name, ...args) => {
    const c = await factoryFor(name).deploy(...args);
    await c.waitForDeployment();
    return c;
  };
  const gas = {};
  const rows = [];
  const measure = async (label, txPromise, key) => {
    const tx = await txPromise;
    const rc = await tx.wait();
    rows.push([label, rc.gasUsed]);
    if (key) gas[key] = Number(rc.gasUsed);
    return rc;
  };
  // index of the oldest observation at or after `target` (the keeper's observation hint)
  const observationHint = async (pool, target) => {
    const st = await pool.getState();
    let best = 65535, bestTs = 2n ** 40n;
    for (let i = 0; i < Number(st.observationCardinality); i++) {
      const o = await pool.observations(i);
      if (o.initialized && o.blockTimestamp >= target && o.blockTimestamp < bestTs) { best = i; bestTs = o.blockTimestamp; }
    }
    return best;
  };
  const nextTimestamp = async (dt) => {
    const b = await provider.send("eth_getBlockByNumber", ["latest", false]);
    const ts = Number(BigInt(b.timestamp)) + dt;
    await provider.send("evm_setNextBlockTimestamp", [ts]);
    return BigInt(ts);
  };
  const increaseTime = async (s) => {
    await provider.send("evm_increaseTime", [s]);
    await provider.send("evm_mine", []);
  };

  // ---- tokens: base 18 decimals, quote 6 decimals
  const base = await deploy("MintableERC20", "Base", "BASE", 18);
  const quote = await deploy("MintableERC20", "Quote", "USDQ", 6);

  // ---- oracle: price 2.0 quote per base (8 decimals), volatility 65%/yr (8 decimals)
  const oracle = await deploy("VolatilityOracle", owner.address, reporter.address, 8, 8, "BASE / USDQ", "BASE / USDQ vol");
  const priceFeed = await oracle.priceFeed();
  const volFeed = await oracle.volatilityFeed();
  const oracleR = oracle.connect(reporter);
  await measure("oracle.update (first)", oracleR.update(200000000n, 65000000n));

  // ---- vault and pool: price 2.0, range [1.8, 2.2], fee 0.3%
  const vault = await deploy("TreasuryVault", owner.address);
  const sp = sqrtPriceX96(2n, 1n, 18, 6);
  const spLow = sqrtPriceX96(18n, 10n, 18, 6);
  const spHigh = sqrtPriceX96(22n, 10n, 18, 6);
  const pool = await deploy("ManagedPool", await base.getAddress(), await quote.getAddress(), await vault.getAddress(), sp, spLow, spHigh, 3000);
  const poolAddr = await pool.getAddress();

  await (await vault.setKeeper(keeper.address, true)).wait();
  await (await vault.setGuardian(guardian.address, true)).wait();
  await (await vault.registerPool(poolAddr, {
    priceFeed, volatilityFeed: volFeed, heartbeat: 3600, twapWindow: 600,
    maxTwapDeviationBps: 200, maxSkewBps: 200, minFeePips: 500, maxFeePips: 10000,
    minWidthBps: 100, maxWidthBps: 100000, minRebalanceInterval: 60,
    minBaseShareBps: 1000, maxBaseShareBps: 9000,
  })).wait();
  await (await pool.increaseObservationCardinality(16)).wait();

  // ---- funds
  const B = 10n ** 18n, U = 10n ** 6n;
  await (await base.mint(owner.address, 1_000_000n * B)).wait();
  await (await quote.mint(owner.address, 2_000_000n * U)).wait();
  await (await base.approve(await vault.getAddress(), ethers.MaxUint256)).wait();
  await (await quote.approve(await vault.getAddress(), ethers.MaxUint256)).wait();
  await measure("vault.deposit (first)", vault.deposit(poolAddr, 100_000n * B, 200_000n * U));
  await measure("vault.deposit", vault.deposit(poolAddr, 10_000n * B, 20_000n * U), "vault.deposit");

  await (await base.mint(trader.address, 100_000n * B)).wait();
  await (await quote.mint(trader.address, 200_000n * U)).wait();
  const poolT = pool.connect(trader);
  await (await base.connect(trader).approve(poolAddr, ethers.MaxUint256)).wait();
  await (await quote.connect(trader).approve(poolAddr, ethers.MaxUint256)).wait();
  const deadline = 2n ** 40n;

  // warm-up swaps (fill the observation ring slots once)
  for (let i = 0; i < 3; i++) {
    await (await poolT.swapExactIn(true, 10n * B, 0, trader.address, deadline)).wait();
    await (await poolT.swapExactIn(false, 20n * U, 0, trader.address, deadline)).wait();
  }
  await increaseTime(700);
  await measure("pool.swap base->quote (new block, observation write)", poolT.swapExactIn(true, 100n * B, 0, trader.address, deadline), "pool.swap");
  await measure("pool.swap quote->base (new block, observation write)", poolT.swapExactIn(false, 150n * U, 0, trader.address, deadline), "pool.swap.oneForZero");
  // two swaps in one block: the second writes no observation
  await provider.send("evm_setAutomine", [false]);
  const t1 = await poolT.swapExactIn(true, 100n * B, 0, trader.address, deadline, { gasLimit: 300000 });
  const t2 = await poolT.swapExactIn(true, 100n * B, 0, trader.address, deadline, { gasLimit: 300000 });
  await provider.send("evm_mine", []);
  await provider.send("evm_setAutomine", [true]);
  const r2 = await t2.wait();
  await t1.wait();
  rows.push(["pool.swap (second in block, no observation)", r2.gasUsed]);
  gas["pool.swap.sameBlock"] = Number(r2.gasUsed);


  // ---- oracle update (steady state) and rebalance
  await increaseTime(120);
  await measure("oracle.update", oracleR.update(200100000n, 64000000n), "oracle.update");
  const st = await pool.getState();
  const target = {
    sqrtPriceX96: sqrtPriceX96(2001n, 1000n, 18, 6),
    sqrtPriceBoundX96: sqrtPriceX96(1901n, 1000n, 18, 6),
    feePips: 2500,
    observationHint: 65535,
  };
  const keeperVault = vault.connect(keeper);
  await measure("vault.rebalance (no observation hint)", keeperVault.rebalance(poolAddr, target), "vault.rebalance.noHint");
  for (let i = 0; i < 2; i++) {
    await (await poolT.swapExactIn(true, 10n * B, 0, trader.address, deadline)).wait();
    await (await poolT.swapExactIn(false, 20n * U, 0, trader.address, deadline)).wait();
  }
  await increaseTime(120);
  await (await oracleR.update(200000000n, 64000000n)).wait();
  let ts = await nextTimestamp(5);
  await measure("vault.rebalance (with the optional volatility-feed check)", keeperVault.rebalance(poolAddr, { ...target, sqrtPriceX96: sp, sqrtPriceBoundX96: spLow, observationHint: await observationHint(pool, ts - 600n) }), "vault.rebalance.withVolatilityFeed");
  await (await vault.setFeeds(poolAddr, priceFeed, ethers.ZeroAddress)).wait();
  await increaseTime(120);
  await (await oracleR.update(200000000n, 64000000n)).wait();
  ts = await nextTimestamp(5);
  await measure("vault.rebalance (price feed only, observation hint)", keeperVault.rebalance(poolAddr, { ...target, observationHint: await observationHint(pool, ts - 600n) }), "vault.rebalance");

  await measure("vault.withdraw", vault.withdraw(poolAddr, 1_000n * B, 2_000n * U, owner.address), "vault.withdraw");

  // ---- Uniswap v3 peer (artifacts from @uniswap/v3-core, not recompiled)
  const uniFactoryArt = require("@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json");
  const uniPoolArt = require("@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json");
  const uniFactory = await new ethers.ContractFactory(uniFactoryArt.abi, uniFactoryArt.bytecode, owner).deploy();
  await uniFactory.waitForDeployment();
  const ta = await deploy("MintableERC20", "TokenA", "TKA", 18);
  const tb = await deploy("MintableERC20", "TokenB", "TKB", 18);
  await (await uniFactory.createPool(await ta.getAddress(), await tb.getAddress(), 3000)).wait();
  const uniPoolAddr = await uniFactory.getPool(await ta.getAddress(), await tb.getAddress(), 3000);
  const uniPool = new ethers.Contract(uniPoolAddr, uniPoolArt.abi, owner);
  await (await uniPool.initialize(Q96)).wait();
  await (await uniPool.increaseObservationCardinalityNext(16)).wait();
  const callee = await deploy("UniswapV3Callee");
  const calleeAddr = await callee.getAddress();
  for (const t of [ta, tb]) {
    await (await t.mint(owner.address, 10_000_000n * B)).wait();
    await (await t.mint(trader.address, 1_000_000n * B)).wait();
    await (await t.mint(calleeAddr, 1_000_000n * B)).wait();
    await (await t.approve(calleeAddr, ethers.MaxUint256)).wait();
    await (await t.connect(trader).approve(calleeAddr, ethers.MaxUint256)).wait();
  }
  const L = 10n ** 24n;
  await measure("uniswapV3.mint [-6000, 6000]", callee.mint(uniPoolAddr, -6000, 6000, L));
  const calleeT = callee.connect(trader);
  const MIN_LIMIT = 4295128740n, MAX_LIMIT = 1461446703485210103287273052203988822378723970341n;
  for (let i = 0; i < 3; i++) {
    await (await calleeT.swap(uniPoolAddr, true, 10n * B, MIN_LIMIT, trader.address)).wait();
    await (await calleeT.swap(uniPoolAddr, false, 10n * B, MAX_LIMIT, trader.address)).wait();
  }
  await increaseTime(700);
  await measure("uniswapV3.swap 0->1 (new block, observation write)", calleeT.swap(uniPoolAddr, true, 100n * B, MIN_LIMIT, trader.address), "uniswapV3.swap");
  await measure("uniswapV3.swap 1->0 (new block, observation write)", calleeT.swap(uniPoolAddr, false, 100n * B, MAX_LIMIT, trader.address), "uniswapV3.swap.oneForZero");
  await provider.send("evm_setAutomine", [false]);
  const u1 = await calleeT.swap(uniPoolAddr, true, 100n * B, MIN_LIMIT, trader.address, { gasLimit: 400000 });
  const u2 = await calleeT.swap(uniPoolAddr, true, 100n * B, MIN_LIMIT, trader.address, { gasLimit: 400000 });
  await provider.send("evm_mine", []);
  await provider.send("evm_setAutomine", [true]);
  const ur2 = await u2.wait();
  await u1.wait();
  rows.push(["uniswapV3.swap (second in block, no observation)", ur2.gasUsed]);
  gas["uniswapV3.swap.sameBlock"] = Number(ur2.gasUsed);
  // the same with Uniswap's default observation cardinality (1), as in the reference figures
  await (await uniFactory.createPool(await ta.getAddress(), await tb.getAddress(), 500)).wait();
  const uni1 = await uniFactory.getPool(await ta.getAddress(), await tb.getAddress(), 500);
  await (await new ethers.Contract(uni1, uniPoolArt.abi, owner).initialize(Q96)).wait();
  await (await callee.mint(uni1, -6000, 6000, L)).wait();
  for (let i = 0; i < 2; i++) {
    await (await calleeT.swap(uni1, true, 10n * B, MIN_LIMIT, trader.address)).wait();
    await (await calleeT.swap(uni1, false, 10n * B, MAX_LIMIT, trader.address)).wait();
  }
  await measure("uniswapV3.swap 0->1 (cardinality 1, new block)", calleeT.swap(uni1, true, 100n * B, MIN_LIMIT, trader.address), "uniswapV3.swap.cardinality1");
  await increaseTime(60);
  await measure("uniswapV3.reposition (burn+collect+mint, +600 ticks, one tx)",
    callee.reposition(uniPoolAddr, -6000, 6000, L, -5400, 6600, L), "uniswapV3.reposition");

  // ---- report
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log("\nOperation".padEnd(w + 2) + "gasUsed");
  for (const [k, v] of rows) console.log(k.padEnd(w + 1) + " " + v.toString());
  console.log("\nGAS_JSON " + JSON.stringify(gas));
  const sizes = {};
  for (const n of ["ManagedPool", "TreasuryVault", "VolatilityOracle", "OracleFeed", "UniswapV3Callee"]) {
    sizes[n] = (hre.artifacts.readArtifactSync(n).deployedBytecode.length - 2) / 2;
  }
  console.log("SIZES " + JSON.stringify(sizes));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
