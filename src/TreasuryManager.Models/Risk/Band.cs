namespace TreasuryManager.Models.Risk;

/// <summary>
/// When to rebalance: the band (docs/models.md, "When to rebalance: the band"). Inventory drifts like a
/// Brownian motion with variance rate η²; holding q costs a·q² per unit time (a = γσ²/2 for a CARA
/// holder); each reset to target costs c. Resetting whenever |q| reaches q̄ costs on average
///   cη²/q̄² + a·q̄²/6 per unit time
/// (expected exit time from ±q̄ is q̄²/η²; expected ∫q² over it is q̄⁴/(6η²)), least at
///   q̄ = (6·c·η²/a)^(1/4) = (12·c·η²/(γσ²))^(1/4).
/// Units: q in base tokens, η² in base² per time unit, σ the price volatility in quote per base
/// per √time (so σ²q² is the variance rate of the holding's value), γ per quote token, c in quote.
/// </summary>
public static class Band
{
    /// <summary>q̄ = (12·c·η²/(γσ²))^(1/4).</summary>
    public static double Width(double resetCost, double inventoryVolatility, double gamma, double sigma)
    {
        Guard.NonNegative(resetCost);
        Guard.Positive(inventoryVolatility);
        Guard.Positive(gamma);
        Guard.Positive(sigma);
        var eta2 = inventoryVolatility * inventoryVolatility;
        return Math.Pow(12.0 * resetCost * eta2 / (gamma * sigma * sigma), 0.25);
    }

    /// <summary>Average cost per unit time of the band q̄: cη²/q̄² + (γσ²/2)·q̄²/6.</summary>
    public static double AverageCost(double bandWidth, double resetCost, double inventoryVolatility, double gamma, double sigma)
    {
        Guard.Positive(bandWidth);
        Guard.NonNegative(resetCost);
        Guard.Positive(inventoryVolatility);
        Guard.Positive(gamma);
        Guard.Positive(sigma);
        var a = gamma * sigma * sigma / 2.0;
        return resetCost * inventoryVolatility * inventoryVolatility / (bandWidth * bandWidth) + a * bandWidth * bandWidth / 6.0;
    }

    /// <summary>
    /// c for a pool rebalance: gas used × gas price × ETH price, with the gas price in wei
    /// (10^18 wei = 1 ETH) and the ETH price in the numeraire (quote token per ETH).
    /// </summary>
    public static double GasCost(double gasUsed, double gasPriceWei, double ethPrice)
    {
        Guard.NonNegative(gasUsed);
        Guard.NonNegative(gasPriceWei);
        Guard.NonNegative(ethPrice);
        return gasUsed * gasPriceWei * 1e-18 * ethPrice;
    }

    /// <summary>The pool's band with c = <see cref="GasCost"/>.</summary>
    public static double RebalanceWidth(double gasUsed, double gasPriceWei, double ethPrice, double inventoryVolatility, double gamma, double sigma) =>
        Width(GasCost(gasUsed, gasPriceWei, ethPrice), inventoryVolatility, gamma, sigma);

    /// <summary>
    /// The same rule for the hedge: c is the venue's cost of one hedge trade in the numeraire (its
    /// fixed fee, plus the gas of the transaction when the venue is on chain), η the volatility of
    /// the unhedged delta.
    /// </summary>
    public static double HedgeWidth(double venueCostPerTrade, double deltaVolatility, double gamma, double sigma) =>
        Width(venueCostPerTrade, deltaVolatility, gamma, sigma);
}
