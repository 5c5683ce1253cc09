using System.Numerics;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Risk;

namespace TreasuryManager.Strategy.Hedging;

/// <summary>A pool's curve as the hedge reads it: its liquidity and bounds (raw, Q64.96).</summary>
public sealed record HedgeCurve(BigInteger Liquidity, BigInteger SqrtPriceLowX96, BigInteger SqrtPriceHighX96);

/// <summary>
/// Everything one pool's hedge step decides from, the same in the keeper and the backtest.
/// </summary>
/// <param name="Curve">The pool's curve: the one a rebalance just set this cycle, else the pool's current curve.</param>
/// <param name="OraclePrice">s, quote per base: x(P) and η are taken at the oracle's price.</param>
/// <param name="VolatilityPerDay">σ of ln price per √day, the one the Decider used.</param>
/// <param name="Account">The hedge account on its market.</param>
/// <param name="Ratio">h in [0, 1]: the target position is −h·x(P).</param>
/// <param name="TargetMarginRatio">Equity / notional kept after a trade (see <see cref="PerpHedgeMath.Plan"/>).</param>
/// <param name="RiskAversion">γ per unit of the pool's quote.</param>
/// <param name="Costs">The venue's fee rate and one adjustHedge's gas in quote.</param>
/// <param name="ReferenceBase">The base the treasury means to hold (whole base, ≥ 0): the hedge offsets the pool's
/// deviation from it, x(P) − reference, so the target position is −h·(x(P) − reference). 0 (the default) hedges the
/// whole inventory; the treasury's own holding (e.g. the base it deposited) hedges only what market making changed
/// — a DAO that wants to keep its token is then never short it.</param>
public sealed record HedgeStepInputs(
    HedgeCurve Curve, double OraclePrice, double VolatilityPerDay, int BaseDecimals, int QuoteDecimals,
    PerpHedgeAccount Account, double Ratio, double TargetMarginRatio, double RiskAversion, HedgeCosts Costs, double ReferenceBase = 0);

/// <summary>
/// The ONE hedge planner (docs/models.md, "The hedge"): x(P) and x′(P) of the pool's curve at the oracle's price,
/// η = |x′(P)|·P·σ, <see cref="Hedger.Decide"/> for the band, and <see cref="PerpHedgeMath.Plan"/> for the order and
/// its margin rule. The keeper's hedge step and the backtest's `hedged` and `defended` strategies both call it; the
/// treasury-wide limits (<see cref="Risk.TreasuryRisk"/>) may add an urgent trade between the decision and the order.
/// Pure.
/// </summary>
public static class HedgePlanner
{
    /// <summary>The pool's base x(P) (whole base) and its slope at the oracle price.</summary>
    public static (double PoolBase, double Slope) Exposure(HedgeStepInputs i)
    {
        ArgumentNullException.ThrowIfNull(i);
        return CurveDelta(i.Curve.Liquidity, i.Curve.SqrtPriceLowX96, i.Curve.SqrtPriceHighX96, i.OraclePrice, i.BaseDecimals, i.QuoteDecimals);
    }

    /// <summary>The hedger's inputs: x(P) − reference, the position, P, σ, η = |x′(P)|·P·σ, γ and the costs.</summary>
    public static HedgeInputs Inputs(HedgeStepInputs i)
    {
        ArgumentNullException.ThrowIfNull(i);
        if (!(i.ReferenceBase >= 0) || !double.IsFinite(i.ReferenceBase))
            throw new ArgumentOutOfRangeException(nameof(i), i.ReferenceBase, "the hedge's reference base must be a finite amount ≥ 0");
        var (x, slope) = Exposure(i);
        var eta = Math.Abs(slope) * i.OraclePrice * i.VolatilityPerDay;
        return new HedgeInputs(x - i.ReferenceBase, i.Account.Size, i.OraclePrice, i.VolatilityPerDay, eta, i.RiskAversion, i.Costs);
    }

    /// <summary>Trade back to −h·(x(P) − reference) when the deviation leaves the band, else hold.</summary>
    public static HedgeDecision Decide(HedgeStepInputs i) => Hedger.Decide(Inputs(i), i.Ratio);

    /// <summary>
    /// The order for a trade of <paramref name="sizeDelta"/> whole base (the decision's, plus any urgent trade the
    /// treasury's limits add): raw size, clamp to maxNotional, and the margin change. Null when there is nothing to trade:
    /// margin moves only with a trade.
    /// </summary>
    public static PerpOrderPlan? Order(HedgeStepInputs i, double sizeDelta)
    {
        ArgumentNullException.ThrowIfNull(i);
        return sizeDelta == 0 ? null : PerpHedgeMath.Plan(i.Account, sizeDelta, i.TargetMarginRatio);
    }

    /// <summary>
    /// x(P) and x′(P) of a curve (liquidity and bounds as the pool holds them, raw units) at the human price
    /// <paramref name="price"/>, in whole base and whole base per (quote per base) — PositionGreeks on the raw price.
    /// </summary>
    public static (double X, double Slope) CurveDelta(BigInteger liquidity, BigInteger sqrtLowX96, BigInteger sqrtHighX96, double price, int baseDecimals, int quoteDecimals)
    {
        var rawToHuman = Math.Pow(10, baseDecimals - quoteDecimals);
        var raw = price / rawToHuman;
        var lo = Uint.PriceFromSqrtPriceX96(sqrtLowX96);
        var hi = Uint.PriceFromSqrtPriceX96(sqrtHighX96);
        var l = (double)liquidity;
        var scale = Math.Pow(10, baseDecimals);
        return (PositionGreeks.Delta(l, raw, lo, hi) / scale, PositionGreeks.Gamma(l, raw, lo, hi) / rawToHuman / scale);
    }
}
