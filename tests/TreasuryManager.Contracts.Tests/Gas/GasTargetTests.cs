using TreasuryManager.GasReport;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.DevNode;
using TreasuryManager.Simulation;
using TreasuryManager.Testing;

namespace TreasuryManager.Contracts.Tests.Gas;

/// <summary>
/// The gas targets of issue 3, measured as scripts/gas-report.sh measures them (the same
/// <see cref="GasMeasurement"/>), so a gas regression fails CI: vault.rebalance ≤ 80,000 and ≥ 5× cheaper than
/// Uniswap v3's reposition (<see cref="GasFigures.MinRepositionRatio"/>, issue 13; docs/gas.md, "Where vault.rebalance's
/// gas goes"); pool.swap ≤ 100,000 and below Uniswap v3's swap.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class GasTargetTests(LocalNodeFixture node) : NodeTest(node)
{
    /// <summary>Issue 14's target for uniswapV3.vault.rebalance / uniswapV3.reposition, met: 1.094 (404,202 / 369,308, with
    /// the keeper's observation hint and the vault-pushed keeper role and pause; docs/uniswap-v3.md, "Gas").</summary>
    private const double UniswapVaultCeiling = 1.10;

    [Fact]
    public async Task Rebalance_and_swap_meet_the_gas_targets()
    {
        var gas = await GasMeasurement.RunAsync(Eth, Node.RepositoryRoot, DevAccounts.Key, LocalNode.DefaultChainId);

        Assert.True(gas["vault.rebalance"] <= GasFigures.RebalanceLimit,
            $"vault.rebalance costs {gas["vault.rebalance"]:N0} gas, over the {GasFigures.RebalanceLimit:N0} target.");
        Assert.True(gas.RepositionRatio >= GasFigures.MinRepositionRatio,
            $"vault.rebalance ({gas["vault.rebalance"]:N0}) is only {gas.RepositionRatio:0.00}× cheaper than uniswapV3.reposition ({gas["uniswapV3.reposition"]:N0}); the target is {GasFigures.MinRepositionRatio}×.");
        Assert.True(gas["pool.swap"] <= GasFigures.SwapLimit,
            $"pool.swap costs {gas["pool.swap"]:N0} gas, over the {GasFigures.SwapLimit:N0} target.");
        Assert.True(gas["pool.swap"] < gas.UniswapSwapToBeat,
            $"pool.swap ({gas["pool.swap"]:N0}) is not below Uniswap v3's swap ({gas.UniswapSwapToBeat:N0}).");
        Assert.All(gas.Targets, t => Assert.True(t.Passed, $"{t.Target}: {t.Measured}"));

        // The measurement itself is sound: a swap that writes an observation costs more than one that does not,
        // on both pools, and the hint makes the rebalance cheaper.
        Assert.True(gas["pool.swap"] > gas["pool.swap.sameBlock"]);
        Assert.True(gas["uniswapV3.swap"] > gas["uniswapV3.swap.sameBlock"]);
        Assert.True(gas["vault.rebalance.noHint"] > gas["vault.rebalance"]);
        // A volatility feed another oracle writes is read (a cold account, its round, the vault's slot naming it); the
        // deployment's own, written with its price feed, is not (the trace below calls no volatility feed).
        Assert.True(gas["vault.rebalance.separateVolatilityFeed"] >= gas["vault.rebalance"] + 2_600 + 2 * 2_100,
            $"separateVolatilityFeed {gas["vault.rebalance.separateVolatilityFeed"]:N0} against vault.rebalance {gas["vault.rebalance"]:N0}");

        // Issue 14: the vault's guarded v3 re-range against Uniswap's raw reposition. The 1.10× target is not met: what
        // is left over the raw figure is the guards' own reads and writes (itemised in docs/uniswap-v3.md, "Gas"); this
        // ceiling only stops it from growing.
        Assert.True(gas.UniswapVaultOverhead <= UniswapVaultCeiling,
            $"uniswapV3.vault.rebalance ({gas["uniswapV3.vault.rebalance"]:N0}) is {gas.UniswapVaultOverhead:0.000}× uniswapV3.reposition ({gas["uniswapV3.reposition"]:N0}), over the {UniswapVaultCeiling}× ceiling.");
        Assert.True(gas["uniswapV3.vault.rebalance"] > gas["uniswapV3.reposition"], "the guarded path cannot be cheaper than the raw one it wraps");

        // The simulator charges copies of these measurements (it runs without a node): each copy stays within
        // MeasuredGas.Tolerance of what was just measured, or the backtest charges gas the contracts no longer cost.
        Assert.All(MeasuredGas.Figures, f => Assert.True(
            Math.Abs(gas[f.Operation] - f.Gas) <= MeasuredGas.Tolerance * gas[f.Operation],
            $"{f.Operation} now costs {gas[f.Operation]:N0} gas but the simulator charges MeasuredGas.{f.Constant} = {f.Gas:N0} (more than {MeasuredGas.Tolerance * 100:0}% apart): set MeasuredGas.{f.Constant} to {gas[f.Operation]:N0}"));

        // docs/gas.md's breakdown, read from Hardhat's trace of the rebalance (the gas report's node; anvil records struct
        // logs only when started with --steps-tracing): it adds up to the receipt (Attribute refuses a trace that does
        // not), the intrinsic gas is 21,000 plus the calldata, and the state the guards read lands where it is: the
        // vault's keeper role and two policy slots, the price feed's round (never the volatility feed's: the deployment's
        // oracle writes both at once), the pool's writes.
        if (LocalNode.KindFromEnvironment() != LocalNodeKind.Hardhat) return;
        var b = await GasBreakdown.TraceAsync(Eth.Rpc, gas.TransactionOf("vault.rebalance")!, gas.ContractName);
        Assert.Equal(gas["vault.rebalance"], b.GasUsed);
        Assert.Equal(GasBreakdown.TransactionBase + b.Calldata, b.Intrinsic);
        Assert.Equal(["TreasuryVault", "OracleFeed (price)", "ManagedPool"], b.Contracts.Select(c => c.Contract));
        var vault = b.Contracts[0];
        Assert.True(vault.ColdSloads >= 3 && vault.Sstores == 0 && vault.CallGas >= 2 * 2_600 && vault.LogGas > 0, vault.ToString());
        Assert.Equal(1, b.Contracts[1].ColdSloads);
        var pool = b.Contracts[2];
        Assert.True(pool.Sstores >= 3 && pool.ColdSloads >= 3 && pool.LogGas > 0, pool.ToString());
    }
}
