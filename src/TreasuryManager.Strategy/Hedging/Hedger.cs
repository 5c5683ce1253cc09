using TreasuryManager.Models.Risk;

namespace TreasuryManager.Strategy.Hedging;

/// <summary>A hedge venue's position as the hedger sees it: signed size in base (long &gt; 0), margin in quote, the venue's mark.</summary>
public sealed record HedgePosition(double Size, double Margin, double MarkPrice);

/// <summary>What one hedge trade costs: a fee rate on notional (0.0005 = 5 bp) plus a fixed cost in quote (the gas of the transaction when the venue is on chain).</summary>
public sealed record HedgeCosts(double FeeRate, double FixedCostQuote);

/// <summary>
/// What the hedge decision rests on, in base / quote / days.
/// </summary>
/// <param name="PoolBase">x(P): the base the pool's curve holds at the price (<see cref="PositionGreeks.Delta"/>).</param>
/// <param name="PerpSize">The venue position, signed base.</param>
/// <param name="Price">The oracle price, quote per base.</param>
/// <param name="VolatilityPerDay">σ of ln price per √day.</param>
/// <param name="DeltaVolatilityPerDay">η: volatility of the unhedged delta, base per √day (for a curve, |x′(P)|·P·σ).</param>
/// <param name="RiskAversion">γ per quote.</param>
/// <param name="Costs">The venue's cost of a trade.</param>
public sealed record HedgeInputs(double PoolBase, double PerpSize, double Price, double VolatilityPerDay, double DeltaVolatilityPerDay, double RiskAversion, HedgeCosts Costs);

/// <summary>The hedger's answer.</summary>
public abstract record HedgeDecision(double TargetSize, double Deviation, double Band);

/// <summary>Trade <paramref name="SizeDelta"/> base on the venue: afterwards the position is the target exactly.</summary>
public sealed record HedgeAdjust(double SizeDelta, double TargetSize, double Deviation, double Band, string Reason) : HedgeDecision(TargetSize, Deviation, Band);

/// <summary>Leave the position: the deviation from the target is inside the band (a trade would cost more than it saves).</summary>
public sealed record HedgeHold(double TargetSize, double Deviation, double Band, string Reason) : HedgeDecision(TargetSize, Deviation, Band);

/// <summary>
/// The hedge (issue 7; docs/models.md "When to rebalance: the band — the same rule serves the hedge, with c the venue's
/// trading cost"). Net delta = x(P) + perp position; with hedge ratio h the target position is −h·x(P) and the
/// deviation d = position − target. The hedger trades back to the target when |d| exceeds
/// q̄ = (12·c·η²/(γσ²))^(1/4), σ here in quote per base per √day (σ_ln·P), c = fixed cost + fee·P·q̄ (the trade that
/// resets a deviation of q̄): the positive root of q̄⁴ = K·(c₀ + f·P·q̄), K = 12η²/(γσ²), by Newton's method from an
/// upper bound. Pure: no I/O.
/// </summary>
public static class Hedger
{
    public static HedgeDecision Decide(HedgeInputs i, double hedgeRatio)
    {
        ArgumentNullException.ThrowIfNull(i);
        if (!(hedgeRatio is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(hedgeRatio), hedgeRatio, "the hedge ratio must lie in [0, 1] (0 none, 1 delta-neutral)");
        if (!(i.Price > 0)) throw new ArgumentOutOfRangeException(nameof(i), i.Price, "the price must be positive");
        var target = -hedgeRatio * i.PoolBase;
        var deviation = i.PerpSize - target;
        var band = BandWidth(i);
        // a deviation at the doubles' rounding level (after a trade to the target) is no deviation
        var tolerance = 1e-12 * (Math.Abs(i.PoolBase) + Math.Abs(i.PerpSize));
        if (Math.Abs(deviation) <= Math.Max(band, tolerance))
            return new HedgeHold(target, deviation, band, $"the position is {F(deviation)} base from the target {F(target)}, inside the band ±{F(band)}");
        return new HedgeAdjust(-deviation, target, deviation, band, $"the position is {F(deviation)} base from the target {F(target)}, outside the band ±{F(band)}: trade {F(-deviation)}");
    }

    /// <summary>q̄ for the hedge with c = fixed + fee·P·q̄.</summary>
    public static double BandWidth(HedgeInputs i)
    {
        ArgumentNullException.ThrowIfNull(i);
        if (i.DeltaVolatilityPerDay <= 0 || i.VolatilityPerDay <= 0) return 0; // nothing moves: any deviation is worth correcting
        var sigmaQuote = i.VolatilityPerDay * i.Price;
        // q̄⁴ = K·(c₀ + f·P·q̄) with K = 12η²/(γσ²): g(q) = q⁴ − K·f·P·q − K·c₀ is convex for q > 0 and
        // A + B (A⁴ = K·c₀, B³ = K·f·P) lies at or right of its root, so Newton from there decreases monotonically to it.
        var k = 12 * i.DeltaVolatilityPerDay * i.DeltaVolatilityPerDay / (i.RiskAversion * sigmaQuote * sigmaQuote);
        var linear = k * i.Costs.FeeRate * i.Price;
        var constant = k * i.Costs.FixedCostQuote;
        if (!(i.RiskAversion > 0)) throw new ArgumentOutOfRangeException(nameof(i), i.RiskAversion, "the risk aversion γ must be positive");
        if (i.Costs.FeeRate < 0 || i.Costs.FixedCostQuote < 0) throw new ArgumentOutOfRangeException(nameof(i), i.Costs, "hedge costs cannot be negative");
        var band = Math.Pow(constant, 0.25) + Math.Cbrt(linear);
        for (var n = 0; n < 100 && band > 0; n++)
        {
            var g = band * band * band * band - linear * band - constant;
            var next = band - g / (4 * band * band * band - linear);
            if (!(next < band) || band - next <= 1e-15 * band) return next > 0 ? Math.Min(next, band) : band;
            band = next;
        }
        return band;
    }

    private static string F(double v) => Models.Formatting.Numbers.Fixed(v);
}
