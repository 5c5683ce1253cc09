using TreasuryManager.Models.Inventory;

namespace TreasuryManager.Models.Curve;

/// <summary>The curve the keeper wants the pool to take: centre (the pool's new price), range and fee.</summary>
/// <param name="CentrePrice">P, quote per base.</param>
/// <param name="PriceLow">pa.</param>
/// <param name="PriceHigh">pb.</param>
/// <param name="FeePips">Fee taken from the input, in pips (1e6 = 100%).</param>
/// <param name="Liquidity">L in real numbers (base·quote)^½.</param>
/// <param name="Quotes">The inventory model's quotes the curve was built from (relative distances).</param>
public sealed record TargetCurve(double CentrePrice, double PriceLow, double PriceHigh, int FeePips, double Liquidity, InventoryQuotes Quotes)
{
    public ConcentratedPosition Position => new(Liquidity, PriceLow, PriceHigh);
}

/// <summary>
/// What a curve quotes, measured against an oracle price s (relative distances, as fractions).
/// A pool at price P with fee f (taken from the input) sells base at the margin for P/(1 − f)
/// and buys it for P·(1 − f).
/// </summary>
/// <param name="OraclePrice">s.</param>
/// <param name="CentrePrice">P, the pool's price: the reservation price the curve expresses.</param>
/// <param name="BidPrice">P·(1 − f): what a seller of base receives per unit at the margin.</param>
/// <param name="AskPrice">P/(1 − f): what a buyer of base pays per unit at the margin.</param>
/// <param name="BaseDepth">Base the pool buys as its price falls by one unit of log price at P: L/(2√P)
/// (|dx/d ln P|), zero outside the range.</param>
/// <param name="QuoteDepth">Quote the pool pays out (or takes in) per unit of log price at P: L√P/2.</param>
public sealed record ImpliedQuotes(double OraclePrice, double CentrePrice, double BidPrice, double AskPrice, double BaseDepth, double QuoteDepth)
{
    /// <summary>δb = 1 − bid/s.</summary>
    public double BidDistance => 1.0 - BidPrice / OraclePrice;

    /// <summary>δa = ask/s − 1.</summary>
    public double AskDistance => AskPrice / OraclePrice - 1.0;

    /// <summary>δa + δb, relative to s.</summary>
    public double Spread => BidDistance + AskDistance;

    /// <summary>ln(P/s): how far the curve's centre leans from the oracle (negative when the pool
    /// is long base and wants to sell it).</summary>
    public double Skew => Math.Log(CentrePrice / OraclePrice);
}
