using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;

namespace TreasuryManager.Keeper.Cycle;

/// <summary>Why a pool is left alone this cycle.</summary>
public enum HoldReason
{
    /// <summary>Its reads failed this cycle.</summary>
    ObserveFailed,
    /// <summary>The pool (or the vault) is paused.</summary>
    PoolPaused,
    /// <summary>The price or volatility feed is older than the policy's heartbeat.</summary>
    StaleOracle,
    /// <summary>The oracle's answer is not a usable price or volatility.</summary>
    BadOracleAnswer,
    /// <summary>No volatility estimate: no feed, and the pool's own estimator is not ready.</summary>
    NoVolatility,
    /// <summary>The inventory is outside the vault's bounds: a rebalance (which moves no tokens) would revert; the owner must deposit or withdraw.</summary>
    OutsidePolicy,
    /// <summary>The policy's minimum interval since the last rebalance has not passed.</summary>
    TooSoon,
    /// <summary>The pool's observations do not reach back over the policy's TWAP window yet (a new pool, or too few slots); wait.</summary>
    TwapNotCovered,
    /// <summary>The pool's TWAP is too far from the oracle (the vault would revert with TwapDeviation).</summary>
    TwapDeviates,
    /// <summary>An earlier rebalance of this pool is still in flight.</summary>
    InFlight,
    /// <summary>The inventory is inside the band: a rebalance is not worth its gas.</summary>
    InsideBand,
    /// <summary>Outside the band, but the expected benefit does not beat the gas cost by the configured margin.</summary>
    BenefitBelowGas,
    /// <summary>No curve within the policy's bounds fits the reserves.</summary>
    NoFeasibleCurve,
    /// <summary>The chain would reject the plan (eth_call or eth_estimateGas reverted).</summary>
    GuardRejected,
    /// <summary>A non-urgent plan waits while the base fee is above the ceiling.</summary>
    GasAboveCeiling,
    /// <summary>The pool's curve already matches the target: a reposition would change next to nothing.</summary>
    AlreadyAtTarget,
    /// <summary>The toxic-flow defence is on and the pool is already quoted defensively.</summary>
    Defensive,
}

/// <summary>The inventory figures a decision rests on, for status, logs and metrics (human token units).</summary>
/// <param name="Base">x, base in the pool.</param>
/// <param name="Quote">y, quote in the pool.</param>
/// <param name="OraclePrice">s, quote per base.</param>
/// <param name="PoolPrice">The pool's price, quote per base.</param>
/// <param name="BaseShareBps">Base's share of value at the oracle price (the vault's formula), bps.</param>
/// <param name="Inventory">q = x − w·(x·s + y)/s, base above target.</param>
/// <param name="Band">q̄, the band's half-width in base (MODELS.md).</param>
/// <param name="VolatilityPerDay">σ of ln price per √day used.</param>
/// <param name="VolatilitySource">Where σ came from.</param>
/// <param name="OracleAgeSeconds">Age of the price feed's answer.</param>
public sealed record InventoryView(
    double Base, double Quote, double OraclePrice, double PoolPrice, int BaseShareBps,
    double Inventory, double Band, double VolatilityPerDay, string VolatilitySource, long OracleAgeSeconds);

/// <summary>The Decide step's output for one pool: a <see cref="Plan"/> or a <see cref="Hold"/>. Data, printable and assertable.</summary>
public abstract record Decision(Address Pool, string Label, long Block)
{
    public abstract InventoryView? Inventory { get; }
}

/// <summary>Leave the pool alone this cycle, and why.</summary>
public sealed record Hold(Address Pool, string Label, long Block, HoldReason Reason, string Detail, InventoryView? Inventory = null)
    : Decision(Pool, Label, Block)
{
    public override InventoryView? Inventory { get; } = Inventory;
}

/// <summary>
/// Reposition the pool to <see cref="Target"/>. <see cref="ExpectedLiquidity"/>, <see cref="ExpectedSqrtPriceLowX96"/> and
/// <see cref="ExpectedSqrtPriceHighX96"/> are the pool's exact fit of that target to its reserves (the curve it will
/// have). Benefit and gas cost are in quote tokens.
/// </summary>
public sealed record Plan(
    Address Pool,
    string Label,
    long Block,
    TreasuryVault.Target Target,
    BigInteger ExpectedLiquidity,
    BigInteger ExpectedSqrtPriceLowX96,
    BigInteger ExpectedSqrtPriceHighX96,
    double CentrePrice,
    double PriceLow,
    double PriceHigh,
    double ExpectedBenefit,
    double GasCost,
    long GasUnits,
    bool Urgent,
    IReadOnlyList<string> Reasons,
    InventoryView View)
    : Decision(Pool, Label, Block)
{
    public override InventoryView? Inventory => View;

    /// <summary>The idempotency key of this plan's transaction: one pool, one block.</summary>
    public string IntentKey => $"rebalance:{Pool.ToLowerHex()}:{Block}";
}
