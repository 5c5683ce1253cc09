namespace TreasuryManager.Models.Curve;

/// <summary>
/// One concentrated constant-product position in real numbers (Uniswap v3 whitepaper, 2021;
/// docs/models.md, "Amounts of a range"): liquidity L on [pa, pb], price P = token1 (quote) per token0 (base).
/// Real reserves x = L(1/√P − 1/√pb), y = L(√P − √pa), with P clamped to the range.
/// </summary>
public readonly record struct ConcentratedPosition(double Liquidity, double PriceLow, double PriceHigh)
{
    /// <summary>x(P) = L(1/√P − 1/√pb) for P in the range (all base below it, none above).</summary>
    public double BaseAmount(double price)
    {
        var p = Math.Clamp(price, PriceLow, PriceHigh);
        return Liquidity * (1.0 / Math.Sqrt(p) - 1.0 / Math.Sqrt(PriceHigh));
    }

    /// <summary>y(P) = L(√P − √pa) for P in the range.</summary>
    public double QuoteAmount(double price)
    {
        var p = Math.Clamp(price, PriceLow, PriceHigh);
        return Liquidity * (Math.Sqrt(p) - Math.Sqrt(PriceLow));
    }

    /// <summary>V(P) = x(P)·P + y(P), in the quote token.</summary>
    public double Value(double price) => BaseAmount(price) * price + QuoteAmount(price);

    /// <summary>
    /// The fit of docs/models.md ("The fit: liquidity from reserves, centre and one bound") in real numbers: reserves (x, y), centre P and the lower bound pa fix
    /// L = y/(√P − √pa) and 1/√pb = 1/√P − x/L (pb = +∞ when x/L ≥ 1/√P).
    /// </summary>
    public static ConcentratedPosition FitFromLowerBound(double baseAmount, double quoteAmount, double centre, double priceLow)
    {
        Guard.NonNegative(baseAmount);
        Guard.Positive(quoteAmount);
        Guard.Positive(centre);
        Guard.Positive(priceLow);
        if (priceLow >= centre) throw new ArgumentOutOfRangeException(nameof(priceLow), priceLow, "must be below the centre");
        var l = quoteAmount / (Math.Sqrt(centre) - Math.Sqrt(priceLow));
        var invSqrtHigh = 1.0 / Math.Sqrt(centre) - baseAmount / l;
        var high = invSqrtHigh > 0 ? 1.0 / (invSqrtHigh * invSqrtHigh) : double.PositiveInfinity;
        return new ConcentratedPosition(l, priceLow, high);
    }

    /// <summary>Reserves, centre and upper bound pb fix L = x/(1/√P − 1/√pb) and √pa = √P − y/L.</summary>
    public static ConcentratedPosition FitFromUpperBound(double baseAmount, double quoteAmount, double centre, double priceHigh)
    {
        Guard.Positive(baseAmount);
        Guard.NonNegative(quoteAmount);
        Guard.Positive(centre);
        Guard.Positive(priceHigh);
        if (priceHigh <= centre) throw new ArgumentOutOfRangeException(nameof(priceHigh), priceHigh, "must be above the centre");
        var l = baseAmount / (1.0 / Math.Sqrt(centre) - 1.0 / Math.Sqrt(priceHigh));
        var sqrtLow = Math.Sqrt(centre) - quoteAmount / l;
        var low = sqrtLow > 0 ? sqrtLow * sqrtLow : 0.0;
        return new ConcentratedPosition(l, low, priceHigh);
    }
}
