using TreasuryManager.Models.Curve;

namespace TreasuryManager.Models.Tests.Curve;

public class QuotesToCurveTests
{
    // s = 100, lot = 1 base, σ = 0.02/√t, horizon 4 ⇒ range half-width w = 2·0.02·√4 = 0.08.
    // In lot-price units (S = 100): σ_S = 2, k_S = 150/100 = 1.5, γ = 0.1, A = 140 — the paper's GLFT
    // numbers: base_S = 0.6453852113757116, ω_S = 0.051717216121966, so relative
    // base = 0.006453852113757116, ω = 0.00051717216121966.
    private static CurveInputs Inputs(double x, double y) =>
        new(BaseAmount: x, QuoteAmount: y, OraclePrice: 100, Volatility: 0.02, IntensityA: 140, IntensityK: 150,
            RiskAversion: 0.1, Horizon: 4, LotSize: 1);

    [Fact]
    public void Balanced_inventory_centres_on_the_oracle_with_a_symmetric_range()
    {
        // x = 10, y = 1000 at s = 100: half the value in base ⇒ q = 0 ⇒ δb = δa = base + ω/2 ⇒ P = s.
        // h = 0.006453852113757116 + 0.00025858608060983 = 0.006712438194366946
        // fee = ⌈(1 − e^(−h))·1e6⌉ = 6690 pips.
        // L = y/(√P − √(P e^(−w))) = 1000/(10 − 10·e^(−0.04)) = 2550.3333244447795 (= x/(1/√P − 1/√pb)).
        // pa = 100·e^(−0.08) = 92.31163463866358, pb = 100·e^(0.08) = 108.32870676749586.
        var t = QuotesToCurve.Target(Inputs(10, 1000));
        Assert.Equal(100, t.CentrePrice, 9);
        Assert.Equal(6690, t.FeePips);
        Assert.Equal(2550.3333244447795, t.Liquidity, 6);
        Assert.Equal(92.31163463866358, t.PriceLow, 9);
        Assert.Equal(108.32870676749586, t.PriceHigh, 9);
        // The curve holds exactly the reserves at its centre.
        Assert.Equal(10, t.Position.BaseAmount(t.CentrePrice), 9);
        Assert.Equal(1000, t.Position.QuoteAmount(t.CentrePrice), 9);
    }

    [Fact]
    public void Long_base_lowers_the_centre_and_narrows_the_scarce_side()
    {
        // x = 12, y = 800: value 2000, target 10 base ⇒ q = 2 lots.
        // P = s·e^((δa − δb)/2) = 100·e^(−2ω) = 99.89661904272616.
        // Upper bound at width w: pb = P·e^(0.08) = 108.21671551343725, L = x/(1/√P − 1/√pb) = 3058.817644864576
        // (> L_low = 2041.32), then √pa = √P − y/L ⇒ pa = 94.73694689308473 (log width 0.0530 < 0.08).
        var t = QuotesToCurve.Target(Inputs(12, 800));
        Assert.Equal(99.89661904272616, t.CentrePrice, 9);
        Assert.Equal(108.21671551343725, t.PriceHigh, 9);
        Assert.Equal(3058.817644864576, t.Liquidity, 6);
        Assert.Equal(94.73694689308473, t.PriceLow, 9);
        Assert.Equal(12, t.Position.BaseAmount(t.CentrePrice), 9);
        Assert.Equal(800, t.Position.QuoteAmount(t.CentrePrice), 9);
        // The fee does not depend on inventory (Ho–Stoll): same as balanced.
        Assert.Equal(QuotesToCurve.Target(Inputs(10, 1000)).FeePips, t.FeePips);
        // Short base mirrors it: centre above the oracle, the lower bound at full width.
        var shortBase = QuotesToCurve.Target(Inputs(8, 1200));
        Assert.True(shortBase.CentrePrice > 100);
        Assert.Equal(shortBase.CentrePrice * Math.Exp(-0.08), shortBase.PriceLow, 9);
        Assert.True(Math.Log(shortBase.PriceHigh / shortBase.CentrePrice) < 0.08);
    }

