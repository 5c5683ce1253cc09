using System.Numerics;

namespace TreasuryManager.Strategy.Decisions;

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

/// <summary>What a rebalance is for. Counted under these names in memory and on chain.</summary>
public enum RebalanceKind
{
    /// <summary>The inventory left the band and the benefit beats the gas, or the range is off the trade-off's width and re-ranging beats the gas.</summary>
    Normal,
    /// <summary>The inventory is past the hard limit: sent whatever the band and the gas ceiling say.</summary>
    Urgent,
    /// <summary>The toxic-flow defence: fee raised and range widened while the signal is on.</summary>
    Defend,
    /// <summary>The defence ended: the normal curve is restored.</summary>
    Restore,
}

/// <summary>What set a rebalance off.</summary>
public enum RebalanceTrigger
{
    /// <summary>|q| above the band q̄.</summary>
    InventoryBand,
    /// <summary>|share − target| at or past the hard limit.</summary>
    HardLimit,
    /// <summary>VPIN of the directional flow at or above its threshold.</summary>
    Vpin,
    /// <summary>The short σ over the reference σ at or above its threshold (VPIN calm).</summary>
    VolatilityRegime,
    /// <summary>Both signals calm for the calm spell.</summary>
    Calm,
    /// <summary>Inside the band, but the range is off the fee-versus-LVR width and re-ranging gains more than the margin times the gas.</summary>
    RangeWidth,
    /// <summary>The pool holds tokens but no liquidity quotes them (a v3 position never minted, or one a withdrawal burned):
    /// they earn nothing until a rebalance places them.</summary>
    Unplaced,
}

/// <summary>The inventory figures a decision rests on, for status, logs and metrics (human token units).</summary>
/// <param name="Base">x, base in the pool.</param>
/// <param name="Quote">y, quote in the pool.</param>
/// <param name="OraclePrice">s, quote per base.</param>
/// <param name="PoolPrice">The pool's price, quote per base.</param>
/// <param name="BaseShareBps">Base's share of value at the oracle price (the vault's formula), bps.</param>
/// <param name="Inventory">q = x − w·(x·s + y)/s, base above target.</param>
/// <param name="Band">q̄, the band's half-width in base (docs/models.md).</param>
/// <param name="VolatilityPerDay">σ of ln price per √day used.</param>
/// <param name="VolatilitySource">Where σ came from.</param>
/// <param name="OracleAgeSeconds">Age of the price feed's answer.</param>
public sealed record InventoryView(
    double Base, double Quote, double OraclePrice, double PoolPrice, int BaseShareBps,
    double Inventory, double Band, double VolatilityPerDay, string VolatilitySource, long OracleAgeSeconds);

/// <summary>The new curve a rebalance asks the vault for (TreasuryVault.Target, plain).</summary>
/// <param name="SqrtPriceX96">The centre, as a Q64.96 square-root price.</param>
/// <param name="SqrtPriceBoundX96">The bound the pool fixes; it derives the other from its reserves.</param>
/// <param name="ObservationHint">The observation slot hint for the TWAP read (<see cref="CurveTarget.NoObservationHint"/>: search).</param>
public sealed record CurveTarget(BigInteger SqrtPriceX96, BigInteger SqrtPriceBoundX96, int FeePips, int ObservationHint = CurveTarget.NoObservationHint)
{
    /// <summary>The vault searches the observation ring itself (type(uint16).max).</summary>
    public const int NoObservationHint = 65535;
}

/// <summary>The Decider's answer for one pool: a <see cref="RebalanceAction"/> or a <see cref="HoldAction"/>.</summary>
public abstract record StrategyDecision
{
    /// <summary>The figures it rests on, when the inputs got that far.</summary>
    public abstract InventoryView? Inventory { get; }
}

/// <summary>Leave the pool alone this cycle, and why.</summary>
public sealed record HoldAction(HoldReason Reason, string Detail, InventoryView? View = null) : StrategyDecision
{
    public override InventoryView? Inventory => View;
}

/// <summary>
/// Reposition the pool to <see cref="Target"/>. The expected liquidity and bounds are the pool's exact fit of that
/// target to its reserves (the curve it will have). Benefit and gas cost are in quote tokens.
/// </summary>
public sealed record RebalanceAction(
    RebalanceKind Kind,
    RebalanceTrigger Trigger,
    CurveTarget Target,
    BigInteger ExpectedLiquidity,
    BigInteger ExpectedSqrtPriceLowX96,
    BigInteger ExpectedSqrtPriceHighX96,
    double CentrePrice,
    double PriceLow,
    double PriceHigh,
    double ExpectedBenefit,
    double GasCost,
    long GasUnits,
    IReadOnlyList<string> Reasons,
    InventoryView View) : StrategyDecision
{
    public override InventoryView? Inventory => View;

    /// <summary>
    /// Sent whatever the base-fee ceiling says: an inventory past the hard limit, or the defence (the move is coming).
    /// A restore waits for cheaper gas like a normal rebalance.
    /// </summary>
    public bool Urgent => Kind is RebalanceKind.Urgent or RebalanceKind.Defend;

    /// <summary>
    /// Whether the benefit-versus-gas test decides this rebalance (and is checked again with the estimated gas): only a
    /// normal one, whose trigger it is, except the placement of holdings no liquidity quotes (<see cref="RebalanceTrigger.Unplaced"/>:
    /// the pool is for quoting them). Urgent, defensive and restoring rebalances change the quote for other reasons.
    /// </summary>
    public bool GatedByBenefit => Kind == RebalanceKind.Normal && Trigger != RebalanceTrigger.Unplaced;

    /// <summary>The label decisions are counted under, the same in the backtest and on chain.</summary>
    public string CountLabel => DecisionLabels.Of(Kind, Trigger);
}

/// <summary>One naming of decisions for counts and reports, shared by the backtest and the keeper.</summary>
public static class DecisionLabels
{
    /// <summary>"Rebalance", "Rebalance (urgent)", "Defend (VPIN)", "Defend (regime)", "Restore".</summary>
    public static string Of(RebalanceKind kind, RebalanceTrigger trigger) => kind switch
    {
        RebalanceKind.Normal => "Rebalance",
        RebalanceKind.Urgent => "Rebalance (urgent)",
        RebalanceKind.Defend => trigger == RebalanceTrigger.Vpin ? "Defend (VPIN)" : "Defend (regime)",
        RebalanceKind.Restore => "Restore",
        _ => kind.ToString(),
    };

    /// <summary>A hold is counted under its reason's name.</summary>
    public static string Of(HoldReason reason) => reason.ToString();
}
