using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.DevNode;
using TreasuryManager.Ethereum.JsonRpc;

using TreasuryManager.Contracts.Deployment;
using TreasuryManager.TestContracts;

namespace TreasuryManager.GasReport;

/// <summary>One measured operation: its key in the JSON mapping, receipt gasUsed, and what was measured.</summary>
public sealed record GasEntry(string Key, long Gas, string Note);

/// <summary>The measured operations in the order they were measured.</summary>
public sealed class GasFigures
{
    private readonly List<GasEntry> _entries = [];

    public IReadOnlyList<GasEntry> Entries => _entries;

    public long this[string key] => _entries.Single(e => e.Key == key).Gas;

    public bool Contains(string key) => _entries.Any(e => e.Key == key);

    internal void Add(string key, long gas, string note)
    {
        if (Contains(key)) throw new InvalidOperationException($"Gas figure {key} measured twice.");
        _entries.Add(new GasEntry(key, gas, note));
    }

    private readonly Dictionary<string, string> _transactions = [];
    private readonly Dictionary<string, string> _contractNames = [];

    /// <summary>The transaction measured as <paramref name="key"/>, for the figures whose transaction is kept (to be traced).</summary>
    public string? TransactionOf(string key) => _transactions.GetValueOrDefault(key);

    /// <summary>The deployment's contract names by lower-case 0x address (null when not one of them).</summary>
    public string? ContractName(string address) => _contractNames.GetValueOrDefault(address.ToLowerInvariant());

    internal void KeepTransaction(string key, string transactionHash) => _transactions[key] = transactionHash;

    internal void NameContract(string address, string name) => _contractNames[address.ToLowerInvariant()] = name;

    // ---- the targets of issue 3 ("Gas") ----

    public const long RebalanceLimit = 80_000;
    public const long SwapLimit = 100_000;
    // Issue 13's 5×. Lowered to 4.5 by the keeper-key bound (docs/keeper-key-bound.md: its loss window and Rebalanced
    // event left 4.66×); back at 5.0 since 2026-12-04 (the pool's one-slot curve, then the atanh log price: 73,852 gas).
    public const double MinRepositionRatio = 5.0;
    /// <summary>Issue 14: the vault's guarded v3 re-range may cost at most 10% over Uniswap's raw reposition.</summary>
    public const double MaxUniswapVaultOverhead = 1.10;

    /// <summary>uniswapV3.vault.rebalance / uniswapV3.reposition.</summary>
    public double UniswapVaultOverhead => (double)this["uniswapV3.vault.rebalance"] / this["uniswapV3.reposition"];

    /// <summary>uniswapV3.reposition / vault.rebalance.</summary>
    public double RepositionRatio => (double)this["uniswapV3.reposition"] / this["vault.rebalance"];

    /// <summary>The Uniswap swap our pool.swap is compared with: the cheaper of its two first-in-block figures (ring of 16 and of 1).</summary>
    public long UniswapSwapToBeat => Math.Min(this["uniswapV3.swap"], Contains("uniswapV3.swap.cardinality1") ? this["uniswapV3.swap.cardinality1"] : long.MaxValue);

    /// <summary>The four targets of issue 3: name, measured, passed.</summary>
    public IReadOnlyList<(string Target, string Measured, bool Passed)> Targets =>
    [
        ($"vault.rebalance ≤ {RebalanceLimit:N0}", $"{this["vault.rebalance"]:N0}", this["vault.rebalance"] <= RebalanceLimit),
        ($"vault.rebalance ≥ {MinRepositionRatio}× cheaper than uniswapV3.reposition", $"{RepositionRatio:0.00}× ({this["uniswapV3.reposition"]:N0} / {this["vault.rebalance"]:N0})", RepositionRatio >= MinRepositionRatio),
        ($"pool.swap ≤ {SwapLimit:N0}", $"{this["pool.swap"]:N0}", this["pool.swap"] <= SwapLimit),
        ("pool.swap < uniswapV3.swap", $"{this["pool.swap"]:N0} < {UniswapSwapToBeat:N0}", this["pool.swap"] < UniswapSwapToBeat),
    ];

