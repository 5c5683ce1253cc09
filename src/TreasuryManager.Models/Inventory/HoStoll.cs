namespace TreasuryManager.Models.Inventory;

/// <summary>
/// Ho and Stoll (1981), "Optimal dealer pricing under transactions and return uncertainty",
/// J. Financial Economics 9(1). Around a "true" price p the dealer quotes
/// bid = p − a − βI and ask = p + a − βI (docs/models.md, "Ho–Stoll"):
/// the spread 2a does not depend on inventory I, the quotes' midpoint p − βI moves against it,
/// and β grows with risk aversion, return variance and horizon.
/// </summary>
public sealed class HoStoll
{
    /// <param name="halfSpread">a ≥ 0, half the inventory-independent spread.</param>
    /// <param name="beta">β ≥ 0, price shift per unit of inventory.</param>
    public HoStoll(double halfSpread, double beta)
    {
        Guard.NonNegative(halfSpread);
        Guard.NonNegative(beta);
        HalfSpread = halfSpread;
        Beta = beta;
    }

    public double HalfSpread { get; }

    public double Beta { get; }

    /// <summary>
    /// β for a CARA dealer with risk aversion γ holding for a horizon τ on a price with
    /// variance rate σ²: β = γσ²τ. Ho–Stoll only state that β grows with these three; this is the
    /// continuous-time CARA value (the same shift Avellaneda–Stoikov's reservation price makes).
    /// </summary>
    public static HoStoll FromRisk(double halfSpread, double gamma, double sigma, double horizon)
    {
        Guard.Positive(gamma);
        Guard.Positive(sigma);
        Guard.NonNegative(horizon);
        return new HoStoll(halfSpread, gamma * sigma * sigma * horizon);
    }

    /// <summary>bid = p − a − βI, ask = p + a − βI.</summary>
    public InventoryQuotes Quote(double truePrice, double inventory)
    {
        Guard.Finite(truePrice);
        Guard.Finite(inventory);
        var centre = truePrice - Beta * inventory;
        return InventoryQuotes.AroundReservation(truePrice, centre, 2 * HalfSpread);
    }
}
