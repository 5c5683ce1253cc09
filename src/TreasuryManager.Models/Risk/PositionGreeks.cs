namespace TreasuryManager.Models.Risk;

/// <summary>
/// Delta and gamma of one concentrated position in the base token (docs/models.md, "Position delta and gamma"):
/// delta x(P) = L(1/√P − 1/√pb), gamma dx/dP = −L/(2P^(3/2)) inside [pa, pb];
/// below pa the position is all base (x = L(1/√pa − 1/√pb), gamma 0), above pb it holds none.
/// </summary>
public static class PositionGreeks
{
    public static double Delta(double liquidity, double price, double priceLow, double priceHigh)
    {
        Check(liquidity, price, priceLow, priceHigh);
        var p = Math.Clamp(price, priceLow, priceHigh);
        return liquidity * (1.0 / Math.Sqrt(p) - 1.0 / Math.Sqrt(priceHigh));
    }

    public static double Gamma(double liquidity, double price, double priceLow, double priceHigh)
    {
        Check(liquidity, price, priceLow, priceHigh);
        if (price < priceLow || price > priceHigh) return 0.0;
        return -liquidity / (2.0 * price * Math.Sqrt(price));
    }

    private static void Check(double liquidity, double price, double priceLow, double priceHigh)
    {
        Guard.NonNegative(liquidity);
        Guard.Positive(price);
        Guard.Positive(priceLow);
        if (!(priceHigh > priceLow)) throw new ArgumentOutOfRangeException(nameof(priceHigh), priceHigh, "must be above priceLow");
    }
}
