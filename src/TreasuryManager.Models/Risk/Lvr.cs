namespace TreasuryManager.Models.Risk;

/// <summary>
/// Loss-versus-rebalancing (Milionis, Moallemi, Roughgarden and Zhang 2022, "Automated market making
/// and loss-versus-rebalancing", arXiv 2208.06046; docs/models.md, "Loss-versus-rebalancing"). Instantaneous LVR = (σ²/2)·P²·|x′(P)|
/// per unit time, σ the volatility of ln P per √time.
/// </summary>
public static class Lvr
{
    /// <summary>(σ²/2)·P²·|x′(P)|.</summary>
    public static double Instantaneous(double sigma, double price, double deltaDerivative)
    {
        Guard.Positive(sigma);
        Guard.Positive(price);
        Guard.Finite(deltaDerivative);
        return 0.5 * sigma * sigma * price * price * Math.Abs(deltaDerivative);
    }

    /// <summary>LVR/V of a full-range constant-product pool: σ²/8 per unit time.</summary>
    public static double FullRangeFraction(double sigma)
    {
        Guard.Positive(sigma);
        return sigma * sigma / 8.0;
    }

    /// <summary>LVR of a full-range constant-product pool of value V: V·σ²/8 per unit time.</summary>
    public static double FullRange(double sigma, double value)
    {
        Guard.NonNegative(value);
        return FullRangeFraction(sigma) * value;
    }

    /// <summary>
    /// LVR/V of a range position on [pa, pb] at P inside it:
    /// (σ²/8)·2√P/(2√P − P/√pb − √pa). (From x′(P) = −L/(2P^(3/2)) and V = L(2√P − P/√pb − √pa).)
    /// Zero outside the range (the position is all one token and does not trade).
    /// </summary>
    public static double RangeFraction(double sigma, double price, double priceLow, double priceHigh)
    {
        Guard.Positive(sigma);
        Guard.Positive(price);
        Guard.Positive(priceLow);
        Guard.Positive(priceHigh);
        if (priceLow >= priceHigh) throw new ArgumentOutOfRangeException(nameof(priceLow), priceLow, "must be below priceHigh");
        if (price <= priceLow || price >= priceHigh) return 0.0;
        var sqrtP = Math.Sqrt(price);
        return sigma * sigma / 8.0 * 2.0 * sqrtP / (2.0 * sqrtP - price / Math.Sqrt(priceHigh) - Math.Sqrt(priceLow));
    }
}
