using TreasuryManager.Models.Inventory;

namespace TreasuryManager.Models.Curve;

/// <summary>The inputs from which <see cref="QuotesToCurve"/> builds a target curve.</summary>
/// <param name="BaseAmount">x, the pool's base reserve (token0, in base units as a real number).</param>
/// <param name="QuoteAmount">y, the pool's quote reserve (token1).</param>
/// <param name="OraclePrice">s, quote per base.</param>
/// <param name="Volatility">σ of the log price per √(time unit).</param>
/// <param name="IntensityA">A, fills per time unit at distance 0.</param>
/// <param name="IntensityK">k per unit of relative distance (λ(δ) = A·e^(−kδ), δ a fraction of s).</param>
/// <param name="RiskAversion">γ per unit of quote token.</param>
/// <param name="Horizon">How long the curve is meant to stand (time units): sets the range width.</param>
/// <param name="LotSize">Base amount of one unit of inventory q in the GLFT model.</param>
/// <param name="TargetBaseShare">The share of value the treasury wants to hold in base (q = 0 there).</param>
/// <param name="RangeStdDevs">Range half-width, in standard deviations of the log price over the horizon.</param>
/// <param name="MinFeePips">Fee floor (a pool must cover its LVR).</param>
/// <param name="MaxFeePips">Fee cap.</param>
public sealed record CurveInputs(
    double BaseAmount,
    double QuoteAmount,
    double OraclePrice,
    double Volatility,
    double IntensityA,
    double IntensityK,
    double RiskAversion,
    double Horizon,
    double LotSize,
    double TargetBaseShare = 0.5,
    double RangeStdDevs = 2.0,
    int MinFeePips = 100,
    int MaxFeePips = 100_000);

/// <summary>
/// From inventory and market estimates to the curve the pool should take, and back.
/// <para>The mapping, step by step:</para>
/// <list type="number">
/// <item>Inventory. q is the treasury's base holding above its target, in lots:
/// q = (x − w·(x·s + y)/s)/lot, with w the target base share. Ho–Stoll's point: the quotes'
/// midpoint moves against q, their spread does not (to first order).</item>
/// <item>Quotes. The GLFT stationary approximation (Guéant, Lehalle, Fernandez-Tapia 2013; the
/// keeper runs forever, so no horizon) gives δb, δa. It is stated for an arithmetic price; the pool
/// lives in log price, so we price one lot, S = s·lot, and use σ_S = σ·S, k_S = k/S (a relative
/// distance δ is δ·S in lot-price units); the distances it returns are divided by S again.</item>
/// <item>Centre. The reservation price (the quotes' midpoint) becomes the pool's price:
/// P = s·exp((δa − δb)/2) (the log-price midpoint of s·e^(−δb) and s·e^(δa), which keeps P
/// positive for any skew; = s(1 − qω) to first order).</item>
/// <item>Fee. The half-spread h = (δa + δb)/2 becomes the fee: a pool at P with fee f taken from the
/// input buys at P(1 − f) and sells at P/(1 − f), so f = 1 − e^(−h) puts both at a log distance h
/// from P. Rounded up to whole pips and clamped to [MinFeePips, MaxFeePips].</item>
/// <item>Concentration. The range should hold the price moves expected while the curve stands:
/// a log half-width w = z·σ·√horizon (and never narrower than the half-spread).</item>
/// <item>Fit. With the reserves fixed, the centre and one bound fix L and the other bound
/// (docs/models.md, "The fit: liquidity from reserves, centre and one bound"). Fixing the lower bound at P·e^(−w) gives L_low = y/(√P − √pa); fixing the upper at
/// P·e^(w) gives L_high = x/(1/√P − 1/√pb). Take the larger L: the side whose reserve is scarce
/// for that depth then gets the narrower, more concentrated half of the range, the other side keeps
/// width w, and the fit is always feasible (the smaller L could need an infinite bound). A
/// lopsided inventory gives a lopsided range.</item>
/// </list>
/// </summary>
public static class QuotesToCurve
{
    public static TargetCurve Target(CurveInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var x = inputs.BaseAmount;
        var y = inputs.QuoteAmount;
        var s = inputs.OraclePrice;
        Guard.NonNegative(x);
        Guard.NonNegative(y);
        if (x + y <= 0) throw new ArgumentOutOfRangeException(nameof(inputs), "the pool holds nothing");
        Guard.Positive(s);
        Guard.Positive(inputs.Volatility);
        Guard.Positive(inputs.IntensityA);
        Guard.Positive(inputs.IntensityK);
        Guard.Positive(inputs.RiskAversion);
        Guard.Positive(inputs.Horizon);
        Guard.Positive(inputs.LotSize);
        Guard.Positive(inputs.RangeStdDevs);
        if (!(inputs.TargetBaseShare >= 0 && inputs.TargetBaseShare <= 1))
            throw new ArgumentOutOfRangeException(nameof(inputs.TargetBaseShare), inputs.TargetBaseShare, "must lie in [0, 1]");

        // 1. Inventory in lots above target.
        var value = x * s + y;
        var q = (x - inputs.TargetBaseShare * value / s) / inputs.LotSize;

        // 2. GLFT quotes in lot-price units, back to relative distances.
        var lotPrice = s * inputs.LotSize;
        var glft = new Glft(inputs.RiskAversion, inputs.Volatility * lotPrice, inputs.IntensityA, inputs.IntensityK / lotPrice);
        var abs = glft.Approximate(lotPrice, q);
        var bid = abs.BidDistance / lotPrice;
        var ask = abs.AskDistance / lotPrice;
        var quotes = new InventoryQuotes(1.0, 1.0 + 0.5 * (ask - bid), bid, ask);

        // 3. Centre from the reservation price.
        var centre = s * Math.Exp(0.5 * (ask - bid));

        // 4. Fee from the half-spread.
        var half = Math.Max(0.0, 0.5 * (ask + bid));
        var feePips = FeePipsFromHalfSpread(half, inputs.MinFeePips, inputs.MaxFeePips);

        // 5. Range half-width from volatility × horizon.
        var width = Math.Max(inputs.RangeStdDevs * inputs.Volatility * Math.Sqrt(inputs.Horizon), half);

        // 6. Fit, taking the larger liquidity.
        var sqrtP = Math.Sqrt(centre);
        var low = centre * Math.Exp(-width);
        var high = centre * Math.Exp(width);
        var lLow = y / (sqrtP - Math.Sqrt(low));
        var lHigh = x / (1.0 / sqrtP - 1.0 / Math.Sqrt(high));
        var position = lLow >= lHigh
            ? ConcentratedPosition.FitFromLowerBound(x, y, centre, low)
            : ConcentratedPosition.FitFromUpperBound(x, y, centre, high);
        return new TargetCurve(centre, position.PriceLow, position.PriceHigh, feePips, position.Liquidity, quotes);
    }