    /// <summary>Issue 14's target (reported beside the issue-3 targets; not yet met, see docs/gas.md).</summary>
    public (string Target, string Measured, bool Passed) UniswapVaultTarget =>
        ($"uniswapV3.vault.rebalance ≤ {MaxUniswapVaultOverhead:0.00}× uniswapV3.reposition", $"{UniswapVaultOverhead:0.000}× ({this["uniswapV3.vault.rebalance"]:N0} / {this["uniswapV3.reposition"]:N0})", UniswapVaultOverhead <= MaxUniswapVaultOverhead);
}

/// <summary>
/// Measures receipt gasUsed of TreasuryManager's operations and of Uniswap v3's own pool (deployed from the
/// <c>@uniswap/v3-core</c> npm package's compiled artifacts) on a local node, through the typed bindings.
/// The node must mine on demand (Hardhat or anvil): the measurement switches automine off briefly to put two
/// swaps in one block, and moves chain time with evm_increaseTime.
/// </summary>
public static class GasMeasurement
{
    private static readonly BigInteger MinSqrtLimit = BigInteger.Parse("4295128740", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger MaxSqrtLimit = BigInteger.Parse("1461446703485210103287273052203988822378723970341", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger E18 = BigInteger.Pow(10, 18);

    /// <summary>
    /// Uniswap's initial sqrt price: 1.015 · 2^96 (price ≈ 1.0302, tick 297) — inside [-6000, 6000] and away from
    /// tick 0. At price 1 exactly the pool sits on a tick-bitmap word boundary, and a 0→1 swap there takes two
    /// steps of Uniswap's swap loop (one more bitmap word read, ≈ +7,600 gas): not a swap "within one tick range".
    /// </summary>
    public static readonly BigInteger UniswapInitialSqrtPriceX96 = TreasuryDeployer.Q96 * 1015 / 1000;

    /// <summary>Runs every measurement on the node behind <paramref name="eth"/> (accounts 0–5 of <paramref name="key"/>).</summary>
    public static async Task<GasFigures> RunAsync(EthClient eth, string repositoryRoot, Func<int, EthKey> key, long chainId = LocalNode.DefaultChainId)
    {
        var gas = new GasFigures();
        var d = await TreasuryDeployer.DeployAsync(eth, repositoryRoot, key, null, chainId);
        await MeasureTreasuryAsync(d, gas);
        await MeasurePerpAsync(d, gas);
        await MeasureUniswapAsync(d, gas);
        await MeasureUniswapVaultAsync(d, gas);
        return gas;
    }

    private static async Task MeasureTreasuryAsync(TreasuryDeployer d, GasFigures gas)
    {
        // ERC-20 reference (OpenZeppelin 5 MintableERC20): to a holder, and to an empty balance.
        gas.Add("erc20.transfer", Used(await d.Base.TransferAsync(d.Owner, d.Trader.Address, d.BaseUnits(1m))),
            "OpenZeppelin ERC-20 transfer to a holder (sender keeps a balance)");
        gas.Add("erc20.transfer.toEmpty", Used(await d.Base.TransferAsync(d.Owner, d.Stranger.Address, d.BaseUnits(1m))),
            "the same to an empty balance (zero → non-zero slot)");

        // Owner funds: the first deposit is part of the deployment; this is a steady-state one.
        gas.Add("vault.deposit", Used(await d.Vault.DepositAsync(d.Owner, d.Pool.Address, d.BaseUnits(10_000m), d.QuoteUnits(20_000m))),
            "owner deposits both tokens into a funded pool (two transferFroms, pool sync)");

        // Warm-up swaps fill the observation ring once, as in steady state.
        for (var i = 0; i < 3; i++)
        {
            await d.SwapAsync(true, d.BaseUnits(10m));
            await d.SwapAsync(false, d.QuoteUnits(20m));
        }
        await d.IncreaseTimeAsync(700);
        gas.Add("pool.swap", Used(await d.SwapAsync(true, d.BaseUnits(100m))),
            "swapExactIn base→quote, first in its block: writes an observation (ring of 52: the vault sizes it for the 600 s TWAP window)");
        gas.Add("pool.swap.oneForZero", Used(await d.SwapAsync(false, d.QuoteUnits(150m))),
            "swapExactIn quote→base, first in its block: writes an observation");
        var swapCall = ManagedPool.EncodeSwapExactIn(true, d.BaseUnits(100m), 0, d.Trader.Address, TreasuryDeployer.Deadline);
        gas.Add("pool.swap.sameBlock", await SecondInBlockAsync(d.Eth, d.Trader, d.Pool.Address, swapCall, 300_000),
            "swapExactIn base→quote, second in its block: no observation write");

        // Oracle and rebalance.
        await d.IncreaseTimeAsync(120);
        gas.Add("oracle.update", Used(await d.Oracle.UpdateAsync(d.Reporter, 200_100_000, 64_000_000)),
            "reporter updates price and volatility feeds (steady state, both rounds already written)");
        var target = new TreasuryVault.Target(d.SqrtPriceX96(2.001m), d.SqrtPriceX96(1.901m), 2500, TreasuryDeployer.NoObservationHint);
        gas.Add("vault.rebalance.noHint", Used(await d.Vault.RebalanceAsync(d.Keeper, d.Pool.Address, target)),
            "keeper rebalance, the deployment's feeds, no observation hint (the pool searches its ring)");

        // A volatility feed the price feed's oracle does not write (another oracle's): the rebalance reads and checks it.
        var other = await d.DeployOracleAsync("OTHER / QUOTE", d.Settings.OraclePrice);
        await d.Vault.SetFeedsAsync(d.Owner, d.Pool.Address, d.PriceFeed, other.VolatilityFeed);
        await RoundTripsAsync(d, 2);
        await d.IncreaseTimeAsync(120);
        await d.Oracle.UpdateAsync(d.Reporter, 200_000_000, 64_000_000);
        await other.Oracle.UpdateAsync(d.Reporter, d.Settings.OraclePrice, 64_000_000);
        var next = await d.SetNextBlockTimestampAsync(5);
        var hinted = target with
        {
            SqrtPriceX96 = d.SqrtPriceX96(d.Settings.Price),
            SqrtPriceBoundX96 = d.SqrtPriceX96(d.Settings.PriceLow),
            ObservationHint = await d.ObservationHintAsync(next - (long)d.Policy.TwapWindow),
        };
        gas.Add("vault.rebalance.separateVolatilityFeed", Used(await d.Vault.RebalanceAsync(d.Keeper, d.Pool.Address, hinted)),
            "keeper rebalance with the observation hint and a volatility feed another oracle writes (read and checked: fresh, > 0)");

        // The headline figure: the deployment's own feeds (its oracle writes price and volatility together, so the price
        // feed's checks cover the volatility feed, which is not read), with the hint.
        await d.Vault.SetFeedsAsync(d.Owner, d.Pool.Address, d.PriceFeed, d.VolatilityFeed);
        await RoundTripsAsync(d, 2);
        await d.IncreaseTimeAsync(120);
        await d.Oracle.UpdateAsync(d.Reporter, 200_000_000, 64_000_000);
        next = await d.SetNextBlockTimestampAsync(5);
        // centred on the oracle (2.0): a skew must steer toward the target base share, which this balanced pool holds
        var deployed = hinted with { ObservationHint = await d.ObservationHintAsync(next - (long)d.Policy.TwapWindow) };
        var rebalance = await d.Vault.RebalanceAsync(d.Keeper, d.Pool.Address, deployed);
        gas.Add("vault.rebalance", Used(rebalance),
            "keeper rebalance as the keeper sends it on the deployment's policy: observation hint, every guard, the price feed's round (its oracle's volatility feed, written with it, not read)");
        gas.KeepTransaction("vault.rebalance", rebalance.Receipt.TransactionHash);
        gas.NameContract(d.Vault.Address.ToString(), "TreasuryVault");
        gas.NameContract(d.Pool.Address.ToString(), "ManagedPool");
        gas.NameContract(d.PriceFeed.ToString(), "OracleFeed (price)");
        gas.NameContract(d.VolatilityFeed.ToString(), "OracleFeed (volatility)");

        gas.Add("vault.withdraw", Used(await d.Vault.WithdrawAsync(d.Owner, d.Pool.Address, d.BaseUnits(1_000m), d.QuoteUnits(2_000m), d.Owner.Address)),
            "owner withdraws both tokens to itself (the spot checked against the oracle first, as for a deposit)");
    }

    /// <summary>PerpMarket (issue 7) and the vault's hedge, on the deployer's optional market (mark = the oracle's price feed).</summary>
    private static async Task MeasurePerpAsync(TreasuryDeployer d, GasFigures gas)
    {
        var perp = new PerpDeploymentSettings();
        var m = await d.DeployPerpAsync(perp);
        await d.Quote.MintAsync(d.Owner, d.Stranger.Address, d.QuoteUnits(1_000m));
        foreach (var s in new[] { d.Trader, d.Stranger })
            await d.Quote.ApproveAsync(s, m.Address, TreasuryDeployer.MaxUint256);

        gas.Add("perp.depositMargin", Used(await m.DepositMarginAsync(d.Trader, d.QuoteUnits(10_000m))),
            "PerpMarket: first margin deposit of an account (transferFrom, zero → non-zero margin)");
        gas.Add("perp.trade.open", Used(await m.TradeAsync(d.Trader, d.BaseUnits(1_000m))),
            "open a long at the mark (feed read, funding check, fee; size and open notional zero → non-zero)");
        gas.Add("perp.trade", Used(await m.TradeAsync(d.Trader, d.BaseUnits(500m))),
            "increase the long in the same funding interval (realise at the mark, fee, initial-margin check)");
        await d.IncreaseTimeAsync(perp.FundingInterval);
        await d.Oracle.UpdateAsync(d.Reporter, d.Settings.OraclePrice, d.Settings.OracleVolatility);
        gas.Add("perp.settleFunding", Used(await m.SettleFundingAsync(d.Stranger)),
            "settle one elapsed funding interval at the configured rate (index and time written)");
        gas.Add("perp.trade.withFunding", Used(await m.TradeAsync(d.Trader, -d.BaseUnits(500m))),
            "reduce the long: settles the account's funding (one index step) then trades");

        gas.Add("vault.adjustHedge", Used(await d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, -d.BaseUnits(10_000m), d.QuoteUnits(5_000m))),
            "keeper opens the pool's hedge: approve + deposit 5,000 quote margin, short 10,000 base, policy check (notional, margin ratio)");
        gas.Add("vault.adjustHedge.sizeOnly", Used(await d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, d.BaseUnits(2_000m), 0)),
            "keeper reduces the hedge by 2,000 base, no margin change, policy check");

        await m.DepositMarginAsync(d.Stranger, d.QuoteUnits(250m));
        await m.TradeAsync(d.Stranger, d.BaseUnits(1_000m));
        await d.Oracle.UpdateAsync(d.Reporter, d.Settings.OraclePrice * 9 / 10, d.Settings.OracleVolatility);
        gas.Add("perp.liquidate", Used(await m.LiquidateAsync(d.Keeper, d.Stranger.Address)),
            "liquidate a long below maintenance after a 10% drop: close at the mark, penalty transfer to the liquidator");
        gas.Add("vault.closeHedge", Used(await d.Vault.CloseHedgeAsync(d.Owner, d.Pool.Address)),
            "owner closes the hedge: trade the whole position away, withdraw the margin to the owner");
        await d.Oracle.UpdateAsync(d.Reporter, d.Settings.OraclePrice, d.Settings.OracleVolatility);
    }

