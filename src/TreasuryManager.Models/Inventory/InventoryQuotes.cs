namespace TreasuryManager.Models.Inventory;

/// <summary>
/// What an inventory model says to quote around a mid price <see cref="Mid"/>.
/// Distances are measured from the mid, in the same units as the prices
/// (bid = mid − BidDistance, ask = mid + AskDistance), as in Avellaneda–Stoikov (2008).
/// </summary>
/// <param name="Mid">The reference ("true", oracle or mid) price the model was given.</param>
/// <param name="ReservationPrice">The price at which the dealer is indifferent to one more unit:
/// the midpoint of its own bid and ask.</param>
/// <param name="BidDistance">δb = mid − bid.</param>
/// <param name="AskDistance">δa = ask − mid.</param>
public sealed record InventoryQuotes(double Mid, double ReservationPrice, double BidDistance, double AskDistance)
{
    /// <summary>δa + δb.</summary>
    public double Spread => BidDistance + AskDistance;

    /// <summary>Half of <see cref="Spread"/>.</summary>
    public double HalfSpread => 0.5 * Spread;

    public double BidPrice => Mid - BidDistance;

    public double AskPrice => Mid + AskDistance;

    /// <summary>Builds quotes from a reservation price r and a total spread: r ± spread/2.</summary>
    public static InventoryQuotes AroundReservation(double mid, double reservationPrice, double spread)
    {
        var bid = reservationPrice - 0.5 * spread;
        var ask = reservationPrice + 0.5 * spread;
        return new InventoryQuotes(mid, reservationPrice, mid - bid, ask - mid);
    }
}