    /// <summary>f = 1 − e^(−h) in pips, rounded up, clamped.</summary>
    public static int FeePipsFromHalfSpread(double halfSpread, int minFeePips = 0, int maxFeePips = 999_999)
    {
        Guard.NonNegative(halfSpread);
        var f = -double.ExpM1(-halfSpread);
        var pips = Math.Ceiling(f * 1e6 - 1e-9);
        return (int)Math.Clamp(pips, minFeePips, maxFeePips);
    }

    /// <summary>
    /// Back from a curve to the quotes it implies against oracle s: bid P(1 − f), ask P/(1 − f),
    /// and the depth at the centre, |dx/d ln P| = L/(2√P) in base and L√P/2 in quote
    /// (zero when P is outside the range).
    /// </summary>
    public static ImpliedQuotes Implied(double centre, double priceLow, double priceHigh, double liquidity, int feePips, double oraclePrice)
    {
        Guard.Positive(centre);
        Guard.Positive(oraclePrice);
        Guard.NonNegative(liquidity);
        if (feePips < 0 || feePips >= 1_000_000) throw new ArgumentOutOfRangeException(nameof(feePips), feePips, "must lie in [0, 1e6)");
        var f = feePips / 1e6;
        var inRange = centre >= priceLow && centre <= priceHigh;
        var sqrtP = Math.Sqrt(centre);
        var baseDepth = inRange ? liquidity / (2 * sqrtP) : 0.0;
        var quoteDepth = inRange ? liquidity * sqrtP / 2 : 0.0;
        return new ImpliedQuotes(oraclePrice, centre, centre * (1 - f), centre / (1 - f), baseDepth, quoteDepth);
    }

    public static ImpliedQuotes Implied(TargetCurve curve, double oraclePrice)
    {
        ArgumentNullException.ThrowIfNull(curve);
        return Implied(curve.CentrePrice, curve.PriceLow, curve.PriceHigh, curve.Liquidity, curve.FeePips, oraclePrice);
    }
}
