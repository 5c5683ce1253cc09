using System.Numerics;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Inventory;

namespace TreasuryManager.Models.Tests.Curve;

/// <summary>
/// The pool's observation reads by hand on three observations (log prices 5, 8, 2 at t = 1000, 1010, 1030: cumulative
/// log price 0, 80, 120; cumulative squared return 0, 9, 45): at an observation, between two, past the last, too old;
/// the TWAP over a window; and the quote figures derived from prices.
/// </summary>
public sealed class ObservationReadTests
{
    private static IReadOnlyList<Observation> Ring(int sign = 1)
    {
        var o0 = ObservationMath.Initialize(1000, 5 * sign);
        var o1 = ObservationMath.Transform(o0, 1010, 8 * sign);
        var o2 = ObservationMath.Transform(o1, 1030, 2 * sign);
        return [o0, o1, o2];
    }

    private static (BigInteger, BigInteger) Read(long time, long ago, BigInteger now) => ObservationReads.ObserveSingle(Ring(), time, ago, now);

    [Fact]
    public void Reads_at_between_and_past_the_observations()
    {
        Assert.Equal((new BigInteger(120), new BigInteger(45)), Read(1030, 0, 2));
        Assert.Equal((new BigInteger(80), new BigInteger(9)), Read(1030, 20, 2));
        Assert.Equal((BigInteger.Zero, BigInteger.Zero), Read(1030, 30, 2));
        // Between 1010 and 1030: 80 + 2·10 = 100; the squared returns are those of the later observation.
        Assert.Equal((new BigInteger(100), new BigInteger(45)), Read(1030, 10, 2));
        // Between 1000 and 1010: 0 + 8·5 = 40.
        Assert.Equal((new BigInteger(40), new BigInteger(9)), Read(1030, 25, 2));
        // Past the last at t = 1040 with the price now 7: 120 + 7·10 = 190, 45 + (7 − 2)² = 70.
        Assert.Equal((new BigInteger(190), new BigInteger(70)), Read(1040, 0, 7));
        Assert.Equal("ObservationTooOld", Assert.Throws<CurveMathException>(() => Read(1030, 31, 2)).Reason);
        Assert.Equal("InvalidSecondsAgo", Assert.Throws<CurveMathException>(() => Read(1030, 1031, 2)).Reason);
        Assert.Throws<ArgumentNullException>(() => ObservationReads.ObserveSingle(null!, 1030, 0, 2));
    }

    [Fact]
    public void The_twap_is_the_cumulative_difference_over_the_window()
    {
        // Over [1020, 1040]: (190 − 100)/20 = 4.5, truncated to 4; squared returns 70 − 45 = 25.
        Assert.Equal((new BigInteger(4), new BigInteger(25)), ObservationReads.Consult(Ring(), 1040, 20, 7));
        // Negative log prices: (−120 − 0)/30 = −4.
        Assert.Equal(new BigInteger(-4), ObservationReads.Consult(Ring(-1), 1030, 30, -2).MeanLogPrice);
        Assert.Equal("InvalidSecondsAgo", Assert.Throws<CurveMathException>(() => ObservationReads.Consult(Ring(), 1030, 0, 2)).Reason);
        Assert.Throws<ArgumentNullException>(() => ObservationReads.Consult(null!, 1030, 10, 2));
        // Wrapping: a 72-bit signed cumulative just past its top comes back negative.
        Assert.Equal(-(BigInteger.One << 71), ObservationMath.SignedWrap(BigInteger.One << 71, 72));
        Assert.Equal((BigInteger.One << 71) - 1, ObservationMath.SignedWrap((BigInteger.One << 71) - 1, 72));
        Assert.Equal(BigInteger.One, ObservationMath.UnsignedWrap((BigInteger.One << 80) + 1, 80));
        Assert.Equal((BigInteger.One << 80) - 1, ObservationMath.UnsignedWrap(-1, 80));
    }

    [Fact]
    public void Quote_figures_from_prices()
    {
        var implied = new ImpliedQuotes(OraclePrice: 100, CentrePrice: 100, BidPrice: 99, AskPrice: 102, BaseDepth: 1, QuoteDepth: 1);
        Assert.Equal(0.01, implied.BidDistance, 12);
        Assert.Equal(0.02, implied.AskDistance, 12);
        Assert.Equal(0.03, implied.Spread, 12);
        Assert.Equal(Math.Log(1.1), (implied with { CentrePrice = 110 }).Skew, 12);
        var quotes = new InventoryQuotes(Mid: 100, ReservationPrice: 99, BidDistance: 2, AskDistance: 1);
        Assert.Equal(3, quotes.Spread);
        Assert.Equal(1.5, quotes.HalfSpread);
        Assert.Equal(98, quotes.BidPrice);
        Assert.Equal(101, quotes.AskPrice);
    }
}