    private static async Task RoundTripsAsync(TreasuryDeployer d, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await d.SwapAsync(true, d.BaseUnits(10m));
            await d.SwapAsync(false, d.QuoteUnits(20m));
        }
    }

    private static async Task MeasureUniswapAsync(TreasuryDeployer d, GasFigures gas)
    {
        var owner = d.Owner;
        var trader = d.Trader;
        var uniswap = await UniswapV3Deployment.DeployFactoryAsync(owner, d.RepositoryRoot);
        var tokenA = await MintableERC20.DeployAsync(owner, d.Artifact(MintableERC20.ArtifactName), "TokenA", "TKA", 18);
        var tokenB = await MintableERC20.DeployAsync(owner, d.Artifact(MintableERC20.ArtifactName), "TokenB", "TKB", 18);
        var callee = await UniswapV3Callee.DeployAsync(owner, d.Artifact(UniswapV3Callee.ArtifactName));
        foreach (var token in new[] { tokenA, tokenB })
        {
            await token.MintAsync(owner, owner.Address, 10_000_000 * E18);
            await token.MintAsync(owner, trader.Address, 1_000_000 * E18);
            await token.MintAsync(owner, callee.Address, 1_000_000 * E18);
            await token.ApproveAsync(owner, callee.Address, TreasuryDeployer.MaxUint256);
            await token.ApproveAsync(trader, callee.Address, TreasuryDeployer.MaxUint256);
        }

        var pool = await uniswap.CreatePoolAsync(owner, tokenA.Address, tokenB.Address, 3000, UniswapInitialSqrtPriceX96, observationCardinalityNext: 16);
        var liquidity = BigInteger.Pow(10, 24);
        gas.Add("uniswapV3.mint", Used(await callee.MintAsync(owner, pool.Address, -6000, 6000, liquidity)),
            "first position on [-6000, 6000] at tick 297 (ticks initialised), through the callee");

        for (var i = 0; i < 3; i++)
        {
            await callee.SwapAsync(trader, pool.Address, true, 10 * E18, MinSqrtLimit, trader.Address);
            await callee.SwapAsync(trader, pool.Address, false, 10 * E18, MaxSqrtLimit, trader.Address);
        }
        await d.IncreaseTimeAsync(700);
        gas.Add("uniswapV3.swap", Used(await callee.SwapAsync(trader, pool.Address, true, 100 * E18, MinSqrtLimit, trader.Address)),
            "UniswapV3Pool.swap 0→1 via the minimal callee, within one tick range, first in its block: writes an observation (cardinality 16)");
        gas.Add("uniswapV3.swap.oneForZero", Used(await callee.SwapAsync(trader, pool.Address, false, 100 * E18, MaxSqrtLimit, trader.Address)),
            "the same 1→0");
        var swapCall = UniswapV3Callee.EncodeSwap(pool.Address, true, 100 * E18, MinSqrtLimit, trader.Address);
        gas.Add("uniswapV3.swap.sameBlock", await SecondInBlockAsync(d.Eth, trader, callee.Address, swapCall, 400_000),
            "the same 0→1, second in its block: no observation write");

        // Uniswap's default observation cardinality (1).
        var pool1 = await uniswap.CreatePoolAsync(owner, tokenA.Address, tokenB.Address, 500, UniswapInitialSqrtPriceX96);
        await callee.MintAsync(owner, pool1.Address, -6000, 6000, liquidity);
        for (var i = 0; i < 2; i++)
        {
            await callee.SwapAsync(trader, pool1.Address, true, 10 * E18, MinSqrtLimit, trader.Address);
            await callee.SwapAsync(trader, pool1.Address, false, 10 * E18, MaxSqrtLimit, trader.Address);
        }
        await d.IncreaseTimeAsync(60);
        gas.Add("uniswapV3.swap.cardinality1", Used(await callee.SwapAsync(trader, pool1.Address, true, 100 * E18, MinSqrtLimit, trader.Address)),
            "0→1 first in its block on a pool with Uniswap's default cardinality 1 (fee tier 0.05%)");

        // Reposition: burn the whole position, collect tokens and fees, mint the same liquidity 600 ticks up.
        await d.IncreaseTimeAsync(60);
        gas.Add("uniswapV3.reposition", Used(await callee.RepositionAsync(owner, pool.Address, -6000, 6000, liquidity, -5400, 6600, liquidity)),
            "burn + collect + mint [-5400, 6600], same liquidity, fees accrued, one transaction through the callee");

        // The same in separate transactions (the callee owns the position, so burn and collect share one call).
        for (var i = 0; i < 2; i++)
        {
            await callee.SwapAsync(trader, pool.Address, true, 10 * E18, MinSqrtLimit, trader.Address);
            await callee.SwapAsync(trader, pool.Address, false, 10 * E18, MaxSqrtLimit, trader.Address);
        }
        await d.IncreaseTimeAsync(60);
        var burn = Used(await callee.BurnAndCollectAsync(owner, pool.Address, -5400, 6600, liquidity, callee.Address));
        var mint = Used(await callee.MintAsync(owner, pool.Address, -4800, 7200, liquidity));
        gas.Add("uniswapV3.reposition.burnAndCollect", burn, "separate transaction 1: burn + collect [-5400, 6600]");
        gas.Add("uniswapV3.reposition.mint", mint, "separate transaction 2: mint [-4800, 7200]");
        gas.Add("uniswapV3.reposition.twoTx", burn + mint, "sum of the two transactions above");
    }

    /// <summary>
    /// The vault's Uniswap v3 path (issue 14): UniswapV3PositionManager re-ranges its position in Uniswap's own pool with
    /// every guard, the peer of uniswapV3.reposition (burn + collect + mint onto two new ticks, fees accrued). The pool and
    /// its own price feed sit at 1.0001^UniswapVaultCentreTick (a multiple of the tick spacing: the range centred on it
    /// has a skew of 0 bps); the oracle's price feed and its volatility feed (written together: not read), as the headline
    /// vault.rebalance.
    /// </summary>
    private static async Task MeasureUniswapVaultAsync(TreasuryDeployer d, GasFigures gas)
    {
        const int centre = UniswapVaultCentreTick;
        var oracle = await d.DeployOracleAsync("BASE / USDQ v3", UniswapVaultOracleAnswer);
        var v3 = await UniswapV3PositionDeployment.DeployAsync(d, new UniswapV3PositionSettings
        {
            Price = UniswapVaultOracleAnswer / 100_000_000m,
            Policy = d.Policy with { PriceFeed = oracle.PriceFeed, VolatilityFeed = oracle.VolatilityFeed },
        });
        var callee = await UniswapV3Callee.DeployAsync(d.Owner, d.Artifact(UniswapV3Callee.ArtifactName));
        await d.Base.MintAsync(d.Owner, d.Trader.Address, d.BaseUnits(10_000m));
        await v3.Quote.MintAsync(d.Owner, d.Trader.Address, d.QuoteUnits(20_000m));
        await d.Base.ApproveAsync(d.Trader, callee.Address, TreasuryDeployer.MaxUint256);
        await v3.Quote.ApproveAsync(d.Trader, callee.Address, TreasuryDeployer.MaxUint256);

        await d.IncreaseTimeAsync(700);
        await oracle.Oracle.UpdateAsync(d.Reporter, UniswapVaultOracleAnswer, d.Settings.OracleVolatility);
        gas.Add("uniswapV3.vault.rebalance.first", Used(await v3.Manager.RebalanceAsync(d.Keeper, v3.Pool.Address, UniswapV3PositionDeployment.Centred(centre, 1020))),
            "the manager's first rebalance: every guard, then mint the owner's idle deposit on two new ticks (no burn)");
        for (var i = 0; i < 3; i++)
        {
            await callee.SwapAsync(d.Trader, v3.Pool.Address, true, d.BaseUnits(10m), MinSqrtLimit, d.Trader.Address);
            await callee.SwapAsync(d.Trader, v3.Pool.Address, false, d.QuoteUnits(20m), MaxSqrtLimit, d.Trader.Address);
        }
        await d.IncreaseTimeAsync(700);
        await oracle.Oracle.UpdateAsync(d.Reporter, UniswapVaultOracleAnswer, d.Settings.OracleVolatility);
        // as the keeper sends it: the observation hint for the block it lands in (the window starts after the newest
        // observation here, so the manager reads no hinted slot)
        var next = await d.SetNextBlockTimestampAsync(5);
        gas.Add("uniswapV3.vault.rebalance", Used(await v3.Manager.RebalanceAsync(d.Keeper, v3.Pool.Address, UniswapV3PositionDeployment.Centred(centre, 1080, await v3.ObservationHintAsync(next)))),
            "keeper re-ranges the vault's v3 position through UniswapV3PositionManager as the keeper sends it (observation hint): keeper role and pause as the vault pushed them, price feed, pool TWAP (slot0 and the newest observation: no swap inside the window), skew, width, interval, spot, inventory, skew direction, loss budget; burn + collect + mint onto two new ticks, fees accrued");

        // a busy pool: swaps inside the window, so the window's start lies between two observations (the hinted one and
        // its successor are read and interpolated); and the same without a hint (the pool's observe searches its ring)
        await d.IncreaseTimeAsync(300);
        for (var i = 0; i < 3; i++)
        {
            await callee.SwapAsync(d.Trader, v3.Pool.Address, true, d.BaseUnits(10m), MinSqrtLimit, d.Trader.Address);
            await d.IncreaseTimeAsync(100);
            await callee.SwapAsync(d.Trader, v3.Pool.Address, false, d.QuoteUnits(20m), MaxSqrtLimit, d.Trader.Address);
            await d.IncreaseTimeAsync(100);
        }
        await oracle.Oracle.UpdateAsync(d.Reporter, UniswapVaultOracleAnswer, d.Settings.OracleVolatility);
        var snapshot = (await d.Rpc.CallAsync("evm_snapshot")).GetString()!;
        next = await d.SetNextBlockTimestampAsync(5);
        var busyHint = await v3.ObservationHintAsync(next);
        gas.Add("uniswapV3.vault.rebalance.busyPool", Used(await v3.Manager.RebalanceAsync(d.Keeper, v3.Pool.Address, UniswapV3PositionDeployment.Centred(centre, 1020, busyHint))),
            "the same on a busy pool (labelled: swaps every 100 s inside the 600 s window): the hinted observation and its successor read and interpolated");
        // the same state and block time, without a hint
        await d.Rpc.CallAsync("evm_revert", [snapshot]);
        await d.Keeper.ResynchroniseNonceAsync();
        await d.Rpc.CallAsync("evm_setNextBlockTimestamp", [next]);
        gas.Add("uniswapV3.vault.rebalance.busyPool.noHint", Used(await v3.Manager.RebalanceAsync(d.Keeper, v3.Pool.Address, UniswapV3PositionDeployment.Centred(centre, 1020))),
            "the same busy pool, same state and block, without a hint: the pool's observe searches its ring");
    }

    /// <summary>The tick of the v3 vault measurement's price (a multiple of the 0.3% tier's spacing, 60).</summary>
    public const int UniswapVaultCentreTick = -269_400;
    /// <summary>1.0001^UniswapVaultCentreTick · 10^12 · 10^8 (base 18, quote 6 decimals; 8-decimal feed), rounded.</summary>
    public const long UniswapVaultOracleAnswer = 199_844_230;

    /// <summary>
    /// Sends the same call twice into one block (automine off, then one evm_mine) and returns the second
    /// transaction's gasUsed. Both must succeed in the same block.
    /// </summary>
    private static async Task<long> SecondInBlockAsync(EthClient eth, AccountSender sender, Address to, byte[] data, long gasLimit)
    {
        await eth.Rpc.CallAsync("evm_setAutomine", [false]);
        SignedTransactionPair sent;
        try
        {
            var first = await sender.SendAsync(new TransactionRequest { To = to, Data = data, GasLimit = gasLimit });
            var second = await sender.SendAsync(new TransactionRequest { To = to, Data = data, GasLimit = gasLimit });
            sent = new(first.HashHex, second.HashHex);
            await eth.Rpc.CallAsync("evm_mine");
        }
        finally
        {
            await eth.Rpc.CallAsync("evm_setAutomine", [true]);
        }
        var r1 = await eth.WaitForReceiptAsync(sent.First, TimeSpan.FromSeconds(30));
        var r2 = await eth.WaitForReceiptAsync(sent.Second, TimeSpan.FromSeconds(30));
        if (!r1.Succeeded || !r2.Succeeded)
            throw new InvalidOperationException($"A same-block transaction to {to} failed ({r1.TransactionHash}: {r1.Succeeded}, {r2.TransactionHash}: {r2.Succeeded}).");
        if (r1.BlockNumber != r2.BlockNumber)
            throw new InvalidOperationException($"The two transactions to {to} were mined in blocks {r1.BlockNumber} and {r2.BlockNumber}, not one.");
        return r2.GasUsed;
    }

    private sealed record SignedTransactionPair(string First, string Second);

    private static long Used(ContractReceipt receipt) =>
        receipt.Receipt.Succeeded ? receipt.Receipt.GasUsed
            : throw new InvalidOperationException($"Transaction {receipt.Receipt.TransactionHash} failed.");
}
