using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Strategy.Decisions;

namespace TreasuryManager.Keeper.Cycle;

/// <summary>
/// One pool's decision in a cycle: the Strategy core's action (<see cref="StrategyDecision"/>) tied to the pool it is for
/// and the block it was taken at. A <see cref="Plan"/> or a <see cref="Hold"/>. Data, printable and assertable.
/// </summary>
public abstract record Decision(Address Pool, string Label, long Block)
{
    public abstract InventoryView? Inventory { get; }

    /// <summary>The label the decision is counted under (the same in the backtest): the rebalance's kind, or the hold's reason.</summary>
    public abstract string CountLabel { get; }
}

/// <summary>Leave the pool alone this cycle, and why.</summary>
public sealed record Hold(Address Pool, string Label, long Block, HoldReason Reason, string Detail, InventoryView? Inventory = null)
    : Decision(Pool, Label, Block)
{
    public override InventoryView? Inventory { get; } = Inventory;

    public override string CountLabel => DecisionLabels.Of(Reason);

    /// <summary>The Strategy core's hold for this pool.</summary>
    public static Hold Of(Address pool, string label, long block, HoldAction hold) => new(pool, label, block, hold.Reason, hold.Detail, hold.View);
}

/// <summary>
/// Reposition the pool as <see cref="Action"/> says (the Strategy core's <see cref="RebalanceAction"/>: its kind and
/// trigger, the target and the pool's exact fit of it, benefit and gas in quote).
/// </summary>
public sealed record Plan(Address Pool, string Label, long Block, RebalanceAction Action) : Decision(Pool, Label, Block)
{
    public override InventoryView? Inventory => Action.View;
    public override string CountLabel => Action.CountLabel;

    /// <summary>The vault's rebalance target (a ManagedPool's; a v3 plan sends <see cref="UniswapV3"/> instead).</summary>
    public TreasuryVault.Target Target => new(Action.Target.SqrtPriceX96, Action.Target.SqrtPriceBoundX96, Action.Target.FeePips, Action.Target.ObservationHint);

    /// <summary>A Uniswap v3 pool's plan: the manager and the range target it is sent (null for a ManagedPool).</summary>
    public UniswapV3Rebalance? UniswapV3 { get; init; }

    /// <summary>The rebalance's call: vault.rebalance(pool, <see cref="Target"/>) for a ManagedPool, or
    /// manager.rebalance(pool, RangeTarget) for a Uniswap v3 pool.</summary>
    public (Address To, byte[] Data) Call(Address vault) => UniswapV3 is { } v3
        ? (v3.Manager, UniswapV3PositionManager.EncodeRebalance(Pool, v3.Target))
        : (vault, TreasuryVault.EncodeRebalance(Pool, Target));

    public RebalanceKind Kind => Action.Kind;
    public RebalanceTrigger Trigger => Action.Trigger;
    public bool Urgent => Action.Urgent;
    public BigInteger ExpectedLiquidity => Action.ExpectedLiquidity;
    public BigInteger ExpectedSqrtPriceLowX96 => Action.ExpectedSqrtPriceLowX96;
    public BigInteger ExpectedSqrtPriceHighX96 => Action.ExpectedSqrtPriceHighX96;
    public double CentrePrice => Action.CentrePrice;
    public double PriceLow => Action.PriceLow;
    public double PriceHigh => Action.PriceHigh;
    public double ExpectedBenefit => Action.ExpectedBenefit;
    public double GasCost => Action.GasCost;
    public long GasUnits => Action.GasUnits;
    public IReadOnlyList<string> Reasons => Action.Reasons;
    public InventoryView View => Action.View;

    /// <summary>The rebalance's gas limit: the Guard's estimate with the configured margin (Gas:GasLimitMarginPerMille).</summary>
    public long GasLimit(Configuration.GasSettings gas)
    {
        ArgumentNullException.ThrowIfNull(gas);
        return GasUnits * gas.GasLimitMarginPerMille / 1000;
    }

    /// <summary>The idempotency key of this plan's transaction: one pool, one block.</summary>
    public IntentKey IntentKey => new(IntentKind.Rebalance, Pool, Block);
}

/// <summary>A v3 plan's call: the manager and the range target (ticks, and the optional bounded swap toward the target share: docs/uniswap-v3.md).</summary>
public sealed record UniswapV3Rebalance(Address Manager, UniswapV3PositionManager.RangeTarget Target)
{
    public TickRange Range => new((int)Target.TickLower, (int)Target.TickUpper);
}