/// <summary>The curve's implied quotes and fee by hand, at the range's ends and at a whole number of pips.</summary>
public sealed class ImpliedQuoteTests
{
    [Fact]
    public void Depth_is_L_over_two_root_P_in_base_and_L_root_P_over_two_in_quote_inside_the_range_only()
    {
        // L = 1000 at P = 100 (√P = 10): base depth 50, quote depth 5000; the ends of [81, 121] are inside.
        var mid = QuotesToCurve.Implied(100, 81, 121, 1000, 3000, 100);
        Assert.Equal(50, mid.BaseDepth, 12);
        Assert.Equal(5000, mid.QuoteDepth, 12);
        Assert.Equal(100 * 0.997, mid.BidPrice, 12);
        Assert.Equal(100 / 0.997, mid.AskPrice, 12);
        Assert.Equal(1000 / 18.0, QuotesToCurve.Implied(81, 81, 121, 1000, 3000, 100).BaseDepth, 12);
        Assert.Equal(1000 * 11 / 2.0, QuotesToCurve.Implied(121, 81, 121, 1000, 3000, 100).QuoteDepth, 12);
        Assert.Equal(0, QuotesToCurve.Implied(130, 81, 121, 1000, 3000, 100).QuoteDepth);
        Assert.Equal(0, QuotesToCurve.Implied(70, 81, 121, 1000, 3000, 100).BaseDepth);
        Assert.Throws<ArgumentNullException>(() => QuotesToCurve.Implied(null!, 100));
        var curve = new TargetCurve(100, 81, 121, 3000, 1000, new TreasuryManager.Models.Inventory.InventoryQuotes(1, 1, 0.01, 0.01));
        Assert.Equal(mid, QuotesToCurve.Implied(curve, 100));
    }

    [Fact]
    public void A_half_spread_of_a_whole_number_of_pips_is_that_many_pips()
    {
        // f = 1 − e^(−h) = 0.003 exactly in reals: 3000 pips, not 3001 from the rounding of f·10⁶.
        Assert.Equal(3000, QuotesToCurve.FeePipsFromHalfSpread(-Math.Log(1 - 0.003)));
        Assert.Equal(500, QuotesToCurve.FeePipsFromHalfSpread(-Math.Log(1 - 0.0005)));
        Assert.Equal(3001, QuotesToCurve.FeePipsFromHalfSpread(-Math.Log(1 - 0.0030005)));
        Assert.Equal(100, QuotesToCurve.FeePipsFromHalfSpread(0, 100, 200));
        Assert.Equal(200, QuotesToCurve.FeePipsFromHalfSpread(1, 100, 200));
    }

    [Fact]
    public void The_lot_size_only_rescales_the_inventory_not_the_curve_around_a_balanced_pool()
    {
        // 10 base at 100 and 1000 quote: exactly the 50% target, so q = 0 and the centre is the oracle for any lot.
        var inputs = new CurveInputs(10, 1000, 100, 0.3, 140, 1.5, 0.1, 1, 1);
        Assert.Equal(100, QuotesToCurve.Target(inputs).CentrePrice, 9);
        Assert.Equal(100, QuotesToCurve.Target(inputs with { LotSize = 4 }).CentrePrice, 9);
        // Long base (20 at 100 against 1000 quote): the centre leans below the oracle, more so with a smaller lot
        // (more lots of inventory) — and the quotes' reservation mirrors the centre: ln(centre/s) = (δa − δb)/2.
        var longBase = QuotesToCurve.Target(inputs with { BaseAmount = 20 });
        Assert.True(longBase.CentrePrice < 100);
        Assert.True(QuotesToCurve.Target(inputs with { BaseAmount = 20, LotSize = 0.5 }).CentrePrice < longBase.CentrePrice);
        Assert.Equal(Math.Log(longBase.CentrePrice / 100), 0.5 * (longBase.Quotes.AskDistance - longBase.Quotes.BidDistance), 12);
        Assert.Equal(1 + 0.5 * (longBase.Quotes.AskDistance - longBase.Quotes.BidDistance), longBase.Quotes.ReservationPrice, 12);
    }
}
