// Sanity checks of the contracts' behaviour (not the test suite; the C# tests are the real ones):
//   node node_modules/hardhat/internal/cli/bootstrap.js run scripts/contracts-sanity.js
// Exits non-zero on the first failed check.
const hre = require("hardhat");
const { ethers } = require("ethers");

function isqrt(n) {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}
const sqrtPriceX96 = (num, den, dec0, dec1) => {
  let n = num * (1n << 192n), d = den;
  if (dec1 >= dec0) n *= 10n ** BigInt(dec1 - dec0); else d *= 10n ** BigInt(dec0 - dec1);
  return isqrt(n / d);
};
let failures = 0;
const check = (cond, msg) => { if (!cond) { failures++; console.log("FAIL " + msg); } else console.log("ok   " + msg); };

async function main() {
  await hre.run("compile", { quiet: true });
  const provider = new ethers.BrowserProvider(hre.network.provider);
  const accounts = await provider.send("eth_accounts", []);
  const [owner, keeper, guardian, trader, reporter, stranger] = await Promise.all(accounts.slice(0, 6).map((a) => provider.getSigner(a)));
  const art = (n) => hre.artifacts.readArtifactSync(n);
  const deploy = async (name, ...args) => { const c = await new ethers.ContractFactory(art(name).abi, art(name).bytecode, owner).deploy(...args); await c.waitForDeployment(); return c; };
  const ifaces = ["ManagedPool", "TreasuryVault", "ReentrantToken"].map((n) => new ethers.Interface(art(n).abi));
  const errName = (e) => {
    const data = e?.data ?? e?.info?.error?.data ?? e?.error?.data;
    if (!data || data === "0x") return e?.shortMessage || String(e);
    for (const i of ifaces) { try { const p = i.parseError(data); if (p) return p.name; } catch {} }
    return data.slice(0, 10);
  };
  // p: [contract method, ...args]; simulated with eth_call on the latest block
  const expectRevert = async ([fn, ...args], name, msg) => {
    try { await fn.staticCall(...args, { blockTag: "latest" }); check(false, `${msg}: expected ${name}, no revert`); }
    catch (e) { const got = errName(e); if (got !== name) console.log(e?.info?.error?.message || e?.message); check(got === name, `${msg}: ${name}${got === name ? "" : " (got " + got + ")"}`); }
  };
  const increaseTime = async (s) => { await provider.send("evm_increaseTime", [s]); await provider.send("evm_mine", []); };
  const B = 10n ** 18n, U = 10n ** 6n, deadline = 2n ** 40n;

  const base = await deploy("MintableERC20", "Base", "BASE", 18);
  const quote = await deploy("MintableERC20", "Quote", "USDQ", 6);
  const feed = await deploy("MockAggregator", 8, "BASE / USDQ", 200000000n);
  const vault = await deploy("TreasuryVault", owner.address);
  const sp = sqrtPriceX96(2n, 1n, 18, 6), spLow = sqrtPriceX96(18n, 10n, 18, 6), spHigh = sqrtPriceX96(22n, 10n, 18, 6);
  const pool = await deploy("ManagedPool", await base.getAddress(), await quote.getAddress(), await vault.getAddress(), sp, spLow, spHigh, 3000);
  const P = await pool.getAddress();
  const policy = { priceFeed: await feed.getAddress(), volatilityFeed: ethers.ZeroAddress, heartbeat: 3600, twapWindow: 600,
    maxTwapDeviationBps: 100, maxSkewBps: 100, minFeePips: 500, maxFeePips: 10000, minWidthBps: 100, maxWidthBps: 100000,
    minRebalanceInterval: 60, minBaseShareBps: 2000, maxBaseShareBps: 8000 };
  await (await vault.registerPool(P, policy)).wait();
  await (await vault.setKeeper(keeper.address, true)).wait();
  await (await vault.setGuardian(guardian.address, true)).wait();
  await (await pool.increaseObservationCardinality(32)).wait();
  await (await base.mint(owner.address, 10n ** 6n * B)).wait();
  await (await quote.mint(owner.address, 10n ** 7n * U)).wait();
  await (await base.approve(await vault.getAddress(), ethers.MaxUint256)).wait();
  await (await quote.approve(await vault.getAddress(), ethers.MaxUint256)).wait();
  await (await vault.deposit(P, 1000n * B, 2000n * U)).wait();
  await (await base.mint(trader.address, 10n ** 6n * B)).wait();
  await (await quote.mint(trader.address, 10n ** 7n * U)).wait();
  await (await base.connect(trader).approve(P, ethers.MaxUint256)).wait();
  await (await quote.connect(trader).approve(P, ethers.MaxUint256)).wait();
  const poolT = pool.connect(trader);

  const balancesMatch = async () => {
    const [r0, r1] = await pool.getReserves();
    return r0 === await base.balanceOf(P) && r1 === await quote.balanceOf(P);
  };
  // ---- swaps: quote == swap, reserves == balances, price in range, liquidity non-decreasing
  let lastL = await pool.liquidity(), mono = true, quoteOk = true, inRange = true;
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let i = 0; i < 40; i++) {
    const z = rnd() < 0.5;
    const amt = z ? BigInt(Math.floor(rnd() * 50 * 1e6)) * 10n ** 12n + 1n : BigInt(Math.floor(rnd() * 100 * 1e6)) + 1n;
    const q = await pool.quoteExactIn(z, amt);
    const r0b = await base.balanceOf(trader.address), r1b = await quote.balanceOf(trader.address);
    await (await poolT.swapExactIn(z, amt, 0, trader.address, deadline)).wait();
    const d0 = (await base.balanceOf(trader.address)) - r0b, d1 = (await quote.balanceOf(trader.address)) - r1b;
    const used = z ? -d0 : -d1, out = z ? d1 : d0;
    if (used !== q[0] || out !== q[1]) quoteOk = false;
    const st = await pool.getState();
    if (st.sqrtPriceX96 < st.sqrtPriceLowX96 || st.sqrtPriceX96 > st.sqrtPriceHighX96) inRange = false;
    if (st.liquidity < lastL) { mono = false; console.log("   L decreased", lastL, st.liquidity); }
    lastL = st.liquidity;
  }
  check(quoteOk, "quoteExactIn equals the swap's transfers (40 random swaps)");
  check(await balancesMatch(), "reserves == token balances");
  check(inRange, "price stays within [low, high]");
  // tiny and odd-sized swaps: the rounding edge cases
  for (let i = 0; i < 40; i++) {
    const z = i % 2 === 0;
    const amt = BigInt(1 + Math.floor(rnd() * (i < 20 ? 5 : 5e6)));
    try { await (await poolT.swapExactIn(z, amt, 0, trader.address, deadline)).wait(); } catch { continue; }
    const l = await pool.liquidity();
    if (l < lastL) { mono = false; console.log("   L decreased (tiny)", lastL, l); }
    lastL = l;
  }
  check(mono, "liquidity non-decreasing across swaps (80, incl. 1-wei-scale)");

  // ---- round trip never profits
  {
    const b0 = await base.balanceOf(trader.address), q0 = await quote.balanceOf(trader.address);
    const rc = await (await poolT.swapExactIn(true, 10n * B, 0, trader.address, deadline)).wait();
    const got = (await quote.balanceOf(trader.address)) - q0;
    await (await poolT.swapExactIn(false, got, 0, trader.address, deadline)).wait();
    check((await base.balanceOf(trader.address)) <= b0 && (await quote.balanceOf(trader.address)) <= q0, "round trip returns no more than it put in");
  }

  // ---- edge: a huge swap stops at the range edge and pulls only what it used
  {
    const q = await pool.quoteExactIn(true, 10n ** 30n);
    check(q[0] < 10n ** 30n && q[3] === (await pool.getState()).sqrtPriceLowX96, "swap past the edge stops at the lower bound, uses less than offered");
    await (await poolT.swapExactIn(true, 10n ** 30n, 0, trader.address, deadline)).wait();
    check(await balancesMatch(), "reserves == balances after the edge swap");
    await expectRevert([poolT.swapExactIn, true, 1000n, 0, trader.address, deadline], "RangeEdgeReached", "swap further down at the edge");
    await (await poolT.swapExactIn(false, 1500n * U, 0, trader.address, deadline)).wait();
  }
  await expectRevert([poolT.swapExactIn, true, 10n ** 18n, 10n ** 30n, trader.address, deadline], "InsufficientOutput", "minAmountOut");
  await expectRevert([poolT.swapExactIn, true, 10n ** 18n, 0, trader.address, 1], "DeadlineExpired", "deadline");
  await expectRevert([poolT.swapExactIn, true, 0, 0, trader.address, deadline], "ZeroAmount", "zero amount");
  await expectRevert([pool.connect(stranger).reposition, sp, spLow, 3000, 0, 65535], "NotVault", "reposition by a stranger");
  await expectRevert([pool.connect(stranger).setPaused, true], "NotVault", "setPaused by a stranger");

  // ---- observations: hint never changes the result
  await increaseTime(700);
  {
    const a = await pool.consult(600);
    let same = true;
    const card = Number((await pool.getState()).observationCardinality);
    for (let h = 0; h < card; h++) { const b = await pool.consultWithHint(600, h); if (a[0] !== b[0] || a[1] !== b[1]) same = false; }
    const c = await pool.consultWithHint(600, 65535);
    check(same && a[0] === c[0], "consultWithHint(any hint) == consult");
    const o = await pool.observe([600, 0]);
    check((o[0][1] - o[0][0]) / 600n === a[0] && o[1][1] - o[1][0] === a[1], "consult == observe differences");
  }

  // ---- vault guards
  const kv = vault.connect(keeper);
  // oracle at the pool's current price (8 decimals), targets relative to it
  const st0 = await pool.getState();
  const ans = (st0.sqrtPriceX96 * st0.sqrtPriceX96 * 10n ** 8n * 10n ** 12n) >> 192n;
  const at = (num, den) => sqrtPriceX96(ans * num, 10n ** 8n * den, 18, 6);
  const tgt = (over = {}) => ({ sqrtPriceX96: at(1n, 1n), sqrtPriceBoundX96: at(95n, 100n), feePips: 3000, observationHint: 65535, ...over });
  await (await feed.setAnswer(ans)).wait();
  await expectRevert([vault.connect(stranger).rebalance, P, tgt()], "NotKeeper", "rebalance by a stranger");
  await expectRevert([vault.connect(stranger).setKeeper, stranger.address, true], "OwnableUnauthorizedAccount", "setKeeper by a stranger");
  await expectRevert([vault.connect(keeper).pause], "NotGuardianOrOwner", "pause by the keeper");
  await expectRevert([kv.rebalance, P, tgt({ feePips: 100 })], "FeeOutOfBounds", "fee below bound");
  await expectRevert([kv.rebalance, P, tgt({ sqrtPriceX96: at(105n, 100n) })], "SkewTooLarge", "centre 5% off the oracle");
  await expectRevert([kv.rebalance, P, tgt({ sqrtPriceBoundX96: at(99999n, 100000n) })], "WidthOutOfBounds", "range too narrow");
  await (await feed.setRound(ans, 1)).wait();
  await expectRevert([kv.rebalance, P, tgt()], "StaleOracle", "stale oracle");
  await (await feed.setAnswer(0n)).wait();
  await expectRevert([kv.rebalance, P, tgt()], "NonPositivePrice", "zero price");
  await (await feed.setAnswer(-5n)).wait();
  await expectRevert([kv.rebalance, P, tgt()], "NonPositivePrice", "negative price");
  await (await feed.setAnswer(ans * 105n / 100n)).wait();
  await expectRevert([kv.rebalance, P, tgt({ sqrtPriceX96: at(105n, 100n), sqrtPriceBoundX96: at(100n, 100n) })], "TwapDeviation", "pool TWAP 5% off the oracle");
  await (await feed.setAnswer(ans)).wait();
  const pv = await pool.previewReposition(tgt().sqrtPriceX96, tgt().sqrtPriceBoundX96);
  const rc = await (await kv.rebalance(P, tgt())).wait();
  check((await pool.liquidity()) === pv[0] && (await pool.sqrtPriceHighX96()) === pv[2], "reposition state equals previewReposition");
  check(rc.status === 1, "rebalance inside the policy succeeds");
  check(await balancesMatch(), "reserves == balances after reposition (no token moved)");
  await expectRevert([kv.rebalance, P, tgt()], "RebalanceTooSoon", "second rebalance within the interval");
  await increaseTime(61);
  await (await feed.setAnswer(ans)).wait();
  await (await vault.setInventoryBounds(P, 7000, 8000)).wait();
  await expectRevert([kv.rebalance, P, tgt()], "InventoryOutOfBounds", "inventory share below the bound");
  await (await vault.setInventoryBounds(P, 2000, 8000)).wait();
  await expectRevert([vault.setHeartbeat, P, 5], "PolicyOutOfBounds", "heartbeat below bound");
  await expectRevert([vault.setFeeBounds, P, 5000, 100], "InvalidPolicyRange", "fee bounds inverted");

  // ---- pause
  await (await vault.connect(guardian).pause()).wait();
  await expectRevert([poolT.swapExactIn, true, 1000n, 0, trader.address, deadline], "PoolPaused", "swap while paused");
  await expectRevert([kv.rebalance, P, tgt()], "PoolPaused", "rebalance while paused");
  await expectRevert([vault.connect(guardian).unpause], "OwnableUnauthorizedAccount", "unpause by the guardian");
  const ob0 = await base.balanceOf(owner.address);
  await (await vault.connect(guardian).emergencyWithdraw(P)).wait();
  check((await base.balanceOf(owner.address)) > ob0 && (await base.balanceOf(P)) === 0n, "emergency withdrawal sends everything to the owner");
  await (await vault.unpause()).wait();

  // ---- fee-on-transfer and re-entrant tokens
  {
    const fot = await deploy("FeeOnTransferToken", "Fee", "FOT", 18, 100);
    const p2 = await deploy("ManagedPool", await fot.getAddress(), await quote.getAddress(), await vault.getAddress(), sp, spLow, spHigh, 3000);
    await (await vault.registerPool(await p2.getAddress(), { ...policy })).wait();
    await (await fot.mint(owner.address, 10n ** 24n)).wait();
    await (await fot.approve(await vault.getAddress(), ethers.MaxUint256)).wait();
    await (await vault.deposit(await p2.getAddress(), 1000n * B, 2000n * U)).wait();
    await (await fot.mint(trader.address, 10n ** 24n)).wait();
    await (await fot.connect(trader).approve(await p2.getAddress(), ethers.MaxUint256)).wait();
    await expectRevert([p2.connect(trader).swapExactIn, true, 10n ** 18n, 0, trader.address, deadline], "FeeOnTransferNotSupported", "fee-on-transfer input");
  }
  {
    const rt = await deploy("ReentrantToken", "Re", "RE", 18);
    const p3 = await deploy("ManagedPool", await rt.getAddress(), await quote.getAddress(), await vault.getAddress(), sp, spLow, spHigh, 3000);
    const P3 = await p3.getAddress();
    await (await vault.registerPool(P3, { ...policy })).wait();
    await (await rt.mint(owner.address, 10n ** 24n)).wait();
    await (await rt.approve(await vault.getAddress(), ethers.MaxUint256)).wait();
    await (await vault.deposit(P3, 1000n * B, 2000n * U)).wait();
    await (await rt.mint(trader.address, 10n ** 24n)).wait();
    await (await rt.connect(trader).approve(P3, ethers.MaxUint256)).wait();
    const data = p3.interface.encodeFunctionData("swapExactIn", [false, 1000n, 0, trader.address, deadline]);
    await (await rt.arm(P3, data, false)).wait();
    await expectRevert([p3.connect(trader).swapExactIn, true, 10n ** 18n, 0, trader.address, deadline], "ReentrancyGuardReentrantCall", "re-entry through the token");
  }

  console.log(failures ? `\n${failures} check(s) failed` : "\nall checks passed");
  if (failures) process.exit(1);
}
main().catch((e) => { console.error(e); process.exit(1); });
