using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Estimators;
using TreasuryManager.Models.Inventory;

namespace TreasuryManager.Models.Tests;

/// <summary>
/// Bad input gets one clear error naming the input: every argument check of the inventory models, the estimators and
/// the real-number curve refuses its own bad value by the parameter's name, and the edge the docs allow is accepted
/// (found by mutation testing: removing any of these checks let every other test pass).
/// </summary>
public sealed class ArgumentRefusalTests
{
    private static void Refused(string parameter, Action call) =>
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(call).ParamName);

    [Fact]
    public void Inventory_models_refuse_each_bad_argument_by_name()
    {
        Refused("gamma", () => new AvellanedaStoikov(0, 2, 1.5, 1));
        Refused("sigma", () => new AvellanedaStoikov(0.1, -2, 1.5, 1));
        Refused("k", () => new AvellanedaStoikov(0.1, 2, double.NaN, 1));
        Refused("horizon", () => new AvellanedaStoikov(0.1, 2, 1.5, 0));
        var a = new AvellanedaStoikov(0.1, 2, 1.5, 1);
        Refused("s", () => a.Quote(double.NaN, 0, 0));
        Refused("q", () => a.Quote(100, double.PositiveInfinity, 0));
        Refused("t", () => a.Quote(100, 0, double.NaN));

        Refused("gamma", () => new Glft(0, 0.3, 140, 1.5));
        Refused("sigma", () => new Glft(0.1, 0, 140, 1.5));
        Refused("a", () => new Glft(0.1, 0.3, -140, 1.5));
        Refused("k", () => new Glft(0.1, 0.3, 140, 0));
        var g = new Glft(0.1, 0.3, 140, 1.5);
        Refused("s", () => g.Approximate(double.NaN, 0));
        Refused("q", () => g.Approximate(100, double.NaN));
        Refused("maxInventory", () => g.Exact(0));
        Refused("maxInventory", () => g.ExactAt(0, 1));
        Refused("timeLeft", () => g.ExactAt(3, -1));
        var exact = g.Exact(3);
        Refused("q", () => exact.Quote(100, 4));
        Refused("q", () => exact.Quote(100, -4));
        Assert.Equal(100, exact.Quote(100, 3).Mid); // the edges of the inventory grid are quotes, not errors
        Assert.Equal(100, exact.Quote(100, -3).Mid);

        Refused("halfSpread", () => new HoStoll(-0.01, 0.1));
        Refused("beta", () => new HoStoll(0.01, -0.1));
        Refused("gamma", () => HoStoll.FromRisk(0.01, 0, 0.3, 1));
        Refused("sigma", () => HoStoll.FromRisk(0.01, 0.1, 0, 1));
        Refused("horizon", () => HoStoll.FromRisk(0.01, 0.1, 0.3, -1));
        var h = new HoStoll(0.01, 0.1);
        Refused("truePrice", () => h.Quote(double.NaN, 0));
        Refused("inventory", () => h.Quote(100, double.NaN));
        // Zero half-spread, zero inventory aversion and zero horizon are allowed.
        Assert.Equal(100, new HoStoll(0, 0).Quote(100, 5).ReservationPrice);
        Assert.Equal(0, HoStoll.FromRisk(0.01, 0.1, 0.3, 0).Beta);
    }

    [Fact]
    public void Estimators_refuse_each_bad_argument_by_name()
    {
        Refused("smoothingTime", () => new EwmaVolatility(0));
        Refused("minObservations", () => new EwmaVolatility(1, 0));
        var e = new EwmaVolatility(1);
        Refused("time", () => e.Update(double.NaN, 100));
        Refused("price", () => e.Update(0, 0));
        e.Update(1, 100);
        Refused("time", () => e.Update(1, 101)); // times must increase

        Refused("distanceResolution", () => new IntensityEstimator(0));
        Refused("minFills", () => new IntensityEstimator(1e-4, 0));
        var i = new IntensityEstimator(1e-4);
        Refused("distance", () => i.AddExposure(-1e-3, 1));
        Refused("duration", () => i.AddExposure(1e-3, -1));
        Refused("distance", () => i.AddFill(double.NaN));
        Refused("count", () => i.AddFill(1e-3, -1));
        i.AddFill(1e-3, 0); // no fills is allowed
        Assert.Equal(0, i.Fills);

        Refused("window", () => new RealisedVariance(0, 1));
        Refused("minSpan", () => new RealisedVariance(1, 0));
        Refused("minSpan", () => new RealisedVariance(1, 2));
        Assert.Equal(1, new RealisedVariance(1, 1).Window); // minSpan = window is allowed
        var r = new RealisedVariance(10, 1);
        Refused("observation.Time", () => r.Add(new PoolObservation(double.NaN, 0, 0)));
        Refused("observation.LogPriceCumulative", () => r.Add(new PoolObservation(0, double.NaN, 0)));
        Refused("observation.SquaredReturnCumulative", () => r.Add(new PoolObservation(0, 0, -1)));
        r.Add(new PoolObservation(1, 0, 5));
        Refused("observation", () => r.Add(new PoolObservation(1, 0, 5)));
        Refused("observation", () => r.Add(new PoolObservation(2, 0, 4)));

        Refused("horizon", () => new MarkoutToxicity(0));
        Refused("window", () => new MarkoutToxicity(1, 0, 1));
        Refused("minTrades", () => new MarkoutToxicity(1, 10, 0));
        Refused("minTrades", () => new MarkoutToxicity(1, 10, 11));
        Assert.Equal(10, new MarkoutToxicity(1, 10, 10).MinTrades);
        var m = new MarkoutToxicity(1);
        Refused("time", () => m.AddTrade(double.NaN, 100, 1));
        Refused("price", () => m.AddTrade(0, 0, 1));
        Refused("signedSize", () => m.AddTrade(0, 100, double.NaN));
        Refused("time", () => m.OnPrice(double.NaN, 100));
        Refused("price", () => m.OnPrice(0, -1));

        Refused("bucketVolume", () => new Vpin(0));
        Refused("buckets", () => new Vpin(1, 0));
        Refused("signedVolume", () => new Vpin(1).AddTrade(double.NaN));
    }

    [Fact]
    public void The_real_number_curve_refuses_each_bad_argument_by_name()
    {
        Refused("baseAmount", () => ConcentratedPosition.FitFromLowerBound(-1, 1000, 100, 81));
        Refused("quoteAmount", () => ConcentratedPosition.FitFromLowerBound(10, 0, 100, 81));
        Refused("centre", () => ConcentratedPosition.FitFromLowerBound(10, 1000, 0, 81));
        Refused("priceLow", () => ConcentratedPosition.FitFromLowerBound(10, 1000, 100, 0));
        Refused("priceLow", () => ConcentratedPosition.FitFromLowerBound(10, 1000, 100, 100));
        Refused("baseAmount", () => ConcentratedPosition.FitFromUpperBound(0, 1000, 100, 121));
        Refused("quoteAmount", () => ConcentratedPosition.FitFromUpperBound(10, -1, 100, 121));
        Refused("centre", () => ConcentratedPosition.FitFromUpperBound(10, 1000, double.NaN, 121));
        Refused("priceHigh", () => ConcentratedPosition.FitFromUpperBound(10, 1000, 100, 0));
        Refused("priceHigh", () => ConcentratedPosition.FitFromUpperBound(10, 1000, 100, 100));
        Refused("priceHigh", () => ConcentratedPosition.FitFromUpperBound(10, 1000, 100, double.NaN));
        Refused("priceLow", () => ConcentratedPosition.FitFromLowerBound(10, 1000, 100, double.NaN));
        // More base than the lower bound's liquidity can hold above the centre: the upper bound is +∞; more quote than
        // the upper bound's can hold below it: the lower bound is 0.
        Assert.Equal(double.PositiveInfinity, ConcentratedPosition.FitFromLowerBound(1000, 10, 100, 81).PriceHigh);
        Assert.Equal(0, ConcentratedPosition.FitFromUpperBound(0.01, 1e6, 100, 121).PriceLow);
        // One side may be empty: all quote puts the centre at the upper end, all base at the lower.
        Assert.Equal(100, ConcentratedPosition.FitFromLowerBound(0, 1000, 100, 81).PriceHigh, 9);
        Assert.Equal(100, ConcentratedPosition.FitFromUpperBound(10, 0, 100, 121).PriceLow, 9);

        var ok = new CurveInputs(10, 1000, 100, 0.3, 140, 1.5, 0.1, 1, 1);
        Refused("x", () => QuotesToCurve.Target(ok with { BaseAmount = -1 }));
        Refused("y", () => QuotesToCurve.Target(ok with { QuoteAmount = -1 }));
        Refused("inputs", () => QuotesToCurve.Target(ok with { BaseAmount = 0, QuoteAmount = 0 }));
        Refused("s", () => QuotesToCurve.Target(ok with { OraclePrice = 0 }));
        Refused("inputs.Volatility", () => QuotesToCurve.Target(ok with { Volatility = 0 }));
        Refused("inputs.IntensityA", () => QuotesToCurve.Target(ok with { IntensityA = 0 }));
        Refused("inputs.IntensityK", () => QuotesToCurve.Target(ok with { IntensityK = 0 }));
        Refused("inputs.RiskAversion", () => QuotesToCurve.Target(ok with { RiskAversion = 0 }));
        Refused("inputs.Horizon", () => QuotesToCurve.Target(ok with { Horizon = 0 }));
        Refused("inputs.LotSize", () => QuotesToCurve.Target(ok with { LotSize = 0 }));
        Refused("inputs.RangeStdDevs", () => QuotesToCurve.Target(ok with { RangeStdDevs = 0 }));
        Refused("TargetBaseShare", () => QuotesToCurve.Target(ok with { TargetBaseShare = -0.01 }));
        Refused("TargetBaseShare", () => QuotesToCurve.Target(ok with { TargetBaseShare = 1.01 }));
        Assert.Throws<ArgumentNullException>(() => QuotesToCurve.Target(null!));
        // Either side alone is a pool, and the target share may be 0 or 1.
        Assert.True(QuotesToCurve.Target(ok with { BaseAmount = 0 }).Liquidity > 0);
        Assert.True(QuotesToCurve.Target(ok with { QuoteAmount = 0 }).Liquidity > 0);
        Assert.True(QuotesToCurve.Target(ok with { TargetBaseShare = 0 }).Liquidity > 0);
        Assert.True(QuotesToCurve.Target(ok with { TargetBaseShare = 1 }).Liquidity > 0);

        Refused("halfSpread", () => QuotesToCurve.FeePipsFromHalfSpread(-0.001));
        Refused("centre", () => QuotesToCurve.Implied(0, 81, 121, 1000, 3000, 100));
        Refused("oraclePrice", () => QuotesToCurve.Implied(100, 81, 121, 1000, 3000, 0));
        Refused("liquidity", () => QuotesToCurve.Implied(100, 81, 121, -1, 3000, 100));
        Refused("feePips", () => QuotesToCurve.Implied(100, 81, 121, 1000, -1, 100));
        Refused("feePips", () => QuotesToCurve.Implied(100, 81, 121, 1000, 1_000_000, 100));
        Assert.True(QuotesToCurve.Implied(100, 81, 121, 1000, 999_999, 100).AskPrice > 100);
        Assert.Equal(100, QuotesToCurve.Implied(100, 81, 121, 1000, 0, 100).AskPrice, 9);
        Refused("price", () => Uint.SqrtPriceX96FromPrice(0));
    }
}
