namespace TreasuryManager.Simulation;

/// <summary>
/// The gas the simulator charges by default, one home for each figure: the receipts scripts/gas-report.sh measures
/// on a local node (docs/gas.md), copied here because the simulator runs without a node. GasTargetTests measures them
/// again and fails when a measurement has moved more than <see cref="Tolerance"/> from its copy, naming the constant
/// to update; a scenario file may still set its own figure (<c>arbitrage.swap_gas</c>, <c>perp.hedge_gas</c>,
/// <c>strategies.passive_rebalance_gas</c>, <c>strategies.managed_rebalance_gas</c>).
/// </summary>
public static class MeasuredGas
{
    /// <summary>pool.swap: a swap on a ManagedPool, first in its block (the arbitrageur's trade).</summary>
    public const long PoolSwap = 87_689;

    /// <summary>vault.rebalance: the keeper's rebalance on the deployment's policy (its oracle's price feed, whose checks
    /// cover the volatility feed written with it).</summary>
    public const long VaultRebalance = 73_852;

    /// <summary>uniswapV3.reposition: burn + collect + mint of one Uniswap v3 position in one transaction.</summary>
    public const long UniswapV3Reposition = 369_308;

    /// <summary>vault.adjustHedge.sizeOnly: the keeper resizes the pool's hedge, no margin moved.</summary>
    public const long VaultAdjustHedgeSizeOnly = 95_626;

    /// <summary>How far (a fraction of the measurement) a measurement may move from its copy before the guard fails.</summary>
    public const double Tolerance = 0.02;

    /// <summary>Each copied figure by the gas report's operation name.</summary>
    public static IReadOnlyList<(string Operation, string Constant, long Gas)> Figures { get; } =
    [
        ("pool.swap", nameof(PoolSwap), PoolSwap),
        ("vault.rebalance", nameof(VaultRebalance), VaultRebalance),
        ("uniswapV3.reposition", nameof(UniswapV3Reposition), UniswapV3Reposition),
        ("vault.adjustHedge.sizeOnly", nameof(VaultAdjustHedgeSizeOnly), VaultAdjustHedgeSizeOnly),
    ];
}