    [Fact]
    public void Implied_quotes_invert_the_mapping()
    {
        var t = QuotesToCurve.Target(Inputs(12, 800));
        var implied = QuotesToCurve.Implied(t, 100);
        // Skew = ln(P/s) = (δa − δb)/2 = −2ω.
        Assert.Equal(-2 * 0.00051717216121966, implied.Skew, 12);
        // bid = P(1 − f), ask = P/(1 − f) with f = 6690e-6.
        Assert.Equal(t.CentrePrice * (1 - 0.00669), implied.BidPrice, 9);
        Assert.Equal(t.CentrePrice / (1 - 0.00669), implied.AskPrice, 9);
        // The half-spread in log terms is −ln(1 − f) ≥ h (fee rounded up to whole pips).
        var h = 0.006712438194366946;
        Assert.InRange(0.5 * Math.Log(implied.AskPrice / implied.BidPrice), h, h + 1.1e-6);
        // Depth at the centre: L/(2√P) base per unit of log price.
        Assert.Equal(t.Liquidity / (2 * Math.Sqrt(t.CentrePrice)), implied.BaseDepth, 9);
        // Out of range ⇒ no depth.
        Assert.Equal(0, QuotesToCurve.Implied(150, 90, 110, 1000, 3000, 100).BaseDepth);
    }

    [Theory]
    [InlineData(12, 800, 18, 18)]
    [InlineData(8, 1200, 18, 6)]
    [InlineData(10, 1000, 8, 18)]
    public void Target_converts_to_a_fixed_point_fit_backed_by_the_reserves(double x, double y, int decimals0, int decimals1)
    {
        var t = QuotesToCurve.Target(Inputs(x, y));
        var r0 = new System.Numerics.BigInteger(x * Math.Pow(10, decimals0));
        var r1 = new System.Numerics.BigInteger(y * Math.Pow(10, decimals1));
        var fit = RepositionFit.FromTarget(t, r0, r1, decimals0, decimals1);
        Assert.True(fit.Amount0Needed <= r0 && fit.Amount1Needed <= r1);
        var scale = Math.Pow(10, decimals1 - decimals0);
        // Same curve as the real-number fit, to rounding (relative 1e-9 on prices; L in raw units is
        // L_real·10^((decimals0 + decimals1)/2)).
        Assert.Equal(1, Uint.PriceFromSqrtPriceX96(fit.SqrtPriceX96) / scale / t.CentrePrice, 9);
        Assert.Equal(1, Uint.PriceFromSqrtPriceX96(fit.SqrtPriceLowX96) / scale / t.PriceLow, 9);
        Assert.Equal(1, Uint.PriceFromSqrtPriceX96(fit.SqrtPriceHighX96) / scale / t.PriceHigh, 9);
        Assert.Equal(1, (double)fit.Liquidity / Math.Pow(10, (decimals0 + decimals1) / 2.0) / t.Liquidity, 9);
    }

    [Fact]
    public void Fee_from_half_spread_rounds_up_and_clamps()
    {
        // h = 0.003: 1 − e^(−0.003) = 0.0029955044966... ⇒ 2996 pips.
        Assert.Equal(2996, QuotesToCurve.FeePipsFromHalfSpread(0.003));
        Assert.Equal(100, QuotesToCurve.FeePipsFromHalfSpread(1e-6, 100, 10_000));
        Assert.Equal(10_000, QuotesToCurve.FeePipsFromHalfSpread(0.5, 100, 10_000));
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => QuotesToCurve.Target(Inputs(10, 1000) with { Volatility = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuotesToCurve.Target(Inputs(0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuotesToCurve.Target(Inputs(10, 1000) with { TargetBaseShare = 1.5 }));
    }
}
